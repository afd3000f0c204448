"""The pieces that let a strict CSP hold: plotly's CSS as a file, no inline script or style."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from dashboard import plotly_css

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_static_plotly_css_is_the_bundles_own():
    """static/css/plotly.css holds exactly the rules the served plotly.js would inject.

    After a plotly upgrade this fails: run ``.venv/bin/python -m dashboard.plotly_css``.
    """
    assert plotly_css.OUTPUT.read_text(encoding="utf-8") == plotly_css.installed_css()


def test_plotly_css_rules_are_read_from_the_bundle():
    rules = dict(plotly_css.rules_from_bundle(plotly_css.installed_bundle()))
    assert len(rules) > 40
    assert rules[".js-plotly-plot .plotly .modebar"].startswith("position:absolute")
    assert ".plotly-notifier" in rules
    assert all(not selector.count("X") and "Y " not in selector for selector in rules)


def test_rules_parser_fails_loudly_on_an_unknown_bundle():
    with pytest.raises(ValueError):
        plotly_css.rules_from_bundle("var x = 1;")
    with pytest.raises(ValueError):
        plotly_css.map_style_id("var x = 1;")


def test_chart_pages_mark_both_stylesheets_plotly_would_inject():
    base = (TEMPLATES / "includes" / "_chart_assets.html").read_text(encoding="utf-8")  # every chart page's
    assert 'id="plotly.js-style-global" class="no-inline-styles"' in base
    assert f'id="{plotly_css.map_style_id(plotly_css.installed_bundle())}"' in base


def test_logged_in_pages_link_plotly_css_with_its_marker(viewer_client):
    html = viewer_client.get("/").content.decode()
    assert re.search(r'<link rel="stylesheet" href="/static/css/plotly\.css" id="plotly\.js-style-global"', html)
    assert viewer_client.get("/static/css/plotly.css").status_code == 200


@pytest.mark.parametrize("path", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")))
def test_no_template_has_inline_script_style_or_handler(path):
    """Every template of this site: scripts from files or json_script data, no style attribute,
    no <style> element, no on* handler, no javascript: URL."""
    text = (TEMPLATES / path).read_text(encoding="utf-8")
    text = re.sub(r"{% comment %}.*?{% endcomment %}|{#.*?#}", "", text, flags=re.S)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"<style\b", text), "<style> element"
    assert not re.search(r"\sstyle\s*=", text), "style attribute"
    assert not re.search(r"\son[a-z]+\s*=", text), "event handler attribute"
    assert "javascript:" not in text.lower()
