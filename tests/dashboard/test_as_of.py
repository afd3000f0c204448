"""History: pages as they stood at a JCC meeting or on a date, from the dated changes.

On the fixed portfolio (tests/dashboard/conftest.py): Rail B's China line was agreed at
85% on 5 Aug 2020 and declined at the 14th JCC; ADB was proposed there.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import selectors
from financing.selectors import projects_with_funding

from .test_views import grow

D = dt.date
pytestmark = pytest.mark.django_db


def funding(slug, as_of):
    p = projects_with_funding(as_of=as_of).get(slug=slug)
    return p.current_cost_usd, p.committed_usd, p.funding_gap_usd, p.funding_gap_percent


def test_rail_b_at_three_moments(portfolio):
    # Before anything was recorded: no cost, no financing.
    assert funding("rail-b", D(2019, 12, 31)) == (None, Decimal("0"), None, None)
    # The 11th JCC (27 Oct 2022): the 2020 estimate, China 85% + PSDP 15% agreed.
    assert funding("rail-b", D(2022, 10, 27)) == (
        Decimal("6806000000.00"),
        Decimal("6806000000.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    # The 14th JCC: US$ 7bn, China declined, only PSDP's 15% committed, ADB's US$ 2bn proposed.
    assert funding("rail-b", D(2025, 9, 26)) == (
        Decimal("7000000000.00"),
        Decimal("1050000000.00"),
        Decimal("3950000000.00"),
        Decimal("56.43"),
    )


def test_lender_mix_flips_between_the_11th_and_14th_jcc(portfolio):
    projects = projects_with_funding().filter(slug="rail-b")
    at_11 = selectors.portfolio_lender_mix(projects=projects, by="lender", as_of=D(2022, 10, 27))
    assert [(r["key"], r["committed_usd"], r["pipeline_usd"]) for r in at_11] == [
        ("china", Decimal("5785100000.00"), Decimal("0")),
        ("psdp", Decimal("1020900000.00"), Decimal("0")),
    ]
    at_14 = selectors.portfolio_lender_mix(projects=projects, by="lender", as_of=D(2025, 9, 26))
    assert [(r["key"], r["committed_usd"], r["pipeline_usd"]) for r in at_14] == [
        ("adb", Decimal("0"), Decimal("2000000000.00")),
        ("psdp", Decimal("1050000000.00"), Decimal("0")),
    ]


def test_lender_totals_as_of(portfolio):
    rows = {r["lender"].slug: r for r in selectors.lender_totals(as_of=D(2022, 10, 27))}
    assert rows["china"]["committed_usd"] == Decimal("5785100000.00")
    assert rows["china"]["declined"] == 0
    assert rows["adb"]["lines"] == 0  # not yet proposed


def test_project_page_as_of_a_meeting(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:project", args=["rail-b"]), {"as_of_jcc": "11"})
    assert response.status_code == 200
    lines = {(line.lender.slug, line.status) for line in response.context["lines"]}
    assert lines == {("china", "agreed"), ("psdp", "agreed")}
    assert [e.as_of for e in response.context["estimates"]] == [D(2020, 8, 5)]
    html = response.content.decode()
    assert "Showing what was recorded as of <strong>the 11th JCC (27 Oct 2022)</strong>" in html
    now = viewer_client.get(reverse("dashboard:project", args=["rail-b"]))
    assert {(line.lender.slug, line.status) for line in now.context["lines"]} == {
        ("china", "declined"),
        ("psdp", "agreed"),
        ("adb", "proposed"),
    }


def test_dashboard_and_list_as_of_a_date(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:home"), {"as_of": "2022-10-27"})
    kpis = response.context["kpis"]
    assert (kpis["costed"], kpis["cost_usd"], kpis["committed_usd"]) == (
        1,
        Decimal("6806000000.00"),
        Decimal("6806000000.00"),
    )
    assert response.context["latest"].number == 11
    # The financing filter reads the state as of the date too: ADB had no line yet.
    listed = viewer_client.get(reverse("dashboard:projects"), {"as_of_jcc": "11", "lender": "adb"})
    assert [p.name for p in listed.context["page"]] == []
    assert [p.name for p in viewer_client.get(reverse("dashboard:projects"), {"lender": "adb"}).context["page"]] == [
        "Rail B"
    ]


@pytest.mark.parametrize(
    "query", [{"as_of_jcc": "abc"}, {"as_of_jcc": "99"}, {"as_of": "2020-02-31"}, {"as_of": "0001-01-01"}]
)
def test_bad_as_of_is_a_message(viewer_client, portfolio, query):
    for url in (reverse("dashboard:home"), reverse("dashboard:projects"), reverse("dashboard:lenders")):
        response = viewer_client.get(url, query)
        assert response.status_code == 400, url
    detail = viewer_client.get(reverse("dashboard:project", args=["rail-b"]), query)
    assert detail.status_code == 400
    assert "showing the latest data" in detail.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/?as_of_jcc=11",
        "/projects/?as_of=2022-10-27&lender=china",
        "/projects/rail-b/?as_of_jcc=11",
        "/lenders/?as_of_jcc=11",
        "/lenders/china/?as_of=2022-10-27",
    ],
)
def test_as_of_pages_run_a_constant_number_of_queries(viewer_client, portfolio, django_assert_num_queries, url):
    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert viewer_client.get(url).status_code == 200
    grow(45)
    with django_assert_num_queries(len(small.captured_queries)):
        assert viewer_client.get(url).status_code == 200


def test_meeting_page_says_what_changed_since_the_previous_meeting(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:meeting", args=[14]))
    assert response.status_code == 200
    assert response.context["previous"].number == 11
    rows = {row["project"].slug: row for row in response.context["changed"]}
    assert set(rows) == {"rail-b", "road-a", "zone-d"}
    rail = rows["rail-b"]
    assert (rail["gap_before_percent"], rail["gap_after_percent"]) == (Decimal("0.00"), Decimal("56.43"))
    assert [(c.lender.slug, c.kind_of_change, c.status) for c in rail["changes"]] == [
        ("china", "declined or withdrawn", "declined"),
        ("adb", "added", "proposed"),
    ]
    assert [e.amount for e in rail["estimates"]] == [Decimal("7000000000.00")]
    road = rows["road-a"]
    assert (road["gap_before_usd"], road["gap_after_percent"]) == (None, Decimal("15.00"))
    assert [(c.lender.slug, c.kind_of_change) for c in road["changes"]] == [("china", "added")]
    html = response.content.decode()
    assert "What changed since the" in html and "11th JCC" in html


def test_first_meeting_lists_everything_up_to_it(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:meeting", args=[11]))
    assert response.context["previous"] is None
    rows = {row["project"].slug: row for row in response.context["changed"]}
    assert [(c.lender.slug, c.kind_of_change) for c in rows["rail-b"]["changes"]] == [
        ("china", "added"),
        ("psdp", "added"),
    ]


def test_status_as_of_a_date_comes_from_the_dated_status_changes(viewer_client, portfolio):
    from projects.models import ProjectStatusChange
    from projects.services import project_status_record_change

    road = portfolio["road"]
    project_status_record_change(ProjectStatusChange(project=road, status="approved", changed_on=D(2024, 1, 1)))
    project_status_record_change(
        ProjectStatusChange(project=road, status="under_construction", changed_on=D(2025, 10, 1))
    )
    assert projects_with_funding(as_of=D(2025, 9, 26)).get(slug="road-a").status_then == "approved"
    assert projects_with_funding().get(slug="road-a").status_then == "under_construction"
    # No history before 2024 for Rail B: its status as it is.
    assert projects_with_funding(as_of=D(2019, 1, 1)).get(slug="rail-b").status_then == "financing"
    listed = viewer_client.get(reverse("dashboard:projects"), {"as_of_jcc": "14", "status": "approved"})
    assert [p.name for p in listed.context["page"]] == ["Road A", "Zone D"]
    statuses = {r["status"]: r["projects"] for r in viewer_client.get("/?as_of_jcc=14").context["tables"]["statuses"]}
    assert statuses == {"approved": 2, "financing": 1, "proposed": 1}


def test_export_as_of_a_meeting_names_the_lenders_and_status_then(viewer_client, portfolio):
    import csv
    import io

    response = viewer_client.get("/projects/export.csv", {"as_of_jcc": "11", "q": "rail"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["Project"], r["Financing sources"], r["Current cost (US$)"]) for r in rows] == [
        ("Rail B", "Government of China; Government of Pakistan – PSDP", "6806000000.00")
    ]
    now = list(
        csv.DictReader(
            io.StringIO(viewer_client.get("/projects/export.csv", {"q": "rail"}).content.decode("utf-8-sig"))
        )
    )
    assert now[0]["Financing sources"] == "Asian Development Bank; Government of China; Government of Pakistan – PSDP"
