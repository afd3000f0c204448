"""The portfolio filter panel in a real browser: every choice in sight; after Apply, the results first under
the filters in force."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml
from playwright.sync_api import expect

from .helpers import demo_projects, demo_projects_financed_by
from .test_accessibility import blocking_violations

FOLD = 900
GROUPS = ["Sector", "Status", "Province / region", "Lender kind", "Instrument", "Financing status"]
# data/demo/projects.yaml: the three projects whose status is "financing"; AIIB lends to the two ML-1 ones.
FINANCING = {"KKH realignment: Thakot–Raikot", "ML-1 railway upgrade (Karachi–Peshawar)", "ML-1 Karachi–Rohri section"}
# data/demo/lenders.yaml: its 33 lenders by kind, under the kinds' sub-headings in the order of LenderKind.
LENDER_KINDS = [
    ("Chinese government or policy bank", 3),
    ("Commercial bank", 9),
    ("Multilateral development bank", 3),
    ("Pakistan government budget (PSDP)", 1),
    ("Provincial government", 1),
    ("Private sponsor / equity", 14),
    ("Other government", 1),
    ("Fund", 1),
]

# For each group: its legend's text and whether the legend is seen, how many checkboxes it holds,
# the labels not wholly inside the group's box; the same for each kind of lender under its sub-heading,
# with the number of columns the lenders take; and every element of the panel that hides content
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
    const kinds = Array.from(panel.querySelectorAll(".lender-kind[role=group]"), kind => {
        const heading = document.getElementById(kind.getAttribute("aria-labelledby"));
        const box = kind.getBoundingClientRect();
        return {
            heading: heading.innerText.trim(),
            headingShown: heading.getBoundingClientRect().height > 0,
            choices: kind.querySelectorAll("input[type=checkbox]").length,
            outside: Array.from(kind.querySelectorAll("label"))
                .filter(l => !inside(l.getBoundingClientRect(), box)).map(l => l.innerText.trim()),
        };
    });
    const lenderColumns = new Set(Array.from(panel.querySelectorAll(".lender-kinds label"),
        l => Math.round(l.getBoundingClientRect().left))).size;
    const hiding = Array.from(panel.querySelectorAll("*")).filter(el => {
        const style = getComputedStyle(el);
        const clips = [style.overflowX, style.overflowY].some(v => v !== "visible");
        return clips && (el.scrollHeight > el.clientHeight || el.scrollWidth > el.clientWidth);
    }).map(el => el.tagName + "." + el.className);
    return {groups, kinds, lenderColumns, hiding};
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


def test_the_lender_kinds_are_the_demo_lenders_kinds():
    from cpec_site.demo import DEMO_DIR
    from financing.choices import LenderKind

    kinds = Counter(row["kind"] for row in yaml.safe_load((DEMO_DIR / "lenders.yaml").read_text(encoding="utf-8")))
    assert [(LenderKind(kind).label, kinds[kind]) for kind in LenderKind.values if kinds[kind]] == LENDER_KINDS


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
        ("Lender", True, 33, []),
    ]
    assert [(k["heading"], k["headingShown"], k["choices"], k["outside"]) for k in layout["kinds"]] == [
        (heading, True, count, []) for heading, count in LENDER_KINDS
    ]
    # Full names side by side: three columns at 1024 px, four at 1366 px.
    assert layout["lenderColumns"] == {1024: 3, 1366: 4}[page.viewport_size["width"]]
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
    commercial = page.get_by_role("group", name="Lender", exact=True).get_by_role("group", name="Commercial bank")
    expect(commercial.get_by_label("Industrial and Commercial Bank of China (ICBC)")).to_be_visible()
    expect(commercial.get_by_label("Bank Alfalah", exact=True)).to_be_visible()  # its short name is its name
    assert [v["id"] for v in blocking_violations(page)] == []  # axe, with the panel open


def test_after_apply_the_results_come_first_under_the_filters_in_force(panel_page, site_url):
    page = panel_page
    page.goto("/projects/?sort=-cost")
    page.get_by_text("More filters").click()
    page.get_by_role("group", name="Status").get_by_label("Financing being arranged").check()
    aiib = page.get_by_role("group", name="Lender", exact=True).get_by_label(
        "Asian Infrastructure Investment Bank (AIIB)"
    )
    aiib.check()
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
    expect(page.locator("input[name=lender]:checked")).to_have_count(0)  # (in the closed panel)
    expect(page.locator(".result-count")).to_have_text("3 projects match the filters.")
    assert result_names(page) == FINANCING
    assert {row["name"] for row in demo_projects().values() if row["status"] == "financing"} == FINANCING

    page.get_by_role("link", name="Clear all").click()
    expect(page).to_have_url(f"{site_url}/projects/?sort=-cost")
    expect(page.locator(".filters-in-force")).to_have_count(0)
    expect(page.locator(".result-count")).to_have_text(re.compile(r"^\d+ projects\.$"))
