"""Page weight of the dashboard as production serves it: the issue's byte budgets, in Chromium.

Not the live test server: gunicorn (``gunicorn.conf.py``) with the production settings serves a
``collectstatic``'d STATIC_ROOT (whitenoise's compressed manifest storage: hashed names, gzip
and Brotli files, far-future cache headers) from the test database with the demo portfolio.
The measuring is ``scripts/page_weight.py``'s, so the script and this test count alike.

Only pages that draw charts load plotly.js, and then only the vendored partial bundle
(``static/vendor/plotly/``): 1,191,749 bytes raw, about 330 KB with Brotli (the plotly
package's full bundle was 4.8 MB raw, 1.1 MB with Brotli).
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from dashboard.staticfiles import PLOTLY_FILE

from .helpers import VIEWER

ROOT = Path(__file__).resolve().parents[2]


def _load_script():
    spec = importlib.util.spec_from_file_location("page_weight", ROOT / "scripts" / "page_weight.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


page_weight = _load_script()
#: The bundle under collectstatic's hashed name: plotly-basic-4.1.1.min.<12 hex digits>.js
HASHED_BUNDLE = re.compile(rf"/static/vendor/plotly/{re.escape(PLOTLY_FILE.removesuffix('.js'))}\.[0-9a-f]{{12}}\.js")


def _test_database_url() -> str:
    db = connection.settings_dict
    user, password = quote(db["USER"], safe=""), quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "localhost", safe="")
    return f"postgres://{user}:{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def production_viewer(demo_db, django_db_blocker):
    """The demo viewer's password hashed as production hashes it.

    The test settings hash with MD5 (fast), which the production settings do not accept.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    username, password = VIEWER
    hasher = PBKDF2PasswordHasher()
    with django_db_blocker.unblock():
        get_user_model().objects.filter(username=username).update(password=hasher.encode(password, hasher.salt()))
    return VIEWER


@pytest.fixture(scope="module")
def production_url(demo_db, production_viewer, tmp_path_factory):
    """gunicorn with production settings on the test database (demo portfolio committed)."""
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "SECRET_KEY": "page-weight-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "CONN_MAX_AGE": "0",
    }
    static_root = tmp_path_factory.mktemp("staticfiles")
    page_weight.collectstatic(static_root, env)
    log = (tmp_path_factory.getbasetemp() / "gunicorn-page-weight.log").open("wb")
    with log, page_weight.production_server(env, static_root, workers=2, log=log) as url:
        yield url


@pytest.fixture(scope="module")
def loads(production_url, production_viewer, browser):
    return page_weight.measure(browser, production_url, *production_viewer)


def _by_path(load, base_url):
    return {r.url.removeprefix(base_url): r for r in load.resources}


def test_first_load_of_the_dashboard_fits_in_1_6_mb(loads, production_url):
    first, _ = loads
    resources = _by_path(first, production_url)
    assert first.total <= page_weight.FIRST_LOAD_BUDGET, page_weight.report(loads, production_url) or first.total
    # What the page needs came over the wire, compressed, under hashed names.
    # Of plotly's files, only its CSS and the partial bundle (under its hashed name).
    css, bundle_path = sorted(path for path in resources if "plotly" in path)
    assert css.startswith("/static/css/plotly.") and HASHED_BUNDLE.fullmatch(bundle_path)
    bundle = resources[bundle_path]
    assert bundle.status == 200 and bundle.encoding == "br"
    assert 300_000 < bundle.transferred < 350_000  # 1,191,749 bytes raw; Brotli brings it near 330 KB
    assert resources["/"].status == 200
    assert all(not r.from_cache for r in first.resources), "the first load started with a filled cache"


def test_repeat_load_downloads_only_the_page_within_150_kb(loads, production_url):
    first, repeat = loads
    assert repeat.total <= page_weight.REPEAT_LOAD_BUDGET, page_weight.report(loads, production_url) or repeat.total
    over_network = {r.url.removeprefix(production_url) for r in repeat.downloaded}
    assert over_network == {"/"}, "only the (uncacheable, per-user) HTML may be downloaded again"
    static = [r for r in repeat.resources if "/static/" in r.url]
    assert static and all(r.from_cache and r.transferred == 0 for r in static)


