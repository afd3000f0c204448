"""Amounts are normalized to USD and PKR with the rate used and its origin."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from financing.selectors import projects_with_funding
from projects.choices import RateOrigin
from projects.models import CostEstimate, normalize_amount
from tests.factories import CostEstimateFactory, ExchangeRateFactory, ProjectFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_pkr_amount_with_its_own_rate():
    estimate = CostEstimateFactory(
        amount=Decimal("576000000000"), currency="PKR", entered_pkr_per_usd=Decimal("288"), as_of=dt.date(2025, 9, 26)
    )
    assert estimate.amount_usd == Decimal("2000000000.00")
    assert estimate.amount_pkr == Decimal("576000000000.00")
    assert estimate.pkr_per_usd == Decimal("288")
    assert estimate.pkr_rate_origin == RateOrigin.ENTERED
    assert estimate.pkr_reference is None
    assert estimate.rate_explanation == "288 PKR/USD, given with the figure"


def test_pkr_amount_without_a_rate_uses_the_nearest_earlier_reference_rate():
    ExchangeRateFactory(date=dt.date(2023, 12, 31), per_usd=Decimal("281.86"), kind="year_end_close")
    ExchangeRateFactory(date=dt.date(2024, 12, 31), per_usd=Decimal("278.55"), kind="year_end_close")
    estimate = CostEstimateFactory(
        amount=Decimal("24957000000"), currency="PKR", entered_pkr_per_usd=None, as_of=dt.date(2024, 8, 1)
    )
    assert estimate.pkr_rate_origin == RateOrigin.REFERENCE
    assert estimate.pkr_reference.date == dt.date(2023, 12, 31)
    assert estimate.pkr_per_usd == Decimal("281.86")
    assert estimate.amount_usd == Decimal("88543957.99")  # 24,957m / 281.86
    assert "reference rate of 31 Dec 2023 (year-end close)" in estimate.rate_explanation


def test_a_later_reference_rate_does_not_change_a_stored_figure():
    ExchangeRateFactory(date=dt.date(2020, 1, 1), per_usd=Decimal("161.84"))
    estimate = CostEstimateFactory(
        amount=Decimal("161840000"), currency="PKR", entered_pkr_per_usd=None, as_of=dt.date(2020, 8, 5)
    )
    ExchangeRateFactory(date=dt.date(2020, 6, 1), per_usd=Decimal("999"))
    estimate.refresh_from_db()
    assert estimate.amount_usd == Decimal("1000000.00")
    assert estimate.pkr_per_usd == Decimal("161.84")


def test_cny_amount_uses_cny_and_pkr_reference_rates():
    ExchangeRateFactory(currency="CNY", date=dt.date(2024, 1, 1), per_usd=Decimal("7.1957"))
    ExchangeRateFactory(currency="PKR", date=dt.date(2023, 12, 31), per_usd=Decimal("281.86"))
    estimate = CostEstimateFactory(
        amount=Decimal("14800000000"), currency="CNY", entered_pkr_per_usd=None, as_of=dt.date(2024, 5, 31)
    )
    assert estimate.amount_usd == Decimal("2056783912.61")
    assert estimate.amount_pkr == (Decimal("14800000000") / Decimal("7.1957") * Decimal("281.86")).quantize(
        Decimal("0.01")
    )
    assert estimate.cny_rate_origin == RateOrigin.REFERENCE
    assert "CNY/USD, reference rate of 01 Jan 2024" in estimate.rate_explanation


def test_usd_amount_gets_a_pkr_equivalent():
    estimate = CostEstimateFactory(amount=Decimal("6806000000"), currency="USD", entered_pkr_per_usd=Decimal("167.06"))
    assert estimate.amount_usd == Decimal("6806000000.00")
    assert estimate.amount_pkr == Decimal("1137010360000.00")


def test_missing_reference_rate_is_a_clear_form_error_and_nothing_is_saved():
    estimate = CostEstimateFactory.build(
        project=ProjectFactory(),
        source=SourceFactory(),
        amount=Decimal("1"),
        currency="PKR",
        entered_pkr_per_usd=None,
        as_of=dt.date(2010, 1, 1),
    )
    with pytest.raises(ValidationError) as excinfo:
        estimate.full_clean()
    assert excinfo.value.message_dict["entered_pkr_per_usd"] == [
        "No reference PKR rate on or before 01 Jan 2010: enter the PKR per USD rate the source used."
    ]
    assert not CostEstimate.objects.exists()


def test_normalize_amount_rounds_to_cents():
    result = normalize_amount(Decimal("100"), "PKR", dt.date(2024, 1, 1), entered_pkr_per_usd=Decimal("3"))
    assert result.amount_usd == Decimal("33.33")


def test_current_cost_is_the_latest_full_scope_estimate_in_normalized_usd():
    """PKR and USD estimates of one project are never added: the latest one is the cost."""
    project = ProjectFactory()
    CostEstimateFactory(project=project, amount=Decimal("6806000000"), currency="USD", as_of=dt.date(2020, 8, 5))
    CostEstimateFactory(
        project=project,
        amount=Decimal("1923264864000"),
        currency="PKR",
        entered_pkr_per_usd=Decimal("288"),
        as_of=dt.date(2024, 5, 22),
    )
    CostEstimateFactory(
        project=project, amount=Decimal("4133000000"), currency="PKR", as_of=dt.date(2025, 1, 1), full_scope=False
    )
    row = projects_with_funding().get(pk=project.pk)
    assert row.current_cost_usd == Decimal("6678003000.00")
    assert row.current_cost_pkr == Decimal("1923264864000.00")
    assert row.current_cost_as_of == dt.date(2024, 5, 22)
