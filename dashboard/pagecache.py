"""Whole pages served from the cache while the data is unchanged.

A staff page's HTML depends on its path, its query string, the day (timelines and stale flags
read today) and the data; only two bits of it depend on who asks: the "Data entry" link shown
to staff, the log-out form (the user's name and a CSRF token) and the language and figures
switches (a CSRF token and the page's address). The language and the figures' style are part of
the key (``dashboard.cache``). ``cached_page`` stores the
rendered page under the data version (``dashboard.cache.cache_key``) with those two bits left
as markers, and fills them in for each request. A repeat view of an unchanged page therefore
costs the session, the user and the version read, one cache get and two string replacements:
no selector, no form, no template.

The first request after an edit renders the page in full (figures from the read model), as
does every request when caching is off (``CPEC_CACHE_FIGURES``). Pages whose content depends
on the user must not use it (none of the staff pages does: tests/dashboard/test_page_cache.py).
"""

from __future__ import annotations

from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from .cache import cache_key

#: Where the base template leaves the user's bits when the page is rendered for the cache.
STAFF_LINK = "<!--cpec:staff-link-->"
LOGOUT_FORM = "<!--cpec:logout-form-->"
PREFERENCES = "<!--cpec:preferences-->"

#: The statuses whose pages are cached: a page, or the page with an invalid filter's messages.
CACHED_STATUSES = (200, 400)


def cached_page(view):
    """Serve ``view``'s HTML from the cache while the data version, the path, the query string and
    the day are unchanged; the user's own bits filled in per request."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        name = f"page:{request.resolver_match.view_name}" if request.resolver_match else "page"
        key = cache_key(request, name, extra=timezone.localdate().isoformat())
        stored = cache.get(key) if key else None
        if stored is not None:
            status, body = stored
            response = HttpResponse(body, status=status)
        else:
            request.cpec_user_markers = True  # base.html leaves the user's bits as markers
            try:
                response = view(request, *args, **kwargs)
            finally:
                # An error page (a 404 raised by the view) is rendered by Django's handler after
                # this, never filled in here: it must render the user's bits itself.
                request.cpec_user_markers = False
            if key and _cacheable(response):
                cache.set(key, (response.status_code, response.content.decode()))
        return _with_user_bits(request, response)

    return wrapper


def _cacheable(response) -> bool:
    return (
        response.status_code in CACHED_STATUSES
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
    )


def _with_user_bits(request, response):
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return response
    content = response.content.decode()
    bits = {
        STAFF_LINK: "includes/_staff_link.html",
        LOGOUT_FORM: "includes/_logout_form.html",
        PREFERENCES: "includes/_preferences_form.html",
    }
    if not any(marker in content for marker in bits):
        return response
    for marker, template_name in bits.items():
        content = content.replace(marker, render_to_string(template_name, request=request).strip(), 1)
    response.content = content
    return response
