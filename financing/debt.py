"""What a loan will cost to repay: its schedule of principal, interest and fees, from its terms.

A pure function of the terms and a disbursement assumption; no database. Money is ``Decimal``,
rounded to the cent per instalment; the last instalment takes what rounding left, so the
principal repaid always equals the principal disbursed.

The conventions, stated where the schedule is shown:

- Instalments fall every ``12 / payments_per_year`` months from the first disbursement (semi-annual
  by default). Interest accrues at the annual rate divided by the number of instalments a year, on
  what is outstanding during the period (disbursements count from the instalment after them).
- During the grace period only interest is paid. Repayment starts at the first instalment after
  it and ends at the tenor (the loan's whole life, grace included).
- Equal principal: the principal is repaid in equal parts, interest on the falling balance. Annuity:
  equal instalments of principal and interest.
- Fees: the upfront (management) fee and the insurance premium (Sinosure) are percentages of the
  principal paid at the first disbursement; the commitment fee is a yearly percentage of what is
  not yet disbursed, paid with each instalment until it all is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")


class Profile:
    EQUAL_PRINCIPAL = "equal_principal"
    ANNUITY = "annuity"


@dataclass(frozen=True)
class Terms:
    """A loan's terms. Rates and fees in percent a year; periods in whole years and months."""

    annual_rate_percent: Decimal
    tenor_months: int
    grace_months: int = 0
    profile: str = Profile.EQUAL_PRINCIPAL
    payments_per_year: int = 2
    upfront_fee_percent: Decimal = ZERO
    insurance_percent: Decimal = ZERO
    commitment_fee_percent: Decimal = ZERO

    def __post_init__(self):
        if self.payments_per_year not in (1, 2, 4, 12):
            raise ValueError("Instalments are paid 1, 2, 4 or 12 times a year.")
        period = 12 // self.payments_per_year
        if self.tenor_months <= 0 or self.tenor_months % period or self.grace_months % period:
            raise ValueError(f"The tenor and grace period must be whole numbers of {period}-month periods.")
        if not 0 <= self.grace_months < self.tenor_months:
            raise ValueError("The grace period must be shorter than the tenor.")
        if self.profile not in (Profile.EQUAL_PRINCIPAL, Profile.ANNUITY):
            raise ValueError("Choose equal principal or annuity repayment.")
        for name in ("annual_rate_percent", "upfront_fee_percent", "insurance_percent", "commitment_fee_percent"):
            if getattr(self, name) < 0:
                raise ValueError("Rates and fees cannot be negative.")

    @property
    def period_months(self) -> int:
        return 12 // self.payments_per_year

    @property
    def periods(self) -> int:
        return self.tenor_months // self.period_months

    @property
    def grace_periods(self) -> int:
        return self.grace_months // self.period_months


@dataclass(frozen=True)
class Instalment:
    number: int
    due: dt.date
    disbursed: Decimal
    principal: Decimal
    interest: Decimal
    fees: Decimal
    #: What is owed after this instalment.
    outstanding: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fees


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` ``months`` later, on the same day of the month or the month's last day."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def schedule(principal: Decimal, terms: Terms, disbursements: list[tuple[dt.date, Decimal]]) -> list[Instalment]:
    """Every instalment of a loan of ``principal`` on ``terms``, disbursed as ``disbursements`` says
    (dates and amounts adding up to the principal; the first is the start of the loan's life).

    Disbursements after the grace period ends are refused: the repayments would not cover them.
    """
    if principal <= 0:
        raise ValueError("The principal must be more than zero.")
    if not disbursements or sum(amount for _, amount in disbursements) != principal:
        raise ValueError("The disbursements must add up to the principal.")
    disbursements = sorted(disbursements)
    start = disbursements[0][0]
    dates = [add_months(start, terms.period_months * n) for n in range(1, terms.periods + 1)]
    last_grace_date = dates[terms.grace_periods - 1] if terms.grace_periods else start
    if any(day > last_grace_date for day, _ in disbursements[1:]) or any(a <= 0 for _, a in disbursements):
        raise ValueError("Every disbursement must be positive and fall within the grace period.")

    rate = terms.annual_rate_percent / HUNDRED / terms.payments_per_year
    commitment = terms.commitment_fee_percent / HUNDRED / terms.payments_per_year
    upfront = _cents(principal * (terms.upfront_fee_percent + terms.insurance_percent) / HUNDRED)
    repayments = terms.periods - terms.grace_periods
    annuity = None
    if terms.profile == Profile.ANNUITY and rate:
        annuity = principal * rate / (1 - (1 + rate) ** -repayments)

    outstanding, drawn, rows = ZERO, ZERO, []
    pending = list(disbursements)
    previous = None
    for number, due in enumerate(dates, start=1):
        # What was disbursed before this period began bears interest for the whole period.
        period_start = previous or start
        disbursed_now = ZERO
        while pending and pending[0][0] <= period_start:
            amount = pending.pop(0)[1]
            outstanding += amount
            drawn += amount
            disbursed_now += amount
        interest = _cents(outstanding * rate)
        fees = _cents((principal - drawn) * commitment) + (upfront if number == 1 else ZERO)
        if number <= terms.grace_periods:
            repaid = ZERO
        elif number == terms.periods:
            repaid = outstanding
        elif annuity is not None:
            repaid = _cents(annuity) - interest
        else:
            repaid = _cents(principal / repayments)
        outstanding -= repaid
        rows.append(Instalment(number, due, disbursed_now, repaid, interest, fees, outstanding))
        previous = due
    return rows


#: How a loan is drawn (``financing.loans.Disbursement`` names them for the pages).
AT_START = "at_start"
OVER_GRACE = "over_grace"


def disbursements(principal: Decimal, terms: Terms, start: dt.date, how: str) -> list[tuple[dt.date, Decimal]]:
    """The draws of ``principal`` from ``start`` under the assumption ``how``: in full at the start
    (``AT_START``), or in equal parts (``OVER_GRACE``: to the cent; the last takes what rounding left)
    on the start and each of the grace period's instalment dates before it ends."""
    if how not in (AT_START, OVER_GRACE):
        raise ValueError("A loan is drawn in full when it starts or in equal parts over its grace period.")
    if how == AT_START or terms.grace_periods == 0:
        return [(start, principal)]
    parts = terms.grace_periods
    part = (principal / parts).quantize(CENT)
    amounts = [part] * (parts - 1) + [principal - part * (parts - 1)]
    return [(add_months(start, terms.period_months * n), amount) for n, amount in enumerate(amounts)]


def fiscal_year(day: dt.date) -> str:
    """Pakistan's fiscal year (July to June) of ``day``: "2024-25" for 1 Jul 2024 to 30 Jun 2025."""
    first = day.year if day.month >= 7 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def by_fiscal_year(rows: list[Instalment]) -> dict[str, dict[str, Decimal]]:
    """The principal, interest and fees due in each fiscal year, in order."""
    years: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        year = years.setdefault(fiscal_year(row.due), {"principal": ZERO, "interest": ZERO, "fees": ZERO})
        year["principal"] += row.principal
        year["interest"] += row.interest
        year["fees"] += row.fees
    return years
