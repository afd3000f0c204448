"""The map page: where the filtered projects are, and what the provinces hold."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Func, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from projects.choices import ProjectStatus, Region, Sector, label_of
from projects.geo import route_points
from projects.models import Project

#: The map shows at most this many projects (the largest by cost first) and lists them below it.
MAP_ROWS = 300

_MONEY = DecimalField(max_digits=24, decimal_places=2)


@dataclass(frozen=True)
class MapPage:
    """``places``: the projects with a point or a route, largest first (at most ``MAP_ROWS``), each a
    dict of name, slug, sector and status (as of the moment, with labels), cost and gap (US$), latitude,
    longitude, route ([(longitude, latitude), …]), the location's note and source; ``located``: how
    many of the filtered projects have a location; ``unlocated``: how many have none; ``regions``: per
    province or territory, the projects in it, and their cost and gap split evenly among the regions each
    project runs through (a project in two provinces counts half in each), and ``uncosted``, how many
    of them have no known cost (in neither sum)."""

    places: list[dict]
    located: int
    unlocated: int
    regions: list[dict]


def _located() -> Q:
    return Q(latitude__isnull=False) | Q(route__isnull=False)


def map_page(*, projects: QuerySet[Project]) -> MapPage:
    """The filtered ``projects`` (a portfolio queryset, as of its moment) on the map. Two queries."""
    share = Cast(1, _MONEY) / Func(F("regions"), function="cardinality", output_field=IntegerField())
    counted = Q(counted_in_totals=True)
    sums = {"located": Count("pk", filter=_located()), "unlocated": Count("pk", filter=~_located())}
    for region in Region:
        inside = Q(regions__contains=[region.value])
        sums[f"{region.value}__projects"] = Count("pk", filter=inside)
        sums[f"{region.value}__cost"] = Sum(F("current_cost_usd") * share, filter=inside & counted, output_field=_MONEY)
        sums[f"{region.value}__gap"] = Sum(F("funding_gap_usd") * share, filter=inside & counted, output_field=_MONEY)
        # Projects whose cost is not known are in neither sum: counted apart, so a sum is never read as whole.
        sums[f"{region.value}__uncosted"] = Count("pk", filter=inside & counted & Q(current_cost_usd__isnull=True))
    totals = projects.order_by().aggregate(**sums)
    located = (
        projects.filter(_located())
        .select_related("location_source")
        .order_by(F("current_cost_usd").desc(nulls_last=True), "name", "pk")[:MAP_ROWS]
    )
    places = [project_place(project) for project in located]
    regions = [
        {
            "region": region.value,
            "label": region.label,
            "projects": totals[f"{region.value}__projects"],
            "cost_usd": _cents(totals[f"{region.value}__cost"]),
            "gap_usd": _cents(totals[f"{region.value}__gap"]),
            "uncosted": totals[f"{region.value}__uncosted"],
        }
        for region in Region
    ]
    return MapPage(places=places, located=totals["located"], unlocated=totals["unlocated"], regions=regions)


def project_place(project: Project) -> dict | None:
    """One project (a portfolio queryset's: annotated with its figures as of the moment, its location
    source selected) as a place on the map, or None when neither a point nor a route is known."""
    if project.latitude is None and not project.route:
        return None
    source = project.location_source
    return {
        "name": project.name,
        "slug": project.slug,
        "sector": project.sector,
        "sector_label": label_of(Sector, project.sector),
        "status": project.status_then,
        "status_label": label_of(ProjectStatus, project.status_then) if project.status_then else "",
        "cost_usd": project.current_cost_usd,
        "gap_usd": project.funding_gap_usd,
        "latitude": project.latitude,
        "longitude": project.longitude,
        "route": route_points(project.route),
        "point_text": _point_text(project.latitude, project.longitude),
        "note": project.location_note,
        "source": source,
    }


#: Every region with no figures: a project's own small map tints its regions and shades none.
REGIONS = [
    {"region": r.value, "label": r.label, "projects": 0, "cost_usd": None, "gap_usd": None, "uncosted": 0}
    for r in Region
]


def _point_text(latitude: Decimal | None, longitude: Decimal | None) -> str:
    """ "33.6989° N, 73.0369° E": as entered, without trailing zeros."""
    if latitude is None or longitude is None:
        return ""
    # Translators: a point's coordinates, north and east: "33.6989° N, 73.0369° E".
    return _("%(latitude)s° N, %(longitude)s° E") % {
        "latitude": f"{latitude.normalize():f}",
        "longitude": f"{longitude.normalize():f}",
    }


def _cents(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))
