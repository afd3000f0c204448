"""The loans of the portfolio and what they will cost to repay, from their recorded terms.

A loan is a financing line whose instrument is a loan (concessional, interest-free or
commercial). Its schedule (``financing.debt.schedule``) needs its amount, its terms
(``schedule_needs`` names what is not known) and a disbursement assumption, which the pages
state:

- the loan's life starts at the project's financial close where one is recorded (on or before the
  date viewed), else on the first date the line was recorded as agreed or signed (committed); a loan
  not yet agreed (shown on its project's page only) starts on the date of its current status;
- it is drawn either in full on that day, or in equal parts on that day and on each instalment
  date of the grace period after it (``Disbursement``).

Amounts are the lines' US$ values (``financing.selectors.line_value_usd``: the share of the
cost, else the stated amount at the line's own rate), so a schedule is in US$; the pages convert
it to rupees at one stated rate. Nothing is guessed: a loan whose amount, terms or start is
unknown gets no schedule and is listed with what is missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery

from .choices import FinancingStatus, Instrument
from .debt import CENT, ZERO, Instalment, Terms, add_months, by_fiscal_year, fiscal_year, schedule
from .models import FinancingChange, RateKind, RepaymentProfile
from .selectors import LineStates

LOAN_INSTRUMENTS = (Instrument.CONCESSIONAL_LOAN, Instrument.INTEREST_FREE_LOAN, Instrument.COMMERCIAL_LOAN)


class Disbursement(models.TextChoices):
    AT_START = "at_start", "In full when the loan starts"
    OVER_GRACE = "over_grace", "In equal parts over the grace period"


DISBURSEMENT_WORDS = {
    Disbursement.AT_START: "drawn in full when it starts",
    Disbursement.OVER_GRACE: "drawn in equal parts when it starts and on each instalment date of its grace period",
}

#: How the pages state the assumption (with the chosen disbursement's words).
ASSUMPTION = (
    "Each loan starts at its project's financial close where one is recorded, else on the day it was first "
    "recorded as agreed or signed (a loan not yet agreed: the date of its status), and is {disbursement}. "
    "Instalments fall as often as the terms say (twice a year unless stated); interest accrues on what is drawn; "
    "only interest is paid during the grace period. A floating rate is the benchmark level the terms assume plus "
    "the margin. Fees not stated count as none."
)


PROFILE_WORDS = {
    RepaymentProfile.EQUAL_PRINCIPAL: "repayment in equal parts of principal",
    RepaymentProfile.ANNUITY: "repayment in equal instalments (annuity)",
}


@dataclass(frozen=True)
class Assumptions:
    """What a schedule assumes beyond the recorded terms, stated on the page that shows it.

    ``disbursement``: how every loan is drawn. ``profile`` and ``benchmark_percent`` fill only what a
    loan's terms leave empty, and only when a reader asks for them: its repayment profile, and the level
    of a floating rate's benchmark. Each loan says which it used (``Loan.assumed``); without them such a
    loan is not scheduled and is listed with what it lacks.
    """

    disbursement: str = Disbursement.AT_START
    profile: str = ""
    benchmark_percent: Decimal | None = None

    @property
    def text(self) -> str:
        words = ASSUMPTION.format(disbursement=DISBURSEMENT_WORDS[Disbursement(self.disbursement)])
        if self.profile:
            words += f" Where the terms do not state the repayment, {PROFILE_WORDS[self.profile]} is assumed."
        if self.benchmark_percent is not None:
            words += (
                f" Where a floating rate's benchmark level is not recorded, {_pct(self.benchmark_percent)} a year is "
                "assumed."
            )
        return words


def disbursements(principal: Decimal, terms: Terms, start: dt.date, how: str) -> list[tuple[dt.date, Decimal]]:
    """The draws of ``principal`` from ``start`` under the assumption ``how``: in full at the start,
    or in equal parts (to the cent; the last takes what rounding left) on the start and each of the
    grace period's instalment dates before it ends."""
    if how == Disbursement.AT_START or terms.grace_periods == 0:
        return [(start, principal)]
    parts = terms.grace_periods
    part = (principal / parts).quantize(CENT)
    amounts = [part] * (parts - 1) + [principal - part * (parts - 1)]
    return [(add_months(start, terms.period_months * n), amount) for n, amount in enumerate(amounts)]


