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

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Max
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from financing.models import Lender
from projects.models import JCCMeeting, Project

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
    project = Project.objects.annotate(n=Count("financing_lines__changes")).order_by("-n", "pk").values("slug").first()
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
        pages.append(("project detail", reverse("dashboard:project", args=[project["slug"]]), "viewer"))
    if lender:
        pages.append(("lender detail", reverse("dashboard:lender", args=[lender["slug"]]), "viewer"))
    if latest:
        pages.append(("JCC meeting (what changed)", reverse("dashboard:meeting", args=[latest]), "viewer"))
    if middle:
        pages.append(("dashboard as of a JCC", reverse("dashboard:home") + f"?as_of_jcc={middle}", "viewer"))
    pages.append(("admin project changelist (baseline)", reverse("admin:projects_project_changelist"), "admin"))
    return pages


def measure(client: Client, name: str, url: str, *, requests: int, warmup: int) -> PageTiming:
    secure = settings.SECURE_SSL_REDIRECT
    host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "localhost"
    samples, sql, queries = [], [], set()
    status, size, cold = 0, 0, 0.0
    for i in range(warmup + requests):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = client.get(url, secure=secure, HTTP_HOST=host)
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


def benchmark_pages(*, requests: int = 20, warmup: int = 3) -> dict:
    """Time every page on the current database; returns the size and one row per page."""
    with override_settings(ROOT_URLCONF="benchmarks.urls"):
        viewer, admin = benchmark_users()
        clients = {"viewer": Client(), "admin": Client()}
        clients["viewer"].force_login(viewer)
        clients["admin"].force_login(admin)
        rows = [
            measure(clients[who], name, url, requests=requests, warmup=warmup).as_dict()
            for name, url, who in page_urls()
        ]
    return {"projects": Project.objects.count(), "rows": rows}
