"""Loan terms on a financing line: only what a source states, each group sourced, and a schedule only
from complete terms (``financing.debt``, worked by hand in tests/financing/test_debt.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from financing.debt import schedule
from financing.models import LoanTerms
from tests.factories import FinancingLineFactory, SourceFactory
from tests.htmlforms import post_change

pytestmark = pytest.mark.django_db
D = dt.date


def terms_form(**fields) -> dict:
    data = {"terms-TOTAL_FORMS": "1", "terms-INITIAL_FORMS": "0", "terms-0-payments_per_year": "2"}
    data.update({f"terms-0-{k}": v for k, v in fields.items()})
    return data


def test_a_loans_terms_entered_on_its_page_give_its_schedule(admin_client):
    """The Orange Line's buyer's credit as AidData records it: 5.2%, 20 years with 2 of grace."""
    line = FinancingLineFactory(
        instrument="commercial_loan", amount=Decimal("1000000"), currency="USD", entered_pkr_per_usd=Decimal("280")
    )
    source = SourceFactory()
    response = post_change(
        admin_client,
        line,
        **terms_form(
            rate_kind="fixed",
            fixed_rate_percent="5.2",
            interest_source=str(source.pk),
            tenor_months="240",
            grace_months="24",
            profile="equal_principal",
            repayment_source=str(source.pk),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    terms = LoanTerms.objects.get(line=line)
    assert terms.missing() == []
    rows = schedule(Decimal("1000000"), terms.schedule_terms(), [(D(2016, 1, 1), Decimal("1000000"))])
    # 40 half-years; 4 of grace at 2.6% a half-year (26,000), then 36 repayments of 27,777.78 (the last 27,777.70).
    assert len(rows) == 40 and rows[0].interest == Decimal("26000.00") and rows[3].principal == 0
    assert rows[4].principal == Decimal("27777.78") and rows[-1].outstanding == 0
    assert sum(r.principal for r in rows) == Decimal("1000000")


def test_floating_terms_need_the_benchmark_assumed_and_say_what_is_missing():
    line = FinancingLineFactory(instrument="commercial_loan")
    source = SourceFactory()
    terms = LoanTerms.objects.create(
        line=line,
        rate_kind="floating",
        benchmark="6-month LIBOR",
        margin_percent=Decimal("4.75"),
        interest_source=source,
    )
    assert terms.annual_rate_percent is None
    assert terms.missing() == ["the level of 6-month LIBOR", "the tenor", "the grace period", "the repayment profile"]
    assert terms.schedule_terms() is None
    terms.benchmark_assumed_percent = Decimal("5.30")
    assert terms.annual_rate_percent == Decimal("10.05")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rate_kind": "fixed", "fixed_rate_percent": "5.2"}, "Give the source of the interest terms."),
        ({"tenor_months": "240"}, "Give the source of the tenor, grace period and repayment."),
        ({"insurance_percent": "7"}, "Give the source of the fees."),
        ({"rate_kind": "floating", "fixed_rate_percent": "5", "source": 1}, "A fixed rate goes with fixed interest."),
        (
            {"tenor_months": "240", "grace_months": "240", "source": 2},
            "The grace period must be shorter than the tenor.",
        ),
        ({"tenor_months": "241", "source": 2}, "whole numbers of the periods between instalments"),
        ({"insurance_percent": "101", "source": 3}, "Rates and fees are between 0% and 100%."),
    ],
)
def test_impossible_or_unsourced_terms_are_form_errors(admin_client, fields, message):
    line = FinancingLineFactory(instrument="commercial_loan")
    source = str(SourceFactory().pk)
    group = fields.pop("source", None)
    if group == 1:
        fields["interest_source"] = source
    elif group == 2:
        fields["repayment_source"] = source
    elif group == 3:
        fields["fees_source"] = source
    response = post_change(admin_client, line, **terms_form(**fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LoanTerms.objects.exists()


def test_the_database_refuses_unsourced_terms_whatever_writes_them():
    line = FinancingLineFactory(instrument="concessional_loan")
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanTerms.objects.create(line=line, rate_kind="fixed", fixed_rate_percent=Decimal("1"))
    assert not LoanTerms.objects.exists()
