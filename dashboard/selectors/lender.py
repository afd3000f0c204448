"""The lender pages: every lender's totals, and one lender's lines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum

from financing.choices import FinancingStatus
from financing.models import Lender
from financing.selectors import LineStates
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
    states = LineStates(as_of)
    ids = lenders.order_by().values("pk")
    own = states.with_value(states.queryset(lender__in=ids)).annotate(syndicated=states.syndicated())
    own = own.values(lender_key=F(states.path("lender_id")))
    # One row per line and participating lender: each member gets the whole facility.
    joined = states.with_value(states.queryset(participants__in=ids)).values(lender_key=F(states.path("participants")))
    committed = Q(status__in=FinancingStatus.committed())
    pipeline = Q(status__in=PIPELINE)
    totals: dict[int, dict] = {}
    for row in own.order_by().annotate(
        projects=Count(states.path("project"), distinct=True),
        lines=Count("pk"),
        committed_usd=Sum("value_usd", filter=committed & Q(syndicated=False), default=ZERO),
        pipeline_usd=Sum("value_usd", filter=pipeline & Q(syndicated=False), default=ZERO),
        syndicated_committed_usd=Sum("value_usd", filter=committed & Q(syndicated=True), default=ZERO),
        syndicated_pipeline_usd=Sum("value_usd", filter=pipeline & Q(syndicated=True), default=ZERO),
        declined=Count("pk", filter=Q(status__in=FinancingStatus.refused())),
    ):
        totals[row.pop("lender_key")] = row
    for row in joined.order_by().annotate(
        projects=Count(states.path("project"), distinct=True),
        lines=Count("pk"),
        syndicated_committed_usd=Sum("value_usd", filter=committed, default=ZERO),
        syndicated_pipeline_usd=Sum("value_usd", filter=pipeline, default=ZERO),
        declined=Count("pk", filter=Q(status__in=FinancingStatus.refused())),
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
    paginator = Paginator(
        states.with_value(states.queryset().filter(states.of_lender(lender)))
        .annotate(syndicated=states.syndicated())
        .select_related(*states.related("project", "lender"))
        # The decision behind each line, as subqueries PostgreSQL runs for the page's rows only
        # (a join would be made for every line of the lender before the sort).
        .annotate(
            decision_meeting=Subquery(Decision.objects.filter(pk=OuterRef("decision_id")).values("meeting__number")),
            decision_sequence=Subquery(Decision.objects.filter(pk=OuterRef("decision_id")).values("sequence")),
        )
        .order_by(states.path("project__name"), "pk"),
        per_page,
    )
    paginator.count = totals["lines"]  # the same lines, already counted with the totals
    return LenderPage(lender=lender, totals=totals, lines=paginator.get_page(page))
