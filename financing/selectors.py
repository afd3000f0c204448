"""Reads that combine projects with their financing: committed money and funding gaps.

Everything is computed by PostgreSQL in normalized US dollars (never by summing stated
amounts, which may be in different currencies).

Every read can be made *as of* a date: a project's cost is then its latest estimate
dated up to that day, and each financing line's state its latest dated change up to
that day (lines first recorded later did not exist yet). ``LineStates`` hides which
table holds the states: the lines themselves now, their changes as of a date. Both
have the same state fields (status, instrument, share_percent, amount, amount_usd…).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest, NullIf, Round

from projects.models import CostEstimate, Project

from .choices import FinancingStatus
from .models import FinancingChange, FinancingLine

MONEY = DecimalField(max_digits=24, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)


def line_value_usd(cost_ref) -> Coalesce:
    """A line's value in USD: its share of the project's cost, else its stated amount."""
    return Coalesce(
        Cast(F("share_percent") * cost_ref / Value(Decimal("100")), output_field=MONEY),
        F("amount_usd"),
        output_field=MONEY,
    )


def latest_change_filter(as_of: dt.date) -> Q:
    """Keeps each line's latest change dated on or before ``as_of``.

    Correlated on the line (an index lookup per change, on ``(line, -changed_on)``), so
    PostgreSQL never sorts every change of every line to answer for one project.
    """
    latest = (
        FinancingChange.objects.filter(line=OuterRef("line"), changed_on__lte=as_of)
        .order_by("-changed_on", "-pk")
        .values("pk")[:1]
    )
    return Q(changed_on__lte=as_of, pk=Subquery(latest))


class LineStates:
    """The state of every financing line: now (``as_of=None``) or as of a date.

    ``queryset()`` returns ``FinancingLine`` rows now, ``FinancingChange`` rows as of a
    date; relation paths are written from the line (``"project"``, ``"lender__kind"``) and
    ``path()`` prefixes them for changes. Both models expose ``lender``, ``project``,
    ``as_of``, ``is_committed`` to templates.
    """

    def __init__(self, as_of: dt.date | None = None):
        self.as_of = as_of
        self.prefix = "" if as_of is None else "line__"

    def path(self, name: str) -> str:
        return self.prefix + name

    def queryset(self, **line_filters) -> QuerySet:
        if self.as_of is None:
            qs = FinancingLine.objects.all()
        else:
            qs = FinancingChange.objects.filter(latest_change_filter(self.as_of))
        return qs.filter(**{self.path(name): value for name, value in line_filters.items()})

    def with_value(self, qs: QuerySet) -> QuerySet:
        """Annotate each state's project cost (as of the date) and its value in USD."""
        latest_cost = CostEstimate.objects.filter(project=OuterRef(self.path("project_id")), full_scope=True)
        if self.as_of is not None:
            latest_cost = latest_cost.filter(as_of__lte=self.as_of)
        latest_cost = latest_cost.order_by("-as_of", "-pk").values("amount_usd")[:1]
        return qs.annotate(project_cost_usd=Subquery(latest_cost, output_field=MONEY)).annotate(
            value_usd=line_value_usd(F("project_cost_usd"))
        )

    def related(self, *names: str) -> list[str]:
        """``select_related`` paths for the state rows."""
        base = [] if self.as_of is None else ["line"]
        return base + [self.path(n) for n in names]


def projects_with_funding(
    projects: QuerySet[Project] | None = None, *, as_of: dt.date | None = None
) -> QuerySet[Project]:
    """Annotate current cost, committed financing and the funding gap (USD and %).

    Committed = lines agreed, signed, disbursing or completed. Gap = cost − committed,
    never below zero; empty when the cost is unknown. With ``as_of``, all of it as known
    on that date.
    """
    projects = (projects if projects is not None else Project.objects.all()).with_current_cost(as_of=as_of)
    projects = projects.with_status(as_of=as_of)
    states = LineStates(as_of)
    committed = (
        states.queryset()
        .filter(**{states.path("project"): OuterRef("pk")}, status__in=FinancingStatus.committed())
        .order_by()
        .values(states.path("project"))
        .annotate(total=Sum(line_value_usd(OuterRef("current_cost_usd"))))
        .values("total")
    )
    projects = projects.annotate(committed_usd=Coalesce(Subquery(committed, output_field=MONEY), ZERO))
    # PostgreSQL's GREATEST skips NULLs, so an unknown cost is kept unknown explicitly.
    gap = Case(
        When(current_cost_usd__isnull=True, then=Value(None, output_field=MONEY)),
        default=Greatest(F("current_cost_usd") - F("committed_usd"), ZERO),
        output_field=MONEY,
    )
    return projects.annotate(funding_gap_usd=gap).annotate(
        funding_gap_percent=Round(
            F("funding_gap_usd") * Value(Decimal("100")) / NullIf(F("current_cost_usd"), ZERO),
            2,
            output_field=DecimalField(max_digits=9, decimal_places=2),
        ),
    )
