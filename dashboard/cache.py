"""Page figures cached under the data's version: never served after the data changes.

PostgreSQL moves the version on every write to the domain tables (dashboard/models.py),
so a figure computed at version N is looked up only while the data is still at N. The
version is read once per request (it is also the footer's "data last updated").

A view names each entry with :func:`cache_key` (the page, its query string and the data
version) and hands it to the page's selector, which computes its rows through :func:`cached`;
the dashboard's charts, built from those rows, are cached the same way under their own key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from projects import money

from .models import DataVersion

T = TypeVar("T")


def data_version() -> tuple[int | None, dt.datetime | None]:
    """The data's version and when it last changed (moved by PostgreSQL triggers; dashboard/models.py). One query."""
    row = DataVersion.objects.filter(pk=1).values_list("version", "changed_at").first()
    return row if row is not None else (None, None)


def request_data_version(request) -> tuple[int | None, dt.datetime | None]:
    """The data version and its time, read once per request."""
    if not hasattr(request, "_cpec_data_version"):
        request._cpec_data_version = data_version()
    return request._cpec_data_version


def cache_key(request, name: str, *, extra: str = "", ignore: tuple[str, ...] = ()) -> str | None:
    """The key of the figures ``name`` of this page and query string at the data's version.

    ``ignore``: query parameters that do not change the figures (a page number only pages
    through them); ``extra``: anything else they depend on. None when nothing is to be
    cached: without a version row (an emptied database), or with caching turned off.
    """
    version, _changed = request_data_version(request)
    if version is None or not settings.CPEC_CACHE_FIGURES:
        return None
    query = "&".join(f"{k}={v}" for k, values in sorted(request.GET.lists()) if k not in ignore for v in values)
    # The same figures read in another language or style are another page.
    reader = f"{translation.get_language()}|{money.current_style()}"
    digest = hashlib.sha256(f"{request.path}?{query}|{extra}|{reader}".encode()).hexdigest()
    return f"cpec:{name}:v{version}:{digest}"


def cached(key: str | None, compute: Callable[[], T]) -> T:
    """``compute()``, or the value already stored under ``key``; without a key, always computed."""
    if key is None:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value)
    return value
