"""Dashboard figures are cached under the data's version, which PostgreSQL moves on every write.

The point of the version: a cached figure must never outlive an edit, whoever made it (the
admin, an import, a loader, plain SQL), and a rolled-back write must not leave a version that
other data could later reuse.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import reverse

from cpec_site.roles import DOMAIN_APPS
from dashboard.models import DataVersion
from dashboard.selectors import data_version
from projects.models import CostEstimate, Project
from tests.factories import CostEstimateFactory, LenderFactory

pytestmark = pytest.mark.django_db

HOME = reverse("dashboard:home")


def version() -> int:
    return data_version()[0]


def test_every_write_moves_the_version_even_by_plain_sql(portfolio):
    start = version()
    portfolio["solar"].save()
    after_orm = version()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE projects_project SET description = 'edited by hand' WHERE slug = 'solar-c'")
    after_sql = version()
    CostEstimate.objects.filter(project=portfolio["rail"]).first().delete()
    assert start < after_orm < after_sql < version()


def test_a_rolled_back_write_leaves_no_version_behind(portfolio):
    start = version()
    with pytest.raises(RuntimeError), transaction.atomic():
        portfolio["solar"].save()
        seen_inside = version()
        raise RuntimeError("rolled back")
    assert version() == start
    portfolio["zone"].save()
    assert version() > seen_inside  # a sequence: the rolled-back number is never given again


def test_every_domain_table_has_the_trigger():
    """A model added later without the trigger would let its edits serve stale figures."""
    tables = {
        model._meta.db_table
        for label in DOMAIN_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if not model.__name__.startswith("Historical") and not getattr(model, "computed_cache", False)
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'dashboard_data_changed'"
        )
        triggered = {row[0] for row in cursor.fetchall()}
    assert tables - triggered == set()


def test_the_dashboard_is_served_from_the_cache_until_the_data_changes(viewer_client, portfolio):
    with CaptureCount() as first:
        before = viewer_client.get(HOME)
    with CaptureCount() as second:
        again = viewer_client.get(HOME)
    # The whole page from the cache (dashboard.pagecache): only the user's bits rendered, the same
    # HTML but for the CSRF token, and only the session, the user and the data version read.
    assert [t.name for t in again.templates] == USER_BITS
    assert without_csrf(again) == without_csrf(before)
    assert second.count == 3 < first.count

    # An edit, and the very next request shows it.
    CostEstimateFactory(
        project=portfolio["solar"], amount=Decimal("500000000"), currency="USD", as_of=dt.date(2025, 10, 1)
    )
    after = viewer_client.get(HOME)
    assert after.context["kpis"]["cost_usd"] == before.context["kpis"]["cost_usd"] + Decimal("500000000.00")


def test_a_filtered_or_as_of_dashboard_has_its_own_entry(viewer_client, portfolio):
    first = viewer_client.get(HOME)
    whole = first.context["kpis"]
    transport = viewer_client.get(HOME, {"sector": "transport"}).context["kpis"]
    assert transport["projects"] < whole["projects"] == Project.objects.count()
    assert without_csrf(viewer_client.get(HOME)) == without_csrf(first)


USER_BITS = [
    "includes/_staff_link.html",
    "includes/_logout_form.html",
    "includes/_preferences_form.html",
    "includes/_language_form.html",
]


def without_csrf(response) -> str:
    """The page's HTML without its CSRF token (a new one, masked afresh, on every response)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def test_an_emptied_database_is_not_cached(viewer_client, portfolio):
    DataVersion.objects.all().delete()
    assert data_version() == (None, None)
    assert viewer_client.get(HOME).status_code == 200


class CaptureCount:
    def __enter__(self):
        from django.test.utils import CaptureQueriesContext

        self.capture = CaptureQueriesContext(connection)
        self.capture.__enter__()
        return self

    def __exit__(self, *exc):
        self.capture.__exit__(*exc)
        self.count = len(self.capture.captured_queries)
        return False


def test_the_filter_form_is_cached_with_the_figures_and_redrawn_after_an_edit(
    viewer_client, portfolio, django_assert_max_num_queries
):
    """The portfolio filter form (every lender a checkbox) is rendered once per data version."""

    def filter_form(response) -> str:
        return re.search(r'<form class="filter-form".*?</form>', response.content.decode(), re.S).group(0)

    url = reverse("dashboard:projects") + "?sector=energy"
    first = filter_form(viewer_client.get(url))
    with django_assert_max_num_queries(100) as cached:
        again = filter_form(viewer_client.get(url))
    assert again == first
    LenderFactory(name="Bank Of New Lending", short_name="BNL", slug="bnl")
    with django_assert_max_num_queries(100) as fresh:
        after = filter_form(viewer_client.get(url))
    assert "Bank Of New Lending" not in first and "Bank Of New Lending" in after
    # Cached, the form's choices (lenders, regions…) are not read again.
    assert len(cached.captured_queries) < len(fresh.captured_queries)
