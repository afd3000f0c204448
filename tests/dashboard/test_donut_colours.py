"""The project page's donut: each lender its own colour, even two lenders of one kind."""

from decimal import Decimal

import pytest
from django.urls import reverse

from financing.choices import FUNDING_GAP_COLOUR, FinancingStatus, LenderKind
from tests.factories import CostEstimateFactory, FinancingLineFactory, LenderFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_two_lenders_of_one_kind_get_two_colours_on_the_project_page(viewer_client):
    project = ProjectFactory(slug="two-banks")
    CostEstimateFactory(project=project, amount=Decimal("1000000000.00"))
    cdb = LenderFactory(name="China Development Bank", short_name="CDB", slug="cdb", kind=LenderKind.CHINESE_GOVERNMENT)
    exim = LenderFactory(
        name="Export-Import Bank of China", short_name="Exim", slug="exim", kind=LenderKind.CHINESE_GOVERNMENT
    )
    FinancingLineFactory(project=project, lender=cdb, share_percent=Decimal("40"))
    FinancingLineFactory(project=project, lender=exim, share_percent=Decimal("30"))

    response = viewer_client.get(reverse("dashboard:project", args=["two-banks"]))

    assert response.status_code == 200
    (donut,) = response.context["figures"]["donut"]["data"]
    assert donut["labels"] == ["CDB", "Exim", "Unfunded"]
    assert donut["values"] == [400.0, 300.0, 300.0]
    # Their own palette colours, by slug (crc32 % 8: cdb 4, exim 6), not the kind's one colour.
    assert donut["marker"]["colors"] == ["#882255", "#999933", FUNDING_GAP_COLOUR]
    kind = LenderKind.CHINESE_GOVERNMENT.label
    assert [detail for _, detail in donut["customdata"]] == [kind, kind, "Not identified (funding gap)"]


def test_a_lender_has_the_same_colour_on_another_project_page(viewer_client):
    exim = LenderFactory(short_name="Exim", slug="exim", kind=LenderKind.CHINESE_GOVERNMENT)
    for slug, other in (("first", "CDB"), ("second", "Bank D")):
        project = ProjectFactory(slug=slug)
        CostEstimateFactory(project=project)
        FinancingLineFactory(project=project, lender=exim, share_percent=Decimal("50"))
        FinancingLineFactory(
            project=project,
            lender=LenderFactory(
                short_name=other, slug=other.lower().replace(" ", "-"), kind=LenderKind.CHINESE_GOVERNMENT
            ),
        )

    colours = {}
    for slug in ("first", "second"):
        (donut,) = viewer_client.get(reverse("dashboard:project", args=[slug])).context["figures"]["donut"]["data"]
        colours[slug] = dict(zip(donut["labels"], donut["marker"]["colors"], strict=True))
    assert colours["first"]["Exim"] == colours["second"]["Exim"] == "#999933"
    assert colours["first"]["CDB"] == "#882255" and colours["second"]["Bank D"] == "#CC6677"


def test_proposed_lenders_are_named_on_the_project_donut(viewer_client):
    """Cost 1,000: PSDP's 40% agreed; ADB proposed with no amount; AIIB proposed for 20%."""
    project = ProjectFactory(slug="ml-like")
    CostEstimateFactory(project=project, amount=Decimal("1000000000.00"))
    for slug, kind, share, status in (
        ("psdp", LenderKind.PAKISTAN_BUDGET, Decimal("40"), FinancingStatus.AGREED),
        ("adb", LenderKind.MULTILATERAL, None, FinancingStatus.PROPOSED),
        ("aiib", LenderKind.MULTILATERAL, Decimal("20"), FinancingStatus.PROPOSED),
    ):
        lender = LenderFactory(short_name=slug.upper(), slug=slug, kind=kind)
        FinancingLineFactory(project=project, lender=lender, share_percent=share, status=status)

    (donut,) = viewer_client.get(reverse("dashboard:project", args=["ml-like"])).context["figures"]["donut"]["data"]

    assert donut["labels"] == ["PSDP", "ADB (proposed)", "AIIB (proposed)", "Unfunded"]
    assert donut["values"] == [400.0, 0.0, 200.0, 400.0]
    assert donut["marker"]["pattern"]["shape"] == ["", "/", "/", ""]
