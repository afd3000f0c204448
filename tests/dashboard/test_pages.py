"""One selector per page: what each returns, the queries it runs, and the cache it reads."""

import datetime as dt
import pickle
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string

from dashboard import selectors
from dashboard.cache import cached
from dashboard.selectors import OverrunFlag
from financing.selectors import projects_with_funding

D = dt.date
pytestmark = pytest.mark.django_db

FLAGS = [
    OverrunFlag("cost_usd", usd_percent=Decimal("30.0"), pkr_percent=Decimal("127.5")),
    OverrunFlag("cost_pkr", usd_percent=Decimal("0.0"), pkr_percent=Decimal("75.0")),
    OverrunFlag("cost_pkr", usd_percent=Decimal("-2.5"), pkr_percent=Decimal("12.0")),
    OverrunFlag("completion", original=D(2026, 6, 30), planned=D(2028, 12, 31), months=30),
]


@pytest.mark.parametrize("flag", FLAGS, ids=lambda flag: flag.kind)
def test_the_template_words_an_overrun_flag_as_its_plain_text(flag):
    assert render_to_string("dashboard/_overrun_flag.html", {"flag": flag}) == str(flag)


def test_an_overrun_flag_is_data_and_survives_the_cache():
    flag = FLAGS[0]
    assert (flag.kind, flag.usd_percent, flag.pkr_percent) == ("cost_usd", Decimal("30.0"), Decimal("127.5"))
    again = pickle.loads(pickle.dumps(flag, pickle.HIGHEST_PROTOCOL))
    assert (type(again), again, again.kind, again.pkr_percent) == (OverrunFlag, flag, "cost_usd", Decimal("127.5"))


def test_cached_computes_once_per_key_and_always_without_one():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    cache.delete("cpec:test:cached")
    assert [cached("cpec:test:cached", compute) for _ in range(2)] == [1, 1]
    assert [cached(None, compute) for _ in range(2)] == [2, 3]


def test_unknown_pages_are_none(portfolio, django_assert_num_queries):
    assert selectors.project_page(slug="no-such-project") is None
    assert selectors.lender_page(slug="no-such-lender") is None
    assert selectors.meeting_page(number=99) is None
    with django_assert_num_queries(0):
        assert selectors.meeting_page(number=99_999) is None  # beyond a meeting number


def test_the_dashboard_is_one_selector_of_ten_queries_or_none_when_cached(portfolio, django_assert_num_queries):
    """Ten queries for the whole portfolio (its sums kept by PostgreSQL), twelve for a filtered one
    (summed per request), none from the cache; both give the same figures."""
    cache.delete("cpec:test:dashboard")
    arguments = {"projects": projects_with_funding(), "filtered": False, "today": D(2026, 1, 1)}
    with django_assert_num_queries(10):
        page = selectors.dashboard_page(**arguments, cache_key="cpec:test:dashboard")
    with django_assert_num_queries(0):
        assert selectors.dashboard_page(**arguments, cache_key="cpec:test:dashboard") == page
    with django_assert_num_queries(12):
        filtered = selectors.dashboard_page(**{**arguments, "filtered": True})
    # The same figures, but for the decisions per meeting: a filtered portfolio counts only its own.
    assert (filtered.kpis, filtered.reconcile) == (page.kpis, page.reconcile)
    assert {**filtered.tables, "per_meeting": None} == {**page.tables, "per_meeting": None}
    assert page.latest.number == 14
    assert [(r["number"], r["label"], r["kind"]) for r in page.tables["per_meeting"]][:2] == [
        (11, "11th JCC", "approved"),
        (14, "14th JCC", "financing_agreed"),
    ]
    assert page.tables["timeline"][1] == {
        "label": "Road A – Diamer-Basha section",
        "project": "Road A",
        "project_slug": "road-a",
        "phase": "Diamer-Basha section",
        "status": "approved",
        "status_label": "Approved",
        "start": D(2025, 1, 1),
        "end": D(2027, 12, 31),
    }


def test_the_project_page_gives_the_charts_their_rows(portfolio, django_assert_num_queries):
    with django_assert_num_queries(11):
        page = selectors.project_page(slug="road-a")
    assert page.project.slug == "road-a"
    assert page.history == [
        {
            "as_of": D(2025, 9, 26),
            "amount_usd": Decimal("2000000000.00"),
            "amount_pkr": Decimal("576000000000.00"),
            "basis": page.estimates[0].get_basis_display(),
            "forum": page.estimates[0].get_approving_forum_display() if page.estimates[0].approving_forum else "",
            "source": "K21 News [S1]",
            "stated": "PKR 576,000,000,000",
            "full_scope": True,
        }
    ]
    assert page.donut_rows == [
        {
            "label": "China",
            "kind": "chinese_government",
            "kind_label": "Chinese government or policy bank",
            "key": "china",
            "value_usd": Decimal("1700000000.00"),
        }
    ]
    assert page.donut_parts == {
        "gap_usd": Decimal("300000000.00"),
        "undisclosed_usd": Decimal("0.00"),
        "pipeline_usd": Decimal("0.00"),
    }
    assert [(r["phase"], r["start"], r["end"]) for r in page.timeline] == [
        ("Diamer-Basha section", D(2025, 1, 1), D(2027, 12, 31))
    ]
    assert page.has_phase_dates and page.overrun_flags == []


def test_the_lender_page_counts_its_lines_with_the_cached_totals(portfolio, django_assert_num_queries):
    cache.delete("cpec:test:lender")
    with django_assert_num_queries(6):
        page = selectors.lender_page(slug="china", cache_key="cpec:test:lender")
        assert [line.project.slug for line in page.lines] == ["rail-b", "road-a"]
    with django_assert_num_queries(3):  # the lender, its syndicates and its page of lines
        again = selectors.lender_page(slug="china", cache_key="cpec:test:lender")
        assert [line.project.slug for line in again.lines] == ["rail-b", "road-a"]
    assert again.lines.paginator.count == page.totals["lines"] == 2


def test_the_meeting_pages(portfolio, django_assert_num_queries):
    with django_assert_num_queries(2):
        listing = selectors.meeting_list_page()
    assert [m.number for m in listing.meetings] == [14, 11]
    assert {row["label"] for row in listing.per_meeting} == {"11th JCC", "14th JCC"}
    with django_assert_num_queries(12):
        page = selectors.meeting_page(number=14)
        groups = [(g["project"] and g["project"].slug, len(g["decisions"]), len(g["changes"])) for g in page.grouped]
    assert groups == [("rail-b", 2, 2), ("road-a", 1, 1), (None, 1, 0)]
    assert (page.decision_count, page.previous.number, page.neighbours) == (4, 11, {"previous": 11, "next": None})
