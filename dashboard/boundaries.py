"""Pakistan's provinces and territories for the offline map, built from ``../shared/data/geo``.

The map draws them from ``static/geo/pakistan.json``, served by this site (no tiles, no CDN).
That file is built by ``build()`` from the shared GeoJSON (OpenStreetMap-derived: see its
README) and kept in the repository; ``tests/dashboard/test_map.py`` builds it again from the
shared files and compares, and checks the sources' hashes recorded in it.

What the build does: the former Federally Administered Tribal Areas (PK-TA), merged into
Khyber Pakhtunkhwa in 2018, become part of Khyber Pakhtunkhwa's shape (a union, so no border is
drawn between them); coordinates are rounded to 3 decimals (about 100 m, finer than the shapes'
own simplification); each area carries our region code (``projects.choices.Region``).

Run ``python -m dashboard.boundaries`` (needs shapely: requirements-dev.txt) after the shared
files change.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.utils import translation

from projects.choices import Region

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "geo"
OUTPUT = ROOT / "static" / "geo" / "pakistan.json"
ATTRIBUTION = "Boundaries © OpenStreetMap contributors"
LICENCE = "Open Database License (ODbL) 1.0"

#: Our region code → the shared files drawn as its shape (KP with the former FATA).
AREAS = {
    Region.PUNJAB: ["PK-PB"],
    Region.SINDH: ["PK-SD"],
    Region.KHYBER_PAKHTUNKHWA: ["PK-KP", "PK-TA"],
    Region.BALOCHISTAN: ["PK-BA"],
    Region.GILGIT_BALTISTAN: ["PK-GB"],
    Region.AZAD_KASHMIR: ["PK-JK"],
    Region.ISLAMABAD: ["PK-IS"],
}
DECIMALS = 3


def source_files() -> list[Path]:
    return sorted(SHARED.glob("PK*.geojson"))


def source_hashes() -> dict[str, str]:
    """sha256 of each shared file the build reads."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in source_files()}


def _rings(geometry) -> list[list[list[float]]]:
    """Every ring (outer and holes) of a shapely (Multi)Polygon, rounded, closed."""
    polygons = getattr(geometry, "geoms", [geometry])
    rings = []
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            points = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in ring.coords]
            deduped = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
            if len(deduped) >= 4:
                rings.append(deduped)
    return rings


def build() -> dict:
    """The map's boundaries: Pakistan's outline and one area per region, with their provenance."""
    from shapely.geometry import shape
    from shapely.ops import unary_union

    def read(code):
        feature = json.loads((SHARED / f"{code}.geojson").read_text())
        return shape(feature["geometry"]).buffer(0)

    areas = []
    for region, codes in AREAS.items():
        geometry = unary_union([read(code) for code in codes])
        # The file is static and shared by both languages: names in English (pages name provinces in
        # the reader's language through the chart's layout.meta.areas).
        with translation.override("en"):
            areas.append({"region": region.value, "name": str(region.label), "rings": _rings(geometry)})
    return {
        "attribution": ATTRIBUTION,
        "licence": LICENCE,
        "source": "tautme/country-levels export/geojson/q8 (commit 566bf213a75e478503dbbee60db55306245b3d53)",
        "note": "Khyber Pakhtunkhwa includes the former Federally Administered Tribal Areas (merged in 2018).",
        "source_sha256": source_hashes(),
        "outline": _rings(read("PK")),
        "areas": areas,
    }


def serialize(data: dict) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n"


if __name__ == "__main__":
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(serialize(build()))
    print(f"Wrote {OUTPUT.relative_to(ROOT)}: {OUTPUT.stat().st_size:,} bytes")
