"""The page benchmark measures every page for real and judges the targets as the issue states them."""

import pytest
from django.core.management import call_command

from benchmarks.management.commands.benchmark_pages import Report
from benchmarks.pages import WRITE_NOTE, benchmark_pages, percentile
from projects.models import CostEstimate

pytestmark = pytest.mark.django_db

PAGES = {
    "floor (baseline)",
    "dashboard",
    "project list",
    "project list, filtered",
    "project detail",
    "lender detail",
    "JCC meeting (what changed)",
    "dashboard as of a JCC",
    "PSDP",
    "debt service",
    "map",
    "admin project changelist (baseline)",
}


def test_every_page_is_served_through_the_stack_and_counted():
    call_command("load_synthetic_portfolio", projects=25, seed=3, verbosity=0)
    result = benchmark_pages(requests=20, warmup=1, writes=2)
    rows = {row["name"]: row for row in result["rows"]}
    assert result["projects"] == 25
    assert set(rows) == PAGES
    assert {row["status"] for row in rows.values()} == {200}
    # The floor pays only for the session and the user; real pages query their figures.
    assert rows["floor (baseline)"]["queries"] == 2
    assert rows["dashboard"]["queries"] > rows["floor (baseline)"]["queries"]
    for row in rows.values():
        assert row["requests"] == 20
        assert 0 < row["median_ms"] <= row["p95_ms"]
        assert row["sql_median_ms"] + row["python_median_ms"] == pytest.approx(row["median_ms"], abs=0.2)
        assert 0 < row["after_write_ms"] <= row["after_write_max_ms"]
    # The edits were real (the read model refreshed the project) and are gone afterwards.
    assert not CostEstimate.objects.filter(note=WRITE_NOTE).exists()


def timing(name, median, queries=10, *, cold=None, after_write=None):
    return {
        "name": name,
        "status": 200,
        "queries": queries,
        "median_ms": median,
        "p95_ms": median * 1.2,
        "sql_median_ms": median / 2,
        "python_median_ms": median / 2,
        "cold_ms": cold if cold is not None else median * 3,
        "after_write_ms": after_write if after_write is not None else median * 2,
    }


def report(large_rows):
    small = {
        "projects": 100,
        "writes": 5,
        "rows": [
            timing("floor (baseline)", 5),
            timing("dashboard", 50),
            timing("project list", 20),
            timing("admin project changelist (baseline)", 30),
        ],
    }
    large = {"projects": 10_000, "writes": 5, "rows": [timing("floor (baseline)", 5), *large_rows]}
    return Report(small, large, requests=20)


def test_report_judges_each_target_cold_after_a_write_and_warm():
    missed = report(
        [
            # Warm 90 ms: within 300 ms, but 1.8× its 50 ms and 18× the 5 ms floor.
            timing("dashboard", 90, queries=11, cold=400, after_write=120),
            timing("project list", 35),
            timing("admin project changelist (baseline)", 30),
        ]
    )
    targets = {name: (ok, detail) for name, ok, detail in missed.targets()}
    assert targets["query count identical at both sizes"] == (False, "dashboard")
    # cold: 400 ms against 150 ms at 100 projects (×2.67) and over 300 ms
    assert targets["cold: every page at 10,000 ≤ 2× its time at 100"] == (False, "dashboard ×2.67")
    assert targets["cold: every page at 10,000 ≤ 300 ms"] == (False, "dashboard 400.0 ms")
    # after a write: 120 ms against 100 ms: within both
    assert targets["after a write: every page at 10,000 ≤ 2× its time at 100"][0] is True
    assert targets["after a write: every page at 10,000 ≤ 300 ms"] == (
        True,
        "all within (slowest: dashboard, 120.0 ms)",
    )
    assert targets["warm: every page at 10,000 ≤ 2× its time at 100"] == (True, "all within (at most ×1.80)")
    assert targets["warm: every page at 10,000 ≤ 5× the floor page (5 ms)"] == (
        False,
        "dashboard ×18.0, project list ×7.0",
    )
    assert targets["project list no slower than the admin changelist at 10,000"][0] is False
    assert not missed.all_met()
    assert "**no**" in missed.markdown()

    met = report(
        [
            timing("dashboard", 24, cold=140, after_write=90),
            timing("project list", 20),
            timing("admin project changelist (baseline)", 30),
        ]
    )
    assert met.all_met(), [t for t in met.targets() if not t[1]]


def test_percentile_is_nearest_rank():
    values = list(range(1, 21))
    assert percentile(values, 95) == 19
    assert percentile(values, 50) == 10


def test_the_cold_time_is_the_median_of_the_fresh_processes_first_requests():
    """One cold request varies by tens of ms: the report gives the median of one per process."""
    from benchmarks.pages import merge_cold

    result = {"rows": [timing("dashboard", 2, cold=150.0), timing("project list", 2, cold=40.0)]}
    merged = merge_cold(
        result, [{"dashboard": 100.0, "project list": 45.0}, {"dashboard": 110.0, "project list": 90.0}]
    )
    rows = {row["name"]: row for row in merged["rows"]}
    assert (rows["dashboard"]["cold_ms"], rows["dashboard"]["cold_samples_ms"]) == (110.0, [100.0, 110.0, 150.0])
    assert rows["project list"]["cold_ms"] == 45.0
    assert merged["cold_processes"] == 3
    described = report(
        [timing("dashboard", 60), timing("project list", 20), timing("admin project changelist (baseline)", 30)]
    )
    described.large["cold_processes"] = merged["cold_processes"]
    assert "cold (the first request in a fresh process: the median of 3 processes)" in described.markdown()