@dataclass
class Loan:
    """One loan: what the pages show of it, its schedule (empty when ``missing`` says why)."""

    line_id: int
    project_name: str
    project_slug: str
    lender_name: str
    lender_slug: str
    lender_kind: str
    lender_kind_label: str
    status: str
    status_label: str
    instrument_label: str
    principal_usd: Decimal | None
    terms: object | None  # LoanTerms
    start: dt.date | None
    start_basis: str
    missing: list[str] = field(default_factory=list)
    #: The page's assumptions this loan's schedule used, in words.
    assumed: list[str] = field(default_factory=list)
    #: The rate its schedule uses (% a year), stated or assumed.
    rate_percent: Decimal | None = None
    instalments: list[Instalment] = field(default_factory=list)

    @property
    def rate_text(self) -> str:
        """The interest in words: "5.2% fixed", "6-month LIBOR + 4.75% (LIBOR taken at 0.41326%: 5.16326%)"."""
        terms = self.terms
        if terms is None or not terms.rate_kind:
            return ""
        if terms.rate_kind == RateKind.FIXED:
            return "" if terms.fixed_rate_percent is None else f"{_pct(terms.fixed_rate_percent)} fixed"
        margin = "a margin not known" if terms.margin_percent is None else _pct(terms.margin_percent)
        text = f"{terms.benchmark or 'a benchmark'} + {margin}"
        if terms.benchmark_assumed_percent is not None and self.rate_percent is not None:
            text += f" (benchmark taken at {_pct(terms.benchmark_assumed_percent)}: {_pct(self.rate_percent)})"
        elif self.rate_percent is not None:
            text += f" (benchmark assumed: {_pct(self.rate_percent)})"
        return text

    @property
    def period_text(self) -> str:
        """Tenor and grace in words: "20 years, 5 of grace"; months where they are not whole years."""
        terms = self.terms
        if terms is None or terms.tenor_months is None:
            return ""
        text = _period(terms.tenor_months)
        if terms.grace_months is not None:
            text += f", {_period(terms.grace_months)} of grace"
        return text

    @property
    def scheduled(self) -> bool:
        return bool(self.instalments)

    @property
    def committed(self) -> bool:
        return self.status in FinancingStatus.committed()

    @property
    def years(self) -> list[dict]:
        """Per fiscal year: principal, interest, fees, their total and what is owed at the year's end."""
        rows = []
        outstanding = {}
        for row in self.instalments:
            outstanding[fiscal_year(row.due)] = row.outstanding
        for year, sums in by_fiscal_year(self.instalments).items():
            total = sums["principal"] + sums["interest"] + sums["fees"]
            rows.append({"fiscal_year": year, **sums, "total": total, "outstanding": outstanding[year]})
        return rows

    @property
    def interest_total(self) -> Decimal:
        return sum((row.interest for row in self.instalments), ZERO)

    @property
    def fees_total(self) -> Decimal:
        return sum((row.fees for row in self.instalments), ZERO)

    @property
    def first_due(self) -> dt.date | None:
        return self.instalments[0].due if self.instalments else None

    @property
    def last_due(self) -> dt.date | None:
        return self.instalments[-1].due if self.instalments else None


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _period(months: int) -> str:
    if months % 12:
        return f"{months} months"
    years = months // 12
    return "1 year" if years == 1 else f"{years} years"


def first_committed_on(line_ref, as_of: dt.date | None) -> Subquery:
    """The first day the line was recorded as committed (on or before ``as_of``)."""
    changes = FinancingChange.objects.filter(line=line_ref, status__in=FinancingStatus.committed())
    if as_of is not None:
        changes = changes.filter(changed_on__lte=as_of)
    return Subquery(changes.order_by("changed_on", "pk").values("changed_on")[:1])


def loan_states(as_of: dt.date | None = None) -> tuple[LineStates, QuerySet]:
    """Every loan's state now or as of a date, with its US$ value, project, lender, terms and first
    committed day (``first_committed``). No query until read."""
    states = LineStates(as_of)
    qs = (
        states.with_value(states.queryset().filter(instrument__in=LOAN_INSTRUMENTS))
        .annotate(first_committed=first_committed_on(OuterRef(states.line_pk), as_of))
        .select_related(*states.related("project", "lender", "terms"))
    )
    return states, qs


