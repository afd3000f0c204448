"""The API's figures are the pages' figures, now and as of a JCC meeting: checked against the pages'
context and against numbers worked out by hand from the ``portfolio`` fixture (tests/dashboard/conftest.py).

By hand:
- Road A: US$ 2,000m (PKR 576bn at 288); China 85% agreed at the 14th JCC = US$ 1,700m; gap US$ 300m (15%).
- Rail B now: US$ 7,000m; China's 85% declined; PSDP 15% = US$ 1,050m committed; ADB US$ 2,000m
  proposed; gap 7,000 − 1,050 − 2,000 = US$ 3,950m (56.43%).
- Rail B as of the 11th JCC (27 Oct 2022): US$ 6,806m (2020 PC-I); China 85% = US$ 5,785.1m and PSDP
  15% = US$ 1,020.9m, both agreed: all committed, gap nil; ADB not yet there.
- Solar C: no cost estimate: cost and every part unknown (null), never 0.
"""

import datetime as dt
from decimal import Decimal

import pytest

from dashboard import selectors
from tests.factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db

FIGURES = (
    "current_cost_usd",
    "current_cost_pkr",
    "committed_usd",
    "committed_part_usd",
    "committed_unknown_usd",
    "pipeline_usd",
    "pipeline_part_usd",
    "funding_gap_usd",
    "funding_gap_percent",
)


def as_decimal(value):
    return None if value is None else Decimal(value)


def figures_of(row: dict) -> dict:
    return {name: as_decimal(row[name]) for name in FIGURES}


def page_figures(project) -> dict:
    return {name: getattr(project, name) for name in FIGURES}


# ------------------------------------------------------------------ projects


@pytest.mark.parametrize(
    "query", ["", "as_of_jcc=11", "as_of_jcc=14", "as_of=2024-01-01", "sort=-gap&sector=transport"]
)
def test_the_project_list_has_the_project_list_pages_figures_and_order(api, viewer_client, portfolio, query):
    rows = api.get(f"/api/v1/projects/?{query}").json()["results"]
    shown = viewer_client.get(f"/projects/?{query}").context["page"].object_list
    assert [row["slug"] for row in rows] == [project.slug for project in shown]
    for row, project in zip(rows, shown, strict=True):
        assert figures_of(row) == page_figures(project), project.slug
        assert row["status"] == project.status_then


def test_the_project_list_by_hand(api, portfolio):
    body = api.get("/api/v1/projects/").json()
    assert (body["count"], body["as_of"], body["as_of_jcc"]) == (4, None, None)
    rows = {row["slug"]: row for row in body["results"]}
    assert {k: rows["rail-b"][k] for k in ("current_cost_usd", "committed_part_usd", "pipeline_part_usd")} == {
        "current_cost_usd": "7000000000.00",
        "committed_part_usd": "1050000000.00",
        "pipeline_part_usd": "2000000000.00",
    }
    assert (rows["rail-b"]["funding_gap_usd"], rows["rail-b"]["funding_gap_percent"]) == ("3950000000.00", "56.43")
    assert (rows["road-a"]["current_cost_pkr"], rows["road-a"]["funding_gap_usd"]) == (
        "576000000000.00",
        "300000000.00",
    )
    solar = rows["solar-c"]
    assert [solar[name] for name in FIGURES if name not in ("committed_usd", "pipeline_usd")] == [None] * 7
    assert rows["rail-b"]["url"] == "http://testserver/api/v1/projects/rail-b/"


