"""CSV and XLSX exports of exactly the filtered portfolio.

The CSV is for machines: one header row, the data, numbers plain. The XLSX is for handing on:
a title block (the filters in force, the as-of moment, when it was exported, where the figures
come from), money with thousands separators, percents and dates formatted, and each project's
name a link to its page on this site (``SITE_URL``, the as-of choice kept); the CSV has that
link in its "Link" column.

Cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) are prefixed with an apostrophe, so a project named
``=HYPERLINK(…)`` stays text in Excel and LibreOffice (``projects.spreadsheets``). Numbers
are written as numbers, so every text cell is neutralized, one that looks like a number too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Case, OuterRef, QuerySet, Subquery, Value, When
from django.http import HttpResponse
from django.urls import reverse

from financing.selectors import LineStates
from projects.choices import ProjectKind, ProjectStatus, Region, Sector
from projects.models import Project
from projects.spreadsheets import DATE_FORMAT, MONEY_FORMAT, PERCENT_FORMAT, Column, Link, table_response

from .asof import AsOf

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

MONEY, PERCENT, DATE = (18, MONEY_FORMAT), (10, PERCENT_FORMAT), (12, DATE_FORMAT)
#: Each field's XLSX width and number format (text columns: just a width).
LAYOUT = {
    "name": (40,),
    "kind": (12,),
    "sector": (14,),
    "status_then": (18,),
    "regions": (22,),
    "current_cost_usd": MONEY,
    "current_cost_pkr": MONEY,
    "current_cost_as_of": DATE,
    "cost_is_lower_bound": (10,),
    "committed_usd": MONEY,
    "committed_unknown_usd": MONEY,
    "pipeline_part_usd": MONEY,
    "funding_gap_usd": MONEY,
    "funding_gap_percent": PERCENT,
    "financial_close_on": DATE,
    "counted_in_totals": (14,),
    "lenders": (40,),
    "planned_start": DATE,
    "planned_end": DATE,
    "slug": (50,),
}
TABLE = [Column(label, *LAYOUT[field]) for label, field in COLUMNS]

TITLE = "CPEC Tracker — projects"
SOURCE_NOTE = (
    "Source: every figure comes from the sources listed on its project's page (the project's name links to it). "
    "US$ and rupee figures are converted from the amount as each source stated it, at the rate shown there."
)
GAP_NOTE = (
    "Funding gap: what is left of the current cost once committed financing (of known amount or not disclosed) "
    "and proposed or planned financing are counted; never below zero."
)

LABELS = {
    "kind": dict(ProjectKind.choices),
    "sector": dict(Sector.choices),
    "status_then": dict(ProjectStatus.choices),
}


def project_rows(projects: QuerySet[Project], *, moment: AsOf) -> list[list]:
    """One row per project, in the queryset's order (one query); status and lenders as of ``moment``.

    The name is a ``Link`` to the project's page as of that moment, the "Link" column its address.
    """
    states = LineStates(moment.date)
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
                value = str(LABELS[field].get(value, value))
            elif field == "regions":
                value = ", ".join(str(region_labels.get(r, r)) for r in value)
            elif field == "counted_in_totals":
                value = "yes" if value else "no: its parent's cost stands for it"
            elif field == "slug":
                value = project_url(value, moment)
            elif isinstance(value, Decimal):
                value = value.quantize(Decimal("0.01"))
            row.append(value)
        row[0] = Link(row[0], row[-1])
        rows.append(row)
    return rows


def project_url(slug: str, moment: AsOf) -> str:
    """The absolute address of a project's page as of ``moment`` (opens outside the site too)."""
    return moment.link(settings.SITE_URL + reverse("dashboard:project", args=[slug]))


def preamble_lines(portfolio_filter, moment: AsOf, exported: dt.datetime) -> list[str]:
    """The lines above the XLSX table: title, filters in force, as-of moment, export time, notes."""
    filters = "; ".join(f"{item.label}: {item.value}" for item in portfolio_filter.in_force()) or "none"
    # (str: a filter's label may be a lazy translation; exports are written in English, views.py)
    return [
        TITLE,
        f"Filters: {filters}",
        f"As of: {moment.label or 'now (the latest data)'}",
        f"Exported: {exported.day} {exported:%b %Y, %H:%M} Pakistan time",
        SOURCE_NOTE,
        GAP_NOTE,
    ]


def response(rows: list[list], *, fmt: str, filename: str, preamble: Sequence[str] = ()) -> HttpResponse:
    return table_response(TABLE, rows, fmt=fmt, filename=filename, sheet="Projects", preamble=preamble)
