"""Dated statuses of projects and phases, and the decisions that set them."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from ..choices import PhaseStatus, ProjectStatus
from .constraints import choice_constraint
from .sources import Source


class StatusChange(models.Model):
    """A dated status of a project or phase, and the decision that set it."""

    changed_on = models.DateField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class ProjectStatusChange(StatusChange):
    """A project's status from a date on; the project's ``status`` is its latest one."""

    project = models.ForeignKey("Project", on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=20, choices=ProjectStatus.choices)
    decision = models.ForeignKey(
        "Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="status_changes"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "changed_on", "pk"]
        constraints = [choice_constraint("status", ProjectStatus, "Choose a status from the list.")]
        indexes = [models.Index(fields=["project", "-changed_on"], name="projects_status_latest_idx")]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_status_display()} from {self.changed_on:%d %b %Y}"


class PhaseStatusChange(StatusChange):
    """A phase's status from a date on (approved, launched…); the phase's ``status`` is its latest one."""

    phase = models.ForeignKey("Phase", on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=20, choices=PhaseStatus.choices)
    decision = models.ForeignKey(
        "Decision", on_delete=models.PROTECT, null=True, blank=True, related_name="phase_changes"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["phase", "changed_on", "pk"]
        constraints = [choice_constraint("status", PhaseStatus, "Choose a phase status from the list.")]

    def __str__(self) -> str:
        return f"{self.phase}: {self.get_status_display()} from {self.changed_on:%d %b %Y}"
