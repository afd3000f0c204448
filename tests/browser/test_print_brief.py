"""A project page printed from the browser is a brief: A4, dated, without controls.

Chromium prints the demo's Hub power plant and ML-1 pages to PDF; the pages are counted from the
PDF's page objects (no PDF library is installed) and its title is read from its metadata (the
text itself is in compressed, subset fonts). What is or is not printed is checked with print media
emulated, on the same page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import wait_for_charts

CONTROLS = "input, select, button, textarea, summary, .modebar"
# The brief's date line: the data's date (the last update, no as-of moment here) and the print date.
DATE_LINE = re.compile(
    r"^Project brief · data as of \d{1,2} [A-Z][a-z]{2} \d{4} · printed \d{1,2} [A-Z][a-z]{2} \d{4}$"
)


def pdf_pages(pdf: bytes) -> int:
    """The number of page objects (``/Type /Page``, not the ``/Pages`` tree) in a PDF."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def pdf_title(pdf: bytes) -> str:
    """The document title Chromium writes into the PDF's metadata (UTF-16 in hex)."""
    match = re.search(rb"/Title\s*<FEFF([0-9A-Fa-f]*)>", pdf)
    return bytes.fromhex(match.group(1).decode()).decode("utf-16-be") if match else ""


@pytest.fixture
def print_page(viewer_context):
    """A page of its own: print media emulation stays with it."""
    page = viewer_context.new_page()
    yield page
    page.close()


@pytest.mark.parametrize(
    ("slug", "title", "max_pages"),
    [
        ("hub-coal", "Hub coal power plant (CPHGC, 2×660 MW)", 1),
        ("ml-1", "ML-1 railway upgrade (Karachi–Peshawar)", 2),
    ],
)
def test_a_project_prints_as_a_short_dated_brief_without_controls(print_page, slug, title, max_pages):
    page = print_page
    page.goto(f"/projects/{slug}/")
    wait_for_charts(page)
    date_line = page.locator("[data-brief-dates]")
    expect(date_line).to_be_hidden()  # print-only: not on screen
    expect(page.locator(".as-of-form button")).to_be_visible()

    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert 1 <= pdf_pages(pdf) <= max_pages
    assert pdf_title(pdf).startswith(title)

    page.emulate_media(media="print")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(date_line).to_be_visible()
    expect(date_line).to_have_text(DATE_LINE)
    controls = page.locator(CONTROLS)
    assert controls.count() > 0  # the as-of form, the logout button
    for i in range(controls.count()):
        expect(controls.nth(i)).to_be_hidden()
    # Charts give way to their tables; the figures a brief needs are all printed.
    for chart in page.locator("[data-chart]").all():
        expect(chart).to_be_hidden()
    for part in (
        "[data-kpi=cost-usd]",
        "[data-cost-basis]",
        "[data-financing-summary]",
        "table.lines",
        "table.estimates",
    ):
        expect(page.locator(part)).to_be_visible()
    expect(page.locator(".decisions")).to_be_visible()


def test_headings_stay_with_their_tables_and_table_headers_repeat(print_page):
    page = print_page
    page.goto("/projects/ml-1/")
    page.emulate_media(media="print")
    styles = page.evaluate(
        """() => ({
            h2: getComputedStyle(document.querySelector("h2:not(.visually-hidden)")).breakAfter,
            thead: getComputedStyle(document.querySelector("table.lines thead")).display,
            row: getComputedStyle(document.querySelector("table.lines tbody tr")).breakInside,
        })"""
    )
    assert styles == {"h2": "avoid", "thead": "table-header-group", "row": "avoid"}
