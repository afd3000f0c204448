"""Serve the real pages in-process and time them: server time, SQL time, query count.

Each request goes through Django's full handler (every middleware, the session and the
login check, template rendering, the manifest static storage) with the test client, as a
logged-in viewer, against the PostgreSQL database in DATABASE_URL. Nothing is mocked.

SQL time is the wall time spent inside the database cursor's ``execute`` (measured with a
``connection.execute_wrapper``); Python time is the rest of the request's time. Each page's
first request in the measuring process is reported apart as its cold time: figures cached
under the data version (dashboard/cache.py) are computed then, and served after.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Max
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from financing.models import Lender
from projects.models import CostEstimate, JCCMeeting, Project, Source

BENCHMARK_USERS = {"viewer": "bench-viewer", "admin": "bench-admin"}


@dataclass
class PageTiming:
    name: str
    url: str
    status: int
    queries: int
    requests: int
    median_ms: float
    p95_ms: float
    sql_median_ms: float
    python_median_ms: float
    cold_ms: float
    bytes: int
    after_write_ms: float = 0.0
    after_write_max_ms: float = 0.0
    samples_ms: list[float] = field(repr=False, default_factory=list)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("samples_ms")
        return data


class QueryTimer:
    """Counts the queries of a request and the time spent executing them."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of the values."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[rank]


def benchmark_users():
    """A viewer (pages only) and a superuser for the admin changelist baseline, made if missing."""
    from cpec_site.roles import VIEWER, roles_assign, roles_setup

    User = get_user_model()
    roles_setup()
    viewer, _ = User.objects.get_or_create(username=BENCHMARK_USERS["viewer"])
    roles_assign(viewer, VIEWER)
    admin, created = User.objects.get_or_create(
        username=BENCHMARK_USERS["admin"], defaults={"is_staff": True, "is_superuser": True}
    )
    if not created and not (admin.is_staff and admin.is_superuser):
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    return viewer, admin


