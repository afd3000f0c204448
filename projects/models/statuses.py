"""Dated statuses of projects and phases, and the decisions that set them."""

from __future__ import annotations

from django.db import models
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import PhaseStatus, ProjectStatus
from .constraints import choice_constraint
from .sources import Source


class StatusChange(models.Model):
    """A dated status of a project or phase, and the decision that set it."""

    changed_on = models.DateField(_("changed on"))
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("source")
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        abstract = True


class ProjectStatusChange(StatusChange):
    """A project's status from a date on; the project's ``status`` is its latest one."""

    project = models.ForeignKey(
        "Project", on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("project")
    )
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices)
    decision = models.ForeignKey(
        "Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_changes",
        verbose_name=_("decision"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "changed_on", "pk"]
        verbose_name = _("project status change")
        verbose_name_plural = _("project status changes")
        constraints = [choice_constraint("status", ProjectStatus, _("Choose a status from the list."))]
        indexes = [models.Index(fields=["project", "-changed_on"], name="projects_status_latest_idx")]

    def __str__(self) -> str:
        return gettext("%(project)s: %(status)s from %(date)s") % {
            "project": self.project,
            "status": self.get_status_display(),
            "date": date_format(self.changed_on, "d M Y"),
        }


class PhaseStatusChange(StatusChange):
    """A phase's status from a date on (approved, launched…); the phase's ``status`` is its latest one."""

    phase = models.ForeignKey("Phase", on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("phase"))
    status = models.CharField(_("status"), max_length=20, choices=PhaseStatus.choices)
    decision = models.ForeignKey(
        "Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="phase_changes",
        verbose_name=_("decision"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["phase", "changed_on", "pk"]
        verbose_name = _("phase status change")
        verbose_name_plural = _("phase status changes")
        constraints = [choice_constraint("status", PhaseStatus, _("Choose a phase status from the list."))]

    def __str__(self) -> str:
        return gettext("%(phase)s: %(status)s from %(date)s") % {
            "phase": self.phase,
            "status": self.get_status_display(),
            "date": date_format(self.changed_on, "d M Y"),
        }
