"""axe-core on every page: no serious or critical accessibility violation.

axe-core is the copy bundled in axe-playwright-python (``axe.min.js``), injected with
``page.evaluate``: nothing is fetched (the browser guard would fail the test if it were).
Pages are checked after plotly has drawn their charts, so the charts' SVG and controls are
checked too.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .helpers import wait_for_charts

AXE = Axe()
BLOCKING = ("serious", "critical")
MAX_TARGETS = 5

LOGGED_IN_PAGES = [
    pytest.param("/", 200, id="dashboard"),
    pytest.param("/?sector=transport", 200, id="dashboard-filtered"),
    pytest.param("/projects/", 200, id="project-list"),
    pytest.param("/projects/?lender=aiib", 200, id="project-list-filtered"),
    pytest.param("/projects/ml-1/", 200, id="project-ml-1"),
    pytest.param("/projects/kkh-thakot-raikot/", 200, id="project-kkh-thakot-raikot"),
    pytest.param("/lenders/", 200, id="lender-list"),
    pytest.param("/lenders/adb/", 200, id="lender-adb"),
    pytest.param("/jcc/", 200, id="jcc-list"),
    pytest.param("/jcc/14/", 200, id="jcc-14"),
    pytest.param("/psdp/", 200, id="psdp"),
    pytest.param("/psdp/?sector=transport&as_of_jcc=11", 200, id="psdp-filtered-as-of"),
    pytest.param("/debt/", 200, id="debt"),
    pytest.param("/debt/?sector=energy&as_of_jcc=11&disbursement=over_grace&pkr_per_usd=250", 200, id="debt-as-of"),
    pytest.param("/debt/?pkr_per_usd=-1", 400, id="debt-bad-rate"),
    pytest.param("/map/", 200, id="map"),
    pytest.param("/map/?shade=gap&colour=status&as_of_jcc=11", 200, id="map-shaded-as-of"),
    pytest.param("/projects/no-such-project/", 404, id="not-found"),
]


def blocking_violations(page) -> list[dict]:
    violations = AXE.run(page).response["violations"]
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict], url: str) -> str:
    """What the app developer needs: rule, impact, what it means, where."""
    lines = [f"{len(violations)} serious/critical accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} element(s)] {v['helpUrl']}")
        for node in v["nodes"][:MAX_TARGETS]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary[:300]}")
        if len(v["nodes"]) > MAX_TARGETS:
            lines.append(f"    … and {len(v['nodes']) - MAX_TARGETS} more")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    violations = blocking_violations(page)
    if violations:
        pytest.fail(describe(violations, page.url), pytrace=False)


def test_axe_core_is_bundled_not_fetched():
    script = AXE_FILE_PATH.read_text(encoding="utf-8")
    assert AXE_FILE_PATH.parent.name == "axe_playwright_python"
    assert re.match(r"/\*! axe v4\.\d+\.\d+", script), script[:40]
    assert AXE.axe_script == script  # what Axe().run injects: the file, no URL


def test_login_page(page):
    page.goto("/accounts/login/")
    expect(page.locator("#id_username")).to_be_visible()
    assert_accessible(page)
    # The injected copy is the bundled one.
    version = re.match(r"/\*! axe v(\S+)", AXE_FILE_PATH.read_text(encoding="utf-8"))[1]
    assert page.evaluate("axe.version") == version


#: Each page in English, and in Urdu from a browser set to Urdu (right to left): fixture, lang, dir.
LANGUAGES = [
    pytest.param(("viewer_page", "en", "ltr"), id="en"),
    pytest.param(("urdu_viewer_page", "ur", "rtl"), id="ur"),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("path", "status"), LOGGED_IN_PAGES)
def test_page(request, browser_guard, path, status, language):
    fixture, lang, direction = language
    page = request.getfixturevalue(fixture)
    if status >= 400:
        # The browser logs the page's own 404 or 400 (a form's errors shown) as a console error.
        browser_guard.allow_console(r"status of (404 \(Not Found\)|400 \(Bad Request\))")
    response = page.goto(path)
    assert response.status == status
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", direction)
    wait_for_charts(page)
    assert_accessible(page)


def test_login_page_in_urdu(new_context, site_url, browser_guard):
    """A first visit from a browser set to Urdu: the login page is in Urdu, right to left."""
    context = new_context(base_url=site_url, locale="ur-PK", service_workers="block")
    browser_guard.watch(context, site_url)
    page = context.new_page()
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ur")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert_accessible(page)
