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
