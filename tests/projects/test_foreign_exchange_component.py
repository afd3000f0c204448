"""A cost estimate's foreign-exchange component (a PC-I's FEC), and the part of a rupee overrun the
exchange rate explains, computed from it (or from the whole cost, and the page says which)."""

import datetime as dt
from decimal import Decimal

import pytest

from dashboard.selectors import project_page
from projects.models import CostEstimate
from tests.factories import CostEstimateFactory, ProjectFactory, SourceFactory
from tests.htmlforms import post_change

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.mark.parametrize(
    ("fec", "explained", "percent", "basis", "words"),
    [
        # $750m of the PC-I is foreign (Rs150bn at 200/US$): at 280 it costs Rs60bn more, half the Rs120bn rise.
        ("150000000000", "60000000000.00", "50.0", "fec", "on the PC-I's foreign-exchange component (Rs 150.0bn)"),
        # No component recorded: the whole $1,000m at 80 more per US$ is Rs80bn, 66.7% of the rise.
        (None, "80000000000.00", "66.7", "whole", "on the PC-I's whole cost: it records no foreign-exchange component"),
    ],
)
def test_the_exchange_rates_part_of_a_rupee_overrun(viewer_client, fec, explained, percent, basis, words):
    project = ProjectFactory(slug="line")
    source = SourceFactory()
    CostEstimateFactory(
        project=project,
        amount=Decimal("200000000000"),
        currency="PKR",
        entered_pkr_per_usd=Decimal("200"),
        as_of=D(2020, 1, 1),
        basis="pc_i",
        approving_forum="ecnec",
        foreign_exchange_component=Decimal(fec) if fec else None,
        source=source,
    )
    CostEstimateFactory(
        project=project,
        amount=Decimal("320000000000"),
        currency="PKR",
        entered_pkr_per_usd=Decimal("280"),
        as_of=D(2025, 1, 1),
        basis="revised_pc_i",
        approving_forum="ecnec",
        source=source,
    )
    overrun = project_page(slug="line").rupee_overrun
    assert overrun.overrun_pkr == Decimal("120000000000.00")
    assert (overrun.explained_pkr, overrun.explained_percent) == (Decimal(explained), Decimal(percent))
    assert overrun.basis == basis
    html = viewer_client.get("/projects/line/").content.decode()
    assert (
        f'<dd class="no-print" data-rupee-overrun="{basis}">Up Rs 120.0bn in rupees since the first approved PC-I; '
        f"the rupee's move from 200 to 280 per US$ explains Rs {Decimal(explained) / 10**9:.1f}bn of it "
        f"({percent}%), {words}.</dd>"
    ) in html


@pytest.mark.parametrize("fec", ["-1", "300000000001"])
def test_a_component_outside_the_amount_is_a_form_error(admin_client, fec):
    estimate = CostEstimateFactory(amount=Decimal("300000000000"), currency="PKR", entered_pkr_per_usd=Decimal("280"))
    response = post_change(admin_client, estimate, foreign_exchange_component=fec)
    assert response.status_code == 200
    assert "The foreign-exchange component must be between zero and the amount." in response.content.decode()
    assert CostEstimate.objects.get().foreign_exchange_component is None
