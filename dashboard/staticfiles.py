"""Serve the plotly.js bundle that the installed ``plotly`` package ships.

A static-files finder exposing that one file as ``vendor/plotly.min.js``: collectstatic
copies it (whitenoise then serves it compressed, under a hashed, cacheable name) and
the development server finds it, so the site never needs a CDN. Only this file is
exposed, not the package's whole ``package_data`` folder.
"""

from __future__ import annotations

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
PLOTLY_FILE = "plotly.min.js"
PREFIX = "vendor"
URL_PATH = f"{PREFIX}/{PLOTLY_FILE}"


class PlotlyJSFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=PLOTLY_DIR)
        self.storage.prefix = PREFIX

    def check(self, **kwargs):
        from django.core.checks import Error

        if not (PLOTLY_DIR / PLOTLY_FILE).is_file():
            return [Error(f"plotly.js not found at {PLOTLY_DIR / PLOTLY_FILE}", id="dashboard.E001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        if path == URL_PATH:
            found = str(PLOTLY_DIR / PLOTLY_FILE)
            return [found] if find_all or kwargs.get("all") else found
        return [] if find_all or kwargs.get("all") else None

    def list(self, ignore_patterns):
        yield PLOTLY_FILE, self.storage
