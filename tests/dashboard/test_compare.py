"""The compare page: the portfolio at two moments side by side, the differences, and what changed between;
and the dashboard's tiles, which add up under one stated rule."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from financing.models import FinancingLine, Lender
from financing.services import financing_line_record_change
from projects.models import Source
from tests.factories import CostEstimateFactory, ProjectFactory

pytestmark = pytest.mark.django_db

COMPARE = "/compare/"
D = dt.date
M = Decimal(1_000_000)


def figures(response):
    return {row["key"]: (row["before"], row["after"], row["change"]) for row in response.context["figures"]}


def test_the_portfolio_as_of_the_11th_and_the_14th_jcc_side_by_side(viewer_client, portfolio):
    response = viewer_client.get(COMPARE, {"from-as_of_jcc": "11", "to-as_of_jcc": "14"})
    assert response.status_code == 200
    shown = figures(response)
    # As of the 11th JCC only Rail B (US$ 6,806m, China 85% + PSDP 15% agreed) had a cost; by the 14th,
    # Road A (US$ 2,000m) and Zone D (Rs 24,957m at 280 = US$ 89.13m) came, China declined Rail B
    # (now US$ 7,000m: PSDP 15% = 1,050m, ADB 2,000m proposed, gap 3,950m) and agreed 85% of Road A.
    assert shown["projects"] == (2, 4, 2)
    assert shown["cost_usd"] == (Decimal("6806000000.00"), Decimal("9089132142.86"), Decimal("2283132142.86"))
    assert shown["committed_usd"] == (Decimal("6806000000.00"), Decimal("2839132142.86"), Decimal("-3966867857.14"))
    assert shown["pipeline_usd"] == (0, 2000 * M, 2000 * M)
    assert shown["gap_usd"] == (0, 4250 * M, 4250 * M)
    assert shown["gap_percent"] == (Decimal("0.0"), Decimal("46.8"), Decimal("46.8"))
    lenders = {row["label"]: row for row in response.context["lenders"]}
    assert [row["label"] for row in response.context["lenders"]] == ["ADB", "China", "PSDP"]
    china = lenders["China"]
    assert (china["committed_before"], china["committed_after"]) == (Decimal("5785100000.00"), 1700 * M)
    assert lenders["ADB"]["pipeline_change"] == 2000 * M
    assert [m.number for m in response.context["meetings"]] == [14]
    rows = {row["project"].name: row for row in response.context["changed"]}
    assert list(rows) == ["Rail B", "Road A", "Zone D"]
    assert (rows["Rail B"]["gap_before_usd"], rows["Rail B"]["gap_after_usd"]) == (0, 3950 * M)
    assert [c.kind_of_change for c in rows["Rail B"]["changes"]] == ["declined or withdrawn", "added"]
    html = response.content.decode()
    assert re.search(r'data-figure="committed_usd">.*?US\$ 6.81bn.*?US\$ 2.84bn.*?−US\$ 3.97bn', html, re.S)
    assert re.search(r'data-figure="projects">.*?>2<.*?>4<.*?\+2<', html, re.S)
    assert "as-of-banner" not in html  # the page names both moments itself
    assert ">Gap as of the 11th JCC (27 Oct 2022)</th>" in html and ">Gap as of the 14th JCC (26 Sep 2025)</th>" in html


def test_without_a_choice_it_compares_the_last_meeting_with_now_and_a_carried_moment_is_the_second(
    viewer_client, portfolio
):
    plain = viewer_client.get(COMPARE)
    assert (plain.context["moment_before"].meeting.number, plain.context["moment"].date) == (14, None)
    carried = viewer_client.get(COMPARE, {"as_of_jcc": "14"})
    assert (carried.context["moment_before"].meeting.number, carried.context["moment"].meeting.number) == (11, 14)


@pytest.mark.parametrize(
    "query",
    [
        {"from-as_of_jcc": "14", "to-as_of_jcc": "11"},
        {"from-as_of": "2030-01-01", "to-as_of": "2020-01-01"},
        {"from-as_of": "2099-01-01"},  # after now, the default second moment
        {"from-as_of_jcc": "nope"},
        {"to-as_of": "1-1-1"},
    ],
)
def test_moments_out_of_order_or_unknown_are_a_400_with_a_message(viewer_client, portfolio, query):
    response = viewer_client.get(COMPARE, query)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_the_compare_page_runs_a_constant_number_of_queries(viewer_client, portfolio, django_assert_num_queries):
    query = {"from-as_of_jcc": "11", "to-as_of_jcc": "14"}
    viewer_client.get(reverse("dashboard:lenders"))  # the session warm

    def count():
        """Queries of the page computed afresh (cold), then served again (warm)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for _ in ("cold", "warm"):
            with CaptureQueriesContext(connection) as captured:
                assert viewer_client.get(COMPARE, query).status_code == 200
            counts.append(len(captured))
        return counts

    small = count()
    for index in range(30):
        ProjectFactory(name=f"More {index}", slug=f"more-{index}")
    assert count() == small


