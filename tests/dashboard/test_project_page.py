"""The project page's words on a small fixed scenario: flags for figures that may no longer hold,
unknown dates, sources in natural order, the current cost's basis and the printed brief's date line.

Gwadar coal (as in the demo): approved, a press report of US$ 600m dated 12 Jun 2017 (Technology
Times [S97]), planned completion 1 Jan 2025, no planned start; six sources keyed S1…S130 and one
without a key. Viewed on 5 Dec 2026 (frozen).
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import selectors
from dashboard.selectors.project import StaleFlag
from tests.factories import CostEstimateFactory, JCCMeetingFactory, PhaseFactory, ProjectFactory, SourceFactory

D = dt.date
VIEWED = dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC)  # 5 Dec 2026, 14:30 in Karachi
OLD_COST = "Cost estimate 9 years old: the current cost dates from 12 Jun 2017; a newer figure may exist"
LATE = "Planned completion Jan 2025 has passed, yet the status still says “Approved”"


@pytest.fixture
def frozen():
    with time_machine.travel(VIEWED, tick=False):
        yield


@pytest.fixture
def gwadar(db):
    project = ProjectFactory(
        name="Gwadar coal power plant",
        slug="gwadar-coal",
        sector="energy",
        status="approved",
        planned_end=D(2025, 1, 1),
    )
    CostEstimateFactory(
        project=project,
        amount=Decimal("600000000.00"),
        as_of=D(2017, 6, 12),
        basis="press_report",
        source=SourceFactory(key="S97", publisher="Technology Times"),
    )
    # Created out of order, so neither the entry order nor a string sort gives the natural one.
    for key in ("S130", "S2", "S11", "", "S1", "S13", "S10"):
        project.sources.add(SourceFactory(key=key, title=f"Report {key or 'without a key'}"))
    return project


def page_html(client, slug: str, **query) -> str:
    response = client.get(reverse("dashboard:project", args=[slug]), query)
    assert response.status_code == 200
    return response.content.decode()


def test_sources_in_natural_order(gwadar):
    page = selectors.project_page(slug="gwadar-coal")
    assert [s.key for s in page.sources] == ["S1", "S2", "S10", "S11", "S13", "S130", ""]


def test_an_old_cost_and_a_passed_completion_are_flagged(frozen, gwadar):
    page = selectors.project_page(slug="gwadar-coal")
    assert page.stale_flags == [
        StaleFlag("old_cost", date=D(2017, 6, 12), on=D(2026, 12, 5), years=9),
        StaleFlag("late_completion", date=D(2025, 1, 1), on=D(2026, 12, 5), status="approved"),
    ]


def test_the_flags_are_worded_on_the_page(frozen, viewer_client, gwadar):
    html = page_html(viewer_client, "gwadar-coal")
    assert f'<li data-stale-flag="old_cost">{OLD_COST}</li>' in html
    assert f'<li data-stale-flag="late_completion">{LATE}</li>' in html


def test_flags_as_of_a_moment_count_from_that_day(frozen, gwadar):
    # Exactly three years after the cost's date: not yet older than three years.
    assert selectors.project_page(slug="gwadar-coal", as_of=D(2020, 6, 12)).stale_flags == []
    assert selectors.project_page(slug="gwadar-coal", as_of=D(2020, 6, 13)).stale_flags == [
        StaleFlag("old_cost", date=D(2017, 6, 12), on=D(2020, 6, 13), years=3)
    ]
    # On the planned completion day itself it has not passed; the next day it has.
    assert [f.kind for f in selectors.project_page(slug="gwadar-coal", as_of=D(2025, 1, 1)).stale_flags] == ["old_cost"]
    assert [f.kind for f in selectors.project_page(slug="gwadar-coal", as_of=D(2025, 1, 2)).stale_flags] == [
        "old_cost",
        "late_completion",
    ]


def test_the_page_as_of_a_moment_words_its_flags_from_that_day(frozen, viewer_client, gwadar):
    html = page_html(viewer_client, "gwadar-coal", as_of="2020-06-13")
    assert (
        '<li data-stale-flag="old_cost">Cost estimate 3 years old: the current cost dates from 12 Jun 2017; '
        "a newer figure may exist</li>"
    ) in html
    assert 'data-stale-flag="late_completion"' not in html


@pytest.mark.parametrize(
    "change",
    [{"status": "operational"}, {"status": "cancelled"}, {"actual_end": D(2024, 12, 1)}],
    ids=["operational", "cancelled", "completed"],
)
def test_a_finished_project_has_no_such_flags(frozen, gwadar, change):
    for name, value in change.items():
        setattr(gwadar, name, value)
    gwadar.save()
    assert selectors.project_page(slug="gwadar-coal").stale_flags == []


def test_a_recent_cost_and_a_future_completion_are_not_flagged(frozen, gwadar):
    CostEstimateFactory(project=gwadar, as_of=D(2024, 1, 10))
    gwadar.planned_end = D(2027, 6, 30)
    gwadar.save()
    assert selectors.project_page(slug="gwadar-coal").stale_flags == []


def test_a_long_description_is_shown_whole(frozen, viewer_client, gwadar):
    gwadar.description = "Realignment over 241 km; ⚠ the 2022 PC-II gave 250 km. " * 12 + "The end."
    gwadar.save()
    assert f'<p class="lead">{gwadar.description}</p>' in page_html(viewer_client, "gwadar-coal")


def test_the_current_cost_says_its_basis_and_source(frozen, viewer_client, gwadar):
    html = page_html(viewer_client, "gwadar-coal")
    assert '<span class="tile-note" data-cost-basis>Press report · Technology Times [S97]</span>' in html


def test_unknown_dates_are_written_not_known(frozen, viewer_client, gwadar):
    PhaseFactory(project=gwadar, order=1, name="Plant")
    PhaseFactory(project=gwadar, order=2, name="Jetty", planned_start=D(2018, 3, 1))
    html = page_html(viewer_client, "gwadar-coal")
    assert "<dt>Planned</dt><dd>start not known – Jan 2025</dd>" in html
    assert "<td>not known</td>" in html  # the plant phase
    assert "<td>Mar 2018 – end not known</td>" in html
    assert "?" not in html.split('<article class="project">')[1].split("</article>")[0]

    gwadar.planned_end = None
    gwadar.save()
    assert "<dt>Planned</dt><dd>not known</dd>" in page_html(viewer_client, "gwadar-coal")


def test_the_printed_brief_is_dated(frozen, viewer_client, gwadar):
    changed = selectors.site_last_updated().astimezone(ZoneInfo("Asia/Karachi"))
    html = page_html(viewer_client, "gwadar-coal")
    assert (
        f'<p class="print-only brief-dates" hidden data-brief-dates>Project brief · data as of '
        f"{changed:%-d %b %Y} · printed 5 Dec 2026</p>"
    ) in html

    JCCMeetingFactory(number=14, date=D(2025, 9, 26))
    html = page_html(viewer_client, "gwadar-coal", as_of_jcc="14")
    assert "Project brief · data as of the 14th JCC (26 Sep 2025) · printed 5 Dec 2026</p>" in html


def test_the_page_runs_as_many_queries_whatever_it_shows(frozen, gwadar):
    with CaptureQueriesContext(connection) as flagged:
        assert len(selectors.project_page(slug="gwadar-coal").stale_flags) == 2
    for day in range(1, 6):
        CostEstimateFactory(project=gwadar, as_of=D(2024, 1, day))
        gwadar.sources.add(SourceFactory(key=f"S{200 + day}"))
    with CaptureQueriesContext(connection) as more:
        assert [f.kind for f in selectors.project_page(slug="gwadar-coal").stale_flags] == ["late_completion"]
    assert len(more.captured_queries) == len(flagged.captured_queries) <= 11


def test_meeting_list_says_which_co_chair_is_not_known(viewer_client, db):
    JCCMeetingFactory(number=9, date=D(2019, 11, 5), pakistan_cochair="Makhdum Khusro Bakhtiar")
    html = viewer_client.get(reverse("dashboard:meetings")).content.decode()
    assert "co-chaired by Makhdum Khusro Bakhtiar and China's co-chair (not known)" in html
