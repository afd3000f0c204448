"""Shared fixtures. Every test runs against the real PostgreSQL test database."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection


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
