"""Measure what a browser downloads for the dashboard: first load (empty cache) and repeat load.

    .venv/bin/python scripts/page_weight.py                      # starts its own production server
    .venv/bin/python scripts/page_weight.py --base-url http://127.0.0.1:8000   # or measures one

Without ``--base-url`` it collects the static files into a temporary directory (whitenoise's
compressed manifest storage, as in production), starts gunicorn with ``gunicorn.conf.py`` and
production settings (DEBUG off) on a free loopback port, against the database of
``DATABASE_URL`` (the environment or ``.env``), and stops it afterwards.

The demo viewer logs in through the login form (``--password``, default ``$DEMO_VIEWER_PASSWORD``
or the one in ``.env``). Its session cookie is then handed to a new browser context with an
empty cache, which opens the dashboard twice: the first load, then a repeat load in the same
context (a new navigation, as when coming back to the page; not a reload, which revalidates).
Bytes are those on the wire as Chromium's DevTools count them (``encodedDataLength`` of
``Network.loadingFinished``: compressed bodies plus headers); a resource taken from the
browser's cache counts zero. Debian's Chromium runs headless; Playwright's download is not used.

Exit status 1 when a total is over its budget (the issue's 1.6 MB and 150 KB).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import environ

# The gunicorn runner is shared with the other measuring scripts (scripts/_serve.py); this file is
# also loaded by path (tests/browser/test_page_weight.py), so its folder is put on the path first.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import serve  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
FIRST_LOAD_BUDGET = 1_600_000  # bytes: 1.6 MB
REPEAT_LOAD_BUDGET = 150_000  # bytes: 150 KB


# --------------------------------------------------------------------------- measuring
@dataclass
class Resource:
    url: str
    type: str = ""
    status: int = 0
    encoding: str = ""
    transferred: int = 0
    from_cache: bool = False
    finished: bool = False


@dataclass
class Load:
    name: str
    resources: list[Resource] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.transferred for r in self.resources)

    @property
    def downloaded(self) -> list[Resource]:
        """The resources that came over the network (not from the browser's cache)."""
        return [r for r in self.resources if not r.from_cache]


class Recorder:
    """Each request's URL, status, encoding and bytes on the wire, from DevTools' Network events.

    ``start()`` begins a new load: the events after it go to a new, empty set of resources.
    """

    def __init__(self, cdp):
        self.resources: dict[str, Resource] = {}
        cdp.on("Network.requestWillBeSent", self._on_request)
        cdp.on("Network.responseReceived", self._on_response)
        cdp.on("Network.requestServedFromCache", self._on_cached)
        cdp.on("Network.loadingFinished", self._on_finished)
        cdp.send("Network.enable")

    def start(self) -> None:
        self.resources = {}

    def _get(self, event, url: str = "?") -> Resource:
        return self.resources.setdefault(event["requestId"], Resource(url=url))

    def _on_request(self, event):
        self._get(event, event["request"]["url"]).type = event.get("type", "")

    def _on_response(self, event):
        response = event["response"]
        res = self._get(event, response["url"])
        res.status = response["status"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        res.encoding = headers.get("content-encoding", "")
        res.from_cache |= bool(response.get("fromDiskCache") or response.get("fromMemoryCache"))

    def _on_cached(self, event):
        self._get(event).from_cache = True

    def _on_finished(self, event):
        res = self._get(event)
        res.finished = True
        res.transferred = 0 if res.from_cache else int(event["encodedDataLength"])


def _open_dashboard(page, url: str) -> None:
    page.goto(url, wait_until="load")
    # Every chart drawn by plotly, then no request in flight (favicon and the like included).
    # A selector, not a JavaScript predicate: polling one needs eval, which the CSP forbids.
    page.wait_for_selector('[data-chart]:not([data-drawn="true"])', state="detached", timeout=60_000)
    page.wait_for_load_state("networkidle")


def log_in_state(browser, base_url: str, username: str, password: str) -> dict:
    """Log in through the real form in a throwaway context; return its storage state (cookies)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base_url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("form:has(#id_password) [type=submit]")  # not the header's language switch
        page.wait_for_load_state("load")
        if "/accounts/login/" in page.url:
            raise RuntimeError(f"Login as {username!r} failed: check the password.")
        return context.storage_state()
    finally:
        context.close()


def measure(browser, base_url: str, username: str, password: str, path: str = "/") -> tuple[Load, Load]:
    """The dashboard's first load with an empty cache and its repeat load in the same context."""
    state = log_in_state(browser, base_url, username, password)
    # A new context is a new, empty HTTP cache: only the session cookie is carried over.
    context = browser.new_context(storage_state=state, service_workers="block")
    try:
        page = context.new_page()
        recorder = Recorder(context.new_cdp_session(page))
        loads = []
        for name in ("first load", "repeat load"):
            recorder.start()
            _open_dashboard(page, base_url + path)
            page.evaluate("0")  # let Playwright deliver the DevTools events received so far
            if "/accounts/login/" in page.url:
                raise RuntimeError("The page redirected to the login page: the session was not carried over.")
            # data: URLs (inline images in stylesheets) never touch the network.
            loads.append(
                Load(name, [r for r in recorder.resources.values() if r.finished and r.url.startswith("http")])
            )
        return loads[0], loads[1]
    finally:
        context.close()


def report(loads: tuple[Load, Load], base_url: str, path: str = "/", out=sys.stdout) -> bool:
    """Print a table per load and the totals against the budgets; True when both are within."""
    ok = True
    for load, budget in zip(loads, (FIRST_LOAD_BUDGET, REPEAT_LOAD_BUDGET), strict=True):
        print(f"\n{load.name} of {base_url}{path}", file=out)
        print(f"  {'bytes':>10}  {'status':>6}  {'encoding':<8}  {'cache':<5}  resource", file=out)
        for r in sorted(load.resources, key=lambda r: -r.transferred):
            url = r.url.removeprefix(base_url) or "/"
            cache = "hit" if r.from_cache else ""
            print(f"  {r.transferred:>10,}  {r.status:>6}  {r.encoding or '-':<8}  {cache:<5}  {url}", file=out)
        within = load.total <= budget
        ok &= within
        print(
            f"  {load.total:>10,}  total, {len(load.downloaded)} of {len(load.resources)} requests over the network;"
            f" budget {budget:,}: {'OK' if within else 'OVER'}",
            file=out,
        )
    return ok


# --------------------------------------------------------------------------- the server
def collectstatic(static_root: Path, env: dict[str, str]) -> None:
    """Collect the static files the production way (compressed manifest storage) into static_root."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "cpec_tracker.settings",
            "DEBUG": "false",
            "STATIC_ROOT": str(static_root),
        },
        check=True,
    )


def production_server(env: dict[str, str], static_root: Path, workers: int = 2, log=None):
    """gunicorn with gunicorn.conf.py and production settings on a free loopback port; yields its URL."""
    return serve(env, static_root, workers=workers, log=log)


def main() -> int:
    environ.Env.read_env(ROOT / ".env")  # as the settings do: variables already set win
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running server to measure (default: start a production server)")
    parser.add_argument("--username", default="viewer")
    parser.add_argument("--password", default=os.environ.get("DEMO_VIEWER_PASSWORD") or None)
    parser.add_argument("--path", default="/", help="the page to measure (default: the dashboard, /)")
    args = parser.parse_args()
    password = args.password
    if not password:
        parser.error("no password: give --password or set DEMO_VIEWER_PASSWORD")

    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        base_url = args.base_url
        if not base_url:
            static_root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cpec-static-")))
            env = dict(os.environ)
            print(f"collectstatic into {static_root} (gzip + Brotli of every file: takes a while)...", flush=True)
            collectstatic(static_root, env)
            base_url = stack.enter_context(production_server(env, static_root))
            print(f"gunicorn serving {base_url}", flush=True)
        base_url = base_url.rstrip("/")
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        loads = measure(browser, base_url, args.username, password, args.path)
        ok = report(loads, base_url, args.path)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
