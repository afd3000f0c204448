"""Gunicorn settings for serving CPEC Tracker in production (read from the current directory).

    .venv/bin/gunicorn              # from the checkout's root: this file is picked up by name
    make serve                      # collectstatic + migrate, then the same

Every value can be changed from the environment, nothing needs editing here:

- ``GUNICORN_BIND`` where to listen (default ``127.0.0.1:$PORT``, ``PORT`` default 8000); a
  TLS-terminating proxy (nginx, a load balancer) sits in front in production. Several
  addresses may be given, comma-separated (``unix:/run/cpec/gunicorn.sock,127.0.0.1:8000``).
- ``WEB_CONCURRENCY`` worker processes (default ``2 × cores + 1``, gunicorn's own advice).
- ``GUNICORN_THREADS`` threads per worker (default 1: sync workers; above 1, gthread).
- ``GUNICORN_TIMEOUT`` seconds a worker may spend on one request before it is restarted.
- ``GUNICORN_ACCESSLOG`` / ``GUNICORN_ERRORLOG`` files, ``-`` (default) for stdout / stderr.
- ``GUNICORN_MAX_REQUESTS`` requests after which a worker is recycled (0 never).
- ``GUNICORN_CONTROL_SOCKET`` path of gunicorn's control socket for ``gunicornc``; unset,
  none is opened (its default, one shared path in $HOME, would clash between instances).
- ``FORWARDED_ALLOW_IPS`` (gunicorn's own) proxies trusted for X-Forwarded-* headers.

Like the Django settings, these are read from a ``.env`` file beside manage.py too (the
environment wins). The Django settings themselves (DEBUG, SECRET_KEY, ALLOWED_HOSTS, HTTPS, DATABASE_URL...) come
from the environment or ``.env`` as documented in ``.env.example``.
"""

import multiprocessing
import os
from pathlib import Path

import environ

# The same .env as cpec_tracker/settings.py, with the same rule: the environment wins.
environ.Env.read_env(Path(__file__).resolve().parent / ".env", overwrite=False)


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "cpec_tracker.wsgi:application"
bind = [
    address.strip()
    for address in (os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{_int('PORT', 8000)}").split(",")
    if address.strip()
]

workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# Import Django and the project once in the master: workers fork ready (less memory, faster
# start, and an import error stops the server at once instead of in every worker). Database
# connections are opened per worker on first use, after the fork, never shared.
preload_app = True

timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (jittered so they do not all restart together).
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Requests no sane client sends are refused before they reach Django.
limit_request_line = 8190
limit_request_fields = 100

accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# The usual combined format plus the time taken in microseconds (%(D)s).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)sus'
proc_name = "cpec-tracker"

control_socket_path = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if control_socket_path:
    control_socket = control_socket_path
else:
    control_socket_disable = True
