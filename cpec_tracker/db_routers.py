"""Page reads to a PostgreSQL read replica, everything else to the primary (docs/operations.md).

Installed by the settings only when ``DATABASE_REPLICA_URL`` is set: the database alias
``"replica"``, :class:`PrimaryReplicaRouter` in ``DATABASE_ROUTERS`` and
:class:`ReplicaRoutingMiddleware` in ``MIDDLEWARE``. Where a query goes:

- **replica**: reads during a GET/HEAD/OPTIONS/TRACE request outside the admin, until it
  writes, and unless the browser wrote something within the last ``DATABASE_REPLICA_PIN_SECONDS``;
- **primary**: every write; every read of an admin request, of a POST (any non-safe method),
  of the rest of a request once it has written, and of the next requests of a browser that just
  wrote (a cookie pins it for a few seconds, so an editor's save shows on the next page); every
  read of sessions, users, groups and permissions, and login throttling (``auth``,
  ``sessions``, ``axes``), so a login, a logout or a changed permission holds at once on every
  server whatever the replica's lag; and every query outside a request (management commands,
  the shell, migrations).

Within one request reads only ever move from the replica to the primary, never back: the
data version a page is cached under (dashboard/cache.py) is read from the same database as
the figures, or from an older one, so a shared cache never holds figures older than their key.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from django.conf import settings

PRIMARY = "default"
REPLICA = "replica"

#: The app label Django's database cache (``CACHE_URL=dbcache://…``) gives its table: a cache entry
#: is read where it is written, and writing one is not a change of data.
CACHE_APP = "django_cache"

#: Apps always read from the primary: who is logged in, with which rights, and who is locked out.
PRIMARY_APPS = frozenset({"auth", "sessions", "axes", CACHE_APP})

#: Set for a browser that wrote: its requests read the primary until the cookie expires.
PIN_COOKIE = "cpec_primary"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@dataclass
class _Request:
    replica: bool
    wrote: bool = False


#: The routing state of the request being served; None outside a request.
_current: contextvars.ContextVar[_Request | None] = contextvars.ContextVar("cpec_db_request", default=None)


def _pin_seconds() -> int:
    return getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", 10)


class ReplicaRoutingMiddleware:
    """Decides, per request, whether its reads may go to the replica, and pins a browser that wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        replica = (
            request.method in SAFE_METHODS
            and not request.path.startswith(f"/{settings.ADMIN_URL}")
            and PIN_COOKIE not in request.COOKIES
        )
        state = _Request(replica=replica)
        token = _current.set(state)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if state.wrote:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=_pin_seconds(),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


class PrimaryReplicaRouter:
    """Reads of page requests to ``"replica"``, all the rest to ``"default"`` (see the module's docstring)."""

    def db_for_read(self, model, **hints):
        state = _current.get()
        if state is None or not state.replica or state.wrote or model._meta.app_label in PRIMARY_APPS:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        state = _current.get()
        # A cache entry, or figures computed once and kept (``computed_cache``: financing.LoanSchedule),
        # is not a change of data: the browser is not pinned to the primary for writing one.
        if state is not None and model._meta.app_label != CACHE_APP and not getattr(model, "computed_cache", False):
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's data: an object read from one may point at one of the other.
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica receives the schema by replication; only the primary is migrated.
        return db == PRIMARY
