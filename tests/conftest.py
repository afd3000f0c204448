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
