"""The portfolio filter panel in a real browser: every choice in sight; after Apply, the results first under
the filters in force."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import demo_projects, demo_projects_financed_by

FOLD = 900
GROUPS = ["Sector", "Status", "Province / region", "Lender kind", "Instrument", "Financing status"]
# data/demo/projects.yaml: the three projects whose status is "financing"; AIIB lends to the two ML-1 ones.
FINANCING = {"KKH realignment: Thakot–Raikot", "ML-1 railway upgrade (Karachi–Peshawar)", "ML-1 Karachi–Rohri section"}

# For each group: its legend's text and whether the legend is seen, how many checkboxes it holds,
# the labels not wholly inside the group's box, and every element of the panel that hides content
# behind a scroll or a clip.
GROUP_LAYOUT = """panel => {
    const inside = (inner, outer) => inner.left >= outer.left - 0.5 && inner.right <= outer.right + 0.5
        && inner.top >= outer.top - 0.5 && inner.bottom <= outer.bottom + 0.5;
    const groups = Array.from(panel.querySelectorAll("fieldset"), group => {
        const box = group.getBoundingClientRect();
        const legend = group.querySelector("legend");
        const labels = Array.from(group.querySelectorAll("label"));
        return {
            legend: legend ? legend.innerText.trim() : "",
            legendShown: !!legend && legend.getBoundingClientRect().height > 0,
            choices: group.querySelectorAll("input[type=checkbox]").length,
            outside: labels.filter(l => !inside(l.getBoundingClientRect(), box)).map(l => l.innerText.trim()),
        };
    });
    const hiding = Array.from(panel.querySelectorAll("*")).filter(el => {
        const style = getComputedStyle(el);
        const clips = [style.overflowX, style.overflowY].some(v => v !== "visible");
        return clips && (el.scrollHeight > el.clientHeight || el.scrollWidth > el.clientWidth);
    }).map(el => el.tagName + "." + el.className);
    return {groups, hiding};
}"""


def chips(page) -> list[str]:
    """The filters in force as the summary line shows them ("Status: Cancelled")."""
    text = "c => c.querySelector('.chip-label').innerText + ' ' + c.querySelector('.chip-value').innerText"
    return page.locator(".filters-in-force .chip").evaluate_all(f"chips => chips.map({text})")


def result_names(page) -> set[str]:
    return set(page.locator("table.project-table tbody th[scope=row] a").all_inner_texts())


@pytest.fixture(params=[1024, 1366], ids=lambda width: f"{width}px")
def panel_page(request, viewer_page):
    viewer_page.set_viewport_size({"width": request.param, "height": FOLD})
    return viewer_page


def test_every_choice_of_every_group_is_in_sight(panel_page):
    page = panel_page
    page.goto("/projects/")
    page.get_by_text("More filters").click()
    panel = page.locator("details.filter-more")
    expect(panel).to_have_js_property("open", True)

    layout = panel.evaluate(GROUP_LAYOUT)
    assert [(g["legend"], g["legendShown"], g["choices"], g["outside"]) for g in layout["groups"]] == [
        ("Sector", True, 6, []),
        ("Status", True, 8, []),
        ("Province / region", True, 7, []),
        ("Lender kind", True, 8, []),
        ("Instrument", True, 7, []),
        ("Financing status", True, 10, []),
    ]
    assert layout["hiding"] == []
    for checkbox in panel.locator("input[type=checkbox]").all():
        expect(checkbox).to_be_visible()
    islamabad = panel.locator("label", has_text="Islamabad")
    expect(islamabad).to_have_text("Islamabad Capital Territory")
    expect(
        page.get_by_role("group", name="Province / region").get_by_label("Islamabad Capital Territory")
    ).to_be_visible()
    expect(page.get_by_role("group", name="Status").get_by_label("Cancelled")).to_be_visible()
    expect(page.get_by_role("group", name="Lender kind").get_by_label("Fund", exact=True)).to_be_visible()


def test_after_apply_the_results_come_first_under_the_filters_in_force(panel_page, site_url):
    page = panel_page
    page.goto("/projects/?sort=-cost")
    page.get_by_text("More filters").click()
    page.get_by_role("group", name="Status").get_by_label("Financing being arranged").check()
    page.locator("select[name=lender]").select_option("aiib")
    page.get_by_role("button", name="Apply filters").click()

    expect(page.locator("details.filter-more")).to_have_js_property("open", False)
    assert chips(page) == ["Status: Financing being arranged", "Lender: AIIB"]
    expect(page.locator(".result-count")).to_have_text("2 projects match the filters.")
    assert result_names(page) == FINANCING & demo_projects_financed_by("aiib")
    first_row = page.locator("table.project-table tbody tr").first.bounding_box()
    assert first_row["y"] + first_row["height"] <= FOLD, first_row

    page.get_by_role("link", name="Remove the filter Lender: AIIB").click()
    expect(page).to_have_url(f"{site_url}/projects/?status=financing&sort=-cost")
    assert chips(page) == ["Status: Financing being arranged"]
    expect(page.locator("select[name=lender]")).to_have_values([])
    expect(page.locator(".result-count")).to_have_text("3 projects match the filters.")
    assert result_names(page) == FINANCING
    assert {row["name"] for row in demo_projects().values() if row["status"] == "financing"} == FINANCING

    page.get_by_role("link", name="Clear all").click()
    expect(page).to_have_url(f"{site_url}/projects/?sort=-cost")
    expect(page.locator(".filters-in-force")).to_have_count(0)
    expect(page.locator(".result-count")).to_have_text(re.compile(r"^\d+ projects\.$"))
