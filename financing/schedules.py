"""Loan schedules computed once and kept (``LoanSchedule``), so a page sums thousands of them in SQL.

A schedule (``financing.debt.schedule``) is a pure function of its inputs: the principal, the
rate, tenor, grace period, repayment profile, instalments a year, fees, the day the loan starts
and how it is drawn. PostgreSQL computes those inputs for every loan of a query from the recorded
terms and a page's assumptions (``schedule_inputs``: the SQL form of ``financing.loans.loan_from_state``,
held to it by tests), whether they are all known (``KNOWN_SQL``) and a digest of them (``key_sql``). A
schedule whose digest has no stored row yet is computed here, from the inputs PostgreSQL read, and
stored with what it has due per fiscal year (``fill``); the pages then sum the stored years of every
loan in one query.

So a stored schedule is never stale: a loan whose amount, terms, start or assumptions change gets
another digest, computed on the next page that needs it (the few loans an edit touched, not the
portfolio). ``SCHEDULE_VERSION`` is part of the digest: change it when ``financing.debt``'s arithmetic
changes, and every schedule is computed afresh. ``manage.py prune_loan_schedules`` removes old rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections, router, transaction
from django.db.models import (
    Case,
    CharField,
    DateField,
    DecimalField,
    Expression,
    F,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .debt import AT_START, CENT, OVER_GRACE, ZERO, Terms, by_fiscal_year, disbursements, schedule
from .models import LoanSchedule, LoanScheduleGroup, LoanScheduleGroupYear, LoanScheduleYear, RateKind
from .selectors import LineStates

#: Part of every digest: bump it when the schedule's arithmetic (financing.debt) changes.
SCHEDULE_VERSION = "1"

#: The inputs ``schedule_inputs`` annotates, in the digest's order.
INPUTS = (
    "s_principal",
    "s_rate",
    "s_tenor",
    "s_grace",
    "s_profile",
    "s_ppy",
    "s_upfront",
    "s_insurance",
    "s_commitment",
    "s_start",
)
assert SCHEDULE_VERSION.isalnum()  # written into SQL as it is (``key_sql``)

_NUMBER = DecimalField(max_digits=30, decimal_places=10)


def schedule_inputs(states: LineStates, as_of: dt.date | None, assumptions) -> dict[str, Expression]:
    """What a schedule of each loan of ``states`` uses, as PostgreSQL computes it (the rows need
    ``value_usd`` and ``first_committed``: ``financing.loans.loan_states``): the principal (the line's
    US$ value), the rate (the fixed rate, else the benchmark level recorded, else the one assumed, plus
    the margin), the tenor and grace period in months, the repayment profile (recorded, else assumed),
    instalments a year, the fees (none where not stated) and the start (the financial close by
    ``as_of``, else the first day the line was recorded as committed). NULL (the profile: empty) where
    neither the terms nor the assumptions give one. ``loan_from_state`` computes the same in Python."""
    terms = states.path("terms__")
    close_field = states.path("project__financial_close_on")
    close = Q(**{f"{close_field}__isnull": False})
    if as_of is not None:
        close &= Q(**{f"{close_field}__lte": as_of})
    level = F(f"{terms}benchmark_assumed_percent")
    if assumptions.benchmark_percent is not None:
        level = Coalesce(level, Value(assumptions.benchmark_percent, output_field=_NUMBER), output_field=_NUMBER)
    profile = F(f"{terms}profile")
    if assumptions.profile:
        profile = Case(
            When(**{f"{terms}profile": ""}, then=Value(assumptions.profile)), default=profile, output_field=CharField()
        )

    def fee(name):
        return Coalesce(F(f"{terms}{name}"), Value(ZERO, output_field=_NUMBER), output_field=_NUMBER)

    return {
        "s_principal": F("value_usd"),
        "s_rate": Case(
            When(**{f"{terms}rate_kind": RateKind.FIXED}, then=F(f"{terms}fixed_rate_percent")),
            default=level + F(f"{terms}margin_percent"),
            output_field=_NUMBER,
        ),
        "s_tenor": F(f"{terms}tenor_months"),
        "s_grace": F(f"{terms}grace_months"),
        "s_profile": profile,
        "s_ppy": F(f"{terms}payments_per_year"),
        "s_upfront": fee("upfront_fee_percent"),
        "s_insurance": fee("insurance_percent"),
        "s_commitment": fee("commitment_fee_percent"),
        "s_start": Case(When(close, then=F(close_field)), default=F("first_committed"), output_field=DateField()),
    }


def assumed(states: LineStates) -> Q:
    """The scheduled loans whose schedule used a page's assumption: no recorded repayment profile, or
    a floating rate without a recorded benchmark level (``Loan.assumed`` names them)."""
    terms = states.path("terms__")
    return Q(**{f"{terms}profile": ""}) | Q(
        **{f"{terms}rate_kind": RateKind.FLOATING, f"{terms}benchmark_assumed_percent__isnull": True}
    )


#: A loan can be scheduled when every input is known (``schedule_inputs`` leaves one NULL, or the
#: profile empty, where the terms and the page's assumptions do not give it): SQL over the inputs' columns.
#: ``financing.loans.loan_from_state`` says the same in words (``Loan.missing``); a test holds the two together.
KNOWN_SQL = (
    "coalesce(s_principal > 0 AND s_rate IS NOT NULL AND s_tenor IS NOT NULL AND s_grace IS NOT NULL "
    "AND s_profile <> '' AND s_start IS NOT NULL, false)"
)


def key_sql(disbursement: str) -> str:
    """SQL for the digest of a loan's inputs (the ``INPUTS`` columns) drawn as ``disbursement``, as a UUID: the
    ``LoanSchedule`` key. Each input as PostgreSQL writes it: one number written with two scales (0 and
    0.00000) gives two digests of one schedule, stored twice, never two schedules under one digest."""
    if disbursement not in (AT_START, OVER_GRACE):
        raise ValueError(f"Unknown disbursement {disbursement!r}.")
    return f"md5(concat_ws('|', '{SCHEDULE_VERSION}', '{disbursement}', {', '.join(INPUTS)}))::uuid"


@dataclass(frozen=True)
class Computed:
    """A schedule computed here: its summary and its fiscal years (``fiscal_year`` → principal, interest, fees)."""

    first_due: dt.date
    last_due: dt.date
    principal: Decimal
    interest: Decimal
    fees: Decimal
    years: dict[str, dict[str, Decimal]]


def compute(row: dict, disbursement: str) -> Computed:
    """The schedule of one loan from the inputs PostgreSQL read for it (``INPUTS``, as in a ``values()`` row)."""
    principal = row["s_principal"]
    terms = Terms(
        annual_rate_percent=row["s_rate"],
        tenor_months=row["s_tenor"],
        grace_months=row["s_grace"],
        profile=row["s_profile"],
        payments_per_year=row["s_ppy"],
        upfront_fee_percent=row["s_upfront"],
        insurance_percent=row["s_insurance"],
        commitment_fee_percent=row["s_commitment"],
    )
    rows = schedule(principal, terms, disbursements(principal, terms, row["s_start"], disbursement))
    years = by_fiscal_year(rows)
    computed = Computed(
        first_due=rows[0].due,
        last_due=rows[-1].due,
        principal=sum((r.principal for r in rows), ZERO),
        interest=sum((r.interest for r in rows), ZERO),
        fees=sum((r.fees for r in rows), ZERO),
        years=years,
    )
    for value in (computed.principal, computed.interest, computed.fees):
        if value != value.quantize(CENT):  # money columns hold cents; a schedule is in cents
            raise ValueError(f"A schedule of {principal} is not in whole cents.")
    return computed


def fill(rows: Iterable[dict], disbursement: str) -> dict:
    """Compute and store the schedules of ``rows`` (each with ``schedule_key`` and the ``INPUTS``) that
    are not stored; returns them by key. One transaction: a schedule is stored with all its years or not at
    all, and one another request stored meanwhile is kept (the same inputs give the same schedule)."""
    computed = {}
    for row in rows:
        if row["schedule_key"] not in computed:
            computed[row["schedule_key"]] = compute(row, disbursement)
    if not computed:
        return computed
    keys = [str(key) for key in computed]
    years = [(str(key), year, sums) for key, c in computed.items() for year, sums in c.years.items()]
    using = router.db_for_write(LoanSchedule)
    # Two statements whatever the number of schedules (arrays unnested by PostgreSQL), in one transaction.
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LoanSchedule._meta.db_table} "
            "(key, first_due, last_due, principal, interest, fees, computed_at) "
            "SELECT k, f, l, p, i, e, %s FROM unnest(%s::uuid[], %s::date[], %s::date[], %s::numeric[], %s::numeric[], "
            "%s::numeric[]) AS t(k, f, l, p, i, e) ON CONFLICT (key) DO NOTHING",
            [
                timezone.now(),
                keys,
                [c.first_due for c in computed.values()],
                [c.last_due for c in computed.values()],
                [c.principal for c in computed.values()],
                [c.interest for c in computed.values()],
                [c.fees for c in computed.values()],
            ],
        )
        cursor.execute(
            f"INSERT INTO {LoanScheduleYear._meta.db_table} (schedule_id, fiscal_year, principal, interest, fees) "
            "SELECT * FROM unnest(%s::uuid[], %s::varchar[], %s::numeric[], %s::numeric[], %s::numeric[]) "
            "ON CONFLICT (schedule_id, fiscal_year) DO NOTHING",
            [
                [key for key, _, _ in years],
                [year for _, year, _ in years],
                [sums["principal"] for _, _, sums in years],
                [sums["interest"] for _, _, sums in years],
                [sums["fees"] for _, _, sums in years],
            ],
        )
    return computed


#: Loans are summed in groups: those of the projects whose id leaves the same remainder by this.
GROUPS = 64


def group_sums(
    groups: dict[uuid.UUID, list[tuple[uuid.UUID, str]]], computed: dict[uuid.UUID, Computed], *, using: str
) -> dict[tuple[str, str], dict[str, Decimal]]:
    """Sum and store the groups of loans that are not stored (``groups``: a group's key → its loans'
    schedule keys and lender kinds), each loan's years from ``computed`` or else read from the stored
    schedules; returns their sums together, per (fiscal year, lender kind). Three queries (one to read
    the stored years, two to store), in one transaction with the storing."""
    wanted = list({key for loans in groups.values() for key, _ in loans if key not in computed})
    years: dict[uuid.UUID, dict[str, dict[str, Decimal]]] = {key: c.years for key, c in computed.items()}
    with connections[using].cursor() as cursor:  # run even when empty: the same number of queries every time
        cursor.execute(
            f"SELECT schedule_id, fiscal_year, principal, interest, fees FROM {LoanScheduleYear._meta.db_table} "
            "WHERE schedule_id = ANY(%s::uuid[])",
            [[str(key) for key in wanted]],
        )
        for key, year, principal, interest, fees in cursor.fetchall():
            years.setdefault(key, {})[year] = {"principal": principal, "interest": interest, "fees": fees}
    per_group: dict[uuid.UUID, dict[tuple[str, str], dict[str, Decimal]]] = {}
    for group, loans in groups.items():
        sums = per_group.setdefault(group, {})
        for key, kind in loans:
            for year, parts in years[key].items():
                total = sums.setdefault((year, kind), dict.fromkeys(parts, ZERO))
                for part, value in parts.items():
                    total[part] += value
    rows = [
        (str(group), year, kind, parts) for group, sums in per_group.items() for (year, kind), parts in sums.items()
    ]
    write = router.db_for_write(LoanScheduleGroup)
    with transaction.atomic(using=write), connections[write].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LoanScheduleGroup._meta.db_table} (key, computed_at) "
            "SELECT k, %s FROM unnest(%s::uuid[]) AS t(k) ON CONFLICT (key) DO NOTHING",
            [timezone.now(), [str(group) for group in groups]],
        )
        cursor.execute(
            f"INSERT INTO {LoanScheduleGroupYear._meta.db_table} "
            "(group_id, fiscal_year, lender_kind, principal, interest, fees) "
            "SELECT * FROM unnest(%s::uuid[], %s::varchar[], %s::varchar[], %s::numeric[], %s::numeric[], "
            "%s::numeric[]) ON CONFLICT (group_id, fiscal_year, lender_kind) DO NOTHING",
            [
                [row[0] for row in rows],
                [row[1] for row in rows],
                [row[2] for row in rows],
                [row[3]["principal"] for row in rows],
                [row[3]["interest"] for row in rows],
                [row[3]["fees"] for row in rows],
            ],
        )
    together: dict[tuple[str, str], dict[str, Decimal]] = {}
    for sums in per_group.values():
        for name, parts in sums.items():
            total = together.setdefault(name, dict.fromkeys(parts, ZERO))
            for part, value in parts.items():
                total[part] += value
    return together


def prune(older_than: dt.timedelta) -> int:
    """Remove the schedules and groups' sums computed more than ``older_than`` ago (a page computes any
    it needs again); returns how many schedules."""
    cutoff = timezone.now() - older_than
    LoanScheduleGroup.objects.filter(computed_at__lt=cutoff).delete()
    deleted, per_model = LoanSchedule.objects.filter(computed_at__lt=cutoff).delete()
    return per_model.get(LoanSchedule._meta.label, 0)
