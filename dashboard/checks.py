"""System checks: the vendored plotly.js is the file recorded, for the installed plotly package."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.core import checks
from plotly.offline import get_plotlyjs_version

from .staticfiles import FONT_DIR, FONT_FILES, PLOTLY_DIR, PLOTLY_FILE, PLOTLY_SHA256

#: The bundle's first lines: "/**\n* plotly.js (basic - minified) v4.1.1".
BANNER = re.compile(rb"\A/\*\*\s*\*\s*plotly\.js \([^)]*\) v(?P<version>\S+)")


def bundle_version(path: Path) -> str | None:
    """The plotly.js version the bundle's banner names, or None without a banner."""
    with path.open("rb") as file:
        match = BANNER.match(file.read(200))
    return match["version"].decode() if match else None


def bundle_problems(path: Path, *, sha256: str, version: str) -> list[checks.CheckMessage]:
    """Errors when the file is missing, its sha256 is not ``sha256`` or its banner not ``version``."""
    if not path.is_file():
        return [checks.Error(f"plotly.js not found at {path}", id="dashboard.E001")]
    hint = "Vendor it again as static/vendor/plotly/SOURCE.txt says."
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        msg = f"{path.name} has sha256 {digest}, not the recorded {sha256}"
        return [checks.Error(msg, hint=hint, id="dashboard.E002")]
    found = bundle_version(path)
    if found != version:
        # The figures' JSON is written for the installed plotly's plotly.js; an older one may misdraw it.
        msg = f"{path.name} is plotly.js {found}, but the installed plotly package writes figures for {version}"
        return [checks.Error(msg, hint=hint, id="dashboard.E003")]
    return []


@checks.register()
def vendored_plotly(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The served plotly.js bundle is the recorded file, at the installed plotly's plotly.js version."""
    return bundle_problems(PLOTLY_DIR / PLOTLY_FILE, sha256=PLOTLY_SHA256, version=get_plotlyjs_version())


def font_problems(directory: Path = FONT_DIR, files: dict[str, str] = FONT_FILES) -> list[checks.CheckMessage]:
    """Errors when a vendored font file is missing or not the bytes recorded."""
    problems = []
    for name, sha256 in files.items():
        path = directory / name
        if not path.is_file():
            problems.append(checks.Error(f"The Urdu typeface {name} is not in {directory}", id="dashboard.E004"))
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != sha256:
            msg = f"{name} has sha256 {digest}, not the recorded {sha256}"
            hint = "Vendor it again as static/vendor/fonts/SOURCE.txt says."
            problems.append(checks.Error(msg, hint=hint, id="dashboard.E005"))
    return problems


@checks.register()
def vendored_fonts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The Urdu typeface served is the recorded files."""
    return font_problems()


def catalogue_problems(*locale_dirs: Path) -> list[checks.CheckMessage]:
    """A warning when a language's catalogue is not compiled, or compiled before its last edit."""
    problems = []
    for po in sorted(
        po for d in locale_dirs or map(Path, settings.LOCALE_PATHS) for po in d.glob("*/LC_MESSAGES/django.po")
    ):
        mo = po.with_suffix(".mo")
        if not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime:
            msg = f"{po} is not compiled (or changed since): its pages show English"
            hint = "Run scripts/setup.sh, or manage.py compilemessages."
            problems.append(checks.Warning(msg, hint=hint, id="dashboard.W001"))
    return problems


@checks.register()
def compiled_catalogues(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return catalogue_problems()
