"""manage.py benchmark_pages: server time, SQL time and query count of every page at two sizes.

For each size a database of its own (``<database>_bench_<size>_s<seed>``, made on first use) holds the
seeded synthetic portfolio of that many projects; a subprocess measures it (``--here``) and
the results are compared with the issue's targets. See docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg2 import sql

from benchmarks.pages import benchmark_pages, cold_requests, merge_cold
from benchmarks.synthetic import synthetic_portfolio_state
from projects.models import Project

#: Issue 13: at the large size every page, cold, right after a write and warm, within 2× its time
#: at the small size and within 300 ms; warm pages within 5× the floor page.
TARGET_GROWTH = 2.0
TARGET_MS = 300
TARGET_FLOOR = 5.0
#: Fresh processes per size whose first requests are the cold samples (the median is reported).
COLD_PROCESSES = 3


class Command(BaseCommand):
    help = (
        "Time the dashboard's pages (median, 95th percentile, SQL vs Python, query count) on synthetic "
        "portfolios of two sizes, with a floor page and the admin changelist as baselines, and check "
        "the targets. Each size gets its own database, <database>_bench_<size>_s<seed>, made and filled on first use."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=int, nargs=2, default=[100, 10_000], metavar=("SMALL", "LARGE"))
        parser.add_argument("--requests", type=int, default=20, help="Timed requests per page (after warm-up).")
        parser.add_argument("--warmup", type=int, default=3, help="Untimed requests per page first.")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the synthetic portfolios.")
        parser.add_argument("--json", dest="json_path", help="Also write the results as JSON to this file.")
        parser.add_argument("--here", action="store_true", help="Measure the configured database only; print JSON.")
        parser.add_argument("--ensure-projects", type=int, help="With --here: load a synthetic portfolio this size.")
        parser.add_argument(
            "--cold-only", action="store_true", help="With --here: time each page's first request only."
        )

    def handle(self, *args, sizes, requests, warmup, seed, json_path, here, ensure_projects, cold_only, **options):
        if requests < 20:
            raise CommandError("--requests must be at least 20, for a meaningful 95th percentile.")
        if here:
            if ensure_projects:
                self.ensure_portfolio(ensure_projects, seed)
            # A settled database, as autovacuum keeps one in production: the last run's edits left
            # dead rows, which autovacuum would otherwise clean up in the middle of this run's timings.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
            result = cold_requests() if cold_only else benchmark_pages(requests=requests, warmup=warmup)
            self.stdout.write(json.dumps(result))
            return
        small, large = sorted(sizes)
        self.stderr.write("Collecting static files (the pages use the manifest storage, as in production)…")
        call_command("collectstatic", interactive=False, verbosity=0)
        results = {
            size: self.measure_size(size, requests=requests, warmup=warmup, seed=seed) for size in (small, large)
        }
        report = Report(results[small], results[large], requests=requests)
        self.stdout.write(report.markdown())
        if json_path:
            Path(json_path).write_text(json.dumps({"machine": machine(), **report.data()}, indent=2) + "\n")
        if not report.all_met():
            self.stderr.write(self.style.WARNING("Some targets are missed: see the table."))

    # ------------------------------------------------------------------ per size
    def ensure_portfolio(self, projects: int, seed: int) -> None:
        state = synthetic_portfolio_state()  # the database's name carries the seed
        if state.synthetic.get(str(Project._meta.verbose_name_plural)) == projects and not state.other:
            return
        self.stderr.write(f"Loading a synthetic portfolio of {projects:,} projects (seed {seed})…")
        call_command("load_synthetic_portfolio", projects=projects, seed=seed, replace=True, verbosity=1)

    def measure_size(self, projects: int, *, requests: int, warmup: int, seed: int) -> dict:
        db = settings.DATABASES["default"]
        name = f"{db['NAME']}_bench_{projects}_s{seed}"
        create_database(db, name)
        # The subprocess runs with these settings too (the benchmark app is not in production's).
        env = {**os.environ, "DATABASE_URL": database_url(db, name), "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        self.stderr.write(f"[{projects:,} projects] database {name}: migrating…")
        subprocess.run([*manage, "migrate", "--noinput", "--verbosity", "0"], env=env, check=True)
        here = [*manage, "benchmark_pages", "--here", f"--ensure-projects={projects}", f"--seed={seed}"]

        def run(*arguments: str):
            done = subprocess.run([*here, *arguments], env=env, check=True, stdout=subprocess.PIPE, text=True)
            return json.loads(done.stdout.strip().splitlines()[-1])

        self.stderr.write(f"[{projects:,} projects] cold: the first request of every page in fresh processes…")
        samples = [run("--cold-only") for _ in range(COLD_PROCESSES - 1)]
        self.stderr.write(f"[{projects:,} projects] measuring {requests} requests per page…")
        return merge_cold(run(f"--requests={requests}", f"--warmup={warmup}"), samples)


def database_url(db: dict, name: str) -> str:
    user, password = quote(db["USER"], safe=""), quote(db["PASSWORD"], safe="")
    return f"postgres://{user}:{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{quote(name, safe='')}"


def create_database(db: dict, name: str) -> None:
    """Create the database unless it exists (the project's role has CREATEDB)."""
    conn = psycopg2.connect(
        dbname="postgres", user=db["USER"], password=db["PASSWORD"], host=db["HOST"] or "localhost", port=db["PORT"]
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server_version = cursor.fetchone()[0]
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "postgresql": server_version,
    }


class Report:
    """The two sizes side by side, and the targets."""

    def __init__(self, small: dict, large: dict, *, requests: int):
        self.small, self.large, self.requests = small, large, requests
        self.pairs = [(s, next(r for r in large["rows"] if r["name"] == s["name"])) for s in small["rows"]]

    def row(self, name: str) -> dict:
        return next(r for r in self.large["rows"] if r["name"] == name)

    #: The three ways a page is met: its first request in a fresh process, right after an edit, warm.
    MOMENTS = (("cold", "cold_ms"), ("after a write", "after_write_ms"), ("warm", "median_ms"))

    def targets(self) -> list[tuple[str, bool, str]]:
        same_queries = [s["name"] for s, b in self.pairs if s["queries"] != b["queries"]]
        errors = [f"{r['name']} {r['status']}" for r in self.small["rows"] + self.large["rows"] if r["status"] != 200]
        n, small_n = f"{self.large['projects']:,}", f"{self.small['projects']:,}"
        floor = self.row("floor (baseline)")["median_ms"]
        pages = [(s, b) for s, b in self.pairs if "(baseline)" not in s["name"]]
        targets = [
            ("every page answers 200", not errors, ", ".join(errors) or "all 200"),
            ("query count identical at both sizes", not same_queries, ", ".join(same_queries) or "all identical"),
        ]
        for moment, key in self.MOMENTS:
            slow = [f"{s['name']} ×{b[key] / s[key]:.2f}" for s, b in pages if b[key] > TARGET_GROWTH * s[key]]
            late = [f"{b['name']} {b[key]:,.1f} ms" for _, b in pages if b[key] > TARGET_MS]
            worst = max(pages, key=lambda pair: pair[1][key])[1]
            targets += [
                (
                    f"{moment}: every page at {n} ≤ {TARGET_GROWTH:g}× its time at {small_n}",
                    not slow,
                    ", ".join(slow) or f"all within (at most ×{max(b[key] / s[key] for s, b in pages):.2f})",
                ),
                (
                    f"{moment}: every page at {n} ≤ {TARGET_MS} ms",
                    not late,
                    ", ".join(late) or f"all within (slowest: {worst['name']}, {worst[key]:,.1f} ms)",
                ),
            ]
        heavy = [
            f"{b['name']} ×{b['median_ms'] / floor:.1f}" for _, b in pages if b["median_ms"] > TARGET_FLOOR * floor
        ]
        listing, changelist = self.row("project list"), self.row("admin project changelist (baseline)")
        targets += [
            (
                f"warm: every page at {n} ≤ {TARGET_FLOOR:g}× the floor page ({floor} ms)",
                not heavy,
                ", ".join(heavy) or "all within",
            ),
            (
                f"project list no slower than the admin changelist at {n}",
                listing["median_ms"] <= changelist["median_ms"],
                f"{listing['median_ms']} ms vs {changelist['median_ms']} ms",
            ),
        ]
        return targets

    def all_met(self) -> bool:
        return all(ok for _, ok, _ in self.targets())

    def markdown(self) -> str:
        s, b = f"{self.small['projects']:,}", f"{self.large['projects']:,}"
        lines = [
            f"Server time per request in ms: cold (the first request in a fresh process: the median of "
            f"{self.large.get('cold_processes', 1)} processes), right after a write "
            f"(median of {self.large.get('writes', '?')}, each after an edit) and warm (median of {self.requests}, "
            "with its 95th percentile and SQL / Python split); queries per request.",
            "",
            f"| page | queries {s} / {b} | cold {s} | cold {b} | after a write {s} | after a write {b} "
            f"| warm {s} | warm {b} | p95 {b} | SQL / Python {b} |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for small, large in self.pairs:
            lines.append(
                f"| {small['name']} | {small['queries']} / {large['queries']} | {small['cold_ms']} | "
                f"{large['cold_ms']} | {small.get('after_write_ms', '–')} | {large.get('after_write_ms', '–')} | "
                f"{small['median_ms']} | {large['median_ms']} | {large['p95_ms']} | "
                f"{large['sql_median_ms']} / {large['python_median_ms']} |"
            )
        lines += ["", "| target | met | measured |", "|---|---|---|"]
        lines += [f"| {name} | {'yes' if ok else '**no**'} | {detail} |" for name, ok, detail in self.targets()]
        return "\n".join(lines) + "\n"

    def data(self) -> dict:
        return {
            "requests_per_page": self.requests,
            "sizes": {str(self.small["projects"]): self.small["rows"], str(self.large["projects"]): self.large["rows"]},
            "targets": [{"target": n, "met": ok, "measured": d} for n, ok, d in self.targets()],
        }
