"""The vendored plotly.js partial bundle: its recorded hash and version, and the pages that load it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from plotly.offline import get_plotlyjs_version

from dashboard import checks
from dashboard.staticfiles import PLOTLY_DIR, PLOTLY_FILE, PLOTLY_SHA256, PLOTLY_STATIC_PATH

BUNDLE = PLOTLY_DIR / PLOTLY_FILE
TEMPLATES = Path(settings.BASE_DIR) / "templates"
SCRIPT = f'<script src="/static/{PLOTLY_STATIC_PATH}" defer></script>'


def test_the_vendored_bundle_passes_the_system_check():
    assert checks.vendored_plotly() == []
    assert hashlib.sha256(BUNDLE.read_bytes()).hexdigest() == PLOTLY_SHA256


def test_the_bundle_is_the_plotly_js_the_installed_plotly_package_writes_for():
    """An upgrade of the plotly package without a new bundle fails here (and in manage.py check)."""
    assert checks.bundle_version(BUNDLE) == get_plotlyjs_version() == "4.1.1"
    assert PLOTLY_FILE == f"plotly-basic-{get_plotlyjs_version()}.min.js"


def test_source_txt_records_the_same_file_hash_and_version():
    source = (PLOTLY_DIR / "SOURCE.txt").read_text(encoding="utf-8")
    assert f"sha256    {PLOTLY_SHA256}\n" in source
    assert "version   4.1.1 " in source
    assert "https://registry.npmjs.org/plotly.js-basic-dist-min/-/plotly.js-basic-dist-min-4.1.1.tgz" in source
    assert (PLOTLY_DIR / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_a_changed_byte_is_a_hash_error(tmp_path):
    changed = tmp_path / PLOTLY_FILE
    changed.write_bytes(BUNDLE.read_bytes().replace(b"v4.1.1", b"v4.1.2", 1))
    [error] = checks.bundle_problems(changed, sha256=PLOTLY_SHA256, version="4.1.1")
    assert error.id == "dashboard.E002"
    assert f"{PLOTLY_FILE} has sha256 {hashlib.sha256(changed.read_bytes()).hexdigest()}, not the recorded" in error.msg


def test_another_plotly_version_is_an_error():
    [error] = checks.bundle_problems(BUNDLE, sha256=PLOTLY_SHA256, version="4.2.0")
    assert (error.id, error.msg) == (
        "dashboard.E003",
        f"{PLOTLY_FILE} is plotly.js 4.1.1, but the installed plotly package writes figures for 4.2.0",
    )


def test_a_missing_bundle_is_an_error(tmp_path):
    [error] = checks.bundle_problems(tmp_path / PLOTLY_FILE, sha256=PLOTLY_SHA256, version="4.1.1")
    assert error.id == "dashboard.E001"


def test_static_files_hold_the_partial_bundle_and_not_the_packages_full_one():
    assert finders.find(PLOTLY_STATIC_PATH) == str(BUNDLE)
    assert finders.find("vendor/plotly.min.js") is None
    assert not any("PlotlyJSFinder" in finder for finder in settings.STATICFILES_FINDERS)


def _chart_assets(path: Path) -> str | None:
    found = re.search(r"{% block chart_assets %}.*?{% endblock chart_assets %}", path.read_text(encoding="utf-8"), re.S)
    return found[0] if found else None


def test_every_template_that_draws_a_chart_loads_the_same_assets():
    drawing = sorted(
        p.relative_to(TEMPLATES).as_posix()
        for p in TEMPLATES.rglob("*.html")
        if '{% include "includes/_chart.html"' in p.read_text()
    )
    assert drawing == [
        "dashboard/dashboard.html",
        "dashboard/debt.html",
        "dashboard/map.html",
        "dashboard/meeting_list.html",
        "dashboard/project_detail.html",
        "dashboard/psdp.html",
    ]
    blocks = {_chart_assets(TEMPLATES / name) for name in drawing}
    assert blocks == {'{% block chart_assets %}{% include "includes/_chart_assets.html" %}{% endblock chart_assets %}'}
    assert f"{{% static '{PLOTLY_STATIC_PATH}' %}}" in (TEMPLATES / "includes" / "_chart_assets.html").read_text()
    assert _chart_assets(TEMPLATES / "base.html") == "{% block chart_assets %}{% endblock chart_assets %}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/projects/road-a/", "/jcc/", "/psdp/", "/debt/", "/map/"])
def test_chart_pages_load_the_partial_bundle_once(viewer_client, portfolio, url):
    html = viewer_client.get(url).content.decode()
    assert html.count(SCRIPT) == 1
    assert html.count('<script src="/static/js/charts.js" defer></script>') == 1
    assert html.count('id="plotly.js-style-global" class="no-inline-styles"') == 1
    assert html.count('<meta name="plotly-map-css"') == 1


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/projects/", "/lenders/", "/lenders/china/", "/jcc/14/", "/compare/"])
def test_pages_without_charts_load_no_plotly(viewer_client, portfolio, url):
    response = viewer_client.get(url)
    assert response.status_code == 200
    assert "plotly" not in response.content.decode().lower()
    assert "charts.js" not in response.content.decode()


@pytest.mark.django_db
def test_the_login_page_loads_no_plotly(client):
    assert "plotly" not in client.get("/accounts/login/").content.decode().lower()


@pytest.mark.django_db
def test_the_served_bundle_is_the_recorded_file(viewer_client):
    response = viewer_client.get(f"/static/{PLOTLY_STATIC_PATH}")
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == PLOTLY_SHA256