def test_the_project_list_as_of_the_11th_jcc_by_hand(api, portfolio):
    body = api.get("/api/v1/projects/", {"as_of_jcc": 11}).json()
    assert (body["as_of"], body["as_of_jcc"]) == ("2022-10-27", 11)
    rail = next(row for row in body["results"] if row["slug"] == "rail-b")
    assert (rail["current_cost_usd"], rail["committed_part_usd"], rail["funding_gap_usd"]) == (
        "6806000000.00",
        "6806000000.00",
        "0.00",
    )
    assert rail["url"] == "http://testserver/api/v1/projects/rail-b/?as_of_jcc=11"
    assert rail["page_url"] == "http://testserver/projects/rail-b/?as_of_jcc=11"


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ({"lender": "adb"}, ["rail-b"]),
        ({"lender": "adb", "as_of_jcc": 11}, []),
        ({"financing_status": "declined"}, ["rail-b"]),
        ({"financing_status": "declined", "as_of_jcc": 11}, []),
        ({"lender": "china", "financing_status": "agreed"}, ["road-a"]),
        ({"lender": "china", "financing_status": "agreed", "as_of": "2022-10-27"}, ["rail-b"]),
        ({"lender": ["adb", "psdp"]}, ["rail-b", "zone-d"]),
        ({"region": "gb", "sort": "-name"}, ["solar-c", "road-a"]),
        ({"has_gap": "true", "sort": "-gap"}, ["rail-b", "road-a"]),
        ({"cost_min": "2000", "cost_max": "6999.99"}, ["road-a"]),
        ({"meeting": 11}, ["rail-b"]),
        ({"q": "zone"}, ["zone-d"]),
        ({"status": "proposed", "sector": "energy"}, ["solar-c"]),
    ],
)
def test_the_portfolio_filter_works_as_on_the_project_list(api, viewer_client, portfolio, query, slugs):
    rows = api.get("/api/v1/projects/", query).json()["results"]
    assert [row["slug"] for row in rows] == slugs
    shown = viewer_client.get("/projects/", query).context["page"].object_list
    assert [project.slug for project in shown] == slugs


def test_the_projects_are_paged(api, portfolio):
    first = api.get("/api/v1/projects/", {"page_size": 3, "sort": "name", "as_of_jcc": 14}).json()
    assert (first["count"], first["page"], first["pages"], first["previous"]) == (4, 1, 2, None)
    assert [row["slug"] for row in first["results"]] == ["rail-b", "road-a", "solar-c"]
    assert first["next"] == "http://testserver/api/v1/projects/?as_of_jcc=14&page=2&page_size=3&sort=name"
    second = api.get(first["next"]).json()
    assert [row["slug"] for row in second["results"]] == ["zone-d"]
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/projects/?as_of_jcc=14&page_size=3&sort=name"


# ------------------------------------------------------------------ one project


@pytest.mark.parametrize("query", [{}, {"as_of_jcc": 11}, {"as_of_jcc": 14}, {"as_of": "2021-06-30"}])
@pytest.mark.parametrize("slug", ["rail-b", "road-a", "solar-c", "zone-d"])
def test_a_project_has_its_pages_figures(api, viewer_client, portfolio, slug, query):
    body = api.get(f"/api/v1/projects/{slug}/", query).json()
    context = viewer_client.get(f"/projects/{slug}/", query).context
    assert figures_of(body) == page_figures(context["project"])
    assert body["financing_summary"] == context["financing_summary"]
    assert [(line["line"], line["status"], as_decimal(line["value_usd"])) for line in body["financing_lines"]] == [
        (line.line_pk, line.status, line.value_usd) for line in context["lines"]
    ]
    assert [(e["as_of"], as_decimal(e["amount_usd"]), e["of_record"]) for e in body["estimates"]] == [
        (e.as_of.isoformat(), e.amount_usd, e.of_record) for e in context["estimates"]
    ]
    assert [(c["line"], c["changed_on"], c["status"]) for c in body["financing_changes"]] == [
        (c.line_id, c.changed_on.isoformat(), c.status) for c in context["changes"]
    ]
    assert [(d["meeting"], d["sequence"]) for d in body["decisions"]] == [
        (d.meeting.number, d.sequence) for d in context["decisions"]
    ]


