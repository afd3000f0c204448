"""The staff pages through the test client: filters, numbers, exports, bad input, queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard.views import PAGE_SIZE
from financing.models import FinancingLine, Lender
from financing.services import financing_line_record_change
from projects.models import Decision, JCCMeeting, Phase, Project
from tests.factories import (
    CostEstimateFactory,
    DecisionFactory,
    JCCMeetingFactory,
    LenderFactory,
    PhaseFactory,
    ProjectFactory,
    PsdpFigureFactory,
)

D = dt.date
pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ filters


# ---------------------------------------------------------------- dashboard


def test_dashboard_numbers(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    kpis = response.context["kpis"]
    assert kpis["cost_usd"] == Decimal("9089132142.86")
    assert kpis["gap_percent"] == Decimal("46.8")
    html = response.content.decode()
    assert 'data-kpi="cost-usd">US$ 9.09bn<' in html
    assert 'data-kpi="committed">US$ 2.84bn<' in html
    assert 'data-kpi="committed-unknown">US$ 0.0m<' in html
    assert 'data-kpi="pipeline">US$ 2.00bn<' in html
    assert 'data-kpi="gap-usd">US$ 4.25bn<' in html
    assert 'data-kpi="latest-decisions">3<' in html
    for chart in (
        "chart-sector",
        "chart-status",
        "chart-lender",
        "chart-kind",
        "chart-gap",
        "chart-timeline",
        "chart-meetings",
    ):
        assert f'data-chart="{chart}"' in html and f'<script id="{chart}" type="application/json">' in html


def test_dashboard_applies_the_filter_to_every_figure(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:home"), {"lender": "adb"})
    assert response.context["kpis"]["projects"] == 1
    assert response.context["kpis"]["gap_usd"] == Decimal("3950000000.00")
    assert [r["slug"] for r in response.context["tables"]["gaps"]] == ["rail-b"]
    assert {r["number"] for r in response.context["tables"]["per_meeting"]} == {11, 14}
    assert [r["key"] for r in response.context["tables"]["by_lender"]] == ["adb", "psdp"]


def test_empty_result_shows_no_data(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:home"), {"q": "nothing matches this"})
    assert response.status_code == 200
    assert response.context["kpis"]["projects"] == 0
    for figure in response.context["figures"].values():
        assert figure["layout"]["annotations"][0]["text"] == "No data"


# ------------------------------------------------------------ detail pages


def test_project_page(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:project", args=["road-a"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kpi="gap-percent">15.0% of the cost' in html
    assert "Government of China" in html and "85%" in html
    assert "14th JCC, decision 1" in html
    donut = response.context["figures"]["donut"]["data"][0]
    assert donut["labels"] == ["China", "Unfunded"] and donut["values"] == [1700.0, 300.0]


def test_project_page_history_and_lines(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:project", args=["rail-b"]))
    history = response.context["figures"]["history"]["data"][0]
    assert history["x"] == ["2020-08-05", "2025-09-26"] and history["y"] == [6806.0, 7000.0]
    statuses = {(line.lender.slug, line.status) for line in response.context["lines"]}
    assert statuses == {("china", "declined"), ("psdp", "agreed"), ("adb", "proposed")}
    assert len(response.context["changes"]) == 4


def test_lender_pages(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:lenders"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Government of China" in html and "US$ 1.70bn" in html
    detail = viewer_client.get(reverse("dashboard:lender", args=["china"]))
    assert [line.project.slug for line in detail.context["lines"]] == ["rail-b", "road-a"]
    assert detail.context["totals"]["committed_usd"] == Decimal("1700000000.00")


def test_meeting_pages(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:meetings"))
    assert [m.number for m in response.context["meetings"]] == [14, 11]
    detail = viewer_client.get(reverse("dashboard:meeting", args=[14]))
    groups = [
        (g["project"].slug if g["project"] else None, len(g["decisions"]), len(g["changes"]))
        for g in detail.context["grouped"]
    ]
    assert groups == [("rail-b", 2, 2), ("road-a", 1, 1), (None, 1, 0)]
    assert detail.context["neighbours"] == {"previous": 11, "next": None}


@pytest.mark.parametrize(
    "url",
    [
        "/projects/no-such-project/",
        "/lenders/no-such-lender/",
        "/jcc/99/",
        "/jcc/99999999999999999999/",
        "/jcc/-1/",
        "/projects/%00/",
    ],
)
def test_unknown_slugs_and_numbers_are_404(viewer_client, portfolio, url):
    assert viewer_client.get(url).status_code == 404


# ---------------------------------------------------------------- exports


# --------------------------------------------------------------- bad input


def test_script_in_a_name_is_inert_on_every_page(viewer_client, portfolio):
    evil = "</script><script>alert(1)</script>"
    road = portfolio["road"]
    road.name = evil
    road.save()
    portfolio["china"].name = evil
    portfolio["china"].save()
    for url in ["/", "/projects/", "/projects/road-a/", "/lenders/", "/lenders/china/", "/jcc/14/", "/jcc/"]:
        html = viewer_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html, url


# ----------------------------------------------------------- query counts


def grow(n):
    """``n`` more projects, each with a phase, two estimates, a decision and two lines."""
    lender_a, lender_b = LenderFactory(), LenderFactory(kind="chinese_government")
    meeting = JCCMeetingFactory()
    for i in range(n):
        project = ProjectFactory(status="under_construction", planned_start=D(2024, 1, 1), planned_end=D(2030, 1, 1))
        PhaseFactory(project=project, order=1, planned_start=D(2024, 1, 1), planned_end=D(2026, 1, 1))
        CostEstimateFactory(project=project, as_of=D(2023, 1, 1))
        CostEstimateFactory(project=project, as_of=D(2024, 1, 1))
        decision = DecisionFactory(meeting=meeting, project=project, sequence=i + 1)
        for lender, share in ((lender_a, "40"), (lender_b, "30")):
            line = FinancingLine(project=project, lender=lender, instrument="grant", as_of=D(2024, 1, 1))
            financing_line_record_change(
                line=line, changed_on=D(2024, 1, 1), status="agreed", share_percent=Decimal(share), decision=decision
            )


def grow_into_view(n):
    """``n`` more of everything each measured page shows (the ``portfolio`` fixture's names): transport
    projects in GB financed by China and by a new lender, decided at the 14th JCC between the 11th and
    the 14th; and on Rail B itself another phase, estimate, decision and lender line."""
    china, jcc14 = Lender.objects.get(slug="china"), JCCMeeting.objects.get(number=14)
    rail = Project.objects.get(slug="rail-b")
    start = Decision.objects.filter(meeting=jcc14).count() + 1
    for i in range(n):
        project = ProjectFactory(
            sector="transport",
            regions=["gb"],
            status="approved",
            planned_start=D(2024, 1, 1),
            planned_end=D(2030, 1, 1),
        )
        PhaseFactory(project=project, order=1, planned_start=D(2024, 1, 1), planned_end=D(2026, 1, 1))
        CostEstimateFactory(project=project, as_of=D(2023, 1, 1))
        CostEstimateFactory(project=project, as_of=D(2024, 1, 1))
        decision = DecisionFactory(meeting=jcc14, project=project, sequence=start + 2 * i)
        for lender, share in ((china, "40"), (LenderFactory(), "30")):
            line = FinancingLine(project=project, lender=lender, instrument="grant", as_of=D(2024, 1, 1))
            financing_line_record_change(
                line=line, changed_on=D(2024, 1, 1), status="agreed", share_percent=Decimal(share), decision=decision
            )
        PhaseFactory(project=rail, order=100 + Phase.objects.filter(project=rail).count())
        CostEstimateFactory(project=rail, as_of=D(2021, 1, 1) + dt.timedelta(days=Phase.objects.count()))
        on_rail = DecisionFactory(meeting=jcc14, project=rail, sequence=start + 2 * i + 1)
        # PSDP figures: the project's year, and one more of Rail B's (the PSDP page and Rail B's page grow).
        for kind, amount in (("original", 100), ("spent", 40)):
            PsdpFigureFactory(project=project, fiscal_year=2023, kind=kind, amount_pkr=amount, as_of=D(2024, 6, 1))
        released_on = D(2021, 1, 1) + dt.timedelta(days=Phase.objects.filter(project=rail).count())
        PsdpFigureFactory(project=rail, fiscal_year=2020, kind="released", as_of=released_on)
        line = FinancingLine(project=rail, lender=LenderFactory(), instrument="grant", as_of=D(2024, 6, 1))
        financing_line_record_change(
            line=line, changed_on=D(2024, 6, 1), status="proposed", share_percent=Decimal("0.1"), decision=on_rail
        )


PAGES = [
    "/",
    "/?lender=china&sector=transport",
    "/?as_of_jcc=14",
    "/projects/",
    "/projects/?sort=-gap&region=gb",
    "/projects/?as_of_jcc=14&lender=china",
    "/projects/export.csv",
    "/projects/export.xlsx?region=gb",
    "/projects/rail-b/",
    "/projects/rail-b/?as_of_jcc=14",
    "/lenders/",
    "/lenders/china/",
    "/jcc/",
    "/jcc/14/",
    "/compare/?from-as_of_jcc=11&to-as_of_jcc=14",
    "/psdp/",
    "/psdp/?as_of_jcc=14&sector=transport",
    "/debt/",
    "/debt/?as_of_jcc=14&sector=transport&disbursement=over_grace",
    "/map/",
    "/map/?as_of_jcc=14&sector=transport&shade=gap",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_runs_a_constant_number_of_queries_cold_and_warm(viewer_client, portfolio, url):
    """Each page at two sizes, first right after a write (cold: caches miss) and then again (warm),
    with the added rows on the page itself: the project list, the lender's lines, the meeting's
    decisions, the project's lines, estimates and phases all grow."""

    def counts():
        result = []
        for _ in ("cold", "warm"):
            with CaptureQueriesContext(connection) as captured:
                response = viewer_client.get(url)
            assert response.status_code == 200
            result.append(len(captured))
        return result, response

    grow_into_view(2)
    small, response = counts()
    grown = "Rail B" if "rail-b" in url else None
    grow_into_view(45)
    big, response = counts()
    assert big == small, f"{url}: cold/warm queries {small} at the small size, {big} at the big one"
    if grown:
        # The warm request is the page cache's (dashboard.pagecache): only the user's bits rendered.
        assert [t.name for t in response.templates] == [
            "includes/_staff_link.html",
            "includes/_logout_form.html",
            "includes/_preferences_form.html",
            "includes/_language_form.html",
        ]
        assert f"<h1>{grown}" in response.content.decode()


def test_a_busy_lender_and_a_busy_meeting_are_paged(viewer_client, db):
    """Pages stay the same size however many lines a lender has or projects a meeting changed."""
    grow(PAGE_SIZE + 3)
    lender = Lender.objects.order_by("pk").first()
    first = viewer_client.get(reverse("dashboard:lender", args=[lender.slug]))
    assert len(first.context["lines"]) == PAGE_SIZE
    assert "Page 1 of 2" in first.content.decode()
    second = viewer_client.get(reverse("dashboard:lender", args=[lender.slug]), {"page": 2})
    assert len(second.context["lines"]) == 3
    assert viewer_client.get(reverse("dashboard:lender", args=[lender.slug]), {"page": "x"}).status_code == 200

    meeting = JCCMeeting.objects.order_by("-number").first()
    changed = viewer_client.get(reverse("dashboard:meeting", args=[meeting.number]))
    assert changed.context["changed"].paginator.count == PAGE_SIZE + 3
    assert len(changed.context["changed"]) == PAGE_SIZE
    last = viewer_client.get(reverse("dashboard:meeting", args=[meeting.number]), {"changes_page": 2})
    assert [row["project"].pk for row in last.context["changed"]] == list(
        changed.context["changed"].paginator.object_list[PAGE_SIZE:]
    )
    assert len(changed.context["grouped"]) == PAGE_SIZE  # its decisions, grouped by project, are paged too
    assert len(last.context["grouped"]) == PAGE_SIZE  # by their own parameter
    assert 'href="?changes_page=2"' in changed.content.decode()
    assert 'href="?page=2"' in changed.content.decode()
