"""Measure the page benchmark's pages over real HTTP through gunicorn, with edits, into docs/benchmarks.md.

    make http-benchmark
    .venv/bin/python scripts/http_benchmark.py --sizes 100 10000 --clients 16 --duration 60 --edit-every 5
    .venv/bin/python scripts/http_benchmark.py --sizes 100 --duration 10 --no-write   # a quick look

For each size: the database ``manage.py benchmark_pages`` uses (``<database>_bench_<size>_s<seed>``,
made and filled with the seeded synthetic portfolio on first use, ``migrate``-d every time), its
viewer and superuser (``benchmarks.pages.benchmark_users``) and an editor (the Editor role), each
given a fresh random password. gunicorn serves it as ``make serve`` does (``gunicorn.conf.py``,
its default worker count unless ``--workers``, DEBUG off, static files collected the production
way) with the benchmark settings and the floor page's URLs, on a free loopback port.

Then, for ``--duration`` seconds (and on until every page was asked for once), ``--clients``
viewers, each logged in through the login form with its own connection and session, ask in turn
for the same pages as the in-process benchmark (``benchmarks.pages.page_urls``; the admin
changelist with a superuser's session), each client starting at another page, while one
editor adds a cost estimate through the Django admin's add form (GET the form, POST it with the
CSRF token) every ``--edit-every`` seconds: a copy of a random synthetic estimate at 110% of its
amount, marked with the note below. An edit counts as made when the admin redirects after saving;
the rows carrying the note are counted before and after, must have grown by the edits made, and
are deleted afterwards. Every edit moves the data version, so each gunicorn worker computes each
page's figures afresh on its next request of it (cold): besides every request's percentiles, each
page's "first after an edit" requests (each client's first request of the page after an edit was
saved, or after the start: where the cold requests mostly fall) are reported apart. Any answer
but 200 (or, for an edit, anything but the redirect) and any network error or timeout counts as an
error; the server's log goes to ``.tools/http-benchmark/`` and its worker timeouts are counted.

Loopback only (scripts/loadtest.py's check). Needs ``DATABASE_URL`` (the environment or ``.env``)
whose role may create databases, like ``benchmark_pages``.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import platform
import random
import re
import secrets
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import environ
import loadtest  # scripts/: this script's folder is on sys.path when it runs
from _serve import serve, write_section

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START, END, BEFORE = "<!-- http:start -->", "<!-- http:end -->", "<!-- lighthouse:start -->"
LOGS = ROOT / ".tools" / "http-benchmark"
EDIT_NOTE = "http-benchmark edit: deleted after the run"
EDITOR_USERNAME = "bench-editor"
WSGI_APP = "_serve:benchmark_wsgi()"  # the site plus the floor page, benchmark settings
ERRORNOTE = re.compile(r'class="errornote"|class="errorlist[^"]*"[^>]*>\s*<li>([^<]*)')


# --------------------------------------------------------------------------- what is measured
@dataclass(frozen=True)
class Page:
    name: str
    path: str
    who: str  # "viewer" or "admin": whose session asks for it


@dataclass(frozen=True)
class Site:
    """What the load needs to know of the site: pages, logins, the edit form and what to put in it."""

    pages: list[Page]
    logins: dict[str, tuple[str, str]]  # "viewer" / "admin" / "editor" → (username, password)
    edit_path: str
    edit_forms: list[dict[str, str]]


@dataclass
class PageStats:
    page: Page
    seconds: list[float] = field(default_factory=list)
    first_seconds: list[float] = field(default_factory=list)  # each client's first after start or an edit
    errors: Counter = field(default_factory=Counter)


@dataclass
class LoadResult:
    clients: int
    duration: float
    edit_every: float
    elapsed: float = 0.0
    pages: dict[str, PageStats] = field(default_factory=dict)
    edits_made: int = 0
    edit_errors: Counter = field(default_factory=Counter)
    edit_seconds: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def edits_failed(self) -> int:
        return sum(self.edit_errors.values())

    @property
    def errors(self) -> int:
        return sum(sum(stats.errors.values()) for stats in self.pages.values())


# --------------------------------------------------------------------------- the load (plain HTTP)
def _page_loop(sessions: dict, pages: list[Page], offset: int, result: LoadResult, start, deadline: list) -> None:
    seen = {page.name: -1 for page in pages}  # the edit count at this client's last request of each page
    start.wait()
    i = offset
    # Until the time is up, and past it until every page has been asked for once (by any client).
    while time.perf_counter() < deadline[0] or not all(s.seconds for s in result.pages.values()):
        page = pages[i % len(pages)]
        i += 1
        edits = result.edits_made
        first = edits != seen[page.name]
        seen[page.name] = edits
        began = time.perf_counter()
        try:
            status, _, _ = sessions[page.who].request("GET", page.path)
            error = None if status == 200 else f"HTTP {status}"
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
        seconds = time.perf_counter() - began
        stats = result.pages[page.name]
        with result.lock:
            stats.seconds.append(seconds)
            if first:
                stats.first_seconds.append(seconds)
            if error:
                stats.errors[error] += 1


def _saved(status: int, headers, body: bytes, edit_path: str) -> str | None:
    """None when the admin saved the form (it redirects away from it), else what went wrong."""
    location = headers.get("Location") or ""
    if status == 302 and urlsplit(location).path != edit_path and "/login/" not in location:
        return None
    if status == 200:
        reasons = [r.strip() for r in ERRORNOTE.findall(body.decode(errors="replace")) if r.strip()]
        return "form refused: " + ("; ".join(reasons) or "an error note")
    return f"HTTP {status}" + (f" to {location}" if location else "")


def _edit_loop(editor, site: Site, result: LoadResult, rng: random.Random, start, deadline: list) -> None:
    start.wait()
    began = time.perf_counter()
    n = 1
    while True:
        due = began + n * result.edit_every
        if due >= deadline[0]:
            return
        time.sleep(max(0.0, due - time.perf_counter()))
        n += 1
        fields = rng.choice(site.edit_forms)
        t0 = time.perf_counter()
        try:
            error = _saved(*editor.submit_form(site.edit_path, fields), site.edit_path)
        except (OSError, http.client.HTTPException, RuntimeError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:120]
        with result.lock:
            result.edit_seconds.append(time.perf_counter() - t0)
            if error:
                result.edit_errors[error] += 1
            else:
                result.edits_made += 1  # the page clients read it to tell a request after an edit


def run_load(
    base_url: str,
    site: Site,
    *,
    clients: int,
    duration: float,
    edit_every: float,
    timeout: float = 120.0,
    seed: int = 1,
) -> LoadResult:
    """``clients`` viewers over the site's pages and one editor saving a form every ``edit_every`` s."""
    url = urlsplit(base_url)
    host, port = url.hostname, url.port or 80
    loadtest.loopback_only(host, port)
    needs = {page.who for page in site.pages}

    def log_in(who: str):
        session = loadtest.Client(host, port, timeout)
        session.log_in(*site.logins[who])
        return session

    sessions = [{who: log_in(who) for who in needs} for _ in range(clients)]
    editor = log_in("editor") if edit_every > 0 else None
    result = LoadResult(clients=clients, duration=duration, edit_every=edit_every)
    result.pages = {page.name: PageStats(page) for page in site.pages}
    start = threading.Barrier(clients + 1 + (editor is not None))
    deadline = [float("inf")]
    threads = [
        # Spread over the pages: the first requests cover them all however few there are in the time.
        threading.Thread(
            target=_page_loop,
            args=(s, site.pages, n * len(site.pages) // clients, result, start, deadline),
            daemon=True,
        )
        for n, s in enumerate(sessions)
    ]
    if editor:
        rng = random.Random(seed)
        threads.append(threading.Thread(target=_edit_loop, args=(editor, site, result, rng, start, deadline)))
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + duration
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - began
    for session in [*(s for ss in sessions for s in ss.values()), *([editor] if editor else [])]:
        session.close()
    return result


# --------------------------------------------------------------------------- the site (Django)
def prepare_site(*, forms: int = 50, seed: int = 1) -> Site:
    """The benchmark's users with fresh passwords, an editor, its pages and ``forms`` cost-estimate edits.

    Needs Django set up against the database to measure (the benchmark app installed).
    """
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.test.utils import override_settings
    from django.urls import reverse

    from benchmarks.pages import benchmark_users, page_urls
    from cpec_site.roles import EDITOR, roles_assign
    from projects.models import CostEstimate

    viewer, admin = benchmark_users()
    editor, _ = get_user_model().objects.get_or_create(username=EDITOR_USERNAME)
    roles_assign(editor, EDITOR)
    logins = {}
    for who, user in (("viewer", viewer), ("admin", admin), ("editor", editor)):
        password = secrets.token_urlsafe(18)
        user.set_password(password)
        user.save()
        logins[who] = (user.username, password)
    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        pages = [Page(name, path, who) for name, path, who in page_urls()]
        edit_path = reverse("admin:projects_costestimate_add")
    pks = sorted(CostEstimate.objects.exclude(note=EDIT_NOTE).values_list("pk", flat=True))
    if not pks:
        raise RuntimeError("no cost estimate to copy: is a synthetic portfolio loaded?")
    chosen = CostEstimate.objects.filter(pk__in=random.Random(seed).sample(pks, min(forms, len(pks))))
    edit_forms = [
        {
            "project": str(e.project_id),
            "as_of": e.as_of.isoformat(),
            "date_precision": e.date_precision,
            "bound": e.bound,
            "amount": str((e.amount * Decimal("1.1")).quantize(Decimal("0.01"))),
            "currency": e.currency,
            "basis": e.basis,
            "approving_forum": e.approving_forum,
            "source": str(e.source_id),
            "note": EDIT_NOTE,
            "full_scope": "on",
            "scope": "",
            "entered_pkr_per_usd": "" if e.entered_pkr_per_usd is None else str(e.entered_pkr_per_usd),
            "entered_cny_per_usd": "" if e.entered_cny_per_usd is None else str(e.entered_cny_per_usd),
            "_save": "Save",
        }
        for e in chosen.order_by("pk")
    ]
    return Site(pages, logins, edit_path, edit_forms)


def edit_rows() -> int:
    """How many cost estimates the edits saved (they carry EDIT_NOTE)."""
    from projects.models import CostEstimate

    return CostEstimate.objects.filter(note=EDIT_NOTE).count()


def delete_edits() -> int:
    from projects.models import CostEstimate

    return CostEstimate.objects.filter(note=EDIT_NOTE).delete()[0]


# --------------------------------------------------------------------------- the report
def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def size_table(projects: int, result: LoadResult, rows: tuple[int, int], extra: dict[str, str]) -> list[str]:
    """The Markdown of one size: one row per page, then the edits."""
    before, after = rows
    pct = loadtest.percentile
    lines = [
        f"**{projects:,} projects**: {result.clients} clients for {result.elapsed:.0f} s, "
        f"{sum(len(s.seconds) for s in result.pages.values()):,} page requests, {result.errors} errors; "
        + "; ".join(f"{k} {v}" for k, v in extra.items())
        + ".",
        "",
        "| page | requests | errors | p50 | p95 | max | first after an edit: n | p50 | max |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for stats in result.pages.values():
        s, f = stats.seconds, stats.first_seconds
        errors = sum(stats.errors.values())
        cells = [
            str(len(s)),
            (f"**{errors}** ({', '.join(f'{n} × {e}' for e, n in stats.errors.most_common())})" if errors else "0"),
            *((_ms(pct(s, 50)), _ms(pct(s, 95)), _ms(max(s))) if s else ("–",) * 3),
            str(len(f)),
            *((_ms(pct(f, 50)), _ms(max(f))) if f else ("–",) * 2),
        ]
        lines.append(f"| {stats.page.name} | " + " | ".join(cells) + " |")
    attempts = result.edits_made + result.edits_failed
    edit_line = (
        f"Edits: {attempts} tried every {result.edit_every:g} s, {result.edits_made} saved through the admin, "
        f"{result.edits_failed} failed"
        + (
            " (" + "; ".join(f"{n} × {e}" for e, n in result.edit_errors.most_common()) + ")"
            if result.edits_failed
            else ""
        )
        + f"; rows with the edits' note {before} before, {after} after"
        + (" (as many as saved)" if after - before == result.edits_made else " (**not** as many as saved)")
    )
    if result.edit_seconds:
        edit_line += (
            f"; GET form + POST p50 {_ms(pct(result.edit_seconds, 50))} ms, max {_ms(max(result.edit_seconds))} ms"
        )
    return [*lines, "", edit_line + "."]


def render(sizes: list[tuple[int, LoadResult, tuple[int, int], dict[str, str]]], environment: dict[str, str]) -> str:
    """The section of docs/benchmarks.md between its markers."""
    first = sizes[0][1]
    lines = [
        START,
        "## Over HTTP (gunicorn, with edits)",
        "",
        "`make http-benchmark` (or `.venv/bin/python scripts/http_benchmark.py --sizes 100 10000 --clients 16 "
        "--duration 60 --edit-every 5`) reruns this and rewrites this section.",
        "",
        f"Measured on {environment['date']} on {environment['machine']}; {environment['server']}; "
        f"{environment['code']}. "
        f"{first.clients} clients, each with its own connection and session, ask in turn for the pages of the "
        "in-process benchmark above (the admin changelist as a superuser), over HTTP on the loopback, while an "
        "editor (the Editor role) adds a cost estimate through the Django admin's add form (GET, then POST with "
        "the CSRF token: a copy of a random synthetic estimate at 110%, deleted after the run) every "
        f"{first.edit_every:g} s; the saved rows are counted in the database. Each edit moves the data "
        "version, so each worker's next request of each page after it computes the figures afresh (cold). "
        "**First after an edit** is each client's first request of the page after an edit was saved (or "
        "after the start), where the cold requests mostly fall; as the figures are cached per worker, a "
        "cold one can also come later, and one of these can be warm where another client reached that "
        "worker first. Times in ms, whole request (connect, wait, read) as the client sees it; percentiles "
        "as `scripts/loadtest.py` computes them.",
    ]
    for projects, result, rows, extra in sizes:
        lines += ["", *size_table(projects, result, rows, extra)]
    lines += ["", END]
    wrapped = [line if line.startswith("|") else textwrap.fill(line, 105) for line in lines]
    return "\n".join(wrapped)


def describe_environment(workers: int) -> dict[str, str]:
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
    os_name = re.search(r'PRETTY_NAME="([^"]+)"', Path("/etc/os-release").read_text())[1]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {
        "code": f"the code of commit {commit.stdout.strip()}" if commit.returncode == 0 else "this checkout",
        "date": datetime.date.today().strftime("%-d %b %Y"),
        "machine": f"{os.cpu_count()} vCPUs, {memory_kb / 1024**2:.0f} GiB, {os_name}, {platform.machine()}, "
        f"Python {platform.python_version()}",
        "server": f"gunicorn (`gunicorn.conf.py`, {workers} sync workers, DEBUG off, whitenoise, the per-process "
        "cache) and PostgreSQL on the same machine",
    }


def load_average() -> str:
    """The machine's load average over 1, 5 and 15 minutes (other work on it slows the pages too)."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


# --------------------------------------------------------------------------- main
def measure_size(projects: int, args, static_root: Path, workers: int):
    """Prepare the size's database, serve it and load it; (projects, result, rows before/after, extra)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.management.commands.benchmark_pages import Command, create_database, database_url

    db = settings.DATABASES["default"]
    name = f"{args.base_database}_bench_{projects}_s{args.seed}"
    create_database(db, name)
    connection.close()
    db["NAME"] = connection.settings_dict["NAME"] = name
    print(f"[{projects:,} projects] database {name}: migrating…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    Command().ensure_portfolio(projects, args.seed)
    delete_edits()  # an interrupted run's
    site = prepare_site(seed=args.seed)
    before = edit_rows()
    env = {**os.environ, "DATABASE_URL": database_url(db, name)}
    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"gunicorn-{projects}.log"
    connection.close()  # no idle connection of ours during the load
    load_before = load_average()
    with log_path.open("w") as log:
        with serve(
            env,
            static_root,
            workers=workers,
            settings_module="cpec_tracker.settings_benchmark",
            app=WSGI_APP,
            log=log,
        ) as base_url:
            print(
                f"[{projects:,} projects] {base_url}: {args.clients} clients for {args.duration:g} s, "
                f"an edit every {args.edit_every:g} s…",
                flush=True,
            )
            result = run_load(
                base_url,
                site,
                clients=args.clients,
                duration=args.duration,
                edit_every=args.edit_every,
                timeout=args.timeout,
                seed=args.seed,
            )
    after = edit_rows()
    delete_edits()
    timeouts = log_path.read_text().count("WORKER TIMEOUT")
    extra = {
        "gunicorn worker timeouts": str(timeouts),
        "load average (1 / 5 / 15 min) before": load_before,
        "after": load_average(),
    }
    print(f"[{projects:,} projects] {result.errors} errors, {result.edits_made} edits saved", flush=True)
    return projects, result, (before, after), extra


def main() -> int:
    environ.Env.read_env(ROOT / ".env")  # as the settings do: variables already set win
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per size (default 60)")
    parser.add_argument("--edit-every", type=float, default=5.0, help="seconds between edits (0: none)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default gunicorn.conf.py's: 2 × cores + 1)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a request counts as failed")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic portfolios (as benchmark_pages)")
    parser.add_argument("--doc", type=Path, default=DOC, help="the file whose section to write (docs/benchmarks.md)")
    parser.add_argument("--no-write", action="store_true", help="print the section instead of writing it")
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "cpec_tracker.settings_benchmark"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import page_weight
    from django.conf import settings

    args.base_database = settings.DATABASES["default"]["NAME"]
    workers = args.workers or int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)
    environment = describe_environment(workers)
    sizes = []
    with tempfile.TemporaryDirectory(prefix="cpec-static-") as static:
        print(f"collectstatic into {static} (gzip + Brotli of every file: takes a while)…", flush=True)
        page_weight.collectstatic(Path(static), dict(os.environ))
        for projects in args.sizes:
            sizes.append(measure_size(projects, args, Path(static), workers))
    section = render(sizes, environment)
    if args.no_write:
        print(section)
    else:
        write_section(args.doc, section, START, END, before=BEFORE)
        print(section, f"\nwritten into {args.doc}", sep="\n")
    failed = any(r.errors or r.edits_failed or after - before != r.edits_made for _, r, (before, after), _ in sizes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
