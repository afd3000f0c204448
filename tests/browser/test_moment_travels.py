"""An analyst's history stays history: the as-of moment follows every click until "Back to now", and the
compare page sets two meetings side by side (in a real browser, on the demo portfolio)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .helpers import demo_projects

BANNER = ".as-of-banner[data-as-of]"


def test_the_moment_follows_every_click_until_back_to_now(viewer_page):
    page = viewer_page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/projects/?as_of_jcc=14")
    expect(page.locator(BANNER)).to_contain_text("as of the 14th JCC (26 Sep 2025)")

    page.locator("table.project-table tbody th[scope=row] a").first.click()
    expect(page).to_have_url(re.compile(r"/projects/[\w-]+/\?as_of_jcc=14$"))
    expect(page.locator(BANNER)).to_contain_text("the 14th JCC")

    for name, path in (
        ("Lenders", "/lenders/"),
        ("JCC meetings", "/jcc/"),
        ("PSDP", "/psdp/"),
        ("Debt service", "/debt/"),
        ("Map", "/map/"),
        ("Dashboard", "/"),
        ("Projects", "/projects/"),
    ):
        page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()
        expect(page).to_have_url(re.compile(rf"{re.escape(path)}\?as_of_jcc=14$"))
        expect(page.locator(BANNER)).to_contain_text("the 14th JCC")

    page.get_by_role("link", name="Back to now (latest data)").click()
    expect(page).to_have_url(re.compile(r"/projects/$"))
    expect(page.locator(".as-of-banner")).to_have_count(0)
    page.locator("table.project-table tbody th[scope=row] a").first.click()
    expect(page).to_have_url(re.compile(r"/projects/[\w-]+/$"))
    expect(page.locator(".as-of-banner")).to_have_count(0)


def test_the_dashboard_as_of_the_11th_jcc_counts_only_projects_known_then(viewer_page):
    page = viewer_page
    page.goto("/?as_of_jcc=11")
    then = int(page.locator("[data-kpi=projects]").inner_text())
    assert 0 < then < len(demo_projects())
    expect(page.locator(".tile-label").nth(1)).to_have_text("Cost as of the 11th JCC (27 Oct 2022)")


def test_compare_the_11th_and_14th_jcc(viewer_page):
    page = viewer_page
    page.goto("/compare/")
    page.get_by_label("From the JCC meeting").select_option(label="11th JCC (27 Oct 2022)")
    page.get_by_label("To the JCC meeting").select_option(label="14th JCC (26 Sep 2025)")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"from-as_of_jcc=11.*to-as_of_jcc=14"))
    row = page.locator("tr[data-figure=projects]")
    cells = row.locator("td").all_inner_texts()
    before, after = int(cells[0]), int(cells[1])
    assert before < after and cells[2] == f"+{after - before}"
    expect(page.get_by_role("heading", name="What changed between them")).to_be_visible()
    page.goto("/?as_of_jcc=11")
    assert int(page.locator("[data-kpi=projects]").inner_text()) == before
