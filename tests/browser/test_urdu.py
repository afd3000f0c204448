"""Urdu in a real browser: the header's switch, right to left, the typeface from this site,
mirrored charts, and lakh / crore."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .helpers import wait_for_charts


def test_the_switch_turns_the_page_to_urdu_and_keeps_its_moment(viewer_page, site_url):
    page = viewer_page
    page.goto("/projects/ml-1/?as_of_jcc=11")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    wait_for_charts(page)
    chart = "document.querySelector('[data-chart]:not([data-boundaries])')"  # a chart, not the map
    # Plotly resolves a reversed autorange into a range that runs from high to low.
    reversed_x = f"() => {{ const r = {chart}.layout.xaxis.range; return r[0] > r[1]; }}"
    assert page.evaluate(reversed_x) is False
    try:
        page.locator('.preferences button[lang="ur"]').click()
        expect(page).to_have_url(re.compile(r"/projects/ml-1/\?as_of_jcc=11$"))
        expect(page.locator("html")).to_have_attribute("lang", "ur")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        # The as-of banner still holds the moment, now in Urdu.
        expect(page.locator(".as-of-banner")).to_contain_text("11")
        wait_for_charts(page)
        # Charts read from the right: value axes reversed, y axes on the right.
        assert page.evaluate(reversed_x) is True
        assert page.evaluate(f"() => {chart}.layout.yaxis.side") == "right"
        # Right to left: the header's brand sits at the right edge, the page's text starts there.
        brand = page.locator(".brand").bounding_box()
        width = page.viewport_size["width"]
        assert brand["x"] > width / 2
        # The Urdu typeface came from this site (the guard fails on any other host) and is in use.
        page.evaluate("() => document.fonts.ready")
        assert page.evaluate("() => document.fonts.check('16px \"Noto Naskh Arabic\"', 'منصوبہ')")
        loaded = page.evaluate(
            "() => performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.woff2'))"
        )
        assert loaded and all(url.startswith(site_url + "/static/") for url in loaded)
        # The next click keeps the language.
        page.locator("nav a[href^='/map/']").click()
        expect(page.locator("html")).to_have_attribute("lang", "ur")
    finally:
        page.goto("/")
        page.locator('.preferences button[lang="en"]').click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


def test_lakh_and_crore_from_the_header(viewer_page):
    page = viewer_page
    page.goto("/psdp/")
    try:
        page.locator('.preferences button[name="figures"][value="lakh"]').click()
        expect(page).to_have_url(re.compile(r"/psdp/$"))
        expect(page.locator("main")).to_contain_text(" crore")
        expect(page.locator('.preferences button[value="lakh"]')).to_have_attribute("aria-pressed", "true")
    finally:
        page.locator('.preferences button[name="figures"][value="short"]').click()
        expect(page.locator('.preferences button[value="short"]')).to_have_attribute("aria-pressed", "true")


def test_english_pages_never_download_the_urdu_typeface(viewer_page):
    page = viewer_page
    page.goto("/")
    page.evaluate("() => document.fonts.ready")
    fonts = page.evaluate(
        "() => performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.woff2'))"
    )
    assert fonts == []
