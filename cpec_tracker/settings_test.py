"""Test settings: the real settings with only what tests need changed.

The benchmark tooling is installed (``settings_benchmark``): tests/benchmarks test it.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# One database for the suite, even where .env or the shell names a read replica; the router's
# tests run on two (cpec_tracker/settings_replica_test.py sets CPEC_TEST_REPLICA_URL).
os.environ["DATABASE_REPLICA_URL"] = os.environ.get("CPEC_TEST_REPLICA_URL", "")

from .settings_benchmark import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Plain HTTP test client and live server; production's HTTPS settings are tested on their own.
HTTPS = SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# No collectstatic before tests: serve static files without the manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Static files come from the finders in tests; there is no collected STATIC_ROOT.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
