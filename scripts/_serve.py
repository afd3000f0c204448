"""What the measuring scripts share: a production gunicorn on a free loopback port, a marked doc section.

``serve()`` starts gunicorn the way ``make serve`` does (``gunicorn.conf.py``, DEBUG off, the
static files collected the production way) with a settings module and WSGI app of the caller's
choice; ``benchmark_wsgi()`` is the app that serves the site plus the page benchmark's floor page
(``benchmarks/urls.py``), as ``manage.py benchmark_pages`` serves them in-process.
``write_section()`` replaces the part of a Markdown file between two markers.

scripts/page_weight.py's ``production_server`` does the same as ``serve()`` for the plain site.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def benchmark_wsgi():
    """The WSGI app of the benchmark settings with the floor page's URLs; for gunicorn's ``_serve:benchmark_wsgi()``.

    Production settings plus the benchmark app (``cpec_tracker.settings_benchmark``), DEBUG as the
    environment says; ``ROOT_URLCONF`` is set before the first request, as ``benchmark_pages`` overrides it.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpec_tracker.settings_benchmark")
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()  # django.setup()
    settings.ROOT_URLCONF = "benchmarks.urls"
    return application


@contextlib.contextmanager
def serve(
    env: dict[str, str],
    static_root: Path,
    *,
    port: int | None = None,
    workers: int | None = None,
    settings_module: str = "cpec_tracker.settings",
    app: str | None = None,
    log=None,
):
    """gunicorn (``gunicorn.conf.py``, DEBUG off) on 127.0.0.1:port (default: a free one); yields its URL.

    ``workers``: None keeps gunicorn.conf.py's default (``WEB_CONCURRENCY`` or 2 × cores + 1).
    ``app``: a WSGI app other than gunicorn.conf.py's ``wsgi_app``, as gunicorn names one
    (``module:callable`` or ``module:factory()``); ``scripts/`` is on its path.
    """
    port = port or free_port()
    server_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DEBUG": "false",
        "STATIC_ROOT": str(static_root),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    if workers:
        server_env["WEB_CONCURRENCY"] = str(workers)
    server_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    command = [str(Path(sys.executable).with_name("gunicorn")), "--config", str(ROOT / "gunicorn.conf.py")]
    if app:
        command += ["--pythonpath", str(ROOT / "scripts"), app]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=server_env,
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {proc.returncode} before answering")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer /healthz within 60 s") from None
                time.sleep(0.3)
        yield url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # gunicorn's graceful stop; it stops its workers
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def write_section(doc: Path, section: str, start: str, end: str, *, before: str | None = None) -> None:
    """Put ``section`` (which begins with ``start`` and ends with ``end``) in place of the marked one.

    The first time, it goes just before the line ``before`` (when given and present), else at the end.
    """
    text = doc.read_text()
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    elif before and before in text:
        head, rest = text.split(before, 1)
        text = head + section + "\n\n" + before + rest
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(text)