class Needs(NamedTuple):
    """What a schedule of some terms would use (``rate`` in % a year, ``profile``), what it lacks in
    words (``missing``: [] when it can be computed), and which assumptions it used (``assumed``)."""

    rate: Decimal | None
    profile: str
    missing: list[str]
    assumed: list[str]


def schedule_needs(terms, assumptions: Assumptions) -> Needs:
    """The one definition of what a schedule of ``terms`` (a ``LoanTerms``, or None) needs and lacks:
    ``LoanTerms.missing()``, the pages and, in SQL, ``schedulable`` all say it."""
    if terms is None:
        return Needs(None, "", ["every term"], [])
    missing, assumed = [], []
    rate = terms.annual_rate_percent
    floating = terms.rate_kind == RateKind.FLOATING
    if rate is None and floating and terms.margin_percent is not None and assumptions.benchmark_percent is not None:
        rate = assumptions.benchmark_percent + terms.margin_percent
        assumed.append(f"{terms.benchmark or 'the benchmark'} at {_pct(assumptions.benchmark_percent)}")
    if rate is None:
        unknown_level = floating and terms.margin_percent is not None and terms.benchmark_assumed_percent is None
        missing.append(f"the level of {terms.benchmark or 'the benchmark'}" if unknown_level else "the interest rate")
    if terms.tenor_months is None:
        missing.append("the tenor")
    if terms.grace_months is None:
        missing.append("the grace period")
    profile = terms.profile or assumptions.profile
    if not profile:
        missing.append("the repayment profile")
    elif not terms.profile:
        assumed.append(PROFILE_WORDS[profile])
    return Needs(rate, profile, missing, assumed)


def schedule_terms(terms, assumptions: Assumptions) -> Terms | None:
    """``terms`` as ``financing.debt.Terms`` on ``assumptions``, or None while something is missing.
    Fees not stated count as none."""
    needs = schedule_needs(terms, assumptions)
    if needs.missing:
        return None
    return Terms(
        annual_rate_percent=needs.rate,
        tenor_months=terms.tenor_months,
        grace_months=terms.grace_months,
        profile=needs.profile,
        payments_per_year=terms.payments_per_year,
        upfront_fee_percent=terms.upfront_fee_percent or ZERO,
        insurance_percent=terms.insurance_percent or ZERO,
        commitment_fee_percent=terms.commitment_fee_percent or ZERO,
    )


def loan_from_state(state, *, as_of: dt.date | None, assumptions: Assumptions, project=None) -> Loan:
    """A ``Loan`` from a state row of ``loan_states`` (or of one ``project``'s lines, annotated the
    same way: ``value_usd``, ``first_committed``, the lender and terms selected), with its schedule
    when everything it needs is known or assumed."""
    line = state.line if isinstance(state, FinancingChange) else state
    project, lender = project or line.project, line.lender
    terms = getattr(line, "terms", None)
    close = project.financial_close_on
    if close is not None and (as_of is None or close <= as_of):
        start, basis = close, "financial close"
    elif getattr(state, "first_committed", None) is not None:
        start, basis = state.first_committed, "first recorded as agreed or signed"
    elif state.status not in FinancingStatus.committed():
        start, basis = state.as_of, "the date of its status: not yet agreed"
    else:
        start, basis = None, ""
    missing = []
    if state.value_usd is None or state.value_usd <= 0:
        missing.append("the amount")
    needs = schedule_needs(terms, assumptions)
    missing += needs.missing
    if start is None:
        missing.append("the day it was agreed")
    loan = Loan(
        line_id=line.pk,
        project_name=project.name,
        project_slug=project.slug,
        lender_name=lender.name,
        lender_slug=lender.slug,
        lender_kind=lender.kind,
        lender_kind_label=lender.get_kind_display(),
        status=state.status,
        status_label=state.get_status_display(),
        instrument_label=state.get_instrument_display(),
        principal_usd=state.value_usd,
        terms=terms,
        start=start,
        start_basis=basis,
        missing=missing,
        assumed=[] if missing else needs.assumed,
        rate_percent=needs.rate,
    )
    if not missing:
        terms_used = schedule_terms(terms, assumptions)
        draws = disbursements(state.value_usd, terms_used, start, assumptions.disbursement)
        loan.instalments = schedule(state.value_usd, terms_used, draws)
    return loan


