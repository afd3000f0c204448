"""Shared fixtures. Every test runs against the real PostgreSQL test database."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

#: Scenarios several test modules share (tests/scenarios.py), as fixtures.
pytest_plugins = ["tests.scenarios"]


@pytest.fixture
def viewer(db):
    """A ministry viewer: logged-in pages, no admin."""
    return get_user_model().objects.create_user("viewer-test", password="viewer-pass-123")


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def immediate_constraints(db):
    """Check deferred constraint triggers now instead of at commit (tests never commit)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield


@pytest.fixture(scope="module", autouse=True)
def orm_beside_a_running_browser():
    """Let a module that runs after the browser tests use the ORM in the main thread.

    pytest-django may order a module (transactional ones, say) after tests/browser/, whose
    session-wide Playwright keeps an event loop running in the main thread; Django then
    refuses database calls there unless DJANGO_ALLOW_ASYNC_UNSAFE is set. It is set only
    while such a loop runs (see tests/browser/conftest.py for why never for the session).
    """
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


def pytest_collection_modifyitems(config, items):
    """A test that uses ``demo_db`` uses the database, even without the ``db`` fixture.

    pytest-django sets up the test database only for the aliases that collected tests
    declare; a run of such tests alone (the browser tests, say) would otherwise load and
    flush the demo data in the development database.
    """
    for item in items:
        if "demo_db" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db)


def _assert_test_database():
    name = connection.settings_dict["NAME"]
    if not name.startswith("test_"):
        raise RuntimeError(f"Refusing to load or flush demo data in {name!r}: not a test database.")


DEMO_PASSWORDS = {
    "DEMO_ADMIN_PASSWORD": "admin-demo-pass",
    "DEMO_EDITOR_PASSWORD": "editor-demo-pass",
    "DEMO_VIEWER_PASSWORD": "viewer-demo-pass",
}


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """The demo portfolio, loaded once per test module (committed), emptied afterwards.

    Tests using it still run in their own rolled-back transaction on top of it.
    """
    import os

    from django.core.management import call_command

    saved = {k: os.environ.get(k) for k in DEMO_PASSWORDS}
    os.environ.update(DEMO_PASSWORDS)
    try:
        with django_db_blocker.unblock():
            _assert_test_database()
            call_command("load_cpec_demo", verbosity=0)
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        with django_db_blocker.unblock():
            _assert_test_database()
            call_command("flush", interactive=False, verbosity=0)


# Generated requests ----------------------------------------------------------------------
#
# The suite promises a number of hypothesis-generated HTTP requests (page fuzzing, hostile
# imports, form fuzzing). Every request through Django's handler, the test client's too,
# sends ``request_started``; while a hypothesis test's body runs, a receiver counts them. The
# terminal summary reports the total; with CPEC_MIN_GENERATED_REQUESTS=<number> in the
# environment (the full-suite command sets it; a narrowed run should not) a total below it
# fails the session. Under pytest-xdist each worker hands its counts to the controller
# (``workeroutput``), which adds them up, reports and enforces.

MIN_GENERATED_REQUESTS = "CPEC_MIN_GENERATED_REQUESTS"
_GENERATED = pytest.StashKey[dict]()  # node id -> requests during its hypothesis test body
_WORKER_KEY = "cpec_generated_requests"


def _generated(config) -> dict:
    return config.stash.setdefault(_GENERATED, {})


def _is_hypothesis_test(item) -> bool:
    from hypothesis import is_hypothesis_test

    return isinstance(item, pytest.Function) and (
        item.get_closest_marker("hypothesis") is not None or is_hypothesis_test(item.obj)
    )


def _minimum(config) -> int | None:
    import os

    value = os.environ.get(MIN_GENERATED_REQUESTS, "").strip()
    if not value:
        return None
    try:
        return int(value.replace("_", "").replace(",", ""))
    except ValueError:
        raise pytest.UsageError(f"{MIN_GENERATED_REQUESTS} must be a whole number, not {value!r}") from None


def pytest_configure(config):
    _minimum(config)  # a bad value stops the run before any test, not after all of them


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Count the requests a hypothesis test's body sends (its fixtures' requests are not generated)."""
    if not _is_hypothesis_test(item):
        return (yield)
    from django.core.signals import request_started

    count = 0

    def counted(**kwargs):
        nonlocal count
        count += 1

    request_started.connect(counted, weak=False, dispatch_uid="cpec-generated-requests")
    try:
        return (yield)
    finally:
        request_started.disconnect(dispatch_uid="cpec-generated-requests")
        _generated(item.config)[item.nodeid] = count


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist controller: add a worker's counts to the session's."""
    _generated(node.config).update(getattr(node, "workeroutput", {}).get(_WORKER_KEY, {}))


def _shortfall(config) -> str | None:
    minimum = _minimum(config)
    total = sum(_generated(config).values())
    if minimum is None or total >= minimum:
        return None
    return (
        f"only {total:,} hypothesis-generated requests, {MIN_GENERATED_REQUESTS} asks for {minimum:,} "
        f"({minimum - total:,} short): run the whole suite with the 'ci' hypothesis profile"
    )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker: the controller adds up and enforces
        config.workeroutput[_WORKER_KEY] = dict(_generated(config))
        return
    if _shortfall(config) and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    counts = _generated(config)
    minimum = _minimum(config)
    if not counts and minimum is None:
        return
    sending = {nodeid: n for nodeid, n in counts.items() if n}
    silent = len(counts) - len(sending)
    line = f"generated requests (hypothesis): {sum(sending.values()):,} in {len(sending)} property tests"
    if silent:
        line += f" ({silent} more sent none)"
    if minimum is not None:
        line += f"; at least {minimum:,} asked for"
    terminalreporter.write_sep("-", line)
    if config.option.verbose > 0:
        for nodeid, n in sorted(sending.items(), key=lambda pair: (-pair[1], pair[0])):
            terminalreporter.write_line(f"{n:>8,}  {nodeid}")
    shortfall = _shortfall(config)
    if shortfall:
        terminalreporter.write_sep("!", f"FAILED: {shortfall}", red=True, bold=True)
