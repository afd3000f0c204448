"""Load-test a running CPEC Tracker on this machine: N logged-in clients for a fixed time.

    make serve                                         # in one shell (gunicorn, production settings)
    .venv/bin/python scripts/loadtest.py               # in another: 32 clients, 30 s, http://127.0.0.1:8000
    .venv/bin/python scripts/loadtest.py --clients 32 --duration 30 --base-url http://127.0.0.1:8000

Each client is a thread with its own connection and its own session: it logs in as the demo
viewer through the login form (GET the form, POST it with the CSRF token), then, until the time
is up, asks for the dashboard, the project list and project pages in turn (the project slugs are
read from the project list first). Only the HTML is fetched: a browser caches the static files
(see scripts/page_weight.py). Every answer other than 200, and every network error or
timeout, counts as an error. Prints the totals, requests per second and latency percentiles
(whole request: connect, wait, read), overall and per page. Exit status 1 when any request failed.

Loopback only: a host that does not resolve to a loopback address is refused, so this
never loads someone else's server. The password is ``--password``, else ``$DEMO_VIEWER_PASSWORD``,
else the one in ``.env``.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookies
import ipaddress
import os
import re
import socket
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import environ

ROOT = Path(__file__).resolve().parent.parent
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PROJECT_LINK = re.compile(r'href="/projects/([a-z0-9-]+)/"')


def loopback_only(host: str, port: int) -> None:
    """Refuse any host that is not (only) this machine."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise SystemExit(f"cannot resolve {host!r}: {exc}") from None
    addresses = {info[4][0] for info in infos}
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise SystemExit(f"refusing to load {host!r} ({', '.join(sorted(addresses))}): loopback addresses only")


class Client:
    """One user: a keep-alive HTTP connection (reopened when the server closes it) and a cookie jar."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "cpec-loadtest", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # a fresh connection next time
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if response.will_close:
            self.conn.close()
        return response.status, response.headers, data

    def submit_form(self, path: str, fields: dict[str, str]):
        """GET the form at ``path``, then POST ``fields`` to it with its CSRF token, as a browser would.

        Returns the POST's (status, headers, body); RuntimeError when the form or its token is missing.
        """
        status, _, page = self.request("GET", path)
        match = CSRF_INPUT.search(page.decode())
        if status != 200 or not match:
            raise RuntimeError(f"form {path}: status {status}, CSRF token {'found' if match else 'missing'}")
        return self.request(
            "POST",
            path,
            body=urlencode({**fields, "csrfmiddlewaretoken": match.group(1)}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}{path}",
            },
        )

    def log_in(self, username: str, password: str) -> None:
        status, headers, _ = self.submit_form("/accounts/login/", {"username": username, "password": password})
        if status != 302 or "/accounts/login/" in (headers.get("Location") or ""):
            raise RuntimeError(f"login as {username!r} failed (status {status}): check the password")

    def close(self) -> None:
        self.conn.close()


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, label: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[label].append(seconds)
            if error:
                self.errors[f"{label}: {error}"] += 1


def page_mix(client: Client, details: int) -> list[tuple[str, str]]:
    """(label, path) in the order each client asks for them: dashboard, list, a project, ..."""
    status, _, page = client.request("GET", "/projects/")
    if status != 200:
        raise RuntimeError(f"/projects/ answered {status}")
    slugs = list(dict.fromkeys(PROJECT_LINK.findall(page.decode())))[:details]
    if not slugs:
        raise RuntimeError("no project links on /projects/: is the demo portfolio loaded?")
    mix = []
    for slug in slugs:
        mix += [("/ (dashboard)", "/"), ("/projects/", "/projects/"), ("/projects/<slug>/", f"/projects/{slug}/")]
    return mix


def run_client(client: Client, mix, offset: int, start: threading.Barrier, deadline: list, results: Results):
    start.wait()
    i = offset
    while time.perf_counter() < deadline[0]:
        label, path = mix[i % len(mix)]
        i += 1
        began = time.perf_counter()
        try:
            status, _, _ = client.request("GET", path)
            error = None if status == 200 else f"HTTP {status}"
        except (OSError, http.client.HTTPException) as exc:
            error = type(exc).__name__
        results.add(label, time.perf_counter() - began, error)


def percentile(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> int:
    environ.Env.read_env(ROOT / ".env")  # as the settings do: variables already set win
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (default 30)")
    parser.add_argument("--details", type=int, default=4, help="how many project pages in the mix (default 4)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as failed")
    parser.add_argument("--username", default="viewer")
    parser.add_argument("--password", default=os.environ.get("DEMO_VIEWER_PASSWORD") or None)
    args = parser.parse_args()
    password = args.password
    if not password:
        parser.error("no password: give --password or set DEMO_VIEWER_PASSWORD")
    url = urlsplit(args.base_url)
    if url.scheme != "http" or not url.hostname:
        parser.error("--base-url must be http://HOST:PORT on this machine")
    port = url.port or 80
    loopback_only(url.hostname, port)

    print(f"logging in {args.clients} clients as {args.username!r} on {args.base_url} ...", flush=True)
    clients = []
    for _ in range(args.clients):
        client = Client(url.hostname, port, args.timeout)
        client.log_in(args.username, password)
        clients.append(client)
    mix = page_mix(clients[0], args.details)

    results = Results()
    start = threading.Barrier(args.clients + 1)
    deadline = [float("inf")]
    threads = [
        threading.Thread(target=run_client, args=(c, mix, n, start, deadline, results), daemon=True)
        for n, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    print(f"{args.clients} clients for {args.duration:g} s: {', '.join(sorted({p for _, p in mix}))}", flush=True)
    deadline[0] = time.perf_counter() + args.duration
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    for client in clients:
        client.close()

    every = [s for values in results.latencies.values() for s in values]
    n_errors = sum(results.errors.values())
    print(f"\n{'page':<20} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    rows = sorted(results.latencies.items()) + [("all", every)]
    for label, values in rows:
        if not values:
            continue
        print(
            f"{label:<20} {len(values):>9} {len(values) / elapsed:>7.1f}"
            f" {percentile(values, 50) * 1000:>8.0f} {percentile(values, 95) * 1000:>8.0f}"
            f" {percentile(values, 99) * 1000:>8.0f} {max(values) * 1000:>8.0f}"
        )
    print(f"\n{len(every)} requests in {elapsed:.1f} s: {len(every) / elapsed:.1f} requests/s, {n_errors} errors")
    for error, count in results.errors.most_common():
        print(f"  {count:>6} × {error}")
    return 1 if n_errors or not every else 0


if __name__ == "__main__":
    sys.exit(main())