def page_urls() -> list[tuple[str, str, str]]:
    """(name, url, who) for each page measured; the examples are the heaviest of their kind."""
    project = busiest_project()
    lender = Lender.objects.annotate(n=Count("financing_lines")).order_by("-n", "pk").values("slug").first()
    held = JCCMeeting.objects.filter(status="held")
    latest = held.aggregate(n=Max("number"))["n"]
    numbers = sorted(held.values_list("number", flat=True))
    middle = numbers[len(numbers) // 2] if numbers else None
    sector = Project.objects.values("sector").annotate(n=Count("pk")).order_by("-n").values_list("sector", flat=True)
    pages = [
        ("floor (baseline)", reverse("benchmark-floor"), "viewer"),
        ("dashboard", reverse("dashboard:home"), "viewer"),
        ("project list", reverse("dashboard:projects"), "viewer"),
        (
            "project list, filtered",
            reverse("dashboard:projects") + f"?sector={sector.first() or 'energy'}&has_gap=true&sort=-cost",
            "viewer",
        ),
    ]
    if project:
        pages.append(("project detail", reverse("dashboard:project", args=[project.slug]), "viewer"))
    if lender:
        pages.append(("lender detail", reverse("dashboard:lender", args=[lender["slug"]]), "viewer"))
    if latest:
        pages.append(("JCC meeting (what changed)", reverse("dashboard:meeting", args=[latest]), "viewer"))
    if middle:
        pages.append(("dashboard as of a JCC", reverse("dashboard:home") + f"?as_of_jcc={middle}", "viewer"))
    pages.append(("PSDP", reverse("dashboard:psdp"), "viewer"))
    # Every committed loan of the portfolio, each one's schedule or what it lacks.
    pages.append(("debt service", reverse("dashboard:debt") + "?profile=equal_principal&benchmark_percent=4", "viewer"))
    # The located projects' places and every province's shared cost.
    pages.append(("map", reverse("dashboard:map") + "?shade=cost", "viewer"))
    pages.append(("admin project changelist (baseline)", reverse("admin:projects_project_changelist"), "admin"))
    return pages


def measure(client: Client, name: str, url: str, *, requests: int, warmup: int) -> PageTiming:
    samples, sql, queries = [], [], set()
    status, size, cold = 0, 0, 0.0
    for i in range(warmup + requests):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = _get(client, url)
            elapsed = time.perf_counter() - started
        status, size = response.status_code, len(response.content)
        if i == 0:
            cold = elapsed * 1000  # the first request of a fresh process: nothing cached yet
        if i >= warmup:
            samples.append(elapsed * 1000)
            sql.append(timer.seconds * 1000)
            queries.add(timer.count)
    median = statistics.median(samples)
    sql_median = statistics.median(sql)
    return PageTiming(
        name=name,
        url=url,
        status=status,
        queries=max(queries),
        requests=requests,
        median_ms=round(median, 1),
        p95_ms=round(percentile(samples, 95), 1),
        sql_median_ms=round(sql_median, 1),
        python_median_ms=round(median - sql_median, 1),
        cold_ms=round(cold, 1),
        bytes=size,
        samples_ms=samples,
    )


#: The note of the estimates ``write_once`` adds (and ``benchmark_pages`` deletes afterwards).
WRITE_NOTE = "benchmark write (deleted after the run)"


def write_once(project: Project, step: int) -> None:
    """An edit as an editor makes one: a new cost estimate of ``project``, dated today, committed.

    It changes the project's current cost (so the read model refreshes its figures) and the
    data version (so every cached figure is computed afresh on the next request).
    """
    source = Source.objects.order_by("pk").first()
    estimate = CostEstimate(
        project=project,
        amount=Decimal(100_000_000 + step),
        currency="USD",
        as_of=timezone.localdate(),
        basis="press_report",
        source=source,
        entered_pkr_per_usd=Decimal("280"),
        note=WRITE_NOTE,
    )
    estimate.normalize()
    estimate.save()


def measure_after_writes(client: Client, timing: PageTiming, project: Project, *, writes: int) -> None:
    """Time the page right after each of ``writes`` edits: median and maximum into ``timing``, and
    its status when an answer was not a 200 (so the report's "every page answers 200" sees it)."""
    samples = []
    for step in range(writes):
        write_once(project, step)
        started = time.perf_counter()
        response = _get(client, timing.url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            timing.status = response.status_code
    timing.after_write_ms, timing.after_write_max_ms = round(statistics.median(samples), 1), round(max(samples), 1)


def _get(client: Client, url: str):
    """GET as a browser reaches the production site: over HTTPS when it redirects there, on an allowed host."""
    secure = settings.SECURE_SSL_REDIRECT
    host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost"
    return client.get(url, secure=secure, HTTP_HOST=host)


def logged_in_clients() -> dict[str, Client]:
    """A test client per role the pages are measured as: the viewer, and the admin (the changelist)."""
    viewer, admin = benchmark_users()
    clients = {"viewer": Client(), "admin": Client()}
    clients["viewer"].force_login(viewer)
    clients["admin"].force_login(admin)
    return clients


def cold_requests() -> dict[str, float]:
    """The first request of every page in this process, timed (ms by page name): a cold sample
    (``benchmark_pages`` takes one more, and the command the median of the samples: ``merge_cold``)."""
    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        clients = logged_in_clients()
        cold = {}
        for name, url, who in page_urls():
            started = time.perf_counter()
            _get(clients[who], url)
            cold[name] = round((time.perf_counter() - started) * 1000, 1)
    return cold


def merge_cold(result: dict, samples: list[dict[str, float]]) -> dict:
    """``result`` (of ``benchmark_pages``) with each page's cold time the median of its own cold
    request and the other fresh processes' (``samples``, of ``cold_requests``); all kept in
    ``cold_samples_ms``. One cold request varies by tens of ms from run to run."""
    for row in result["rows"]:
        row["cold_samples_ms"] = [sample[row["name"]] for sample in samples] + [row["cold_ms"]]
        row["cold_ms"] = round(statistics.median(row["cold_samples_ms"]), 1)
    result["cold_processes"] = len(samples) + 1
    return result


def benchmark_pages(*, requests: int = 20, warmup: int = 3, writes: int = 5) -> dict:
    """Time every page on the current database; returns the size and one row per page.

    Each page: its first request in this process (cold), then ``requests`` timed ones after
    ``warmup`` (warm), then ``writes`` requests each right after an edit (``write_once``):
    the figures are computed afresh then, from the read model the edit just refreshed.
    """
    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        clients = logged_in_clients()
        pages = page_urls()
        timings = [measure(clients[who], name, url, requests=requests, warmup=warmup) for name, url, who in pages]
        edited = busiest_project()
        try:
            for timing, (_, _, who) in zip(timings, pages, strict=True):
                measure_after_writes(clients[who], timing, edited, writes=writes)
        finally:
            CostEstimate.objects.filter(note=WRITE_NOTE).delete()
    return {"projects": Project.objects.count(), "writes": writes, "rows": [t.as_dict() for t in timings]}


def busiest_project() -> Project:
    """The project with the most financing changes: the one the project page shows."""
    return Project.objects.annotate(n=Count("financing_lines__changes")).order_by("-n", "pk").first()
