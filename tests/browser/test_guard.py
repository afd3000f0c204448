"""The browser guard itself: it reports errors and foreign requests, and blocks the requests.

No live server or database: a context watched by its own ``BrowserProblems`` (not the
session's, so this test's deliberate errors do not fail it) on a page built in memory.
"""

from __future__ import annotations

from .helpers import BrowserProblems

SITE = "http://127.0.0.1:9"  # nothing listens there; only its origin matters
FOREIGN = "http://192.0.2.1/tracker.js"  # TEST-NET-1: not routable, and never reached anyway
FOREIGN_WS = "ws://192.0.2.1/socket"


def test_guard_reports_and_blocks(browser):
    problems = BrowserProblems()
    context = browser.new_context()
    try:
        problems.watch(context, SITE)
        page = context.new_page()
        failures = []
        page.on("requestfailed", lambda request: failures.append((request.url, request.failure)))
        page.set_content("<title>guard</title>")

        outcome = page.evaluate("url => fetch(url).then(() => 'reached', () => 'blocked')", FOREIGN)
        ws_outcome = page.evaluate(
            """url => new Promise(resolve => {
                const ws = new WebSocket(url);
                ws.onclose = event => resolve("closed " + event.code);
            })""",
            FOREIGN_WS,
        )
        page.evaluate("() => { console.error('deliberate console error'); }")
        page.evaluate("() => { setTimeout(() => { throw new Error('deliberate uncaught error'); }); }")
        page.wait_for_timeout(200)
        problems.flush()
    finally:
        context.close()

    assert outcome == "blocked"
    # Aborted by the route ("net::ERR_BLOCKED_BY_CLIENT.Inspector"), not failed on the network.
    assert [(url, failure.split(".")[0]) for url, failure in failures] == [(FOREIGN, "net::ERR_BLOCKED_BY_CLIENT")]
    reported = problems.take()
    assert any(p == f"request to another host: GET {FOREIGN}" for p in reported), reported
    assert ws_outcome.startswith("closed"), ws_outcome
    assert f"WebSocket to another host: {FOREIGN_WS}" in reported, reported
    assert any("deliberate console error" in p for p in reported), reported
    assert any(p.startswith("uncaught error") and "deliberate uncaught error" in p for p in reported), reported
    assert problems.take() == []


def test_guard_allows_the_site_and_expected_messages(browser):
    problems = BrowserProblems()
    context = browser.new_context()
    try:
        problems.watch(context, SITE)
        problems.allow_console("expected 404")
        page = context.new_page()
        page.set_content("<title>guard</title>")
        page.evaluate("() => { console.error('an expected 404'); console.warn('a warning is no error'); }")
        problems.flush()
    finally:
        context.close()
    assert problems.take() == []
