"""Page figures cached under the data's version: never served after the data changes.

PostgreSQL moves the version on every write to the domain tables (dashboard/models.py),
so a figure computed at version N is looked up only while the data is still at N. The
version is read once per request (it is also the footer's "data last updated").
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from . import selectors

T = TypeVar("T")


def request_data_version(request) -> tuple[int | None, dt.datetime | None]:
    """The data version and its time, read once per request."""
    if not hasattr(request, "_cpec_data_version"):
        request._cpec_data_version = selectors.data_version()
    return request._cpec_data_version


def cached_figures(request, name: str, compute: Callable[[], T], *, extra: str = "", ignore: tuple[str, ...] = ()) -> T:
    """``compute()``, or its result for the same page, query string and data version.

    ``ignore``: query parameters that do not change the figures (a page number only pages
    through them). Without a version row (an emptied database) nothing is cached.
    """
    version, _changed = request_data_version(request)
    if version is None or not settings.CPEC_CACHE_FIGURES:
        return compute()
    query = "&".join(f"{k}={v}" for k, values in sorted(request.GET.lists()) if k not in ignore for v in values)
    digest = hashlib.sha256(f"{request.path}?{query}|{extra}".encode()).hexdigest()
    key = f"cpec:{name}:v{version}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value)
    return value
