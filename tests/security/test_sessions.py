"""Sessions end: after SESSION_COOKIE_AGE, and with the browser; their cookies are locked down."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from .conftest import production_settings

pytestmark = pytest.mark.django_db

PASSWORD = "session-pass-4471"
NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("sess-user", password=PASSWORD)


def log_in(client, secure=False):
    response = client.post("/accounts/login/", {"username": "sess-user", "password": PASSWORD}, secure=secure)
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def test_sessions_last_eight_hours_by_default(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert production_settings()["SESSION_COOKIE_AGE"] == 8 * 60 * 60
    assert production_settings(SESSION_COOKIE_AGE="1800")["SESSION_COOKIE_AGE"] == 1800


def test_a_session_older_than_its_age_is_sent_to_the_login_page(user, client, settings):
    age = settings.SESSION_COOKIE_AGE
    with time_machine.travel(NOW, tick=False) as traveller:
        log_in(client)
        assert client.get("/").status_code == 200
        traveller.shift(dt.timedelta(seconds=age - 60))
        assert client.get("/projects/").status_code == 200  # still valid a minute before
        traveller.shift(dt.timedelta(seconds=61))
        response = client.get("/projects/?sector=energy")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/projects/%3Fsector%3Denergy"


def test_the_age_counts_from_the_login_not_from_the_last_page(user, client, settings):
    """Browsing does not extend a session: it ends SESSION_COOKIE_AGE after the login."""
    settings.SESSION_COOKIE_AGE = 3600
    with time_machine.travel(NOW, tick=False) as traveller:
        log_in(client)
        for _ in range(5):
            traveller.shift(dt.timedelta(minutes=10))
            assert client.get("/").status_code == 200
        traveller.shift(dt.timedelta(minutes=11))
        assert client.get("/").status_code == 302


def test_the_admin_session_expires_too(client, admin_user, settings):
    with time_machine.travel(NOW, tick=False) as traveller:
        client.force_login(admin_user)
        assert client.get("/admin/").status_code == 200
        traveller.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_logging_out_ends_the_session_on_the_server(user, client):
    log_in(client)
    cookie = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    replay = Client()
    replay.cookies["sessionid"] = cookie  # a copied cookie is worthless after logout
    assert replay.get("/").status_code == 302


def test_production_cookies_are_secure_httponly_samesite_and_die_with_the_browser(production, user):
    client = Client()
    page = client.get("/accounts/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["httponly"] is True
    assert csrf["samesite"] == "Lax"

    response = log_in(client, secure=True)
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    # A browser-session cookie: no lifetime of its own (the server ends it after SESSION_COOKIE_AGE).
    assert session["max-age"] == "" and session["expires"] == ""
    assert client.get("/", secure=True).status_code == 200


def test_a_session_cookie_is_never_sent_over_plain_http_in_production(production, user):
    client = Client()
    response = client.post("/accounts/login/", {"username": "sess-user", "password": PASSWORD})
    assert response.status_code == 301  # redirected to HTTPS before any password is checked
    assert "sessionid" not in response.cookies