def test_rail_b_now_and_as_of_the_11th_jcc_by_hand(api, portfolio):
    now = api.get("/api/v1/projects/rail-b/").json()
    lines = {line["lender"]["slug"]: line for line in now["financing_lines"]}
    assert {slug: (line["status"], line["value_usd"]) for slug, line in lines.items()} == {
        "china": ("declined", "5950000000.00"),
        "psdp": ("agreed", "1050000000.00"),
        "adb": ("proposed", "2000000000.00"),
    }
    assert (now["funding_gap_usd"], now["funding_gap_percent"]) == ("3950000000.00", "56.43")
    assert lines["adb"]["amount"] == "2000000000.00" and lines["adb"]["currency"] == "USD"
    assert [d["meeting"] for d in now["decisions"]] == [14, 14, 11]

    then = api.get("/api/v1/projects/rail-b/", {"as_of_jcc": 11}).json()
    assert (then["as_of"], then["as_of_jcc"], then["current_cost_usd"]) == ("2022-10-27", 11, "6806000000.00")
    assert {line["lender"]["slug"]: (line["status"], line["value_usd"]) for line in then["financing_lines"]} == {
        "china": ("agreed", "5785100000.00"),
        "psdp": ("agreed", "1020900000.00"),
    }
    assert (then["committed_part_usd"], then["funding_gap_usd"], then["pipeline_part_usd"]) == (
        "6806000000.00",
        "0.00",
        "0.00",
    )
    assert [e["as_of"] for e in then["estimates"]] == ["2020-08-05"]
    assert [d["meeting"] for d in then["decisions"]] == [11]
    assert {c["changed_on"] for c in then["financing_changes"]} == {"2020-08-05"}


def test_an_unknown_cost_is_null_never_zero(api, portfolio):
    solar = api.get("/api/v1/projects/solar-c/").json()
    assert solar["current_cost_usd"] is None and solar["funding_gap_usd"] is None
    assert solar["committed_part_usd"] is None and solar["funding_gap_percent"] is None


def test_the_project_detail_matches_the_selector(api, portfolio):
    page = selectors.project_page(slug="road-a", as_of=dt.date(2025, 9, 26))
    body = api.get("/api/v1/projects/road-a/", {"as_of": "2025-09-26"}).json()
    assert figures_of(body) == page_figures(page.project)
    assert body["financing_lines"][0]["decision"] == {"meeting": 14, "sequence": 1, "kind": "financing_agreed"}
    assert body["phases"][0]["name"] == "Diamer-Basha section"


# ------------------------------------------------------------------ lenders


@pytest.mark.parametrize("query", [{}, {"as_of_jcc": 11}, {"as_of": "2025-09-26"}])
def test_the_lenders_have_the_lender_pages_totals(api, viewer_client, portfolio, query):
    rows = api.get("/api/v1/lenders/", query).json()["results"]
    shown = viewer_client.get("/lenders/", query).context["rows"]
    assert [row["slug"] for row in rows] == [row["lender"].slug for row in shown]
    for row, expected in zip(rows, shown, strict=True):
        totals = {k: (as_decimal(v) if k.endswith("_usd") else v) for k, v in row["totals"].items()}
        assert totals == {k: v for k, v in expected.items() if k != "lender"}


def test_chinas_totals_now_and_as_of_the_11th_jcc_by_hand(api, portfolio):
    now = api.get("/api/v1/lenders/china/").json()
    assert (now["totals"]["committed_usd"], now["totals"]["declined"], now["totals"]["lines"]) == (
        "1700000000.00",
        1,
        2,
    )
    assert [line["project"]["slug"] for line in now["lines"]["results"]] == ["rail-b", "road-a"]
    then = api.get("/api/v1/lenders/china/", {"as_of_jcc": 11}).json()
    assert (then["totals"]["committed_usd"], then["totals"]["declined"], then["totals"]["lines"]) == (
        "5785100000.00",
        0,
        1,
    )
    assert [(line["project"]["slug"], line["status"], line["value_usd"]) for line in then["lines"]["results"]] == [
        ("rail-b", "agreed", "5785100000.00")
    ]
    assert then["lines"]["results"][0]["decision_meeting"] == 11


