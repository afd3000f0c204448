"""Each dashboard figure, exactly, on the small fixed portfolio (tests/dashboard/conftest.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from dashboard import selectors
from financing.selectors import projects_with_funding
from projects.models import Project

D = dt.date


@pytest.fixture
def projects(portfolio):
    return projects_with_funding()


def test_kpis(projects):
    """Cost = committed + committed of undisclosed amount + proposed + gap: 2,839.13 + 0 + 2,000 + 4,250."""
    assert selectors.portfolio_kpis(projects=projects) == {
        "projects": 4,
        "costed": 3,
        "sections_in_parent": 0,
        "undisclosed": 0,
        "cost_usd": Decimal("9089132142.86"),
        "cost_pkr": Decimal("2560957000000.00"),
        "committed_usd": Decimal("2839132142.86"),
        "committed_percent": Decimal("31.2"),
        "committed_unknown_usd": Decimal("0"),
        "committed_unknown_percent": Decimal("0.0"),
        "pipeline_usd": Decimal("2000000000.00"),  # ADB's proposed US$ 2bn on Rail B
        "pipeline_percent": Decimal("22.0"),
        "gap_usd": Decimal("4250000000.00"),  # Road A's 300m + Rail B's 3,950m
        "gap_percent": Decimal("46.8"),
        "committed_uncosted_usd": Decimal("0"),
        "uncosted_committed": 0,
        "over_committed_usd": Decimal("0.00"),
        "over_committed": 0,
    }


def test_kpis_of_an_empty_selection(portfolio):
    kpis = selectors.portfolio_kpis(projects=projects_with_funding(Project.objects.none()))
    assert kpis["projects"] == 0 and kpis["cost_usd"] == 0 and kpis["gap_percent"] is None


def test_project_gaps(projects):
    rows = {p.slug: (p.current_cost_usd, p.committed_usd, p.funding_gap_usd, p.funding_gap_percent) for p in projects}
    assert rows == {
        "road-a": (Decimal("2000000000.00"), Decimal("1700000000.00"), Decimal("300000000.00"), Decimal("15.00")),
        # 85% declined, 15% agreed, US$ 2bn proposed: 7,000 − 1,050 − 2,000 = 3,950 not identified.
        "rail-b": (Decimal("7000000000.00"), Decimal("1050000000.00"), Decimal("3950000000.00"), Decimal("56.43")),
        "solar-c": (None, Decimal("0"), None, None),
        "zone-d": (Decimal("89132142.86"), Decimal("89132142.86"), Decimal("0.00"), Decimal("0.00")),
    }


def test_cost_by_sector(projects):
    rows = selectors.portfolio_cost_by_sector(projects=projects)
    assert [(r["sector"], r["projects"], r["cost_usd"], r["sector_label"]) for r in rows] == [
        ("transport", 2, Decimal("9000000000.00"), "Transport"),
        ("industrial", 1, Decimal("89132142.86"), "Industrial zones"),
        ("energy", 1, Decimal("0"), "Energy"),
    ]


def test_status_breakdown_in_lifecycle_order_not_alphabetical(projects):
    rows = selectors.portfolio_status_breakdown(projects=projects)
    assert [(r["status_label"], r["projects"]) for r in rows] == [
        ("Proposed", 1),
        ("Approved", 1),
        ("Financing being arranged", 1),
        ("Under construction", 1),
    ]


def test_lender_mix_by_lender_and_kind(projects):
    by_lender = selectors.portfolio_lender_mix(projects=projects, by="lender")
    assert [(r["key"], r["label"], r["committed_usd"], r["pipeline_usd"]) for r in by_lender] == [
        ("adb", "ADB", Decimal("0"), Decimal("2000000000.00")),
        ("china", "China", Decimal("1700000000.00"), Decimal("0")),
        ("psdp", "PSDP", Decimal("1139132142.86"), Decimal("0")),
    ]
    by_kind = selectors.portfolio_lender_mix(projects=projects, by="kind")
    assert [(r["key"], r["committed_usd"], r["pipeline_usd"]) for r in by_kind] == [
        ("multilateral", Decimal("0"), Decimal("2000000000.00")),
        ("chinese_government", Decimal("1700000000.00"), Decimal("0")),
        ("pakistan_budget", Decimal("1139132142.86"), Decimal("0")),
    ]


def test_lender_mix_agrees_with_committed_financing_and_gaps(projects):
    kpis = selectors.portfolio_kpis(projects=projects)
    for by in ("lender", "kind"):
        rows = selectors.portfolio_lender_mix(projects=projects, by=by)
        assert sum(r["committed_usd"] for r in rows) == kpis["committed_usd"]
    parts = ("committed_usd", "committed_unknown_usd", "pipeline_usd", "gap_usd")
    assert sum(kpis[part] for part in parts) == kpis["cost_usd"]


def test_funding_gaps_largest_first(projects):
    rows = selectors.portfolio_funding_gaps(projects=projects)
    assert [(r["slug"], r["committed_usd"], r["pipeline_usd"], r["gap_usd"], r["gap_percent"]) for r in rows] == [
        ("rail-b", Decimal("1050000000.00"), Decimal("2000000000.00"), Decimal("3950000000.00"), Decimal("56.43")),
        ("road-a", Decimal("1700000000.00"), Decimal("0"), Decimal("300000000.00"), Decimal("15.00")),
    ]


def test_phase_timeline_of_active_projects(projects):
    rows = selectors.portfolio_phase_timeline(projects=projects, today=D(2026, 1, 1))
    assert [(r["project"], r["phase"], r["start"], r["end"], r["status"]) for r in rows] == [
        ("Rail B", "whole project", D(2023, 1, 1), D(2031, 6, 30), "planned"),
        ("Road A", "Diamer-Basha section", D(2025, 1, 1), D(2027, 12, 31), "approved"),
        ("Zone D", "whole project", D(2025, 8, 1), D(2026, 6, 30), "planned"),
    ]


def test_decisions_per_meeting(projects):
    everything = selectors.meeting_decision_counts()
    assert [(r["number"], r["kind"], r["decisions"]) for r in everything] == [
        (11, "approved", 1),
        (14, "financing_agreed", 1),
        (14, "financing_declined", 1),
        (14, "financing_proposed", 1),
        (14, "reviewed", 1),
    ]
    only_road = selectors.meeting_decision_counts(projects=projects.filter(slug="road-a"))
    assert [(r["number"], r["kind"], r["decisions"]) for r in only_road] == [(14, "financing_agreed", 1)]


def test_latest_meeting(projects):
    meeting = selectors.latest_meeting_decisions(projects=projects.filter(slug__in=["road-a", "rail-b"]))["meeting"]
    assert (meeting.number, meeting.decision_total, meeting.decision_in_portfolio) == (14, 4, 3)


def test_lender_totals(portfolio):
    rows = {r["lender"].slug: r for r in selectors.lender_totals()}
    assert (rows["china"]["projects"], rows["china"]["committed_usd"], rows["china"]["declined"]) == (
        2,
        Decimal("1700000000.00"),
        1,
    )
    assert rows["adb"]["pipeline_usd"] == Decimal("2000000000.00")
    assert rows["psdp"]["committed_usd"] == Decimal("1139132142.86")


def test_site_last_updated_moves_with_any_edit(portfolio):
    before = selectors.site_last_updated()
    portfolio["solar"].save()
    assert selectors.site_last_updated() > before