# The dashboard's tiles -------------------------------------------------------------------


@pytest.fixture
def over_and_uncosted(portfolio):
    """Port E (US$ 100m) with US$ 150m agreed: US$ 50m above its cost; Park F (no cost) with US$ 20m agreed."""
    source = Source.objects.get(key="S1")
    china, psdp = Lender.objects.get(slug="china"), Lender.objects.get(slug="psdp")
    port = ProjectFactory(name="Port E", slug="port-e", sector="gwadar", status="approved")
    CostEstimateFactory(project=port, amount=100 * M, currency="USD", as_of=D(2025, 1, 1), source=source)
    park = ProjectFactory(name="Park F", slug="park-f", sector="industrial", status="approved")
    for project, lender, amount in ((port, china, 150 * M), (park, psdp, 20 * M)):
        line = FinancingLine(project=project, lender=lender, instrument="undecided", as_of=D(2025, 2, 1))
        financing_line_record_change(
            line=line,
            source=source,
            changed_on=D(2025, 2, 1),
            status="agreed",
            amount=amount,
            currency="USD",
            entered_pkr_per_usd=Decimal("280"),
        )


def test_the_tiles_add_up_and_show_what_they_leave_out(viewer_client, over_and_uncosted):
    response = viewer_client.get("/")
    kpis = response.context["kpis"]
    # Costs: Road A 2,000 + Rail B 7,000 + Zone D 89.13 + Port E 100 = 9,189.13m.
    assert kpis["cost_usd"] == Decimal("9189132142.86")
    # Committed up to each cost: 1,700 + 1,050 + 89.13 + 100 (of Port E's 150) = 2,939.13m.
    assert kpis["committed_usd"] == Decimal("2939132142.86")
    assert (kpis["pipeline_usd"], kpis["gap_usd"]) == (2000 * M, 4250 * M)
    assert (
        kpis["cost_usd"]
        == kpis["committed_usd"] + kpis["committed_unknown_usd"] + kpis["pipeline_usd"] + kpis["gap_usd"]
    )
    assert (kpis["over_committed_usd"], kpis["over_committed"]) == (50 * M, 1)
    assert (kpis["committed_uncosted_usd"], kpis["uncosted_committed"]) == (20 * M, 1)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))
    assert (
        "cost US$ 9.19bn = committed US$ 2.94bn + not disclosed US$ 0.0m + proposed or planned US$ 2.00bn"
        " + gap US$ 4.25bn" in text
    )
    assert "Over-committed: US$ 50.0m committed above the cost of 1 project, not counted in the Committed tile." in text
    assert "Shown apart: US$ 20.0m committed on 1 project with no cost estimate." in text


def test_as_of_a_meeting_the_cost_tile_says_so(viewer_client, portfolio):
    html = viewer_client.get("/", {"as_of_jcc": "11"}).content.decode()
    assert '<span class="tile-label">Cost as of the 11th JCC (27 Oct 2022)</span>' in html
    assert '<span class="tile-label">Current cost</span>' in viewer_client.get("/").content.decode()


def test_as_of_a_meeting_the_project_page_and_list_say_the_cost_is_then(viewer_client, portfolio):
    page = viewer_client.get("/projects/rail-b/", {"as_of_jcc": "11"}).content.decode()
    assert '<span class="tile-label">Cost as of the 11th JCC (27 Oct 2022)</span>' in page
    listed = viewer_client.get("/projects/", {"as_of_jcc": "11"}).content.decode()
    assert ">Cost then" in listed and ">Current cost" not in listed
    assert ">Current cost" in viewer_client.get("/projects/").content.decode()
