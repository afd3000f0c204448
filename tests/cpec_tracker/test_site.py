"""Login is required everywhere but the login page and the health check; settings fail safe."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_need_a_login(client):
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_and_health_check_are_open(client):
    assert client.get(reverse("login")).status_code == 200
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_viewer_logs_in_and_lands_on_the_dashboard(client, viewer):
    response = client.post(reverse("login"), {"username": "viewer-test", "password": "viewer-pass-123"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("dashboard:home")
    assert b"CPEC portfolio" in response.content
    assert b"Data entry" not in response.content  # no admin link for a viewer


def test_wrong_password_is_refused_with_a_message(client, viewer):
    response = client.post(reverse("login"), {"username": "viewer-test", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_unknown_url_is_a_404_not_a_500(viewer_client):
    response = viewer_client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


#: Variables a subprocess standing for a deployment does not inherit. DJANGO_ALLOW_ASYNC_UNSAFE is set
#: while a browser module's event loop runs (tests/conftest.py); check --deploy rightly refuses it.
DEPLOYMENT_UNSET = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "HTTPS",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_UNSET}
    clean.update(env)
    clean["DATABASE_URL"] = os.environ.get("DATABASE_URL") or _database_url()
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _database_url():
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_secret_key_is_required_when_debug_is_off(tmp_path):
    result = run_manage("check", DEBUG="false", SECRET_KEY="", ALLOWED_HOSTS="example.org", HTTPS="true")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_allowed_hosts_are_required_when_debug_is_off():
    result = run_manage("check", DEBUG="false", SECRET_KEY="x" * 60, ALLOWED_HOSTS="", HTTPS="true")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


EVERY_SECURITY_VARIABLE = {
    "BEHIND_TLS_PROXY": "true",
    "ADMIN_URL": "office-data-7f3/",
    "SESSION_COOKIE_AGE": "3600",
    "AXES_FAILURE_LIMIT": "3",
    "AXES_COOLOFF_MINUTES": "60",
    "TRUSTED_PROXY_COUNT": "1",
    "CSP_REPORT_URI": "https://reports.example.org/csp",
}


@pytest.mark.parametrize("variables", [{}, EVERY_SECURITY_VARIABLE], ids=["defaults", "every-security-variable"])
def test_deploy_check_is_clean_in_production_mode(variables):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="k3y-" + "x9Q" * 20,
        ALLOWED_HOSTS="cpec.example.org",
        HTTPS="true",
        **variables,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_debug_is_off_unless_asked_for():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="a.example",
    )
    assert result.stdout.strip().endswith("False"), result.stderr


def test_postgresql_jit_is_off_for_the_sites_connections(db):
    """JIT compiled every portfolio query for ~1.9 s at 10,000 projects to save nothing."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_the_cost_part_tiles_take_the_funding_chart_colours():
    from dashboard.colours import stylesheet
    from financing.choices import FUNDING_PART_COLOURS

    css = stylesheet()
    for part, colour in FUNDING_PART_COLOURS.items():
        # More specific than ``.tiles li``, whose border would otherwise win.
        assert f".tiles .tile-part-{part}{{border-left:6px solid {colour}}}" in css


def _texts(pattern, html):
    import re

    return [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(pattern, html, re.S)]


def test_the_data_entry_area_has_one_name_in_the_menu_and_the_admin(admin_client):
    """The menu's link to the admin, the admin's header, titles and index say the same name."""
    from cpec_tracker.urls import DATA_ENTRY

    index = reverse("admin:index")
    (menu_link,) = _texts(
        rf'<nav aria-label="Main">.*?<a href="{index}">(.*?)</a>', admin_client.get("/").content.decode()
    )
    assert menu_link == DATA_ENTRY == "Data entry"

    html = admin_client.get(index).content.decode()
    assert _texts(r'<div id="site-name">(.*?)</div>', html) == [f"CPEC Tracker — {menu_link}"]
    assert _texts(r"<title>(.*?)</title>", html) == [f"CPEC Tracker — {menu_link}"]
    assert _texts(r"<h1[^>]*>(.*?)</h1>", html) == [menu_link]

    pages = {
        reverse("admin:app_list", args=["financing"]): "Lenders and financing",
        reverse("admin:app_list", args=["projects"]): "Projects and JCC meetings",
        reverse("admin:financing_lender_changelist"): "Select lender to change",
    }
    for url, heading in pages.items():
        html = admin_client.get(url).content.decode()
        assert _texts(r'<div id="site-name">(.*?)</div>', html) == [f"CPEC Tracker — {menu_link}"]
        assert _texts(r"<title>(.*?)</title>", html) == [f"{heading} · CPEC Tracker — {menu_link}"]
        assert _texts(r"<h1[^>]*>(.*?)</h1>", html) == [heading]
        assert "administration" not in html.lower() and "site admin" not in html.lower()
