"""The lender pages: every lender's totals, and one lender's lines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum

from financing.choices import FinancingStatus
from financing.models import Lender
from financing.selectors import LineStates, line_figures
from projects.models import Decision

from ..cache import cached
from .common import PIPELINE, ZERO

EMPTY_TOTALS = {
    "projects": 0,
    "lines": 0,
    "committed_usd": ZERO,
    "pipeline_usd": ZERO,
    "syndicated_committed_usd": ZERO,
    "syndicated_pipeline_usd": ZERO,
    "declined": 0,
}


def lender_totals(*, lenders: QuerySet[Lender] | None = None, as_of: dt.date | None = None) -> list[dict]:
    """Every lender (in name order) with its project count, committed and pipeline financing (USD) (three queries).

    ``committed_usd`` and ``pipeline_usd`` are its own lines; the syndicated loans it leads
    or takes part in are summed apart at their whole amounts (``syndicated_*``), never split.
    """
    lenders = lenders if lenders is not None else Lender.objects.all()
    ids = lenders.order_by().values("pk")
    # The lines' stored values (the read model: ``line_figures``), never valued per request.
    own = line_figures(as_of).filter(lender__in=ids).values(lender_key=F("lender_id"))
    # One row per line and participating lender: each member gets the whole facility.
    joined = line_figures(as_of).filter(line__participants__in=ids).values(lender_key=F("line__participants"))
    committed = Q(status__in=FinancingStatus.committed())
    pipeline = Q(status__in=PIPELINE)
    totals: dict[int, dict] = {}
    for row in own.order_by().annotate(
        projects=Count("project", distinct=True),
        lines=Count("line_id"),
        committed_usd=Sum("value_usd", filter=committed & Q(syndicated=False), default=ZERO),
        pipeline_usd=Sum("value_usd", filter=pipeline & Q(syndicated=False), default=ZERO),
        syndicated_committed_usd=Sum("value_usd", filter=committed & Q(syndicated=True), default=ZERO),
        syndicated_pipeline_usd=Sum("value_usd", filter=pipeline & Q(syndicated=True), default=ZERO),
        declined=Count("line_id", filter=Q(status__in=FinancingStatus.refused())),
    ):
        totals[row.pop("lender_key")] = row
    for row in joined.order_by().annotate(
        projects=Count("project", distinct=True),
        lines=Count("line_id"),
        syndicated_committed_usd=Sum("value_usd", filter=committed, default=ZERO),
        syndicated_pipeline_usd=Sum("value_usd", filter=pipeline, default=ZERO),
        declined=Count("line_id", filter=Q(status__in=FinancingStatus.refused())),
    ):
        key = row.pop("lender_key")
        mine = totals.setdefault(key, {**EMPTY_TOTALS})
        for name, value in row.items():
            mine[name] = mine[name] + value
    return [{"lender": lender, **totals.get(lender.pk, EMPTY_TOTALS)} for lender in lenders.order_by("name")]


@dataclass(frozen=True)
class LenderPage:
    """One lender: its totals (a ``lender_totals`` row) and a page of its lines."""

    lender: Lender
    totals: dict
    #: Its lines and the syndicated ones it joins, by project name: each annotated ``value_usd``,
    #: ``syndicated``, and the decision that set it (``decision_meeting``, ``decision_sequence``).
    lines: Page


def lender_page(
    *,
    slug: str,
    as_of: dt.date | None = None,
    page: str | int | None = None,
    per_page: int = 25,
    cache_key: str | None = None,
) -> LenderPage | None:
    """The lender ``slug`` as of ``as_of`` as its page shows it, or None when there is none.

    Six queries: the lender, its totals (three, none when cached under ``cache_key``), the
    syndicates it joins and the page of lines. The lines are counted with the totals, never apart.
    """
    try:
        lender = Lender.objects.get(slug=slug)
    except Lender.DoesNotExist:
        return None
    totals = cached(cache_key, lambda: lender_totals(lenders=Lender.objects.filter(pk=lender.pk), as_of=as_of)[0])
    states = LineStates(as_of)
    lines = states.queryset().filter(states.of_lender(lender)).order_by(states.path("project__name"), "pk")
    # The page's lines are picked on narrow rows (the line and its project's name), then read in
    # full: sorting all of a busy lender's lines with every column was most of the page's time.
    paginator = Paginator(lines.values_list("pk", flat=True), per_page)
    paginator.count = totals["lines"]  # the same lines, already counted with the totals
    chosen = paginator.get_page(page)
    chosen.object_list = (
        states.with_value(lines.filter(pk__in=chosen.object_list))
        .annotate(syndicated=states.syndicated())
        .select_related(*states.related("project", "lender"))
        # The decision behind each line, as subqueries PostgreSQL runs for the page's rows only.
        .annotate(
            decision_meeting=Subquery(Decision.objects.filter(pk=OuterRef("decision_id")).values("meeting__number")),
            decision_sequence=Subquery(Decision.objects.filter(pk=OuterRef("decision_id")).values("sequence")),
        )
    )
    return LenderPage(lender=lender, totals=totals, lines=chosen)
