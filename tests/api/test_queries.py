"""Every endpoint runs the same number of queries whatever the portfolio's size, as the pages do.

Measured like the pages (tests/dashboard/test_views.py): at two sizes, each first right after a
write (cold: the figures' cache misses) and then again (warm), with the added rows on the
answer itself — more projects, lenders, lines, estimates, phases, decisions and rates.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.dashboard.test_views import grow_into_view
from tests.factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db

URLS = [
    "/api/v1/projects/",
    "/api/v1/projects/?sort=-gap&region=gb",
    "/api/v1/projects/?as_of_jcc=14&lender=china&financing_status=agreed",
    "/api/v1/projects/?as_of=2025-01-01&page=2&page_size=2",
    "/api/v1/projects/rail-b/",
    "/api/v1/projects/rail-b/?as_of_jcc=14",
    "/api/v1/projects/rail-b/?as_of=2024-12-31",
    "/api/v1/lenders/",
    "/api/v1/lenders/?as_of_jcc=14&page_size=100",
    "/api/v1/lenders/china/",
    "/api/v1/lenders/china/?as_of=2025-01-01",
    "/api/v1/meetings/",
    "/api/v1/meetings/?as_of_jcc=11",
    "/api/v1/meetings/14/",
    "/api/v1/meetings/14/?as_of_jcc=11&page_size=100",
    "/api/v1/exchange-rates/",
    "/api/v1/exchange-rates/?as_of=2025-06-30&currency=PKR",
]


def grow(n: int) -> None:
    """``grow_into_view(n)``, and ``n`` reference rates of each currency."""
    grow_into_view(n)
    start = dt.date(2020, 1, 1) + dt.timedelta(days=30 * ExchangeRateFactory._meta.model.objects.count())
    for i in range(n):
        for currency in ("PKR", "CNY"):
            ExchangeRateFactory(currency=currency, date=start + dt.timedelta(days=i), per_usd=Decimal("200") + i)


def counts(client) -> dict[str, list[int]]:
    """Queries per URL, cold then warm."""
    result = {}
    for url in URLS:
        result[url] = []
        for _ in ("cold", "warm"):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code == 200, (url, response.content[:500])
            result[url].append(len(captured))
    return result


def test_every_endpoint_runs_a_constant_number_of_queries_cold_and_warm(api, portfolio):
    grow(2)
    small = counts(api)
    grow(45)
    big = counts(api)
    assert big == small
    # The answers did grow: a full page of projects, the meeting's decisions paged.
    assert api.get("/api/v1/projects/").json()["count"] == 4 + 47
    assert len(api.get("/api/v1/projects/?page_size=100").json()["results"]) == 51
    assert api.get("/api/v1/meetings/14/").json()["decisions"]["count"] == 4 + 2 * 47


def test_the_session_costs_what_the_token_does(api, viewer_client, portfolio, django_assert_num_queries):
    """A token is one indexed lookup (with its user); a session, the session and the user."""
    api.get("/api/v1/lenders/")
    viewer_client.get("/api/v1/lenders/")
    with CaptureQueriesContext(connection) as by_token:
        api.get("/api/v1/lenders/")
    with CaptureQueriesContext(connection) as by_session:
        viewer_client.get("/api/v1/lenders/")
    assert len(by_session) - len(by_token) == 1
