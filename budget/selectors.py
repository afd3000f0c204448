"""The PSDP's figures as the pages read them: per project, scheme and fiscal year, now or as of a date.

Which figures count, as of a date (``counted_figures``):

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

from django.db.models import Count, DecimalField, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import NullIf, Round

from projects.fields import money_field

from .choices import PsdpComponent, PsdpKind, fiscal_year_label
from .models import PsdpFigure

PERCENT = DecimalField(max_digits=9, decimal_places=1)
HUNDRED = Value(Decimal("100"))
#: Spending below this share of the allocation counts as lagging (a fiscal year's figures).
LAGGING_BELOW_PERCENT = Decimal("75")


def counted_figures(*, as_of: dt.date | None = None) -> QuerySet[PsdpFigure]:
    """The figures that count on ``as_of`` (now without it): see the module's docstring. No query."""
    figures = PsdpFigure.objects.all() if as_of is None else PsdpFigure.objects.filter(as_of__lte=as_of)
    figure = ("project", "fiscal_year", "scheme", "kind", "component")
    same_figure = figures.filter(**{name: OuterRef(name) for name in figure})
    latest = same_figure.order_by("-as_of", "-pk").values("pk")[:1]
    same_scheme_year = figures.filter(
        project=OuterRef("project"), fiscal_year=OuterRef("fiscal_year"), scheme=OuterRef("scheme")
    )
    total_given = same_scheme_year.filter(kind=OuterRef("kind"), component=PsdpComponent.TOTAL)
    revised_given = same_scheme_year.filter(kind=PsdpKind.REVISED)
    return (
        figures.filter(pk=Subquery(latest))
        .filter(Q(component=PsdpComponent.TOTAL) | ~Exists(total_given))
        .annotate(
            revised_given=Exists(revised_given),
            released_given=Exists(same_scheme_year.filter(kind=PsdpKind.RELEASED)),
            spent_given=Exists(same_scheme_year.filter(kind=PsdpKind.SPENT)),
        )
    )


def _by_kind() -> dict:
    """A year's allocation and four figures, and the dates of its latest release and spending figures."""

    def total(kind):
        return Sum("amount_pkr", filter=Q(kind=kind), output_field=money_field())

    allocated = Q(kind=PsdpKind.REVISED) | Q(kind=PsdpKind.ORIGINAL, revised_given=False)
    return {
        # Per scheme: its revised allocation once there is one, else its original one.
        "allocation": Sum("amount_pkr", filter=allocated, output_field=money_field()),
        # What the rates divide by: the allocations of the schemes whose release (spending) is
        # reported. A scheme with none reported is unknown, not nothing released.
        "allocation_released": Sum("amount_pkr", filter=allocated & Q(released_given=True), output_field=money_field()),
        "allocation_spent": Sum("amount_pkr", filter=allocated & Q(spent_given=True), output_field=money_field()),
        "original": total(PsdpKind.ORIGINAL),
        "revised": total(PsdpKind.REVISED),
        "released": total(PsdpKind.RELEASED),
        "spent": total(PsdpKind.SPENT),
        "released_on": Max("as_of", filter=Q(kind=PsdpKind.RELEASED)),
        "spent_on": Max("as_of", filter=Q(kind=PsdpKind.SPENT)),
    }


def _rates(rows: QuerySet) -> QuerySet:
    """The release and utilization rates of each row, in percent of the allocations of the schemes
    that reported a release (spending): on a project's or the portfolio's year, a scheme whose release
    is not reported is left out of the rate, never counted as nothing released."""

    def percent(name, of):
        return Round(F(name) * HUNDRED / NullIf(F(of), Value(Decimal("0"))), 1, output_field=PERCENT)

    return rows.annotate(
        release_rate=percent("released", "allocation_released"),
        utilization=percent("spent", "allocation_spent"),
    )


def _labelled(rows) -> list[dict]:
    return [{**row, "year": fiscal_year_label(row["fiscal_year"])} for row in rows]


def project_psdp_years(*, project, as_of: dt.date | None = None) -> list[dict]:
    """A project's PSDP figures per fiscal year and scheme, latest year first (one query)."""
    rows = (
        counted_figures(as_of=as_of)
        .filter(project=project)
        .values("fiscal_year", "scheme")
        .annotate(**_by_kind())
        .order_by("-fiscal_year", "scheme")
    )
    return _labelled(_rates(rows))


def portfolio_psdp_years(*, projects: QuerySet, as_of: dt.date | None = None) -> list[dict]:
    """The PSDP's figures for ``projects`` summed per fiscal year, earliest first (one query), with
    how many projects had a figure that year."""
    rows = (
        counted_figures(as_of=as_of)
        .filter(project__in=projects.values("pk"))
        .values("fiscal_year")
        .annotate(**_by_kind(), projects=Count("project", distinct=True))
        .order_by("fiscal_year")
    )
    return _labelled(_rates(rows))


def lagging_projects(*, projects: QuerySet, as_of: dt.date | None = None, limit: int | None = None) -> list[dict]:
    """Project-years whose spending reported is below ``LAGGING_BELOW_PERCENT`` of their allocation,
    the lowest utilization first (one query)."""
    rows = _rates(
        counted_figures(as_of=as_of)
        .filter(project__in=projects.values("pk"))
        .values("project", "fiscal_year", name=F("project__name"), slug=F("project__slug"))
        .annotate(**_by_kind())
    ).filter(utilization__lt=LAGGING_BELOW_PERCENT)
    rows = rows.order_by("utilization", "-fiscal_year", "name")
    return _labelled(rows[:limit] if limit is not None else rows)


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
