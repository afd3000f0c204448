"""The project detail carries its loans with their schedules, its PSDP years and each estimate's FEC,
the same figures as the project page (worked by hand in tests/dashboard/test_debt.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.dashboard.test_debt import loans  # noqa: F401
from tests.factories import CostEstimateFactory, ProjectFactory, PsdpFigureFactory

pytestmark = pytest.mark.django_db


def detail(client, slug, **params):
    response = client.get(f"/api/v1/projects/{slug}/", params)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def test_a_loans_terms_and_schedule_per_fiscal_year(viewer_client, loans):  # noqa: F811
    [loan] = detail(viewer_client, "road-e")["loans"]
    assert loan["lender"] == "China Exim" and loan["committed"] is True
    assert (loan["rate_kind"], loan["rate_percent"], loan["tenor_months"], loan["grace_months"]) == (
        "fixed",
        "6.00000",
        36,
        12,
    )
    assert loan["starts"] == "2020-01-15" and loan["missing"] == []
    assert loan["schedule"] == [
        {
            "fiscal_year": "2020-21",
            "principal": "0",
            "interest": "60000.00",
            "fees": "0.00",
            "total": "60000.00",
            "outstanding": "1000000.00",
        },
        {
            "fiscal_year": "2021-22",
            "principal": "500000.00",
            "interest": "52500.00",
            "fees": "0.00",
            "total": "552500.00",
            "outstanding": "500000.00",
        },
        {
            "fiscal_year": "2022-23",
            "principal": "500000.00",
            "interest": "22500.00",
            "fees": "0.00",
            "total": "522500.00",
            "outstanding": "0.00",
        },
    ]


def test_a_loan_without_terms_says_what_it_lacks(viewer_client, loans):  # noqa: F811
    plant = detail(viewer_client, "plant-g")
    missing = {loan["principal_usd"]: loan["missing"] for loan in plant["loans"]}
    assert missing["2000000.00"] == ["every term"]
    assert missing["500000.00"] == ["the level of SOFR", "the repayment profile"]
    no_terms = next(loan for loan in plant["loans"] if loan["principal_usd"] == "2000000.00")
    assert (no_terms["rate_kind"], no_terms["tenor_months"], no_terms["schedule"]) == ("", None, [])
    assert "drawn in full when it starts" in plant["loan_assumption"]


def test_psdp_years_and_the_foreign_exchange_component(viewer_client):
    project = ProjectFactory(slug="kcr-test")
    CostEstimateFactory(
        project=project,
        amount=Decimal("292388000000"),
        currency="PKR",
        entered_pkr_per_usd=Decimal("280"),
        foreign_exchange_component=Decimal("263149000000"),
        as_of=dt.date(2022, 10, 27),
    )
    PsdpFigureFactory(project=project, fiscal_year=2024, kind="original", amount_pkr=Decimal("1000000000"))
    PsdpFigureFactory(
        project=project, fiscal_year=2024, kind="released", amount_pkr=Decimal("400000000"), as_of=dt.date(2025, 1, 5)
    )
    data = detail(viewer_client, "kcr-test")
    assert data["estimates"][0]["foreign_exchange_component"] == "263149000000.00"
    [year] = data["psdp"]
    assert (year["fiscal_year"], year["allocation"], year["released"], year["release_rate"]) == (
        "2024-25",
        "1000000000.00",
        "400000000.00",
        "40.0",
    )
    assert year["released_on"] == "2025-01-05" and year["flags"] == []