# ------------------------------------------------------------------ meetings


def test_the_meetings_as_their_page_lists_them(api, viewer_client, portfolio):
    body = api.get("/api/v1/meetings/").json()
    assert [(m["number"], m["decision_total"]) for m in body["results"]] == [(14, 4), (11, 1)]
    assert body["decisions_per_meeting"][0] == {"number": 11, "label": "11th JCC", "kind": "approved", "decisions": 1}
    then = api.get("/api/v1/meetings/", {"as_of_jcc": 11}).json()
    assert [m["number"] for m in then["results"]] == [11]
    assert [m.number for m in viewer_client.get("/jcc/", {"as_of_jcc": 11}).context["meetings"]] == [11]


def test_a_meeting_and_what_changed_at_it(api, viewer_client, portfolio):
    body = api.get("/api/v1/meetings/14/").json()
    context = viewer_client.get("/jcc/14/").context
    assert (body["previous_held"], body["neighbours"]) == (11, {"previous": 11, "next": None})
    assert [(d["sequence"], d["project"] and d["project"]["slug"]) for d in body["decisions"]["results"]] == [
        (2, "rail-b"),
        (3, "rail-b"),
        (1, "road-a"),
        (4, None),
    ]
    assert [c["lender"]["slug"] for c in body["decisions"]["results"][0]["financing_changes"]] == ["china"]
    changed = {row["project"]["slug"]: row for row in body["changes"]["results"]}
    for row in context["changed"]:
        mine = changed[row["project"].slug]
        for name in ("gap_before_usd", "gap_after_usd", "cost_before_usd", "cost_after_usd", "gap_after_percent"):
            assert as_decimal(mine[name]) == row[name], name
        assert [c["kind_of_change"] for c in mine["changes"]] == [c.kind_of_change for c in row["changes"]]
    assert (changed["rail-b"]["gap_before_usd"], changed["rail-b"]["gap_after_usd"]) == ("0.00", "3950000000.00")
    assert [c["kind_of_change"] for c in changed["rail-b"]["changes"]] == ["declined or withdrawn", "added"]
    assert changed["road-a"]["gap_before_usd"] is None  # not known at the 11th JCC
    assert [e["amount_usd"] for e in changed["rail-b"]["estimates"]] == ["7000000000.00"]


def test_a_meeting_held_after_the_moment_says_so(api, portfolio):
    assert api.get("/api/v1/meetings/14/", {"as_of_jcc": 11}).json()["after_moment"] is True
    assert api.get("/api/v1/meetings/11/", {"as_of_jcc": 14}).json()["after_moment"] is False


# ------------------------------------------------------------------ exchange rates


def test_exchange_rates_as_of_a_date_and_of_a_currency(api, db):
    ExchangeRateFactory(currency="PKR", date=dt.date(2022, 10, 1), per_usd=Decimal("219.9200"))
    ExchangeRateFactory(currency="PKR", date=dt.date(2025, 9, 1), per_usd=Decimal("281.3700"))
    ExchangeRateFactory(currency="CNY", date=dt.date(2025, 9, 1), per_usd=Decimal("7.1300"))
    body = api.get("/api/v1/exchange-rates/").json()
    assert [(r["currency"], r["date"], r["per_usd"]) for r in body["results"]] == [
        ("CNY", "2025-09-01", "7.1300"),
        ("PKR", "2025-09-01", "281.3700"),
        ("PKR", "2022-10-01", "219.9200"),
    ]
    then = api.get("/api/v1/exchange-rates/", {"as_of": "2024-12-31", "currency": "PKR"}).json()
    assert [(r["currency"], r["per_usd"]) for r in then["results"]] == [("PKR", "219.9200")]
    assert then["results"][0]["source"]["publisher"]
