"""Reads of the projects app: plain rows for pages, computed by PostgreSQL."""

from __future__ import annotations

from django.db.models import Count, Max, Q

from .choices import ProjectKind
from .models import Decision, JCCMeeting, Project


def portfolio_overview() -> dict:
    """Counts for the landing page: projects, initiatives, meetings, decisions (3 queries)."""
    counts = Project.objects.aggregate(
        projects=Count("pk", filter=Q(kind=ProjectKind.CONSTRUCTION)),
        initiatives=Count("pk", filter=Q(kind=ProjectKind.INITIATIVE)),
        last_change=Max("updated_at"),
    )
    latest_meeting = JCCMeeting.objects.annotate(decision_count=Count("decisions")).order_by("-number").first()
    counts["meetings"] = JCCMeeting.objects.count() if latest_meeting else 0
    counts["latest_meeting"] = latest_meeting
    counts["decisions"] = Decision.objects.count()
    return counts
