"""What a production server sends: security headers, HTTPS redirect, CSP, the admin's URL."""

from __future__ import annotations

import base64
import hashlib
import importlib

import pytest
from django.test import Client
from django.urls import clear_url_caches, reverse

from .conftest import production_settings

pytestmark = pytest.mark.django_db

#: The whole policy, directive by directive: nothing more may be allowed.
STRICT_CSP = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    # plotly.js sets style="font-weight:bold" on <b> in hover labels: that one value only.
    "style-src-attr": {
        "'unsafe-hashes'",
        "'sha256-" + base64.b64encode(hashlib.sha256(b"font-weight:bold").digest()).decode() + "'",
    },
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}


def parse_csp(header: str) -> dict[str, set[str]]:
    policy = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        assert name not in policy, f"{name} given twice"
        policy[name] = set(sources)
    return policy


def test_style_hash_is_that_of_font_weight_bold():
    assert STRICT_CSP["style-src-attr"] == {"'unsafe-hashes'", "'sha256-wkY2X5hecQzbhnFCqvTpwrUJ1f4X8LH5WFjYUzv1wmU='"}


@pytest.mark.parametrize("logged_in", [False, True])
def test_production_responses_carry_every_security_header(production, django_user_model, logged_in):
    client = Client()
    if logged_in:
        client.force_login(django_user_model.objects.create_user("head-viewer", password="x-pass-123456"))
    url = reverse("dashboard:home") if logged_in else reverse("login")
    response = client.get(url, secure=True)

    assert response.status_code == 200
    assert parse_csp(response["Content-Security-Policy"]) == STRICT_CSP
    assert "Content-Security-Policy-Report-Only" not in response
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "url",
    ["/healthz", "/colours.css", "/static/js/charts.js", "/no-such-page/", "/projects/export.csv?cost_min=abc"],
)
def test_every_kind_of_response_has_the_csp(production, viewer_client, url):
    """Errors, static files and the health check too: the header is set by middleware.

    (Static files are answered by whitenoise, before the clickjacking middleware; a script
    or stylesheet is not framed anyway.)
    """
    response = viewer_client.get(url, secure=True)
    assert response.status_code in (200, 400, 404)
    assert parse_csp(response["Content-Security-Policy"]) == STRICT_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    if not url.startswith("/static/"):
        assert response["X-Frame-Options"] == "DENY"


def test_csp_holds_in_the_test_settings_too(viewer_client):
    """The browser tests run under the very same policy, so they prove nothing needs more."""
    assert parse_csp(viewer_client.get("/")["Content-Security-Policy"]) == STRICT_CSP


def test_csp_report_uri_is_added_when_configured():
    directives = production_settings(CSP_REPORT_URI="https://reports.example.org/csp")["CONTENT_SECURITY_POLICY"]
    assert directives["DIRECTIVES"]["report-uri"] == "https://reports.example.org/csp"
    assert "report-uri" not in production_settings()["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/projects/?sector=energy", "/admin/"])
def test_plain_http_is_redirected_to_https(production, client, url):
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{url}"


def test_the_health_check_answers_load_balancers_over_plain_http(production, client):
    response = client.get("/healthz")
    assert response.status_code == 200


def test_behind_a_tls_proxy_the_forwarded_scheme_counts(settings):
    values = production_settings(BEHIND_TLS_PROXY="true")
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = values["SECURE_PROXY_SSL_HEADER"]
    client = Client()
    assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="http").status_code == 301
    # Without BEHIND_TLS_PROXY the header is not trusted: a client could forge it.
    assert production_settings()["SECURE_PROXY_SSL_HEADER"] is None


def test_production_defaults_are_secure():
    values = production_settings()
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_HTTPONLY"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["ADMIN_URL"] == "admin/"
    assert "csp.middleware.CSPMiddleware" in values["MIDDLEWARE"]
    assert values["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"


def test_a_local_http_demo_turns_https_off():
    values = production_settings(HTTPS="false")
    assert not values["SECURE_SSL_REDIRECT"] and not values["SESSION_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] == 0


# ----------------------------------------------------------------- admin URL


@pytest.fixture
def admin_at(settings):
    """Serve the admin under another prefix (cpec_tracker/urls.py reads ADMIN_URL at import)."""
    import cpec_tracker.urls

    original = settings.ADMIN_URL

    def move(prefix):
        settings.ADMIN_URL = prefix
        importlib.reload(cpec_tracker.urls)
        clear_url_caches()

    yield move
    move(original)


def test_admin_url_comes_from_the_environment():
    assert production_settings(ADMIN_URL="/office-data-7f3/")["ADMIN_URL"] == "office-data-7f3/"
    assert production_settings(ADMIN_URL="nested/entry")["ADMIN_URL"] == "nested/entry/"


def test_admin_moves_to_the_configured_url(admin_at, admin_user, client):
    admin_at("office-data-7f3/")
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404
    response = client.get("/office-data-7f3/")
    assert response.status_code == 302
    assert response["Location"].startswith("/office-data-7f3/login/")

    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 404
    assert client.get("/office-data-7f3/").status_code == 200
    assert client.get("/office-data-7f3/projects/project/").status_code == 200
    # The site's "Data entry" link follows.
    assert 'href="/office-data-7f3/"' in client.get("/").content.decode()
