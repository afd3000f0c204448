"""Real-browser tests: Playwright drives Debian's Chromium against a live Django server.

Fixtures
- ``site_url``: the live server's URL, for one test module. The demo portfolio
  (``demo_db``, committed) is loaded for the module and the live server thread may use the
  database meanwhile.
- ``viewer_context`` / ``viewer_page`` (module scope): one browser context logged in as the
  demo viewer through the real login form, reused by the module's tests.
- ``page`` / ``context`` (pytest-playwright's, per test): a fresh, logged-out context on the
  live server.
- ``browser_guard`` (autouse): every watched context fails the test at teardown on a console
  error, an uncaught page error or a request to any other host; such requests are also
  aborted, so nothing ever leaves the machine. ``browser_guard.allow_console(regex)`` lets a
  test expect a console message (the browser logs the 404 of a "not found" page).

Why not pytest-django's ``live_server`` fixture: whenever a test's fixture closure contains
the name ``live_server``, pytest-django's autouse ``_live_server_helper`` requests
``transactional_db``, which flushes the database after that test and would wipe the committed
demo portfolio after the first test of a module. ``browser_server`` starts the very same
server (``pytest_django.live_server_helper.LiveServer``, honouring ``--liveserver`` and
``DJANGO_LIVE_TEST_SERVER_ADDRESS``) under another name.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .helpers import VIEWER, BrowserProblems, log_in

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HERE = Path(__file__).resolve().parent
# Plotly parses a 4.6 MB bundle on each page; be patient on a 2-core CI machine.
expect.set_options(timeout=15_000)
DEFAULT_TIMEOUT_MS = 30_000


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _chromium_missing_reason() -> str | None:
    if os.access(CHROMIUM, os.X_OK):
        return None
    return f"browser tests need Chromium at {CHROMIUM}: `scripts/setup.sh --browser` (or apt-get install chromium)"


def pytest_collection_modifyitems(config, items):
    """Without Chromium to drive, each browser test is skipped with the reason on a developer's
    machine; on CI (``CI`` set) it fails instead (``pytest_runtest_setup``): CI never passes without them."""
    reason = _chromium_missing_reason()
    if reason is None or _on_ci():
        return
    for item in items:
        if Path(item.path).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_runtest_setup(item):
    reason = _chromium_missing_reason()
    if reason and _on_ci() and Path(item.path).resolve().is_relative_to(HERE):
        pytest.fail(f"CI is set and {reason}", pytrace=False)


# --------------------------------------------------------------------------- browser
@pytest.fixture(scope="module", autouse=True)
def allow_orm_beside_playwright():
    """Let Django's ORM run in the main thread while the browser modules run.

    Once started, Playwright's sync API keeps an event loop running in the main thread, and
    Django refuses database calls there (demo_db's load and flush) unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set. It is set only while a browser module runs: set for the
    whole session (e.g. at import) it leaks into later tests and their subprocesses, and
    ``manage.py check --deploy`` then fails with async.E001 (tests/cpec_tracker/test_site.py).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="session")
def playwright(django_db_setup, playwright):
    """pytest-playwright's, started after the test database is set up, so it stops before the
    database is torn down (without --reuse-db that teardown uses the ORM in the main thread)."""
    return playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (Playwright's own download is never used), headless, no background traffic."""
    args = [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": args}


# --------------------------------------------------------------------------- server
@pytest.fixture(scope="session")
def base_url():
    """Not used: every context here is opened on the live server (``site_url``).

    Overrides pytest-playwright's fixture, which pytest 9 warns about (an instance method) and
    whose ``--base-url`` would clash with the ``base_url`` given to each context.
    """
    return None


@pytest.fixture(scope="session")
def browser_server(request, django_db_setup):
    """The live Django server (pytest-django's, see the module docstring for the name)."""
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site_url(demo_db, browser_server, django_db_blocker):
    """The live server's base URL; the demo portfolio is loaded and readable by its thread."""
    from django.test.utils import modify_settings

    host = urlsplit(browser_server.url).hostname
    # pytest-django blocks database access outside db tests, in every thread: let the
    # server thread query the committed demo data while this module runs.
    with django_db_blocker.unblock(), modify_settings(ALLOWED_HOSTS={"append": host}):
        yield browser_server.url


# --------------------------------------------------------------------------- guard
@pytest.fixture(scope="session")
def browser_problems():
    return BrowserProblems()


@pytest.fixture(autouse=True)
def browser_guard(browser_problems):
    """Fail the test at teardown if a watched browser context logged an error or went elsewhere."""
    yield browser_problems
    browser_problems.flush()
    problems = browser_problems.take()
    if problems:
        pytest.fail("The browser reported problems:\n  " + "\n  ".join(problems), pytrace=False)


# --------------------------------------------------------------------------- contexts
# Service workers blocked: their requests would bypass the guard's routing.
CONTEXT_ARGS = {"locale": "en-GB", "timezone_id": "Asia/Karachi", "service_workers": "block"}


def _guarded(context, site_url: str, browser_problems: BrowserProblems):
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    browser_problems.watch(context, site_url)
    return context


@pytest.fixture
def context(new_context, site_url, browser_problems):
    """pytest-playwright's per-test context (and so ``page``): on the live server, guarded, logged out."""
    return _guarded(new_context(base_url=site_url, **CONTEXT_ARGS), site_url, browser_problems)


@pytest.fixture(scope="module")
def viewer_context(browser, site_url, browser_problems):
    """One browser context for the module, logged in as the ministry viewer through the real login form."""
    context = _guarded(browser.new_context(base_url=site_url, **CONTEXT_ARGS), site_url, browser_problems)
    page = context.new_page()
    page.goto("/accounts/login/")
    log_in(page, *VIEWER)
    expect(page).to_have_url(f"{site_url}/")
    expect(page.locator(".logout")).to_contain_text(VIEWER[0])
    yield context
    context.close()


@pytest.fixture(scope="module")
def urdu_viewer_page(browser, site_url, browser_problems):
    """The viewer in a browser set to Urdu (Accept-Language: ur-PK), logged in through the login
    form, which the browser's language already shows in Urdu: no switch pressed."""
    args = {**CONTEXT_ARGS, "locale": "ur-PK"}
    context = _guarded(browser.new_context(base_url=site_url, **args), site_url, browser_problems)
    page = context.new_page()
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    log_in(page, *VIEWER)
    expect(page).to_have_url(f"{site_url}/")
    yield page
    context.close()


@pytest.fixture(scope="module")
def viewer_page(viewer_context):
    """The logged-in viewer's page, shared by the module's tests: each one starts with ``goto``.

    A test that changes the page's state (print media) opens its own page in ``viewer_context``,
    which shares the session.
    """
    return viewer_context.pages[0]
