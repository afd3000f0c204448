"""Meetings of the CPEC Joint Cooperation Committee (JCC) and their decisions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords

from ..choices import DatePrecision, DecisionKind, MeetingStatus
from .constraints import choice_constraint
from .sources import Source

#: A meeting's number as an ordinal, by its English suffix (``JCCMeeting.ordinal``).
_ORDINALS = {
    # Translators: a JCC meeting's number as an ordinal, as in "1st JCC" or "21st JCC".
    "st": _("%(number)dst"),
    # Translators: a JCC meeting's number as an ordinal, as in "2nd JCC" or "22nd JCC".
    "nd": _("%(number)dnd"),
    # Translators: a JCC meeting's number as an ordinal, as in "3rd JCC" or "23rd JCC".
    "rd": _("%(number)drd"),
    # Translators: a JCC meeting's number as an ordinal, as in "4th JCC", "11th JCC" or "14th JCC".
    "th": _("%(number)dth"),
}


class JCCMeeting(models.Model):
    """A meeting of the CPEC Joint Cooperation Committee."""

    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, error_messages={"unique": _("A JCC meeting with this number already exists.")}
    )
    date = models.DateField(_("date"))
    date_precision = models.CharField(
        _("date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How precisely the sources give the date."),
    )
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.HELD)
    city = models.CharField(_("city"), max_length=100, blank=True)
    is_virtual = models.BooleanField(_("virtual"), default=False)
    is_special = models.BooleanField(_("special session"), default=False)
    pakistan_cochair = models.CharField(_("Pakistani co-chair"), max_length=200, blank=True)
    china_cochair = models.CharField(_("Chinese co-chair"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="meetings", verbose_name=_("sources"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = _("JCC meeting")
        verbose_name_plural = _("JCC meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="%(app_label)s_%(class)s_number_positive",
                violation_error_message=_("Meeting numbers start at 1."),
            ),
            choice_constraint("status", MeetingStatus, _("Choose a meeting status from the list.")),
            choice_constraint("date_precision", DatePrecision, _("Choose a date precision from the list.")),
        ]

    def __str__(self) -> str:
        return f"{self.ordinal} JCC ({self.date_display})"

    @property
    def ordinal(self) -> str:
        n = self.number
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return _ORDINALS[suffix] % {"number": n}

    @property
    def date_display(self) -> str:
        if self.date_precision == DatePrecision.YEAR:
            return f"{self.date:%Y}"
        if self.date_precision == DatePrecision.MONTH:
            return date_format(self.date, "M Y")
        return date_format(self.date, "j M Y")

    def _place(self) -> str:
        return pgettext("a JCC meeting's place", "virtual") if self.is_virtual else self.city

    _place.short_description = _("place")  # its column and field title in admin
    place = property(_place)


class Decision(models.Model):
    """One outcome of a JCC meeting, about a project or initiative (or CPEC as a whole)."""

    meeting = models.ForeignKey(
        JCCMeeting, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("meeting")
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"), help_text=_("Its number within the meeting: 1, 2, 3…"))
    project = models.ForeignKey(
        "Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("project"),
        help_text=_("Empty for a decision about CPEC as a whole."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DecisionKind.choices)
    text = models.TextField(_("text"), help_text=_("What was decided, in the editor's words."))
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("source"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting__number", "sequence"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "sequence"],
                name="%(app_label)s_%(class)s_unique_sequence",
                violation_error_message=_("This meeting already has a decision with this number."),
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1),
                name="%(app_label)s_%(class)s_sequence_positive",
                violation_error_message=_("Decision numbers start at 1."),
            ),
            choice_constraint("kind", DecisionKind, _("Choose a kind of decision from the list.")),
        ]

    def __str__(self) -> str:
        about = self.project.name if self.project_id else "CPEC"
        return f"JCC {self.meeting.number}/{self.sequence}: {self.get_kind_display()} – {about}"
