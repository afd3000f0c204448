"""The PSDP's figures as the pages read them: per project, scheme and fiscal year, now or as of a date.

Which figures count, as of a date (``COUNTED_SQL``):

- of each figure (project, fiscal year, scheme, kind, component), the latest dated up to then:
  a later "released so far" replaces an earlier one;
- a scheme's total where the source gave one; otherwise the sum of its foreign-aid and rupee parts.

The allocation of a scheme's year is its revised allocation once there is one, else its original
one; a project's or the portfolio's is the sum of its schemes'. A rate is over the allocations of
the schemes that reported the figure: a release not reported is unknown, never a release of zero.
The utilization rate is what was spent of the allocation, the release rate what was released of it.
Sums are PostgreSQL's (one query per table or chart).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from projects.models import Project

from .choices import fiscal_year_label
from .models import PsdpFigure

#: Spending below this share of the allocation counts as lagging (a fiscal year's figures).
LAGGING_BELOW_PERCENT = Decimal("75")


#: Which figures count, as of ``%(as_of)s`` (NULL for now): of each figure the latest dated up to
#: then (``latest``); the flags of its scheme-year that the sums read, each computed once per row by a
#: window (``flagged``); a part only where its kind has no total (``counted``). ``{projects}``, a
#: condition on ``project_id``, picks the projects first (the flags are each project's own). The pages
#: read every PSDP figure through this one definition.
COUNTED_SQL = """
latest AS (
    SELECT DISTINCT ON (project_id, fiscal_year, scheme, kind, component)
           id, project_id, fiscal_year, scheme, kind, component, amount_pkr, as_of
    FROM {figures}
    WHERE (%(as_of)s::date IS NULL OR as_of <= %(as_of)s::date) AND ({projects})
    ORDER BY project_id, fiscal_year, scheme, kind, component, as_of DESC, id DESC
),
flagged AS (
    SELECT l.*,
           bool_or(kind = 'revised') OVER scheme_year AS revised_given,
           bool_or(kind = 'released') OVER scheme_year AS released_given,
           bool_or(kind = 'spent') OVER scheme_year AS spent_given,
           bool_or(component = 'total') OVER (PARTITION BY project_id, fiscal_year, scheme, kind) AS total_given
    FROM latest l
    WINDOW scheme_year AS (PARTITION BY project_id, fiscal_year, scheme)
),
counted AS (SELECT * FROM flagged WHERE component = 'total' OR NOT total_given)
"""

#: A year's allocation and four figures, the allocations the rates divide by, and the dates of its
#: latest release and spending figures. Per scheme, the allocation is its revised one once there is
#: one, else its original one; a rate divides by the allocations of the schemes whose release
#: (spending) is reported: a scheme with none reported is unknown, not nothing released.
SUMS_SQL = """
    sum(amount_pkr) FILTER (WHERE {allocated}) AS allocation,
    sum(amount_pkr) FILTER (WHERE ({allocated}) AND released_given) AS allocation_released,
    sum(amount_pkr) FILTER (WHERE ({allocated}) AND spent_given) AS allocation_spent,
    sum(amount_pkr) FILTER (WHERE kind = 'original') AS original,
    sum(amount_pkr) FILTER (WHERE kind = 'revised') AS revised,
    sum(amount_pkr) FILTER (WHERE kind = 'released') AS released,
    sum(amount_pkr) FILTER (WHERE kind = 'spent') AS spent,
    max(as_of) FILTER (WHERE kind = 'released') AS released_on,
    max(as_of) FILTER (WHERE kind = 'spent') AS spent_on
""".format(allocated="kind = 'revised' OR (kind = 'original' AND NOT revised_given)")

#: The release and utilization rates, in percent to one decimal, of a row of ``SUMS_SQL``.
RATES_SQL = """
    round(released * 100 / NULLIF(allocation_released, 0), 1) AS release_rate,
    round(spent * 100 / NULLIF(allocation_spent, 0), 1) AS utilization
