"""One stylesheet of badge colours, made from the choices' colour maps; and lenders' own colours.

The same maps colour the charts, so a status looks the same on every page and chart,
and there is no inline style to weaken the Content-Security-Policy.

A chart that tells lenders apart (a project's donut) cannot colour them by kind, since two
lenders of a kind would look alike: :func:`lender_colours` gives each lender its own colour
from :data:`LENDER_PALETTE`, the same on every page.
"""

import zlib
from collections.abc import Iterable

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from financing.choices import (
    FINANCING_STATUS_COLOURS,
    FUNDING_PART_COLOURS,
    INSTRUMENT_COLOURS,
    LENDER_KIND_COLOURS,
)
from projects.choices import DECISION_KIND_COLOURS, PHASE_STATUS_COLOURS, PROJECT_STATUS_COLOURS, SECTOR_COLOURS

MAPS = {
    "sector": SECTOR_COLOURS,
    "status": PROJECT_STATUS_COLOURS,
    "phase": PHASE_STATUS_COLOURS,
    "decision": DECISION_KIND_COLOURS,
    "lenderkind": LENDER_KIND_COLOURS,
    "instrument": INSTRUMENT_COLOURS,
    "financing": FINANCING_STATUS_COLOURS,
}


#: Lenders' own colours: Paul Tol's colour-blind-safe "muted" scheme without its sand
#: (#DDCC77, too near the pipeline slice's light orange) and its pale grey (the gap's grey).
#: None of them is a lender-kind colour (Okabe-Ito), so a lender's colour is not read as a kind.
#: Append to the end only: reordering or removing a colour changes lenders' colours.
LENDER_PALETTE = ("#CC6677", "#332288", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499")


def palette_index(key: str) -> int:
    """A lender's own place in :data:`LENDER_PALETTE`: a CRC-32 of its key, the same in every
    process (Python's ``hash`` of a string changes from one process to the next)."""
    return zlib.crc32(key.encode("utf-8")) % len(LENDER_PALETTE)


def lender_colours(keys: Iterable[str]) -> dict[str, str]:
    """A colour for each distinct key, no two alike while there are colours left.

    Each key gets its own palette colour, or, when another key of the same chart took it,
    the next free one. Keys are settled in sorted order, so the colours depend on the set of
    keys only, not their order; a lender keeps its colour on every page where no other lender
    of the chart claims the same one. Past :data:`LENDER_PALETTE`'s length colours repeat.
    """
    colours: dict[str, str] = {}
    free: set[int] = set()
    for key in sorted(set(keys)):
        if not free:
            free = set(range(len(LENDER_PALETTE)))
        index = palette_index(key)
        while index not in free:
            index = (index + 1) % len(LENDER_PALETTE)
        free.remove(index)
        colours[key] = LENDER_PALETTE[index]
    return colours


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance."""

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour(hex_colour: str) -> str:
    """Black or white, whichever contrasts more with the background (WCAG ratio)."""
    lum = _luminance(hex_colour)
    on_black = (lum + 0.05) / 0.05
    on_white = 1.05 / (lum + 0.05)
    return "#000" if on_black >= on_white else "#fff"


def stylesheet() -> str:
    rules = []
    for prefix, colours in MAPS.items():
        for value, colour in colours.items():
            rules.append(f".badge-{prefix}-{value}{{background:{colour};color:{text_colour(colour)}}}")
    # The tiles of a cost's four parts carry the colours the funding-gap chart gives them.
    for part, colour in FUNDING_PART_COLOURS.items():
        rules.append(f".tiles .tile-part-{part}{{border-left:6px solid {colour}}}")
    return "\n".join(rules) + "\n"


@login_not_required
@require_GET
@cache_control(max_age=3600, public=True)
def colours_css(request):
    return HttpResponse(stylesheet(), content_type="text/css; charset=utf-8")
