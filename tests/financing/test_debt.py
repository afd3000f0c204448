"""The repayment schedule, against cases worked by hand (the arithmetic is in each test's comments)."""

import datetime as dt
from decimal import Decimal

import pytest

from financing.debt import Profile, Terms, add_months, by_fiscal_year, fiscal_year, schedule

D = dt.date
M = Decimal


def rows(instalments):
    return [(i.due, i.principal, i.interest, i.fees, i.outstanding) for i in instalments]


def test_equal_principal_after_a_year_of_grace():
    """1,000,000 at 6% a year, semi-annual (3% an instalment), 3 years with 1 of grace: two
    instalments of interest only (30,000), then 250,000 of principal four times, interest on the
    falling balance: 30,000, 22,500, 15,000, 7,500. Interest in all: 135,000."""
    terms = Terms(annual_rate_percent=M("6"), tenor_months=36, grace_months=12)
    result = schedule(M("1000000"), terms, [(D(2020, 1, 15), M("1000000"))])
    assert rows(result) == [
        (D(2020, 7, 15), M("0"), M("30000.00"), M("0.00"), M("1000000")),
        (D(2021, 1, 15), M("0"), M("30000.00"), M("0.00"), M("1000000")),
        (D(2021, 7, 15), M("250000.00"), M("30000.00"), M("0.00"), M("750000.00")),
        (D(2022, 1, 15), M("250000.00"), M("22500.00"), M("0.00"), M("500000.00")),
        (D(2022, 7, 15), M("250000.00"), M("15000.00"), M("0.00"), M("250000.00")),
        (D(2023, 1, 15), M("250000.00"), M("7500.00"), M("0.00"), M("0.00")),
    ]
    assert sum(i.interest for i in result) == M("135000.00")


def test_an_annuity_pays_the_same_each_year():
    """1,000,000 at 10%, yearly, 3 years, no grace: 100,000 / (1 - 1.1^-3) = 402,114.80 a year.
    Year 1: interest 100,000.00, principal 302,114.80, left 697,885.20. Year 2: interest 69,788.52,
    principal 332,326.28, left 365,558.92. Year 3: interest 36,555.89 and the rest, 365,558.92
    (402,114.81: the cent rounding left)."""
    terms = Terms(annual_rate_percent=M("10"), tenor_months=36, payments_per_year=1, profile=Profile.ANNUITY)
    result = schedule(M("1000000"), terms, [(D(2021, 3, 1), M("1000000"))])
    assert rows(result) == [
        (D(2022, 3, 1), M("302114.80"), M("100000.00"), M("0.00"), M("697885.20")),
        (D(2023, 3, 1), M("332326.28"), M("69788.52"), M("0.00"), M("365558.92")),
        (D(2024, 3, 1), M("365558.92"), M("36555.89"), M("0.00"), M("0.00")),
    ]
    assert [i.total for i in result] == [M("402114.80"), M("402114.80"), M("402114.81")]


def test_grace_two_disbursements_fees_and_fiscal_years():
    """1,000,000 at 4% (2% a half-year), 2 years with 1 of grace, annuity; 600,000 drawn on
    1 Jul 2024 and 400,000 on 1 Oct 2024; upfront fee 1% and Sinosure 5% of the principal at the
    start, commitment fee 0.5% a year on what is not drawn.

    1 Jan 2025: interest on 600,000 = 12,000; fees 60,000 + 400,000 x 0.25% = 61,000.
    1 Jul 2025: the 400,000 is drawn; interest on 1,000,000 = 20,000.
    Then two instalments of 20,000 / (1 - 1.02^-2) = 515,049.50: interest 20,000.00 and principal
    495,049.50 (left 504,950.50), then interest 10,099.01 and principal 504,950.50."""
    terms = Terms(
        annual_rate_percent=M("4"),
        tenor_months=24,
        grace_months=12,
        profile=Profile.ANNUITY,
        upfront_fee_percent=M("1"),
        insurance_percent=M("5"),
        commitment_fee_percent=M("0.5"),
    )
    result = schedule(M("1000000"), terms, [(D(2024, 7, 1), M("600000")), (D(2024, 10, 1), M("400000"))])
    assert rows(result) == [
        (D(2025, 1, 1), M("0"), M("12000.00"), M("61000.00"), M("600000")),
        (D(2025, 7, 1), M("0"), M("20000.00"), M("0.00"), M("1000000")),
        (D(2026, 1, 1), M("495049.50"), M("20000.00"), M("0.00"), M("504950.50")),
        (D(2026, 7, 1), M("504950.50"), M("10099.01"), M("0.00"), M("0.00")),
    ]
    assert [i.disbursed for i in result] == [M("600000"), M("400000"), M("0"), M("0")]
    assert by_fiscal_year(result) == {
        "2024-25": {"principal": M("0"), "interest": M("12000.00"), "fees": M("61000.00")},
        "2025-26": {"principal": M("495049.50"), "interest": M("40000.00"), "fees": M("0.00")},
        "2026-27": {"principal": M("504950.50"), "interest": M("10099.01"), "fees": M("0.00")},
    }


def test_fiscal_years_run_july_to_june():
    assert [fiscal_year(d) for d in (D(2024, 6, 30), D(2024, 7, 1), D(2025, 6, 30), D(1999, 12, 31))] == [
        "2023-24",
        "2024-25",
        "2024-25",
        "1999-00",
    ]


def test_months_are_added_to_the_months_last_day_when_needed():
    assert add_months(D(2024, 8, 31), 6) == D(2025, 2, 28)
    assert add_months(D(2023, 8, 31), 6) == D(2024, 2, 29)
    assert add_months(D(2024, 11, 30), 2) == D(2025, 1, 30)


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"tenor_months": 0}, "whole numbers of 6-month periods"),
        ({"tenor_months": 25}, "whole numbers of 6-month periods"),
        ({"tenor_months": 24, "grace_months": 24}, "shorter than the tenor"),
        ({"tenor_months": 24, "payments_per_year": 3}, "1, 2, 4 or 12 times a year"),
        ({"tenor_months": 24, "profile": "balloon"}, "equal principal or annuity"),
        ({"tenor_months": 24, "commitment_fee_percent": M("-1")}, "cannot be negative"),
    ],
)
def test_impossible_terms_are_refused(terms, message):
    with pytest.raises(ValueError, match=message):
        Terms(annual_rate_percent=M("2"), **terms)


def test_disbursements_must_add_up_and_fall_within_the_grace_period():
    terms = Terms(annual_rate_percent=M("2"), tenor_months=24, grace_months=6)
    with pytest.raises(ValueError, match="add up to the principal"):
        schedule(M("100"), terms, [(D(2024, 1, 1), M("90"))])
    with pytest.raises(ValueError, match="within the grace period"):
        schedule(M("100"), terms, [(D(2024, 1, 1), M("50")), (D(2024, 12, 1), M("50"))])
    with pytest.raises(ValueError, match="more than zero"):
        schedule(M("0"), terms, [(D(2024, 1, 1), M("0"))])
