"""Run Lighthouse over every page as the demo viewer and write the table into docs/benchmarks.md.

    .venv/bin/python scripts/lighthouse.py                      # starts its own production server
    .venv/bin/python scripts/lighthouse.py --base-url http://127.0.0.1:8000   # or measures `make serve`
    make lighthouse                                             # the first, after loading the demo

Lighthouse (npm ``lighthouse``, pinned below) is installed on first use with ``npm i -E`` into
``.tools/lighthouse/`` in this checkout (git-ignored; never global, never used by the site) and
drives Debian's Chromium (``CHROME_PATH=/usr/bin/chromium``, headless) with the desktop preset.

Without ``--base-url`` the server is ``make serve``'s: gunicorn with ``gunicorn.conf.py`` and its
default worker count, production settings (DEBUG off), static files collected the production way
(into a temporary directory), on a free loopback port, against ``DATABASE_URL`` (the environment or
``.env``), which must hold the demo portfolio (``manage.py load_cpec_demo``).

The demo viewer logs in through the login form (``--password``, default ``$DEMO_VIEWER_PASSWORD``
or the one in ``.env``); Lighthouse gets the session as a ``Cookie`` header. The login page is
measured anonymously. Each page is first requested from every gunicorn worker at once (each worker
caches the figures), then measured ``--runs`` times (default 2): a Lighthouse run (scores, LCP, TBT
and the bytes of the first load, its ``total-byte-weight``), then the repeat load, which Lighthouse
does not measure, with ``scripts/page_weight.py``'s recorder: the page opened again in the same Playwright
context after a first load (a new navigation, not a reload). The table gives every run, and a target
is met only if every run meets it. The reports are kept in ``.tools/lighthouse/reports/``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import textwrap
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import environ
import page_weight  # scripts/page_weight.py: this script's folder is on sys.path when it runs

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools" / "lighthouse"
LIGHTHOUSE_VERSION = "12.2.3"  # 13 needs Node 22; Debian 12's is 20
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
REPORTS = TOOLS / "reports"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- lighthouse:start -->", "<!-- lighthouse:end -->"

# (path, draws charts, logged in)
PAGES = [
    ("/", True, True),
    ("/projects/", False, True),
    ("/projects/ml-1/", True, True),
    ("/projects/hub-coal/", True, True),
    ("/lenders/", False, True),
    ("/lenders/china-exim/", False, True),
    ("/jcc/", True, True),
    ("/jcc/14/", False, True),
    ("/compare/", False, True),
    ("/accounts/login/", False, False),
]
# Scores out of 1, bytes (KB = 1,000 bytes, as scripts/page_weight.py counts).
TARGET_SCORES = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0}
CHART_PAGE_BUDGET = 600_000  # the issue names the dashboard; held for every page that loads plotly.js
PLAIN_PAGE_BUDGET = 150_000
REPEAT_BUDGET = 60_000


# --------------------------------------------------------------------------- Lighthouse
def install_lighthouse() -> None:
    """The pinned Lighthouse in .tools/lighthouse/, installed with npm unless already there."""
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        version = subprocess.run([LIGHTHOUSE, "--version"], capture_output=True, text=True, check=True).stdout
        if version.strip() == LIGHTHOUSE_VERSION:
            return
    TOOLS.mkdir(parents=True, exist_ok=True)
    print(f"npm i -E lighthouse@{LIGHTHOUSE_VERSION} into {TOOLS.relative_to(ROOT)}/", flush=True)
    subprocess.run(
        ["npm", "i", "-E", "--no-audit", "--no-fund", "--prefix", str(TOOLS), f"lighthouse@{LIGHTHOUSE_VERSION}"],
        check=True,
    )


RETRIES: list[str] = []  # the runs Lighthouse failed to record and that were run again


def run_lighthouse(url: str, cookie: str | None, out: Path, attempts: int = 3) -> dict:
    """One Lighthouse run (desktop preset, Debian's Chromium headless); its report (LHR) as a dict.

    Lighthouse 12.2.3 with Chromium 156 now and then fails to record the trace (NO_NAVSTART): such a run is
    run again, up to ``attempts`` times in all, and counted in RETRIES.
    """
    command = [
        str(LIGHTHOUSE),
        url,
        "--preset=desktop",
        "--chrome-flags=--headless --no-sandbox --disable-gpu",
        "--output=json",
        f"--output-path={out}",
        "--quiet",
        "--no-enable-error-reporting",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    for attempt in range(1, attempts + 1):
        done = subprocess.run(command, env={**os.environ, "CHROME_PATH": page_weight.CHROMIUM})
        if done.returncode == 0:
            return json.loads(out.read_text())
        if attempt < attempts:
            RETRIES.append(url)
            print(f"Lighthouse failed on {url} (status {done.returncode}): running it again", flush=True)
    raise RuntimeError(f"Lighthouse failed {attempts} times on {url}")


# --------------------------------------------------------------------------- one page
@dataclass
class Run:
    scores: dict[str, float]
    lcp_ms: float
    tbt_ms: float
    first_load: int
    repeat_load: int
    causes: dict[str, list[str]]  # target → what Lighthouse names as the cause, when missed


@dataclass
class PageResult:
    path: str
    charts: bool
    runs: list[Run] = field(default_factory=list)

    @property
    def budget(self) -> int:
        return CHART_PAGE_BUDGET if self.charts else PLAIN_PAGE_BUDGET


def _failing_audits(lhr: dict, category: str, limit: int = 3) -> list[str]:
    """What a category's score lost on: failing metrics, the busiest script, then failing audits.

    Audits come biggest estimated saving first, with their titles and Lighthouse's display values.
    """
    audits = lhr["audits"]
    causes, failing = [], []
    for ref in lhr["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if audit.get("score") is None or audit["score"] >= 0.9 or audit["scoreDisplayMode"] == "informative":
            continue
        display = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
        if ref.get("group") == "metrics":
            causes.append(f"{audit['title']} {audit['displayValue']} (score {audit['score']:.2f})")
        elif ref.get("weight") or (audit.get("details") or {}).get("overallSavingsMs"):
            saving = (audit.get("details") or {}).get("overallSavingsMs") or 0
            failing.append((-saving, -ref.get("weight", 0), audit["title"] + display))
    if category == "performance" and (scripts := audits["bootup-time"].get("details", {}).get("items")):
        top = max(scripts, key=lambda item: item["scripting"])
        causes.append(f"busiest script {top['url'].rsplit('/', 1)[-1]}: {top['scripting']:,.0f} ms of scripting")
    return causes + [title for *_, title in sorted(failing)[:limit]]


def _largest_resources(lhr: dict, base_url: str, limit: int = 3) -> list[str]:
    items = lhr["audits"]["total-byte-weight"]["details"]["items"][:limit]
    return [f"{item['url'].removeprefix(base_url) or '/'} {item['totalBytes'] / 1000:,.1f} KB" for item in items]


def measure_run(browser, result: PageResult, base_url: str, state: dict | None, cookie: str | None, n: int) -> Run:
    slug = re.sub(r"[^a-z0-9]+", "-", result.path).strip("-") or "dashboard"
    lhr = run_lighthouse(base_url + result.path, cookie, REPORTS / f"{slug}-{n}.json")
    if lhr.get("runtimeError"):
        raise RuntimeError(f"{result.path}: {lhr['runtimeError']['message']}")
    if lhr["finalDisplayedUrl"].removeprefix(base_url) != result.path:
        raise RuntimeError(f"{result.path} ended on {lhr['finalDisplayedUrl']}: not logged in?")
    audits = lhr["audits"]
    first_load = int(audits["total-byte-weight"]["numericValue"])
    repeat = repeat_load(browser, base_url + result.path, state)
    scores = {name: lhr["categories"][name]["score"] for name in TARGET_SCORES}
    causes = {name: _failing_audits(lhr, name) for name, target in TARGET_SCORES.items() if scores[name] < target}
    if first_load > result.budget:
        causes["first load"] = _largest_resources(lhr, base_url)
    if repeat.total > REPEAT_BUDGET:
        largest = sorted(repeat.downloaded, key=lambda r: -r.transferred)[:3]
        causes["repeat load"] = [
            f"{r.url.removeprefix(base_url)} {r.transferred / 1000:,.1f} KB ({r.encoding or 'not compressed'})"
            for r in largest
        ]
    return Run(
        scores=scores,
        lcp_ms=audits["largest-contentful-paint"]["numericValue"],
        tbt_ms=audits["total-blocking-time"]["numericValue"],
        first_load=first_load,
        repeat_load=repeat.total,
        causes=causes,
    )


def repeat_load(browser, url: str, state: dict | None):
    """The bytes of opening the page again after a first load, in a fresh context (page_weight's way)."""
    context = browser.new_context(storage_state=state, service_workers="block")
    try:
        page = context.new_page()
        recorder = page_weight.Recorder(context.new_cdp_session(page))
        for _ in range(2):
            recorder.start()
            page_weight._open_dashboard(page, url)  # every chart drawn (if any), then network idle
            page.evaluate("0")  # let Playwright deliver the DevTools events received so far
        resources = [r for r in recorder.resources.values() if r.finished and r.url.startswith("http")]
        return page_weight.Load("repeat load", resources)
    finally:
        context.close()


def warm_up(url: str, cookie: str | None, workers: int) -> None:
    """Request the page from every gunicorn worker (concurrently: one alone may serve them all in turn).

    Each worker caches the page's figures on its first request, as the first viewer after an edit sees.
    """

    def get(_):
        request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(get, range(3 * workers)))


# --------------------------------------------------------------------------- the table
def _kb(n: int) -> str:
    return f"{n / 1000:,.1f}"


def _all(values: list[str]) -> str:
    """Every run's value, or one when they agree."""
    return values[0] if len(set(values)) == 1 else " / ".join(values)


def render(results: list[PageResult], environment: dict[str, str], runs: int) -> tuple[str, int]:
    """The section of docs/benchmarks.md, between its markers, and how many targets it marks missed."""
    times = {1: "once", 2: "twice"}.get(runs, f"{runs} times")
    lines = [
        START,
        "## Lighthouse (browser)",
        "",
        "`make lighthouse` (or `.venv/bin/python scripts/lighthouse.py [--base-url http://127.0.0.1:8000]`) reruns "
        "this and rewrites this section; the reports stay in `.tools/lighthouse/reports/`.",
        "",
        f"Measured on {environment['date']} on {environment['machine']}; {environment['chromium']} headless, "
        f"Lighthouse {environment['lighthouse']} (desktop preset, simulated throttling; benchmark index "
        f"{environment['benchmark_index']}), Node {environment['node']}. Served by {environment['server']} "
        "with the demo portfolio, as the demo viewer (the login page anonymously). Every page was requested "
        f"by every worker first (each caches the figures), then measured {times}: each cell gives "
        "every run (run 1 / run 2 …) or one value when they agree.",
        "",
        "Targets (issue 13): performance ≥ 0.95, accessibility 1.0, best practices 1.0; first load ≤ 600 KB "
        "for the pages that draw charts (the dashboard, project pages, the JCC list: they load plotly.js) and "
        "≤ 150 KB for the others; repeat load ≤ 60 KB. First load is Lighthouse's total byte weight (empty "
        "cache); repeat load is what Chromium downloads when the page is opened again after that "
        "(`scripts/page_weight.py`'s count). KB = 1,000 bytes, bytes on the wire (compressed, with headers).",
        "",
        "| page | performance | accessibility | best practices | LCP (ms) | TBT (ms) | first load (KB) | budget | "
        "repeat load (KB) | targets |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    missed = []
    for result in results:
        rs = result.runs
        checks = {name: all(r.scores[name] >= target for r in rs) for name, target in TARGET_SCORES.items()}
        checks["first load"] = all(r.first_load <= result.budget for r in rs)
        checks["repeat load"] = all(r.repeat_load <= REPEAT_BUDGET for r in rs)
        verdict = "all met" if all(checks.values()) else "missed: " + ", ".join(k for k, ok in checks.items() if not ok)
        cells = [
            *(_all([f"{r.scores[name]:.2f}" for r in rs]) for name in TARGET_SCORES),
            _all([f"{r.lcp_ms:,.0f}" for r in rs]),
            _all([f"{r.tbt_ms:,.0f}" for r in rs]),
            _all([_kb(r.first_load) for r in rs]),
            _kb(result.budget),
            _all([_kb(r.repeat_load) for r in rs]),
            verdict,
        ]
        lines.append(f"| `{result.path}` | " + " | ".join(cells) + " |")
        for target, ok in checks.items():
            if not ok:
                causes = next(r.causes[target] for r in rs if target in r.causes)
                missed.append(f"- `{result.path}`, {target}: " + "; ".join(causes or ["no failing audit named"]))
    targets = len(results) * (len(TARGET_SCORES) + 2)
    if missed:
        lines += [
            "",
            f"{len(missed)} of {targets} targets missed (every run counts). What Lighthouse names as the cause "
            "(its failing audits, largest estimated saving first; for bytes, the largest downloads of the run):",
            "",
            *missed,
        ]
    else:
        lines += ["", f"All {targets} targets met, in every run."]
    if RETRIES:
        lines += [
            "",
            f'Lighthouse failed {len(RETRIES)} time(s) to record the trace (NO_NAVSTART, "Something went '
            'wrong with recording the trace") and that run was run again; failed runs are not in the table.',
        ]
    lines += ["", END]
    # Prose and list items wrapped like the rest of the file; table rows stay one line each.
    wrapped = [
        line
        if line.startswith("|")
        else textwrap.fill(line, 105, subsequent_indent="  " if line.startswith("- ") else "")
        for line in lines
    ]
    return "\n".join(wrapped), len(missed)


def write_section(section: str) -> None:
    """Replace the section between the markers in docs/benchmarks.md (appended the first time)."""
    text = DOC.read_text()
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text)


def describe_environment(lhr: dict, server: str) -> dict[str, str]:
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
    os_name = re.search(r'PRETTY_NAME="([^"]+)"', Path("/etc/os-release").read_text())[1]
    chromium = subprocess.run([page_weight.CHROMIUM, "--version"], capture_output=True, text=True).stdout
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout
    return {
        "date": datetime.date.today().strftime("%-d %b %Y"),
        "machine": f"{os.cpu_count()} vCPUs, {memory_kb / 1024**2:.0f} GiB, {os_name}, {platform.machine()}",
        "chromium": re.sub(r" built on.*", "", chromium.strip()),
        "lighthouse": lhr["lighthouseVersion"],
        "benchmark_index": f"{lhr['environment']['benchmarkIndex']:,.0f}",
        "node": node.strip().removeprefix("v"),
        "server": server,
    }


# --------------------------------------------------------------------------- main
def main() -> int:
    environ.Env.read_env(ROOT / ".env")  # as the settings do: variables already set win
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running server to measure (default: start a production server)")
    parser.add_argument("--username", default="viewer")
    parser.add_argument("--password", default=os.environ.get("DEMO_VIEWER_PASSWORD") or None)
    parser.add_argument("--runs", type=int, default=2, help="Lighthouse runs per page (default 2)")
    parser.add_argument("--page", action="append", help="measure only this page (repeatable; implies --no-write)")
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    args = parser.parse_args()
    if not args.password:
        parser.error("no password: give --password or set DEMO_VIEWER_PASSWORD")
    install_lighthouse()
    REPORTS.mkdir(parents=True, exist_ok=True)
    for old in REPORTS.glob("*.json"):
        old.unlink()

    from playwright.sync_api import sync_playwright

    workers = 2 * (os.cpu_count() or 1) + 1  # gunicorn.conf.py's default, as `make serve` runs it
    with contextlib.ExitStack() as stack:
        base_url, server = args.base_url, f"the server at {args.base_url}"
        if not base_url:
            static_root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cpec-static-")))
            print(f"collectstatic into {static_root} (gzip + Brotli of every file: takes a while)...", flush=True)
            page_weight.collectstatic(static_root, dict(os.environ))
            base_url = stack.enter_context(page_weight.production_server(dict(os.environ), static_root, workers))
            server = f"gunicorn (`gunicorn.conf.py`, {workers} workers, DEBUG off, whitenoise)"
            print(f"gunicorn serving {base_url}", flush=True)
        base_url = base_url.rstrip("/")
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=page_weight.CHROMIUM, args=page_weight.CHROMIUM_ARGS)
        stack.callback(browser.close)
        state = page_weight.log_in_state(browser, base_url, args.username, args.password)
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in state["cookies"])

        results = []
        for path, charts, logged_in in [p for p in PAGES if not args.page or p[0] in args.page]:
            result = PageResult(path, charts)
            warm_up(base_url + path, cookie if logged_in else None, workers)
            for n in range(1, args.runs + 1):
                print(f"{path} run {n}...", flush=True)
                result.runs.append(
                    measure_run(
                        browser, result, base_url, state if logged_in else None, cookie if logged_in else None, n
                    )
                )
            results.append(result)
        lhr = json.loads(next(REPORTS.glob("*.json")).read_text())
        section, missed = render(results, describe_environment(lhr, server), args.runs)
    if args.no_write or args.page:
        print(section)
    else:
        write_section(section)
        print(section, f"\nwritten into {DOC.relative_to(ROOT)}", sep="\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
