"""In a real browser, under the site's Content-Security-Policy: payload names stay text, and
the admin's pages raise no CSP violation.

The browser guard (conftest.py) fails a test on any console error, and Chromium reports
every CSP violation as one, so each page visited here also proves the policy lets it work.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import log_in, wait_for_charts

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
ADMIN = ("admin", "admin-demo-pass")


@pytest.fixture(scope="module")
def payload_names(site_url, django_db_blocker):
    """ML-1 renamed to an <img onerror> payload, and a lender it depends on to a <script> one.

    Committed (the live server reads another connection); demo_db empties the database
    after the module.
    """
    from financing.models import FinancingLine
    from projects.models import Project

    with django_db_blocker.unblock():
        Project.objects.filter(slug="ml-1").update(name=IMG)
        line = (
            FinancingLine.objects.filter(status="agreed", project__slug="kkh-thakot-raikot")
            .select_related("lender")
            .first()
        )
        assert line is not None, "the demo's KKH section has an agreed financing line"
        line.lender.name = line.lender.short_name = SCRIPT
        line.lender.save()
    return {"project": "kkh-thakot-raikot"}


@pytest.fixture
def dialogs(viewer_page):
    """Every alert/confirm/prompt the page opens (a payload that ran), dismissed."""
    opened: list[str] = []

    def on_dialog(dialog):
        opened.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    viewer_page.on("dialog", on_dialog)
    yield opened
    viewer_page.remove_listener("dialog", on_dialog)


SPOT_ON_MARK = """mark => {
    mark.scrollIntoView({block: "center"});
    const box = mark.getBoundingClientRect();
    for (let i = 1; i < 12; i++) {
        for (let j = 1; j < 12; j++) {
            const x = box.left + (box.width * i) / 12, y = box.top + (box.height * j) / 12;
            if (document.elementFromPoint(x, y) === mark) return {x, y};
        }
    }
    return null;
}"""


def hover_until(page, chart_id: str, marks: str, text: str) -> str:
    """Hover the chart's marks one by one until the tooltip shows ``text``; return the tooltip."""
    chart = page.locator(f"#chart-{chart_id}")
    points = chart.locator(marks)
    tooltip = chart.locator(".hoverlayer .hovertext")
    seen = []
    for i in range(points.count()):
        point = points.nth(i)
        # A spot on the mark itself (a donut slice's box centre may be in the hole).
        spot = point.evaluate(SPOT_ON_MARK)
        if spot is None:
            point.hover(force=True)  # a bar, under plotly's drag layer: its centre is on it
        else:
            page.mouse.move(spot["x"], spot["y"])
        try:
            expect(tooltip.first).to_be_visible(timeout=2_000)
        except AssertionError:
            continue
        label = tooltip.first.text_content() or ""
        if text in label:
            return label
        seen.append(label)
    pytest.fail(f"no tooltip of {chart_id} showed {text!r}; saw {seen[:5]}")


def assert_nothing_ran(page, dialogs):
    assert dialogs == [], f"a payload ran: {dialogs}"
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("main script:not([src]):not([type='application/json'])").count() == 0


def test_payload_names_are_text_on_the_dashboard_and_in_tooltips(viewer_page, payload_names, dialogs):
    page = viewer_page
    page.goto("/")
    wait_for_charts(page)
    # The funding-gap chart names projects on its axis and in its tooltips.
    ticks = page.locator("#chart-chart-gap .ytick text").all_text_contents()
    assert IMG in ticks, ticks
    label = hover_until(page, "chart-gap", ".bars .point path", IMG)
    assert label.startswith(IMG), label
    # The lender-mix chart names the renamed lender.
    assert any(
        SCRIPT in t
        for t in page.locator("#chart-chart-lender .ytick text, #chart-chart-lender .xtick text").all_text_contents()
    )
    # The tables beside the charts show it as text too.
    expect(page.locator("main").get_by_text(IMG, exact=True).first).to_be_attached()
    assert_nothing_ran(page, dialogs)


def test_payload_names_are_text_on_the_project_page_and_in_tooltips(viewer_page, payload_names, dialogs):
    page = viewer_page
    page.goto(f"/projects/{payload_names['project']}/")
    wait_for_charts(page)
    label = hover_until(page, "chart-donut", ".slice path", SCRIPT)
    assert SCRIPT in label
    expect(page.locator("main").get_by_text(SCRIPT).first).to_be_attached()

    page.goto("/projects/ml-1/?as_of_jcc=11")
    wait_for_charts(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(IMG)
    assert_nothing_ran(page, dialogs)


# ------------------------------------------------------------------ admin
ADMIN_PAGES = [
    "/admin/",
    "/admin/projects/project/",
    "/admin/projects/project/?q=ml-1",
    "/admin/projects/jccmeeting/add/",
    "/admin/projects/project/import/",
    "/admin/financing/financingline/",
    "/admin/axes/accessattempt/",
]


def test_admin_pages_work_under_the_csp(page, site_url, payload_names):
    """Each page loads with no CSP violation (the guard); the pieces moved out of inline
    attributes (the export page's select-all toggle, its styles) still work."""
    page.goto("/admin/login/")
    log_in(page, *ADMIN)
    expect(page.locator("#user-tools")).to_contain_text("Welcome")
    for url in ADMIN_PAGES:
        page.goto(url)
        expect(page.locator("#content")).to_be_visible()

    # A project's change page, its history (simple-history's list) and the revert form.
    page.goto("/admin/projects/project/?q=ml-1")
    page.locator("#result_list tbody th a").first.click()
    expect(page).to_have_url(re.compile(r"/admin/projects/project/\d+/change/(\?.*)?$"))
    page.get_by_role("link", name="History").click()
    expect(page.locator("#change-history, .module table").first).to_be_visible()
    expect(page.locator("#content")).to_contain_text(IMG)  # the rename, as text
    paginator = page.locator(".paginator.no-top-border")
    if paginator.count():
        assert paginator.evaluate("el => getComputedStyle(el).borderTopStyle") == "none"

    # The export page: "Select all" clears and sets every field's checkbox.
    page.goto("/admin/projects/project/export/")
    toggle = page.locator("input.select-toggle")
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    assert fields.count() > 3
    expect(page.locator(".select-all-label")).to_have_css("font-weight", "700")
    toggle.uncheck()
    for i in range(fields.count()):
        expect(fields.nth(i)).not_to_be_checked()
    toggle.check()
    for i in range(fields.count()):
        expect(fields.nth(i)).to_be_checked()
