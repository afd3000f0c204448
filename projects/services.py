"""Writes of the projects app that keep a dated trail: project and phase status changes."""

from __future__ import annotations

from django.db import transaction

from .models import PhaseStatusChange, ProjectStatusChange


def _latest(changes):
    return changes.order_by("-changed_on", "-pk").first()


@transaction.atomic
def project_status_record_change(change: ProjectStatusChange) -> ProjectStatusChange:
    """Store a dated status; the project's status becomes it unless a later one exists."""
    change.full_clean()
    change.save()
    latest = _latest(ProjectStatusChange.objects.filter(project=change.project_id))
    if latest.pk == change.pk and change.project.status != change.status:
        change.project.status = change.status
        change.project.save(update_fields=["status", "updated_at"])
    return change


@transaction.atomic
def phase_status_record_change(change: PhaseStatusChange) -> PhaseStatusChange:
    """Store a dated phase status; the phase's status becomes it unless a later one exists."""
    change.full_clean()
    change.save()
    latest = _latest(PhaseStatusChange.objects.filter(phase=change.phase_id))
    if latest.pk == change.pk and change.phase.status != change.status:
        change.phase.status = change.status
        change.phase.save(update_fields=["status"])
    return change
