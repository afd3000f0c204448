"""plotly.js's own CSS as a static file, so the Content-Security-Policy needs no inline styles.

On load, plotly.js adds its CSS rules (modebar, hover labels, notifier...) to a ``<style
id="plotly.js-style-global">`` element it creates, which ``style-src 'self'`` refuses. It
skips that when the page already has an element with that id and the class
``no-inline-styles`` (plotly.js 3+): ``templates/includes/_chart_assets.html`` links
``static/css/plotly.css`` that way. plotly ships no such file, so it is generated here from
the very bundle the site serves (static/vendor/plotly/), and a test fails when the two drift apart (a plotly upgrade).

The bundle also injects maplibre's stylesheet (for map traces, which this site never draws)
unless an element with its id (:func:`map_style_id`) is already on the page: the chart pages
have an empty ``<meta>`` with that id, so nothing is injected.

    .venv/bin/python -m dashboard.plotly_css    # rewrites static/css/plotly.css
"""

from __future__ import annotations

import re
from pathlib import Path

from .staticfiles import PLOTLY_DIR, PLOTLY_FILE

OUTPUT = Path(__file__).resolve().parent.parent / "static" / "css" / "plotly.css"

# for(k in RULES)sel=k.replace(/^,/," ,").replace(/X/g,".js-plotly-plot .plotly")
#   .replace(/Y/g,".plotly-notifier"),lib.addStyleRule(sel,RULES[k])
LOOP = re.compile(
    r"for\((?P<key>\w+) in (?P<rules>\w+)\)\w+=(?P=key)"
    r"\.replace\(/\^,/,\" ,\"\)\.replace\(/X/g,\"(?P<x>[^\"]+)\"\)\.replace\(/Y/g,\"(?P<y>[^\"]+)\"\)"
)
MAP_STYLE = re.compile(
    r'if\(!document\.getElementById\("(?P<id>[^"]+)"\)\)\{var (?P<var>\w+)=document\.createElement\("style"\);'
    r'(?P=var)\.id="(?P=id)",(?P=var)\.textContent='
)
TOKEN = re.compile(r"\s*(?:\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'|([A-Za-z_$][\w$]*))\s*([:,}])")


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def rules_from_bundle(bundle: str) -> list[tuple[str, str]]:
    """plotly.js's global style rules as (selector, declarations), in the order it adds them."""
    loop = LOOP.search(bundle)
    if loop is None:
        raise ValueError("plotly.js's style rules were not found in the bundle")
    start = bundle.rfind(f"{loop['rules']}={{", 0, loop.start())
    if start < 0:
        raise ValueError("plotly.js's style rule table was not found in the bundle")
    pos = start + len(loop["rules"]) + 2
    rules: list[tuple[str, str]] = []
    key = None
    while True:
        match = TOKEN.match(bundle, pos)
        if match is None:
            raise ValueError(f"unexpected text in plotly.js's style rules at {pos}")
        text = _unquote(match[1] if match[1] is not None else match[2] if match[2] is not None else match[3])
        pos = match.end()
        if match[4] == ":":
            key = text
            continue
        if key is None:
            raise ValueError(f"a style rule without a selector at {pos}")
        selector = key.replace(",", " ,", 1) if key.startswith(",") else key
        selector = selector.replace("X", loop["x"]).replace("Y", loop["y"])
        rules.append((selector, text))
        key = None
        if match[4] == "}":
            return rules


def map_style_id(bundle: str) -> str:
    """The id of the map stylesheet the bundle injects unless an element with that id exists."""
    found = MAP_STYLE.findall(bundle)
    if len(found) != 1:
        raise ValueError(f"expected one injected map stylesheet in plotly.js, found {len(found)}")
    return found[0][0]


def css(bundle: str) -> str:
    """The stylesheet. plotly.js inserts each rule at index 0, so the last one comes first."""
    lines = [
        "/* plotly.js's own CSS, generated from the served bundle by dashboard/plotly_css.py: do not edit. */",
    ]
    lines += [f"{selector} {{{declarations}}}" for selector, declarations in reversed(rules_from_bundle(bundle))]
    return "\n".join(lines) + "\n"


def installed_bundle() -> str:
    return (PLOTLY_DIR / PLOTLY_FILE).read_text(encoding="utf-8")


def installed_css() -> str:
    return css(installed_bundle())


if __name__ == "__main__":
    OUTPUT.write_text(installed_css(), encoding="utf-8")
    print(f"wrote {OUTPUT}")
