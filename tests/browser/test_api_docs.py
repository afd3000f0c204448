"""The API's documentation page in a real browser: it loads from this site alone, under the site's
strict Content-Security-Policy, and its "Try it out" reads the API with the viewer's session.

The browser guard (conftest.py) fails the test on any console error — Chromium reports every CSP
violation as one — and on any request to another host (aborted).
"""

from __future__ import annotations

from playwright.sync_api import expect


def test_the_docs_page_loads_offline_with_no_console_error(viewer_page, site_url):
    requests: list[str] = []
    viewer_page.on("request", lambda request: requests.append(request.url))
    response = viewer_page.goto("/api/v1/docs/")
    assert response is not None and response.status == 200
    expect(viewer_page.locator(".swagger-ui .info .title")).to_contain_text("CPEC Tracker API")
    operation = viewer_page.locator("#operations-projects-projects_list")
    expect(operation).to_be_visible()
    assert all(url.startswith(site_url) for url in requests), [u for u in requests if not u.startswith(site_url)]
    assert any(url.startswith(f"{site_url}/api/v1/schema/") for url in requests)

    # Try it out: the projects, read with the session of the logged-in viewer.
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    with viewer_page.expect_response(lambda r: r.url.startswith(f"{site_url}/api/v1/projects/")) as answer:
        operation.get_by_role("button", name="Execute").click()
    assert answer.value.status == 200
    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_contain_text("200")


def test_the_docs_page_sends_a_stranger_to_the_login_page(page, site_url):
    page.goto("/api/v1/docs/")
    expect(page).to_have_url(f"{site_url}/accounts/login/?next=/api/v1/docs/")
