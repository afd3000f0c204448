"""Benchmark settings: the real settings plus the benchmark tooling, which production does not install.

``manage.py load_synthetic_portfolio`` and ``manage.py benchmark_pages`` run with these
(``--settings cpec_tracker.settings_benchmark``; docs/benchmarks.md), and so do the tests.
"""

from .settings import *  # noqa: F403

# Before the site app, which stays last.
INSTALLED_APPS = [*INSTALLED_APPS]  # noqa: F405
INSTALLED_APPS.insert(INSTALLED_APPS.index("cpec_site"), "benchmarks")
