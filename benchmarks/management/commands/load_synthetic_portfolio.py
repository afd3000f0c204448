"""manage.py load_synthetic_portfolio: a seeded synthetic portfolio of a chosen size, for benchmarks."""

import sys
import time
from functools import partial

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from benchmarks.synthetic import (
    SyntheticDataError,
    SyntheticSize,
    synthetic_portfolio_analyze,
    synthetic_portfolio_load,
)


class Command(BaseCommand):
    help = (
        "Load a reproducible synthetic CPEC portfolio for benchmarks: --projects N scales every table "
        "(N=10000: 30,000 phases, 40,000 estimates, 60,000 financing lines with 120,000 changes, 40 JCC "
        "meetings, 20,000 decisions, 60 lenders). Refuses a database holding other data; --replace "
        "deletes an earlier synthetic portfolio first. Users are never touched. See docs/benchmarks.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, required=True, help="How many projects (10000 = the large size).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same data.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the synthetic portfolio already in the database first (only synthetic rows).",
        )
        parser.add_argument(
            "--with-history",
            action="store_true",
            help="Also write a simple-history creation record for every row (projects always get one); "
            "about 60%% more insert time.",
        )

    def handle(self, *args, projects, seed, replace, with_history, verbosity, **options):
        if projects < 1:
            raise CommandError("--projects must be at least 1.")
        size = SyntheticSize.for_projects(projects)
        if verbosity:
            self.stdout.write(
                f"Synthetic portfolio, seed {seed}: {size.projects:,} projects, {size.phases:,} phases, "
                f"{size.estimates:,} cost estimates, {size.lines:,} financing lines with {size.changes:,} changes, "
                f"{size.meetings} JCC meetings, {size.decisions:,} decisions, {size.lenders} lenders."
            )
        # The bars go to the raw stream: the command's stderr wrapper would add newlines and colour.
        stream = getattr(self.stderr, "_out", sys.stderr)
        progress = partial(tqdm, file=stream, unit=" rows", disable=verbosity == 0, dynamic_ncols=True)
        started = time.perf_counter()
        try:
            result = synthetic_portfolio_load(
                projects=projects, seed=seed, replace=replace, history=with_history, progress=progress
            )
        except SyntheticDataError as exc:
            raise CommandError(f"Nothing was written: {exc}") from exc
        analyze_started = time.perf_counter()
        synthetic_portfolio_analyze()
        result.seconds["analyze"] = time.perf_counter() - analyze_started
        total = time.perf_counter() - started
        if not verbosity:
            return
        if result.deleted:
            gone = ", ".join(f"{count:,} {name}" for name, count in result.deleted.items() if count)
            self.stdout.write(f"Deleted the earlier synthetic portfolio: {gone}.")
        for name, count in result.counts.items():
            self.stdout.write(f"  {name}: {count:,}")
        steps = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.seconds.items())
        self.stdout.write(self.style.SUCCESS(f"Synthetic portfolio loaded in {total:.1f} s ({steps})."))
