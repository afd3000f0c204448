"""Reads that combine projects with their financing: committed money and funding gaps.

Everything is computed by PostgreSQL in normalized US dollars (never by summing stated
amounts, which may be in different currencies).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest, NullIf, Round

from projects.models import CostEstimate, Project

from .choices import FinancingStatus
from .models import FinancingLine

MONEY = DecimalField(max_digits=24, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)


def line_value_usd(cost_ref) -> Coalesce:
    """A line's value in USD: its share of the project's cost, else its stated amount."""
    return Coalesce(
        Cast(F("share_percent") * cost_ref / Value(Decimal("100")), output_field=MONEY),
        F("amount_usd"),
        output_field=MONEY,
    )


def projects_with_funding(projects: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Annotate current cost, committed financing and the funding gap (USD and %).

    Committed = lines agreed, signed, disbursing or completed. Gap = cost − committed,
    never below zero; empty when the cost is unknown.
    """
    projects = (projects if projects is not None else Project.objects.all()).with_current_cost()
    committed = (
        FinancingLine.objects.filter(project=OuterRef("pk"), status__in=FinancingStatus.committed())
        .order_by()
        .values("project")
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


def lines_with_value(lines: QuerySet[FinancingLine] | None = None) -> QuerySet[FinancingLine]:
    """Annotate each line's project cost and its value in USD (share of cost, else amount)."""
    lines = lines if lines is not None else FinancingLine.objects.all()
    latest_cost = (
        CostEstimate.objects.filter(project=OuterRef("project_id"), full_scope=True)
        .order_by("-as_of", "-pk")
        .values("amount_usd")[:1]
    )
    return lines.annotate(project_cost_usd=Subquery(latest_cost, output_field=MONEY)).annotate(
        value_usd=line_value_usd(F("project_cost_usd"))
    )
