"""Meetings of the CPEC Joint Cooperation Committee (JCC) and their decisions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..choices import DatePrecision, DecisionKind, MeetingStatus
from .constraints import choice_constraint
from .sources import Source


class JCCMeeting(models.Model):
    """A meeting of the CPEC Joint Cooperation Committee."""

    number = models.PositiveSmallIntegerField(
        unique=True, error_messages={"unique": "A JCC meeting with this number already exists."}
    )
    date = models.DateField()
    date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text="How precisely the sources give the date.",
    )
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.HELD)
    city = models.CharField(max_length=100, blank=True)
    is_virtual = models.BooleanField("virtual", default=False)
    is_special = models.BooleanField("special session", default=False)
    pakistan_cochair = models.CharField("Pakistani co-chair", max_length=200, blank=True)
    china_cochair = models.CharField("Chinese co-chair", max_length=200, blank=True)
    summary = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="meetings")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = "JCC meeting"
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="%(app_label)s_%(class)s_number_positive",
                violation_error_message="Meeting numbers start at 1.",
            ),
            choice_constraint("status", MeetingStatus, "Choose a meeting status from the list."),
            choice_constraint("date_precision", DatePrecision, "Choose a date precision from the list."),
        ]

    def __str__(self) -> str:
        return f"{self.ordinal} JCC ({self.date_display})"

    @property
    def ordinal(self) -> str:
        n = self.number
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"

    @property
    def date_display(self) -> str:
        if self.date_precision == DatePrecision.YEAR:
            return f"{self.date:%Y}"
        if self.date_precision == DatePrecision.MONTH:
            return f"{self.date:%b %Y}"
        return f"{self.date:%d %b %Y}".lstrip("0")

    @property
    def place(self) -> str:
        return "virtual" if self.is_virtual else self.city


class Decision(models.Model):
    """One outcome of a JCC meeting, about a project or initiative (or CPEC as a whole)."""

    meeting = models.ForeignKey(JCCMeeting, on_delete=models.PROTECT, related_name="decisions")
    sequence = models.PositiveSmallIntegerField(help_text="Its number within the meeting: 1, 2, 3…")
    project = models.ForeignKey(
        "Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="Empty for a decision about CPEC as a whole.",
    )
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    text = models.TextField(help_text="What was decided, in the editor's words.")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="decisions")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting__number", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "sequence"],
                name="%(app_label)s_%(class)s_unique_sequence",
                violation_error_message="This meeting already has a decision with this number.",
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1),
                name="%(app_label)s_%(class)s_sequence_positive",
                violation_error_message="Decision numbers start at 1.",
            ),
            choice_constraint("kind", DecisionKind, "Choose a kind of decision from the list."),
        ]

    def __str__(self) -> str:
        about = self.project.name if self.project_id else "CPEC"
        return f"JCC {self.meeting.number}/{self.sequence}: {self.get_kind_display()} – {about}"
