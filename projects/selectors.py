"""Reads of the projects app: plain rows for pages, computed by PostgreSQL."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import JCCMeeting


def meetings_with_decision_counts() -> QuerySet[JCCMeeting]:
    """Every JCC meeting, newest first, with its number of decisions (one query)."""
    return JCCMeeting.objects.annotate(decision_total=Count("decisions")).order_by("-number")
