"""The debt-service page: what the portfolio's committed loans will cost to repay, per fiscal year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from financing.choices import LenderKind
from financing.debt import ZERO
from financing.loans import Assumptions, Loan, committed_loans
from projects.choices import Currency
from projects.models import ExchangeRate, Project

#: The page lists at most this many loans of each kind, with a schedule and without one (the largest
#: first); it counts and adds up them all.
LISTED_ROWS = 50
PARTS = ("principal", "interest", "fees")


@dataclass(frozen=True)
class DebtPage:
    """``years``: per fiscal year, the principal, interest and fees due (US$), their total in US$ and
    rupees, and the total per lender kind (``by_kind``); ``kinds``: the lender kinds with a schedule, in
    the list's order, as (value, label); ``scheduled``: the first ``LISTED_ROWS`` loans with a schedule,
    largest first, of ``scheduled_count``; ``unknown``: the first ``LISTED_ROWS`` loans without one, each
    with what it lacks, of ``unknown_count`` in all, ``unknown_usd`` of them of a known amount;
    ``pkr_per_usd`` the rate rupees are shown at, ``rate`` the reference rate it is when none was chosen."""

    years: list[dict]
    kinds: list[tuple[str, str]]
    totals: dict
    scheduled: list[Loan]
    scheduled_count: int
    unknown: list[Loan]
    unknown_count: int
    unknown_usd: Decimal
    pkr_per_usd: Decimal | None
    rate: ExchangeRate | None
    assumptions: Assumptions
    #: How many scheduled loans used ``assumptions``' profile or benchmark level.
    assumed_count: int


def _rupees(value: Decimal, rate: Decimal | None) -> Decimal | None:
    return None if rate is None else (value * rate).quantize(Decimal("1"))


def debt_page(
    *,
    projects: QuerySet[Project],
    as_of: dt.date | None = None,
    assumptions: Assumptions,
    pkr_per_usd: Decimal | None = None,
) -> DebtPage:
    """The debt service of the committed loans of ``projects`` (a portfolio queryset, filtered) as
    of ``as_of``, their schedules on ``assumptions``, in rupees at ``pkr_per_usd`` or else the
    latest reference rate on ``as_of`` (today without it). Three queries (two with a chosen rate),
    and three more where schedules are not stored yet (``financing.loans.committed_loans``).

    PostgreSQL sums the loans' stored schedules per fiscal year and lender kind (``financing.schedules``);
    the years are added up across kinds here (a few dozen rows)."""
    loans = committed_loans(projects=projects, as_of=as_of, assumptions=assumptions, limit=LISTED_ROWS)
    rate = None
    if pkr_per_usd is None:
        rate = ExchangeRate.reference_for(Currency.PKR, as_of or timezone.localdate())
        pkr_per_usd = rate.per_usd if rate is not None else None

    years: dict[str, dict] = {}
    for (name, kind), sums in loans.years.items():
        year = years.setdefault(name, {**dict.fromkeys(PARTS, ZERO), "by_kind": {}})
        for part in PARTS:
            year[part] += sums[part]
        year["by_kind"][kind] = year["by_kind"].get(kind, ZERO) + sum(sums.values(), ZERO)
    rows = []
    for name in sorted(years):
        year = years[name]
        total = sum((year[part] for part in PARTS), ZERO)
        rows.append({"fiscal_year": name, **year, "total": total, "total_pkr": _rupees(total, pkr_per_usd)})
    totals = {part: sum((row[part] for row in rows), ZERO) for part in (*PARTS, "total")}
    totals["total_pkr"] = _rupees(totals["total"], pkr_per_usd)
    present = {kind for _, kind in loans.years}
    return DebtPage(
        years=rows,
        kinds=[(kind.value, kind.label) for kind in LenderKind if kind.value in present],
        totals=totals,
        scheduled=loans.scheduled,
        scheduled_count=loans.scheduled_count,
        unknown=loans.unknown,
        unknown_count=loans.unknown_count,
        unknown_usd=loans.unknown_usd,
        pkr_per_usd=pkr_per_usd,
        rate=rate,
        assumptions=assumptions,
        assumed_count=loans.assumed_count,  # all of them, listed or not
    )
