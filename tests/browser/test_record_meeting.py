"""An editor records a new JCC meeting in the admin, moves one lender's line, supersedes another's and corrects one.

On the demo portfolio, ADB has US$ 2bn under negotiation (and US$ 10m signed) for ML-1's
Karachi–Rohri section and AIIB a proposal of no stated amount. A hypothetical 15th JCC (10 March 2026, this test's own
data) agrees ADB's US$ 1.2bn as a concessional loan — ADB's existing line moves — and AIIB's
US$ 800m as a new line that replaces AIIB's proposal. The editor then corrects AIIB's amount to
US$ 750m on the line's own page. The project, lender and meeting pages must show one live line
per lender, the 15th JCC credited with its effects only, and the correction as a correction.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from financing.models import FinancingLine
from tests.conftest import DEMO_PASSWORDS

from .helpers import log_in, pick, pick_source, table_rows

EDITOR = ("editor", DEMO_PASSWORDS["DEMO_EDITOR_PASSWORD"])
PROJECT = "ML-1 Karachi–Rohri section"
SLUG = "ml-1-karachi-rohri"
ADB_LINE = "ADB — not yet decided — under negotiation, US$ 2bn since 18 Feb 2026"
AIIB_LINE = "AIIB — not yet decided — proposed since 1 Aug 2025"
REASON = "AIIB's board approved US$ 750m, not 800m: the figure was misread."


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def record_meeting(page: Page) -> None:
    page.goto("/admin/projects/jccmeeting/add/")
    page.locator("#id_number").fill("15")
    page.locator("#id_status").select_option("held")
    page.locator("#id_date").fill("2026-03-10")
    page.locator("#id_city").fill("Beijing")
    page.locator("#id_summary").fill("Hypothetical meeting recorded by the browser test.")
    page.locator("#decisions-group .add-row a").click()
    page.locator("#id_decisions-0-sequence").fill("1")
    page.locator("#id_decisions-0-kind").select_option("financing_agreed")
    pick(page, "id_decisions-0-project", "Karachi–Rohri", re.compile(rf"^{re.escape(PROJECT)}$"))
    page.locator("#id_decisions-0-text").fill("ADB and AIIB financing for Karachi–Rohri agreed.")
    pick_source(page, "id_decisions-0-source", "S20")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")


def fill_effect(page: Page, row: int, lender: str, target: str, **fields) -> str:
    prefix = f"id_financing_changes-{row}-"
    if page.locator(f"#{prefix}target").count() == 0:
        page.locator("#financing_changes-group .add-row a").click()
    pick(page, f"{prefix}lender", lender, re.compile(rf"\({lender}\)$"))
    page.locator(f"#{prefix}target").select_option(label=target)
    if "replaces" in fields:
        page.locator(f"#{prefix}replaces").select_option(label=fields.pop("replaces"))
    for name, value in fields.items():
        field = page.locator(f"#{prefix}{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    return prefix


@pytest.mark.django_db(transaction=False)
def test_an_editor_records_a_meeting_that_moves_one_line_and_supersedes_another(page: Page, site_url):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/admin/login/")
    log_in(page, *EDITOR)
    record_meeting(page)

    # The decision's page, with a row of every kind of effect open: it fits 1280 px.
    page.goto("/admin/projects/jccmeeting/?q=15")
    page.get_by_role("link", name="15", exact=True).click()
    page.locator("#decisions-0 a.inlinechangelink").click()
    expect(page.locator("h2", has_text="JCC 15/1:")).to_have_count(1)
    for group in ("financing_changes", "cost_estimates", "status_changes", "phase_changes"):
        page.locator(f"#{group}-group .add-row a").click()
    assert no_sideways_scroll(page), "the decision page scrolls sideways at 1280 px"

    usd = {"currency": "USD", "entered_pkr_per_usd": "280"}
    fill_effect(page, 0, "ADB", ADB_LINE, instrument="concessional_loan", status="agreed", amount="1200000000", **usd)
    fill_effect(
        page,
        1,
        "AIIB",
        "A new line",
        replaces=AIIB_LINE,
        instrument="concessional_loan",
        status="agreed",
        amount="800000000",
        **usd,
    )
    for group in ("cost_estimates", "status_changes", "phase_changes"):  # opened for the layout check only
        page.locator(f"#{group}-group .inline-related:not(.empty-form) .inline-deletelink").first.click()
    assert no_sideways_scroll(page)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote")).to_have_count(0)
    expect(page.locator(".messagelist .success").first).to_contain_text(
        "Applied: 2 financing change(s), 0 cost estimate(s), 0 project status change(s), 0 phase change(s). "
        "1 line(s) superseded by their replacements."
    )

    # A correction on the new AIIB line's own page: refused without a reason, then recorded.
    aiib_line = FinancingLine.objects.get(project__slug=SLUG, lender__slug="aiib", status="agreed")
    page.goto(f"/admin/financing/financingline/{aiib_line.pk}/change/")
    expect(page.locator(".field-set_by .readonly")).to_have_text("15th JCC, decision 1")
    page.locator("#id_amount").fill("750000000")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("say what was wrong in the record (this is a correction)")
    page.locator("#id_reason").fill(REASON)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success").first).to_be_visible()
    assert no_sideways_scroll(page)

    # The project page: one live line per lender, the replaced line says so, the correction is a correction.
    page.goto(f"/projects/{SLUG}/")
    lines = {(r["Lender"], r["Status"].split("\n")[0]): r for r in table_rows(page.locator("table.lines"))}
    assert sorted(lines) == [
        ("Asian Development Bank", "Agreed"),
        ("Asian Development Bank", "Signed"),  # its US$ 10m for readiness, untouched
        ("Asian Infrastructure Investment Bank", "Agreed"),
        ("Asian Infrastructure Investment Bank", "Superseded by another line"),
    ]
    assert lines[("Asian Development Bank", "Agreed")]["Set by"] == "15th JCC, decision 1"
    assert lines[("Asian Development Bank", "Agreed")]["Amount"] == "USD 1,200,000,000"
    assert lines[("Asian Infrastructure Investment Bank", "Agreed")]["Set by"].startswith("correction")
    assert lines[("Asian Infrastructure Investment Bank", "Agreed")]["Amount"] == "USD 750,000,000"
    superseded = lines[("Asian Infrastructure Investment Bank", "Superseded by another line")]
    assert (
        "by AIIB’s concessional loan line (agreed, USD 750,000,000); its share no longer counts"
        in (superseded["Status"])
    )
    assert superseded["Set by"] == "15th JCC, decision 1"
    corrections = table_rows(page.locator("section.corrections table"))
    assert [(c["Lender"], c["Corrected to"], c["Why"]) for c in corrections] == [
        ("AIIB", "Agreed USD 750,000,000", REASON)
    ]
    assert corrections[0]["Recorded"].endswith("by editor")
    # US$ 1.2bn + US$ 10m + US$ 750m committed on a US$ 2bn cost: US$ 40m not identified.
    expect(page.locator("[data-kpi=committed]")).to_have_text("US$ 1.96bn")
    expect(page.locator("[data-kpi=gap-usd]")).to_have_text("US$ 40.0m")

    # ADB's lender page credits the 15th JCC; AIIB's shows its corrected line as a correction.
    page.goto("/lenders/adb/")
    adb_rows = [r for r in table_rows(page.locator("table").first) if r["Project"].startswith(PROJECT)]
    assert ("Agreed", "JCC 15/1") in [(r["Status"], r["Set by"]) for r in adb_rows]
    assert [r["Status"] for r in adb_rows].count("Under negotiation") == 0  # moved, not duplicated
    page.goto("/lenders/aiib/")
    aiib_rows = [r for r in table_rows(page.locator("table").first) if r["Project"].startswith(PROJECT)]
    assert sorted((r["Status"], r["Set by"]) for r in aiib_rows) == [
        ("Agreed", "correction"),
        ("Superseded by another line", "JCC 15/1"),
    ]

    # The meeting page: the decision's three changes, none of them the correction.
    page.goto("/jcc/15/")
    made = table_rows(page.locator("table.changes"))
    assert sorted((r["Lender"], r["Status"], r["Amount"]) for r in made) == [
        ("ADB", "Agreed", "USD 1,200,000,000"),
        ("AIIB", "Agreed", "USD 800,000,000"),
        ("AIIB", "Superseded by another line", "–"),
    ]
    changed = page.locator("table.changed").inner_text()
    assert "750,000,000" not in changed
    assert "AIIB: superseded" in changed