"""


def _read(sql: str, params: dict, projects: str) -> list[dict]:
    """Rows of ``sql`` (after the ``counted`` figures' CTE of the ``projects`` condition) as dicts, each
    with its fiscal year's label."""
    query = "WITH " + COUNTED_SQL.format(figures=PsdpFigure._meta.db_table, projects=projects) + sql
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        names = [column.name for column in cursor.description]
        return [_labelled_row(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def _projects_in(projects: QuerySet) -> tuple[str, dict]:
    """``projects`` (a portfolio queryset) as a condition on ``project_id``, with its parameters by name."""
    try:
        sql, params = projects.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # no project at all (an invalid filter shows none)
        return "FALSE", {}
    named = {f"p{i}": value for i, value in enumerate(params)}
    # The ORM's positional %s become named parameters, so they mix with %(as_of)s.
    parts = sql.split("%s")
    sql = "".join(part + (f"%(p{i})s" if i < len(parts) - 1 else "") for i, part in enumerate(parts))
    return f"project_id IN ({sql})", named


def project_psdp_years(*, project, as_of: dt.date | None = None) -> list[dict]:
    """A project's PSDP figures per fiscal year and scheme, latest year first (one query)."""
    return _read(
        f"""
        , sums AS (
            SELECT fiscal_year, scheme, {SUMS_SQL} FROM counted GROUP BY fiscal_year, scheme
        )
        SELECT *, {RATES_SQL} FROM sums ORDER BY fiscal_year DESC, scheme
        """,
        {"as_of": as_of, "project": project.pk},
        "project_id = %(project)s",
    )


def portfolio_psdp_years(*, projects: QuerySet, as_of: dt.date | None = None) -> list[dict]:
    """The PSDP's figures for ``projects`` summed per fiscal year, earliest first (one query), with
    how many projects had a figure that year."""
    condition, params = _projects_in(projects)
    return _read(
        f"""
        , sums AS (
            SELECT fiscal_year, {SUMS_SQL}, count(DISTINCT project_id) AS projects FROM counted GROUP BY fiscal_year
        )
        SELECT *, {RATES_SQL} FROM sums ORDER BY fiscal_year
        """,
        {"as_of": as_of, **params},
        condition,
    )


def lagging_projects(*, projects: QuerySet, as_of: dt.date | None = None, limit: int | None = None) -> list[dict]:
    """Project-years whose spending reported is below ``LAGGING_BELOW_PERCENT`` of their allocation,
    the lowest utilization first (one query)."""
    condition, params = _projects_in(projects)
    return _read(
        f"""
        , sums AS (
            SELECT project_id AS project, fiscal_year, {SUMS_SQL} FROM counted GROUP BY project_id, fiscal_year
        ), rated AS (SELECT *, {RATES_SQL} FROM sums)
        SELECT r.*, p.name, p.slug FROM rated r JOIN {Project._meta.db_table} p ON p.id = r.project
        WHERE r.utilization < %(below)s
        ORDER BY r.utilization, r.fiscal_year DESC, p.name
        LIMIT %(limit)s
        """,
        {"as_of": as_of, "below": LAGGING_BELOW_PERCENT, "limit": limit, **params},
        condition,
    )


def _labelled_row(row: dict) -> dict:
    return {**row, "year": fiscal_year_label(row["fiscal_year"])}


def psdp_flags(row: dict) -> list[str]:
    """What a year's figures contradict: more released or spent than allocated, or spent than released."""
    flags = []
    allocation, released, spent = row.get("allocation"), row.get("released"), row.get("spent")
    if allocation is not None and released is not None and released > allocation:
        flags.append("released_over_allocation")
    if allocation is not None and spent is not None and spent > allocation:
        flags.append("spent_over_allocation")
    if released is not None and spent is not None and spent > released:
        flags.append("spent_over_released")
    return flags
