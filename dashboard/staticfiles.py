"""The plotly.js bundle this site serves: vendored in ``static/vendor/plotly/`` (its SOURCE.txt).

The smallest published bundle holding every trace the charts draw (bar, pie, scatter), at the
plotly.js version the installed ``plotly`` package writes figures for. The ordinary
static-files machinery serves it (whitenoise: compressed, under a hashed name); a system check
(dashboard/checks.py) keeps its bytes and version honest. Upgrading: SOURCE.txt.
"""

from __future__ import annotations

from pathlib import Path

PLOTLY_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "plotly"
PLOTLY_FILE = "plotly-basic-4.1.1.min.js"
#: What the chart pages' ``{% static %}`` names.
PLOTLY_STATIC_PATH = f"vendor/plotly/{PLOTLY_FILE}"
#: sha256 of the file as npm published it (SOURCE.txt says the same).
PLOTLY_SHA256 = "99784e3abfb07b142a15e521a439e6d9addceadb3f79553fd24c72774f0649ba"

#: The Urdu pages' typeface (static/vendor/fonts/SOURCE.txt): each file and its sha256 as npm published it.
FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "fonts"
FONT_FILES = {
    "noto-naskh-arabic-arabic-400-normal.woff2": "9cc2d2e90f7b51904468558b4ed529de8a8206497c8edb5e33122bd077e0158c",
    "noto-naskh-arabic-arabic-700-normal.woff2": "d2d8e6b155248d6706e2e9c6019e88d435873801efe3d5a3ed6f0ab69aa1511e",
}
