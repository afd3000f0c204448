"""Security helpers referenced from the settings (see docs/security.md)."""

from __future__ import annotations

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address, for login throttling (``AXES_CLIENT_IP_CALLABLE``).

    Served directly, that is ``REMOTE_ADDR``. Behind ``TRUSTED_PROXY_COUNT`` proxies, each of
    which appends the address it saw to X-Forwarded-For, the client is the entry that many
    places from the right: anything further left was sent by the client itself and may be
    forged. A header with fewer entries than that did not come through the proxies, and an
    entry that is not an IP address was not written by them: ``REMOTE_ADDR`` is used then.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def login_username(request, credentials=None) -> str | None:
    """The username a login attempt is recorded under (``AXES_USERNAME_CALLABLE``).

    As typed, but storable: Django's login form does not limit its length, and axes keeps
    at most 255 characters (a longer one was a server error); NUL becomes U+FFFD.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        value = credentials.get(field)
    else:
        value = getattr(request, "data", request.POST).get(field) if request is not None else None
    if value is None:
        return None
    return str(value).replace("\x00", "\ufffd")[:255]


class AxesHandler(AxesDatabaseHandler):
    """django-axes' database handler (``AXES_HANDLER``), storing what a client sends safely.

    axes records the User-Agent and path of every login as they came; PostgreSQL refuses
    text with a NUL character, which would turn that login into a server error. (axes
    cleans the query and form data itself.)
    """

    @staticmethod
    def _storable(request) -> None:
        for name in ("axes_user_agent", "axes_path_info"):
            value = getattr(request, name, None)
            if isinstance(value, str):
                setattr(request, name, value.replace("\x00", "\ufffd"))

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        self._storable(request)
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        self._storable(request)
        return super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        self._storable(request)
        return super().user_logged_out(sender, request, user, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page shown to a locked-out login (``AXES_LOCKOUT_CALLABLE``): 429 with Retry-After.

    The same page for the site's and the admin's login form; it says how long to wait,
    not whether the username exists.
    """
    from axes.helpers import get_cool_off
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    response = render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
