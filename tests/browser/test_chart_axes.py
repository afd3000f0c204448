"""Charts that never mislead, as Chromium draws them: tick labels, gap labels, toolbar and legend.

Reads the tick labels plotly rendered into each chart's SVG (``.xtick text``, ``.ytick text``):
dates read "Mon YYYY" (never a millisecond count), counts are distinct whole numbers, money
ticks are multiples of a 1-2-5 step. The toolbar (modebar), shown on hover, never covers the legend.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page

from .helpers import wait_for_charts

MONTH_YEAR = re.compile(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}$")
#: A number as plotly writes it with ",d" or ",.Nf" (plotly's minus is U+2212).
NUMBER = re.compile(r"^−?\d{1,3}(,\d{3})*(\.\d+)?$")

#: The demo's one-phase project, its phase given a start 28 days before its end: a short bar.
ONE_PHASE = "port-qasim-coal"
PHASE_START = dt.date(2017, 11, 1)


@pytest.fixture(scope="module", autouse=True)
def one_short_phase(demo_db, django_db_blocker):
    """Committed for the live server; demo_db flushes it with the rest after the module."""
    from projects.models import Phase

    with django_db_blocker.unblock():
        assert Phase.objects.filter(project__slug=ONE_PHASE).update(actual_start=PHASE_START) == 1


def ticks(page: Page, chart: str, axis: str) -> list[str]:
    """The tick labels of one axis (``x``, ``y`` or ``y2``) of a chart, as drawn."""
    return page.locator(f'[data-chart="{chart}"] .{axis}tick text').all_text_contents()


def numbers(labels: list[str]) -> list[Decimal]:
    assert labels and all(NUMBER.match(label) for label in labels), labels
    return [Decimal(label.replace(",", "").replace("−", "-")) for label in labels]


def assert_nice_money(labels: list[str]) -> None:
    """Evenly spaced from 0 by a step of 1, 2 or 5 times a power of ten."""
    values = numbers(labels)
    step = values[1] - values[0]
    assert values[0] == 0, labels
    assert values == [step * i for i in range(len(values))], labels
    assert step.normalize().as_tuple().digits[0] in (1, 2, 5) and len(step.normalize().as_tuple().digits) == 1, labels


def assert_counts(labels: list[str]) -> None:
    values = numbers(labels)
    assert all(value == int(value) for value in values), labels
    assert len(set(values)) == len(values), labels


def assert_months(labels: list[str]) -> None:
    assert labels and all(MONTH_YEAR.match(label) for label in labels), labels
    assert len(set(labels)) == len(labels), labels


def assert_no_raw_numbers(page: Page) -> None:
    """No tick label anywhere is a bare big integer (a millisecond count) or an exponent."""
    for label in page.locator("[data-chart] .xtick text, [data-chart] .ytick text").all_text_contents():
        assert "e+" not in label and not re.fullmatch(r"\d{5,}", label), label


def assert_modebar_clear_of_legend(page: Page, chart: str) -> None:
    """Hovered (so the toolbar shows), the toolbar's box and the legend's box do not meet."""
    el = page.locator(f'[data-chart="{chart}"]')
    el.hover()
    modebar = el.locator(".modebar").bounding_box()
    legend = el.locator(".legend").bounding_box()
    assert modebar and legend, chart
    apart = (
        modebar["x"] + modebar["width"] <= legend["x"]
        or legend["x"] + legend["width"] <= modebar["x"]
        or modebar["y"] + modebar["height"] <= legend["y"]
        or legend["y"] + legend["height"] <= modebar["y"]
    )
    assert apart, (chart, modebar, legend)


def test_dashboard_ticks_read_as_money_counts_and_months(viewer_page):
    page = viewer_page
    page.goto("/")
    wait_for_charts(page)
    assert_no_raw_numbers(page)
    assert_nice_money(ticks(page, "chart-sector", "y"))
    for chart in ("chart-lender", "chart-kind", "chart-gap"):
        assert_nice_money(ticks(page, chart, "x"))
    for chart in ("chart-status", "chart-meetings"):
        assert_counts(ticks(page, chart, "y"))


def test_dashboard_gap_bars_carry_their_us_dollar_figures(viewer_page):
    page = viewer_page
    page.goto("/")
    wait_for_charts(page)
    labels = [t for t in page.locator('[data-chart="chart-gap"] .bartext').all_text_contents() if t]
    # Every project with a gap has one label, a whole number of US$ m (demo gaps are above 10m).
    assert labels and all(NUMBER.match(label) for label in labels), labels


def test_dashboard_toolbar_never_covers_a_legend(viewer_page):
    page = viewer_page
    page.goto("/")
    wait_for_charts(page)
    for chart in ("chart-lender", "chart-kind", "chart-gap", "chart-meetings"):
        assert_modebar_clear_of_legend(page, chart)


def test_project_with_one_estimate_dates_its_axis_in_months(viewer_page):
    """Hub's one estimate (4 Jan 2019, US$ 1,995m): months around it, money ticks at a nice step."""
    page = viewer_page
    page.goto("/projects/hub-coal/")
    wait_for_charts(page)
    assert_no_raw_numbers(page)
    labels = ticks(page, "chart-history", "x")
    assert_months(labels)
    assert {"Jan 2019"} <= set(labels) or {"Oct 2018", "Apr 2019"} <= set(labels), labels
    money = numbers(ticks(page, "chart-history", "y"))
    assert_nice_money(ticks(page, "chart-history", "y"))
    assert money[-1] >= 1995 > money[-2], money
    assert_modebar_clear_of_legend(page, "chart-history")
    assert_modebar_clear_of_legend(page, "chart-donut")


def test_project_with_one_short_phase_dates_its_timeline_in_months(viewer_page):
    page = viewer_page
    page.goto(f"/projects/{ONE_PHASE}/")
    wait_for_charts(page)
    assert_no_raw_numbers(page)
    labels = ticks(page, "chart-phases", "x")
    assert_months(labels)
    # Today's line stretches the axis to now: whole years, from the phase's own.
    assert "Jan 2018" in labels, labels


def test_few_projects_count_in_whole_steps(viewer_page):
    """Filtered to AIIB's projects, the tallest status bar and the busiest meeting are 2: ticks
    0, 1, 2, never plotly's own 0, 0.5, 1, 1.5, 2 (read 0, 1, 1, 2, 2 as whole numbers)."""
    page = viewer_page
    page.goto("/?lender=aiib")
    wait_for_charts(page)
    assert ticks(page, "chart-status", "y") == ["0", "1", "2"]
    assert ticks(page, "chart-meetings", "y") == ["0", "1", "2"]
