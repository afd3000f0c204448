"""Helpers shared by the browser tests (plain functions; the fixtures are in conftest.py)."""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

import yaml
from playwright.sync_api import Page, expect

#: Created by ``tests.conftest.demo_db`` (``load_cpec_demo``).
VIEWER = ("viewer", "viewer-demo-pass")
# URL schemes that never leave the page (no host to check).
LOCAL_SCHEMES = {"data", "blob", "about"}


def log_in(page: Page, username: str, password: str) -> None:
    """Log in through the real login form (the page must show it)."""
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    # The form's own button: the header's language switch has submit buttons too.
    page.locator("form:has(#id_password) [type=submit]").click()


def wait_for_charts(page: Page) -> int:
    """Wait until plotly has drawn every chart on the page; return how many there are.

    Drawn means: charts.js set ``data-drawn="true"`` (plotly's promise resolved) and the
    chart holds plotly's SVG.
    """
    charts = page.locator("[data-chart]")
    count = charts.count()
    for i in range(count):
        chart = charts.nth(i)
        expect(chart).to_have_attribute("data-drawn", "true")
        expect(chart.locator(".main-svg").first).to_be_attached()
    return count


def table_rows(table) -> list[dict[str, str]]:
    """The body rows of a table as {column header: cell text}; sort arrows are left out of the headers."""
    return table.evaluate(
        """table => {
            const heads = Array.from(table.tHead.rows[0].cells, c => c.innerText.replace(/[▲▼]/g, "").trim());
            return Array.from(table.tBodies[0].rows, row =>
                Object.fromEntries(Array.from(row.cells, (c, i) => [heads[i], c.innerText.trim()])));
        }"""
    )


@cache
def demo_projects() -> dict[str, dict]:
    """The demo portfolio as written in data/demo/projects.yaml, by slug (what demo_db loads)."""
    from cpec_site.demo import DEMO_DIR

    rows = yaml.safe_load((DEMO_DIR / "projects.yaml").read_text(encoding="utf-8"))
    return {row["slug"]: row for row in rows}


def demo_projects_financed_by(lender_slug: str) -> set[str]:
    """Names of the demo projects with a financing line from that lender (any status)."""
    return {
        row["name"]
        for row in demo_projects().values()
        if any(line["lender"] == lender_slug for line in row.get("financing_lines") or [])
    }


class BrowserProblems:
    """Console errors, uncaught page errors and foreign requests seen in the watched contexts."""

    def __init__(self):
        self.problems: list[str] = []
        self.allowed: list[re.Pattern] = []
        self.contexts: list = []

    def watch(self, context, site_url: str) -> None:
        origin = urlsplit(site_url)

        def is_local(url: str) -> bool:
            parts = urlsplit(url)
            if parts.scheme in LOCAL_SCHEMES:
                return True
            return parts.scheme in ("http", "https", "ws", "wss") and parts.netloc == origin.netloc

        def on_request(request):
            if not is_local(request.url):
                self.problems.append(f"request to another host: {request.method} {request.url}")

        def on_console(message):
            if message.type == "error" and not any(p.search(message.text) for p in self.allowed):
                where = message.location.get("url", "") if message.location else ""
                self.problems.append(
                    f"console error on {message.page.url if message.page else '?'}: {message.text}"
                    + (f" ({where})" if where else "")
                )

        def on_page_error(web_error):
            page = web_error.page
            self.problems.append(f"uncaught error on {page.url if page else '?'}: {web_error.error}")

        def route(route):
            if is_local(route.request.url):
                route.fallback()
            else:
                route.abort("blockedbyclient")

        def refuse_web_socket(ws):  # WebSockets raise no "request" event: record them here
            self.problems.append(f"WebSocket to another host: {ws.url}")
            ws.close()

        context.route("**/*", route)
        context.route_web_socket(lambda url: not is_local(url), refuse_web_socket)
        context.on("request", on_request)
        context.on("console", on_console)
        context.on("weberror", on_page_error)
        context.on("close", lambda ctx: self.contexts.remove(ctx) if ctx in self.contexts else None)
        self.contexts.append(context)

    def allow_console(self, pattern: str) -> None:
        """Expect console errors matching ``pattern`` in the current test."""
        self.allowed.append(re.compile(pattern))

    def flush(self) -> None:
        """Let Playwright deliver the events the browser has sent so far."""
        for context in list(self.contexts):
            for page in context.pages:
                try:
                    page.evaluate("0")
                except Exception:  # a closed or crashed page has nothing more to tell
                    pass

    def take(self) -> list[str]:
        problems, self.problems, self.allowed = self.problems, [], []
        return problems


def pick(page: Page, field_id: str, search: str, option: str | re.Pattern) -> None:
    """Choose in an admin autocomplete (select2) widget: open it, search, click the option."""
    page.locator(f"#{field_id} + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-container--open .select2-results__option", has_text=option).first.click()
    expect(page.locator(".select2-container--open")).to_have_count(0)


def pick_source(page: Page, field_id: str, key: str) -> None:
    pick(page, field_id, key, re.compile(rf"^\[{re.escape(key)}\] "))
