"""Fixtures for the security tests: production settings, hypothesis profiles.

``production_settings(**env)`` evaluates ``cpec_tracker/settings.py`` as a production server
would (DEBUG off, HTTPS on, no ``.env`` read) with the given environment variables, and
returns the settings it defines; ``production`` applies the security-relevant ones to the
running test process, so a fresh test client sees the headers, cookies and redirects a real
deployment sends.

Hypothesis: the ``ci`` profile (the default) runs 150 examples per property, derandomized so
a failure reproduces on the next run and on every machine; ``HYPOTHESIS_PROFILE=dev`` runs 30
random ones for a quick local loop, ``HYPOTHESIS_PROFILE=deep`` 2,000 random ones.
"""

from __future__ import annotations

import os
import runpy
from unittest import mock

import environ
import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# The test client is one per test, reused by its examples on purpose (only its cookies persist).
_SHARED = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]}
hypothesis_settings.register_profile("ci", max_examples=150, derandomize=True, print_blob=True, **_SHARED)
hypothesis_settings.register_profile("dev", max_examples=30, print_blob=True, **_SHARED)
hypothesis_settings.register_profile("deep", max_examples=2000, print_blob=True, **_SHARED)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PRODUCTION_ENV = {
    "DEBUG": "false",
    "HTTPS": "true",
    "SECRET_KEY": "production-like-" + "k9Q" * 20,
    "ALLOWED_HOSTS": "testserver,cpec.example.org",
}
#: Variables that change security settings: left out unless a test gives them.
SECURITY_VARIABLES = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "BEHIND_TLS_PROXY",
    "SESSION_COOKIE_AGE",
    "ADMIN_URL",
    "CSP_REPORT_URI",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "TRUSTED_PROXY_COUNT",
)
#: The settings that make production differ from the test settings.
APPLIED = (
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CONTENT_SECURITY_POLICY",
    "MIDDLEWARE",
    "AUTHENTICATION_BACKENDS",
    "AXES_FAILURE_LIMIT",
    "AXES_COOLOFF_TIME",
    "AXES_LOCKOUT_PARAMETERS",
    "AXES_LOCKOUT_CALLABLE",
    "AXES_CLIENT_IP_CALLABLE",
    "TRUSTED_PROXY_COUNT",
)


def production_settings(**env) -> dict:
    """The settings ``cpec_tracker/settings.py`` defines in production, with ``env`` on top."""
    variables = {k: v for k, v in os.environ.items() if k not in SECURITY_VARIABLES and k != "DJANGO_SETTINGS_MODULE"}
    variables.update(PRODUCTION_ENV)
    variables.update(env)
    path = django_settings.BASE_DIR / "cpec_tracker" / "settings.py"
    with mock.patch.dict(os.environ, variables, clear=True), mock.patch.object(environ.Env, "read_env"):
        defined = runpy.run_path(str(path))
    return {name: value for name, value in defined.items() if name.isupper()}


@pytest.fixture
def production(settings):
    """The running tests switched to the production security settings; returns them."""
    values = production_settings()
    for name in APPLIED:
        setattr(settings, name, values.get(name, getattr(django_settings, name)))
    return values
