"""Where a project is: a point (latitude, longitude) and, for a corridor, its route.

A route is a GeoJSON ``LineString`` (RFC 7946: each position longitude first, then latitude, in
WGS84): at least two points, each inside Pakistan's bounding box. The rules are the database's
(``route_constraints``, in jsonpath) and, with messages that say which point is wrong, the
model's (``validate_route``); a test holds the two together.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, F, Func, Q, Value
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: Pakistan's bounding box with Gilgit-Baltistan and Azad Jammu and Kashmir, with a margin:
#: (south, north) latitudes and (west, east) longitudes.
LATITUDES = (Decimal("23.5"), Decimal("37.5"))
LONGITUDES = (Decimal("60.5"), Decimal("78"))
#: A route's points at most (a corridor drawn town by town, or traced more finely).
ROUTE_POINTS = 2000

#: Where a point must be, in words (lazy: in the language active when it is shown).
BOX_TEXT = format_lazy(
    _("inside Pakistan (latitude {south}° to {north}° north, longitude {west}° to {east}° east)"),
    south=LATITUDES[0],
    north=LATITUDES[1],
    west=LONGITUDES[0],
    east=LONGITUDES[1],
)

#: A route that is a LineString of at least two positions (jsonpath, for the database).
_WELL_FORMED = (
    'strict $ ? (@."type" == "LineString" && @."coordinates".type() == "array" && @."coordinates".size() >= 2 '
    f'&& @."coordinates".size() <= {ROUTE_POINTS})'
)
#: A position that is not a pair of numbers inside the box. Strict mode: lax mode would unwrap each
#: position and test its numbers' types; an error inside the filter (``@[0]`` of a string) is
#: "unknown", and the first test that holds (not an array, not of size 2) makes the position bad.
_BAD_POSITION = (
    'strict $."coordinates"[*] ? (@.type() != "array" || @.size() != 2 || @[0].type() != "number" '
    f'|| @[1].type() != "number" || @[0] < {LONGITUDES[0]} || @[0] > {LONGITUDES[1]} '
    f"|| @[1] < {LATITUDES[0]} || @[1] > {LATITUDES[1]})"
)


def _path_exists(path: str) -> Func:
    return Func(
        F("route"),
        Value(path),
        function="jsonb_path_exists",
        # silent: a structural error (coordinates that are no array) is NULL, not an exception; the
        # well-formed rule refuses such a route.
        template="%(function)s(%(expressions)s::jsonpath, '{}', true)",
        output_field=BooleanField(),
    )


def route_constraints() -> tuple[Q, Q]:
    """The database's rules for ``Project.route``: well formed, and every position inside the box."""
    return (
        Q(route__isnull=True) | Q(_path_exists(_WELL_FORMED)),
        Q(route__isnull=True) | ~Q(_path_exists(_BAD_POSITION)),
    )


def point_constraint() -> Q:
    """Both coordinates or neither, inside the box."""
    return Q(latitude__isnull=True, longitude__isnull=True) | Q(
        latitude__isnull=False,
        longitude__isnull=False,
        latitude__gte=LATITUDES[0],
        latitude__lte=LATITUDES[1],
        longitude__gte=LONGITUDES[0],
        longitude__lte=LONGITUDES[1],
    )


def _number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def validate_route(route) -> None:
    """Raise a ``ValidationError`` that says what is wrong with ``route`` (None is no route)."""
    if route is None:
        return
    example = {"example": gettext('For example {"type": "LineString", "coordinates": [[73.12, 34.02], [73.2, 34.3]]}.')}
    if not isinstance(route, dict) or route.get("type") != "LineString":
        raise ValidationError(
            gettext("Paste the route as a GeoJSON LineString: longitude then latitude for each point. %(example)s")
            % example,
            code="route_type",
        )
    points = route.get("coordinates")
    if not isinstance(points, list) or len(points) < 2:
        raise ValidationError(gettext("A route needs at least two points. %(example)s") % example, code="route_short")
    if len(points) > ROUTE_POINTS:
        raise ValidationError(
            gettext("A route has at most %(most)d points; this one has %(count)d.")
            % {"most": ROUTE_POINTS, "count": len(points)}
        )
    for number, point in enumerate(points, start=1):
        if not (isinstance(point, list) and len(point) == 2 and all(_number(v) for v in point)):
            raise ValidationError(
                gettext("Point %(number)d of the route is not a pair of numbers [longitude, latitude]: %(point)s.")
                % {"number": number, "point": f"{point!r:.60}"},
                code="route_point",
            )
        longitude, latitude = (Decimal(str(v)) for v in point)
        if not (LONGITUDES[0] <= longitude <= LONGITUDES[1] and LATITUDES[0] <= latitude <= LATITUDES[1]):
            swapped = LONGITUDES[0] <= latitude <= LONGITUDES[1] and LATITUDES[0] <= longitude <= LATITUDES[1]
            message = gettext("Point %(number)d of the route (%(longitude)s, %(latitude)s) is not %(box)s.") % {
                "number": number,
                "longitude": point[0],
                "latitude": point[1],
                "box": BOX_TEXT,
            }
            if swapped:
                message += " " + gettext("It looks like latitude, longitude: GeoJSON gives the longitude first.")
            raise ValidationError(message, code="route_outside")


def route_points(route) -> list[tuple[float, float]]:
    """The route's points as (longitude, latitude), or [] without one."""
    if not route:
        return []
    return [(float(lon), float(lat)) for lon, lat in route["coordinates"]]
