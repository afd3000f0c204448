"""Fixtures of the API's tests: the small portfolio of exact figures, and clients with a token or without.

The throttles' counts and the figures' cache live in the cache: emptied before each test, so
one test's requests never count against another's rate.
"""

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.dashboard.conftest import portfolio  # noqa: F401 (the fixture, shared with the pages' tests)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token(viewer):
    """The viewer's API token, as an administrator issues it in the admin."""
    return Token.objects.create(user=viewer)


@pytest.fixture
def api(token):
    """A client that sends the viewer's token, as a script would: no session, no cookie."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anonymous():
    return APIClient()
