"""The OC4IDS package of a portfolio as of a moment: what the download and ``export_oc4ids`` write."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from dashboard.asof import AsOf
from projects.models import Project

from .oc4ids import project_package
from .selectors import package_records


def oc4ids_package(*, projects: QuerySet[Project], moment: AsOf, query: str = "") -> dict:
    """The package of ``projects`` (a portfolio queryset as of ``moment``) as known at ``moment``.

    Its ``uri`` is the download's address with the query string that chose it (``query``: the
    filters and moment in force, as the page passed them)."""
    records = package_records(projects=projects, as_of=moment.date)
    uri = settings.SITE_URL + reverse("dashboard:project_export_oc4ids") + (f"?{query}" if query else "")
    return project_package(records, uri=uri, as_of_query=moment.query, moment_label=moment.label)