def schedulable(states: LineStates, as_of: dt.date | None, assumptions: Assumptions) -> Q:
    """The loans ``loan_from_state`` can schedule, as PostgreSQL tells them: a positive amount, a
    start (the financial close by ``as_of``, else a first committed day), and terms with a tenor,
    a grace period, a rate (fixed, or a margin over a benchmark whose level is recorded or assumed)
    and a repayment profile (recorded or assumed). ``Loan.missing`` says the same in words for one
    loan; a test holds the two to each other."""
    terms = states.path("terms__")
    close = Q(**{f"{states.path('project__financial_close_on')}__isnull": False})
    if as_of is not None:
        close &= Q(**{f"{states.path('project__financial_close_on')}__lte": as_of})
    floating = Q(**{f"{terms}rate_kind": RateKind.FLOATING, f"{terms}margin_percent__isnull": False})
    if assumptions.benchmark_percent is None:
        floating &= Q(**{f"{terms}benchmark_assumed_percent__isnull": False})
    rate = Q(**{f"{terms}rate_kind": RateKind.FIXED, f"{terms}fixed_rate_percent__isnull": False}) | floating
    profile = Q() if assumptions.profile else ~Q(**{f"{terms}profile": ""})
    return (
        Q(value_usd__gt=0)
        & (close | Q(first_committed__isnull=False))
        & Q(**{f"{terms}tenor_months__isnull": False, f"{terms}grace_months__isnull": False})
        & rate
        & profile
    )


@dataclass(frozen=True)
class CommittedLoans:
    """``scheduled``: every committed loan with a schedule, largest first; ``unknown``: the first
    ``limit`` of those without one, largest first, of ``unknown_count``, ``unknown_usd`` of them of a
    known amount."""

    scheduled: list[Loan]
    unknown: list[Loan]
    unknown_count: int
    unknown_usd: Decimal


def committed_loans(
    *, projects: QuerySet, as_of: dt.date | None, assumptions: Assumptions, limit: int | None = None
) -> CommittedLoans:
    """The committed loans of ``projects`` (a portfolio queryset) counted in the portfolio's totals
    (a section whose parent has a cost of its own counts in its parent: ``counted_in_totals``), each
    with its schedule, or what it lacks. Three queries: the loans PostgreSQL finds schedulable
    (``schedulable``), and of the others their count and sum, and the ``limit`` largest (all without
    it): a portfolio with thousands of loans of unknown terms lists a page of them, not all."""
    states, qs = loan_states(as_of)
    counted = projects.filter(counted_in_totals=True).order_by().values("pk")
    qs = qs.filter(Q(status__in=FinancingStatus.committed()) & Q(**{states.path("project__in"): counted}))
    # A Case, not an exclude(): a NULL in the test (no terms) counts as "cannot", never drops the row.
    qs = qs.annotate(
        can_schedule=models.Case(
            models.When(schedulable(states, as_of, assumptions), then=models.Value(True)),
            default=models.Value(False),
            output_field=models.BooleanField(),
        )
    )
    order = (models.F("value_usd").desc(nulls_last=True), states.path("project__name"), states.line_pk)
    scheduled = [
        loan_from_state(s, as_of=as_of, assumptions=assumptions) for s in qs.filter(can_schedule=True).order_by(*order)
    ]
    others = qs.filter(can_schedule=False)
    totals = others.order_by().aggregate(count=models.Count(states.line_pk), usd=models.Sum("value_usd"))
    listed = others.order_by(*order)
    if limit is not None:
        listed = listed[:limit]
    return CommittedLoans(
        scheduled=scheduled,
        unknown=[loan_from_state(s, as_of=as_of, assumptions=assumptions) for s in listed],
        unknown_count=totals["count"],
        unknown_usd=totals["usd"] or ZERO,
    )
