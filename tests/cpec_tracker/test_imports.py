"""Every module of ours imports first, in any order Django happens to load them.

Django loads template-tag libraries, system checks and URL modules in an order that can change
between runs (its check registry is a set). A circular import that only breaks when one module
is imported before another once failed `manage.py check --deploy` on CI and nowhere else. Here
each module is imported first in a fresh child process, right after `django.setup()`.
"""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PACKAGES = ["api", "budget", "cpec_site", "cpec_tracker", "dashboard", "financing", "opendata", "projects"]

SCRIPT = r"""
import importlib, os, sys, traceback
import django
django.setup()
failures = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failures.append(name)
print("FAILED:", " ".join(failures))
sys.exit(1 if failures else 0)
"""


def our_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            # settings modules are loaded before setup, not after it
            if "migrations" in parts or parts[-1] in {"wsgi", "asgi"} or parts[-1].startswith("settings"):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join(parts))
    return names


def test_the_module_list_covers_the_apps():
    names = our_modules()
    assert "dashboard.cache" in names
    assert "dashboard.templatetags.cpec" in names
    assert "dashboard.selectors.portfolio" in names
    assert len(names) >= 100


def test_every_module_imports_first_in_a_fresh_process():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cpec_tracker.settings"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *our_modules()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-8000:]