def test_hashed_static_files_are_cached_for_ten_years_and_compressed(loads, production_url):
    first, _ = loads
    hashed = next(r.url for r in first.resources if "/static/js/charts." in r.url)
    for accept, encoding in (("br, gzip", "br"), ("gzip", "gzip"), ("identity", None)):
        request = urllib.request.Request(hashed, headers={"Accept-Encoding": accept})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
            assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
            assert response.headers["Content-Encoding"] == encoding
            assert "Accept-Encoding" in response.headers["Vary"]
    # The unhashed name is still served, but only briefly cacheable (it can change on deploy).
    with urllib.request.urlopen(f"{production_url}/static/js/charts.js", timeout=10) as response:
        assert "immutable" not in response.headers["Cache-Control"]


@dataclass
class Visit:
    plotly_files: list[str]  # paths of plotly.js, its CSS and charts.js the page requested
    charts: int  # charts drawn (charts.js marks each when plotly's promise resolves)
    striped_slices: int  # pie slices plotly filled with a pattern (the donut's proposed lenders)
    errors: list[str]


def _visit(browser, url: str, path: str, state: dict | None) -> Visit:
    """Open a page in a fresh context (empty cache) and wait for every chart on it to be drawn."""
    context = browser.new_context(storage_state=state, service_workers="block")
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        recorder = page_weight.Recorder(context.new_cdp_session(page))
        page_weight._open_dashboard(page, url + path)  # every chart drawn, then network idle
        page.evaluate("0")  # let Playwright deliver the DevTools events received so far
        assert page.url == url + path, "redirected (to the login page?)"
        paths = [r.url.removeprefix(url) for r in recorder.resources.values() if r.url.startswith(url)]
        return Visit(
            plotly_files=sorted(p for p in paths if "plotly" in p.lower() or "/js/charts." in p),
            charts=page.locator("[data-chart][data-drawn=true]:has(.main-svg)").count(),
            striped_slices=page.locator("[data-chart] .slice path[style*='url(']").count(),
            errors=errors,
        )
    finally:
        context.close()


@pytest.fixture(scope="module")
def viewer_state(production_url, production_viewer, browser):
    return page_weight.log_in_state(browser, production_url, *production_viewer)


@pytest.mark.parametrize("path", ["/projects/", "/lenders/", "/compare/", "/jcc/14/"])
def test_pages_without_charts_request_no_plotly_file(browser, production_url, viewer_state, path):
    visit = _visit(browser, production_url, path, viewer_state)
    assert (visit.plotly_files, visit.charts, visit.errors) == ([], 0, [])


def test_the_login_page_requests_no_plotly_file(browser, production_url):
    visit = _visit(browser, production_url, "/accounts/login/", None)
    assert (visit.plotly_files, visit.charts, visit.errors) == ([], 0, [])


@pytest.mark.parametrize(
    ("path", "charts", "striped"),
    [("/", 7, 0), ("/projects/ml-1/", 4, 2), ("/jcc/", 1, 0), ("/psdp/", 1, 0), ("/debt/", 1, 0), ("/map/", 1, 0)],
)
def test_chart_pages_request_only_the_partial_bundle_and_draw_every_chart(
    browser, production_url, viewer_state, path, charts, striped
):
    """ML-1's donut stripes its two proposed lenders (a pie marker.pattern, which the basic bundle has);
    its third chart is its PSDP money per fiscal year (bars), its fourth its route on a small map."""
    visit = _visit(browser, production_url, path, viewer_state)
    css, charts_js, bundle = visit.plotly_files
    assert HASHED_BUNDLE.fullmatch(bundle)
    assert charts_js.startswith("/static/js/charts.") and css.startswith("/static/css/plotly.")
    assert (visit.charts, visit.striped_slices, visit.errors) == (charts, striped, [])
