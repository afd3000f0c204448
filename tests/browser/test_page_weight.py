"""Page weight of the dashboard as production serves it: the issue's byte budgets, in Chromium.

Not the live test server: gunicorn (``gunicorn.conf.py``) with the production settings serves a
``collectstatic``'d STATIC_ROOT (whitenoise's compressed manifest storage: hashed names, gzip
and Brotli files, far-future cache headers) from the test database with the demo portfolio.
The measuring is ``scripts/page_weight.py``'s, so the script and this test count alike.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from .helpers import VIEWER

ROOT = Path(__file__).resolve().parents[2]


def _load_script():
    spec = importlib.util.spec_from_file_location("page_weight", ROOT / "scripts" / "page_weight.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


page_weight = _load_script()


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
    plotly = [r for path, r in resources.items() if path.startswith("/static/vendor/plotly.min.")]
    assert len(plotly) == 1 and plotly[0].status == 200
    assert plotly[0].url != f"{production_url}/static/vendor/plotly.min.js", "not the hashed name"
    assert plotly[0].encoding == "br"
    assert 0 < plotly[0].transferred < 1_300_000  # 4.8 MB raw; Brotli brings it near 1.1 MB
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
