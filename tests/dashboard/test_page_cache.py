"""Whole pages from the cache (dashboard.pagecache): the same page for everyone, the user's bits their own.

A page is stored once per path, query string, day and data version, rendered for whoever asked
first; these tests check that nothing on a staff page but the staff link and the log-out form
depends on who asks, that those are filled in for each request, and that an edit is seen at once.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from projects.models import Project
from tests.factories import CostEstimateFactory

PAGES = [
    "/",
    "/?sector=transport",
    "/?as_of_jcc=14",
    "/projects/",
    "/projects/?sort=-gap",
    "/projects/rail-b/",
    "/projects/rail-b/?as_of_jcc=11",
    "/lenders/",
    "/lenders/china/",
    "/jcc/",
    "/jcc/14/",
    "/compare/?from-as_of_jcc=11&to-as_of_jcc=14",
]
USER_BITS = [
    "includes/_staff_link.html",
    "includes/_logout_form.html",
    "includes/_preferences_form.html",
    "includes/_language_form.html",
]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def users(db):
    User = get_user_model()
    return {
        "viewer": User.objects.create_user("viewer-amna", password="viewer-pass-123"),
        "editor": User.objects.create_user("editor-bilal", password="editor-pass-123", is_staff=True),
    }


def without_user_bits(html: str) -> str:
    html = re.sub(r'<form class="logout".*?</form>', "", html, flags=re.S)
    html = re.sub(r'<div class="preferences">.*?</div>', "", html, flags=re.S)  # a CSRF token in each form
    return html.replace('<a href="/admin/">Data entry</a>', "")


@pytest.mark.parametrize("url", PAGES)
def test_a_page_is_the_same_for_everyone_but_the_users_own_bits(portfolio, users, url):
    """Rendered afresh for a viewer and for an editor, a page differs only in the staff link and the
    log-out form: so one stored copy may serve both."""
    pages = {}
    for role, user in users.items():
        cache.clear()
        response = logged_in(user).get(url)
        assert response.status_code == 200
        assert "includes/_logout_form.html" in [t.name for t in response.templates]  # rendered, not cached
        pages[role] = response.content.decode()
    assert "editor-bilal" in pages["editor"] and "Data entry" in pages["editor"]
    assert "editor-bilal" not in pages["viewer"] and "Data entry" not in pages["viewer"]
    assert without_user_bits(pages["viewer"]) == without_user_bits(pages["editor"])


def test_the_stored_page_carries_the_askers_own_name_link_and_token(portfolio, users):
    cache.clear()
    viewer, editor = logged_in(users["viewer"]), Client(enforce_csrf_checks=True)
    editor.force_login(users["editor"])
    first = viewer.get("/")
    assert "viewer-amna" in first.content.decode()

    served = editor.get("/")
    assert [t.name for t in served.templates] == USER_BITS  # from the cache: only the user's bits rendered
    html = served.content.decode()
    assert "editor-bilal" in html and "viewer-amna" not in html
    assert '<a href="/admin/">Data entry</a>' in html
    # The log-out form's token is the editor's own: logging out with it works.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert editor.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert editor.get("/").status_code == 302  # logged out: back to the login page


def test_an_edit_is_on_the_very_next_page(portfolio, users):
    cache.clear()
    client = logged_in(users["viewer"])
    before = client.get("/projects/rail-b/")
    assert [t.name for t in client.get("/projects/rail-b/").templates] == USER_BITS  # stored
    CostEstimateFactory(
        project=Project.objects.get(slug="rail-b"), amount=Decimal("123456789"), currency="USD", as_of="2026-01-01"
    )
    after = client.get("/projects/rail-b/")
    assert "dashboard/project_detail.html" in [t.name for t in after.templates]  # rendered afresh
    assert after.context["project"].current_cost_usd == Decimal("123456789.00")
    assert before.context["project"].current_cost_usd != after.context["project"].current_cost_usd


def test_an_invalid_filter_is_stored_with_its_status(portfolio, users):
    cache.clear()
    client = logged_in(users["viewer"])
    first = client.get("/projects/", {"sector": "nowhere"})
    again = client.get("/projects/", {"sector": "nowhere"})
    assert first.status_code == again.status_code == 400
    assert [t.name for t in again.templates] == USER_BITS
    assert "Select a valid choice" in again.content.decode()


def test_with_caching_off_every_page_is_rendered(portfolio, users, settings):
    settings.CPEC_CACHE_FIGURES = False
    cache.clear()
    client = logged_in(users["viewer"])
    for _ in range(2):
        response = client.get("/")
        assert "includes/_logout_form.html" in [t.name for t in response.templates]
        assert "dashboard/dashboard.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("url", ["/projects/no-such-project/", "/lenders/no-such-lender/", "/jcc/999/"])
def test_a_page_not_found_inside_a_cached_view_still_shows_the_users_own_bits(portfolio, users, url):
    """The 404 page is rendered by Django's handler, outside the page cache: it must not be left
    with the markers the cache fills in."""
    response = logged_in(users["editor"]).get(url)
    html = response.content.decode()
    assert response.status_code == 404
    assert "<!--cpec:" not in html
    assert "editor-bilal" in html and '<a href="/admin/">Data entry</a>' in html
