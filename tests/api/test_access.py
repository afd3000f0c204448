"""Who may read the API and how: viewers and above by session or token, nobody anonymously, nobody writes;
tokens issued and revoked by administrators only; requests throttled."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token, TokenProxy
from rest_framework.test import APIClient

from cpec_site.roles import ADMIN, EDITOR, VIEWER, roles_assign
from tests.security.conftest import production_settings
from tests.security.test_headers import STRICT_CSP, parse_csp

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/projects/",
    "/api/v1/projects/road-a/",
    "/api/v1/lenders/",
    "/api/v1/lenders/china/",
    "/api/v1/meetings/",
    "/api/v1/meetings/14/",
    "/api/v1/exchange-rates/",
    "/api/v1/schema/",
]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_requests_get_a_401_in_json_never_the_login_page(anonymous, portfolio, url):
    response = anonymous.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response["Content-Type"].split(";")[0] in ("application/json", "application/vnd.oai.openapi+json")
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_viewer_reads_every_endpoint_by_token_and_by_session(api, viewer_client, portfolio, url):
    assert api.get(url).status_code == 200
    assert viewer_client.get(url).status_code == 200


@pytest.mark.parametrize("role", [VIEWER, EDITOR, ADMIN])
def test_every_role_reads_the_api(db, portfolio, role):
    call_command("setup_roles", verbosity=0)
    user = get_user_model().objects.create_user(f"{role.lower()}-api", password="x-pass-12345")
    roles_assign(user, role)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert client.get("/api/v1/projects/").status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Token 0123456789abcdef0123456789abcdef01234567", "Token", "Token a b", "Bearer x", "Token \x00"],
    ids=["unknown", "empty", "two-words", "other-scheme", "nul"],
)
def test_a_wrong_token_is_a_401(anonymous, portfolio, header):
    anonymous.credentials(HTTP_AUTHORIZATION=header)
    response = anonymous.get("/api/v1/projects/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_an_inactive_users_token_is_refused(api, viewer, portfolio):
    viewer.is_active = False
    viewer.save()
    response = api.get("/api/v1/projects/")
    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}


@pytest.mark.parametrize("url", ENDPOINTS[:-1])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_nobody_writes(api, anonymous, portfolio, url, method):
    response = getattr(api, method)(url, {"name": "x"}, format="json")
    assert response.status_code == 405
    assert response.json()["detail"].startswith("Method")
    assert "POST" not in response["Allow"] and "GET" in response["Allow"]
    assert getattr(anonymous, method)(url, {"name": "x"}, format="json").status_code == 401


def test_a_session_write_without_the_csrf_token_is_refused(viewer, portfolio):
    """A browser's session cannot be used to write from another site: CSRF is enforced before the 405."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(viewer)
    response = client.post("/api/v1/projects/", {}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# ------------------------------------------------------------------ throttling


def test_requests_beyond_the_users_rate_get_a_429_with_retry_after(api, portfolio, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/minute", "anon": "2/minute"},
    }
    assert [api.get("/api/v1/lenders/").status_code for _ in range(3)] == [200, 200, 200]
    response = api.get("/api/v1/lenders/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["detail"].startswith("Request was throttled.")


def test_anonymous_requests_are_throttled_by_address(anonymous, portfolio, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/minute", "anon": "2/minute"},
    }
    assert [anonymous.get("/api/v1/projects/").status_code for _ in range(3)] == [401, 401, 429]
    other = APIClient(REMOTE_ADDR="10.0.0.9")
    assert other.get("/api/v1/projects/").status_code == 401
    # A forged X-Forwarded-For is no other address (no proxy is trusted by default).
    assert anonymous.get("/api/v1/projects/", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_the_rates_come_from_the_environment():
    rates = production_settings()["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]
    assert rates == {"user": "120/minute", "anon": "20/minute"}
    rates = production_settings(API_THROTTLE_USER="5/second", API_THROTTLE_ANON="1/hour")["REST_FRAMEWORK"]
    assert rates["DEFAULT_THROTTLE_RATES"] == {"user": "5/second", "anon": "1/hour"}


# ------------------------------------------------------------------ tokens in the admin


@pytest.fixture
def as_role(client):
    call_command("setup_roles", verbosity=0)

    def login(role):
        user = get_user_model().objects.create_user(f"{role.lower()}-user", password="x-pass-12345")
        roles_assign(user, role)
        client.force_login(user)
        return client

    return login


def test_an_administrator_issues_and_revokes_a_token(as_role, viewer, portfolio):
    client = as_role(ADMIN)
    assert client.get(reverse("admin:index")).content.decode().count(reverse("admin:authtoken_tokenproxy_changelist"))
    assert client.get(reverse("admin:authtoken_tokenproxy_add")).status_code == 200
    response = client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": viewer.pk})
    assert response.status_code == 302
    key = Token.objects.get(user=viewer).key
    listing = client.get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert listing.status_code == 200 and "viewer-test" in listing.content.decode()

    reader = APIClient()
    reader.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert reader.get("/api/v1/projects/").status_code == 200

    delete = reverse("admin:authtoken_tokenproxy_delete", args=[viewer.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Token.objects.filter(user=viewer).exists()
    assert reader.get("/api/v1/projects/").status_code == 401


def test_the_token_list_runs_a_constant_number_of_queries(as_role, django_assert_max_num_queries):
    client = as_role(ADMIN)
    users = get_user_model().objects
    for i in range(2):
        Token.objects.create(user=users.create_user(f"reader-{i}", password="x-pass-12345"))
    with django_assert_max_num_queries(100) as small:
        client.get(reverse("admin:authtoken_tokenproxy_changelist"))
    for i in range(2, 12):
        Token.objects.create(user=users.create_user(f"reader-{i}", password="x-pass-12345"))
    with django_assert_max_num_queries(len(small)):
        assert "reader-11" in client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()


@pytest.mark.parametrize("role", [VIEWER, EDITOR])
def test_only_administrators_see_or_manage_tokens(as_role, viewer, role):
    Token.objects.create(user=viewer)
    client = as_role(role)
    for url in (
        reverse("admin:authtoken_tokenproxy_changelist"),
        reverse("admin:authtoken_tokenproxy_add"),
        reverse("admin:authtoken_tokenproxy_change", args=[viewer.pk]),
        reverse("admin:authtoken_tokenproxy_delete", args=[viewer.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:  # a viewer is not staff: sent to the admin's login
            assert response["Location"].startswith(reverse("admin:login"))
    assert client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": viewer.pk}).status_code in (302, 403)
    assert Token.objects.filter(user=viewer).count() == 1


def test_roles_setup_again_keeps_tokens_the_admins_alone(db):
    call_command("setup_roles", verbosity=0)
    call_command("setup_roles", verbosity=0)
    from django.contrib.auth.models import Group

    def token_permissions(name):
        return set(
            Group.objects.get(name=name)
            .permissions.filter(content_type__app_label="authtoken")
            .values_list("codename", flat=True)
        )

    model = TokenProxy._meta.model_name
    assert {f"{action}_{model}" for action in ("add", "change", "delete", "view")} <= token_permissions(ADMIN)
    assert token_permissions(EDITOR) == set() and token_permissions(VIEWER) == set()


# ------------------------------------------------------------------ the documentation page


def test_the_docs_page_sends_an_anonymous_browser_to_the_login_page(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_docs_page_is_served_by_this_site_under_the_strict_policy(viewer_client):
    response = viewer_client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html and "<script>" not in html  # every script and style is a file
    assert "//cdn" not in html and "https://" not in html
    assert '/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"' in html
    assert parse_csp(response["Content-Security-Policy"]) == STRICT_CSP
    script = viewer_client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert '"validatorUrl": null' in script.content.decode()
    assert parse_csp(script["Content-Security-Policy"]) == STRICT_CSP


def test_the_schema_is_openapi_3_for_logged_in_users(viewer_client):
    response = viewer_client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/projects/",
        "/api/v1/projects.oc4ids.json",
        "/api/v1/projects/{slug}/",
        "/api/v1/lenders/",
        "/api/v1/lenders/{slug}/",
        "/api/v1/meetings/",
        "/api/v1/meetings/{number}/",
        "/api/v1/exchange-rates/",
    } == set(schema["paths"])
    assert all(set(operations) == {"get"} for operations in schema["paths"].values())
