"""CSV and XLSX exports of exactly the filtered portfolio.

Cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) are prefixed with an apostrophe, so a project named
``=HYPERLINK(…)`` stays text in Excel and LibreOffice (``projects.spreadsheets``). Numbers
are written as numbers, so every text cell is neutralized, one that looks like a number too.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Case, OuterRef, QuerySet, Subquery, Value, When
from django.http import HttpResponse

from financing.selectors import LineStates
from projects.choices import ProjectKind, ProjectStatus, Region, Sector
from projects.models import Project
from projects.spreadsheets import neutralize, table_response

COLUMNS = [
    ("Project", "name"),
    ("Kind", "kind"),
    ("Sector", "sector"),
    ("Status", "status_then"),
    ("Provinces / regions", "regions"),
    ("Current cost (US$)", "current_cost_usd"),
    ("Current cost (PKR)", "current_cost_pkr"),
    ("Cost as of", "current_cost_as_of"),
    ("Cost is a lower bound", "cost_is_lower_bound"),
    ("Committed financing (US$)", "committed_usd"),
    ("Committed, amount not disclosed (US$)", "committed_unknown_usd"),
    ("Proposed or planned (US$)", "pipeline_part_usd"),
    ("Funding gap (US$)", "funding_gap_usd"),
    ("Funding gap (%)", "funding_gap_percent"),
    ("Financial close", "financial_close_on"),
    ("Counted in portfolio totals", "counted_in_totals"),
    ("Financing sources", "lenders"),
    ("Planned start", "planned_start"),
    ("Planned completion", "planned_end"),
    ("Link", "slug"),
]

LABELS = {
    "kind": dict(ProjectKind.choices),
    "sector": dict(Sector.choices),
    "status_then": dict(ProjectStatus.choices),
}


def project_rows(projects: QuerySet[Project], *, as_of=None) -> list[list]:
    """One row per project, in the queryset's order (one query); status and lenders as of ``as_of``."""
    states = LineStates(as_of)
    lender_name = states.path("lender__name")
    lenders = (
        states.queryset()
        .filter(**{states.path("project"): OuterRef("pk")})
        .order_by()
        .values(states.path("project"))
        .annotate(names=StringAgg(lender_name, delimiter="; ", distinct=True, order_by=lender_name))
        .values("names")
    )
    region_labels = dict(Region.choices)
    rows = []
    is_lower_bound = Case(When(current_cost_bound="lower", then=Value("yes")), default=Value(""))
    annotated = projects.annotate(lenders=Subquery(lenders), cost_is_lower_bound=is_lower_bound)
    for p in annotated.values(*[field for _label, field in COLUMNS]):
        row = []
        for _label, field in COLUMNS:
            value = p[field]
            if field in LABELS:
                value = LABELS[field].get(value, value)
            elif field == "regions":
                value = ", ".join(region_labels.get(r, r) for r in value)
            elif field == "counted_in_totals":
                value = "yes" if value else "no: its parent's cost stands for it"
            elif field == "slug":
                value = f"/projects/{value}/"
            elif isinstance(value, Decimal):
                value = value.quantize(Decimal("0.01"))
            row.append(value)
        rows.append(row)
    return rows


def response(rows: list[list], *, fmt: str, filename: str) -> HttpResponse:
    header = [label for label, _field in COLUMNS]
    cells = [[neutralize(value, numbers_stay=False) for value in row] for row in rows]
    return table_response([header, *cells], fmt=fmt, filename=filename, sheet="Projects")
