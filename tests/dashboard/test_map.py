"""The map page (/map/): the projects where they are, and the provinces' numbers, worked by hand.

The portfolio (tests/dashboard/conftest.py) with places: Road A (KP and GB, US$ 2,000m, 85% agreed, gap
300m) runs Havelian–Mansehra–Thakot; Rail B (Sindh and Punjab, US$ 7,000m; 15% agreed, 2,000m proposed:
gap 3,950m) runs Karachi–Hyderabad; Zone D (ICT, Rs 24,957m at 280 = US$ 89.13m, all agreed) is a point
in Islamabad; Solar C (GB, no cost) has no place. Split evenly among their provinces: KP 1,000m cost and
150m gap; GB the same (Solar C has no cost); Sindh and Punjab 3,500m and 1,975m each; ICT 89.13m and 0.
"""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboard import boundaries
from projects.models import Project
from tests.factories import ProjectFactory, SourceFactory

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:map")
M = Decimal

ROAD_ROUTE = {"type": "LineString", "coordinates": [[73.15333, 34.05306], [73.20139, 34.33389], [72.91667, 34.75]]}
RAIL_ROUTE = {"type": "LineString", "coordinates": [[67.01, 24.86], [68.36833, 25.37917]]}


@pytest.fixture
def places(portfolio):
    source = SourceFactory(key="G1", title="Town coordinates", url="https://example.org/towns")
    Project.objects.filter(slug="road-a").update(route=ROAD_ROUTE, location_source=source)
    Project.objects.filter(slug="rail-b").update(route=RAIL_ROUTE, location_source=source)
    Project.objects.filter(slug="zone-d").update(
        latitude=M("33.6989"), longitude=M("73.0369"), location_source=source, location_note="The centre of Islamabad."
    )
    return portfolio


def regions(response):
    return {r["region"]: (r["projects"], r["cost_usd"], r["gap_usd"]) for r in response.context["regions"]}


def test_the_projects_with_a_place_largest_first_and_the_provinces_by_hand(viewer_client, places):
    response = viewer_client.get(URL)
    assert response.status_code == 200
    assert [p["slug"] for p in response.context["places"]] == ["rail-b", "road-a", "zone-d"]
    assert (response.context["located"], response.context["unlocated"]) == (3, 1)
    assert regions(response) == {
        "punjab": (1, M("3500000000.00"), M("1975000000.00")),
        "sindh": (1, M("3500000000.00"), M("1975000000.00")),
        "kp": (1, M("1000000000.00"), M("150000000.00")),
        "balochistan": (0, None, None),
        "gb": (2, M("1000000000.00"), M("150000000.00")),
        "ajk": (0, None, None),
        "ict": (1, M("89132142.86"), M("0.00")),
    }
    # Solar C has no cost: in neither of GB's sums, and said so rather than read as a whole.
    assert {r["region"]: r["uncosted"] for r in response.context["regions"] if r["uncosted"]} == {"gb": 1}
    html = response.content.decode()
    assert "and 1 of unknown cost" in html
    assert "3 of the portfolio's projects have a known place" in html
    assert "1 has none yet" in html
    assert "Boundaries © OpenStreetMap contributors" in html
    assert "33.6989° N, 73.0369° E" in html and "The centre of Islamabad." in html
    assert "Route of 3 points" in html


def test_the_figure_draws_points_and_routes_that_open_their_project(viewer_client, places):
    figure = viewer_client.get(URL, {"as_of_jcc": "14"}).context["figures"]["map"]
    traces = {(t["name"], t["mode"]): t for t in figure["data"]}
    transport_routes = traces[("Transport", "lines+markers")]
    # Rail B's two points, a break, Road A's three points, a break.
    assert transport_routes["x"] == [67.01, 68.36833, None, 73.15333, 73.20139, 72.91667, None]
    assert transport_routes["customdata"][0][0] == "/projects/rail-b/?as_of_jcc=14"  # the moment travels
    zone = traces[("Industrial zones", "markers")]
    assert (zone["x"], zone["y"]) == ([73.0369], [33.6989])
    assert zone["customdata"][0][1:] == ["Zone D", "Approved", "US$ 89.1m", "US$ 0.0m"]
    assert figure["layout"]["meta"]["links"] is True
    assert figure["layout"]["annotations"][0]["text"] == "Boundaries © OpenStreetMap contributors"


def test_provinces_shaded_by_gap_and_markers_coloured_by_status(viewer_client, places):
    from dashboard.charts import SHADES, UNSHADED
    from projects.choices import PROJECT_STATUS_COLOURS

    figure = viewer_client.get(URL, {"shade": "gap", "colour": "status"}).context["figures"]["map"]
    areas = figure["layout"]["meta"]["areas"]
    assert areas["sindh"]["fill"] == areas["punjab"]["fill"] == SHADES[-1]  # the largest gap
    assert areas["kp"]["fill"] == areas["gb"]["fill"] == SHADES[0]  # 150m of 1,975m
    assert areas["ict"]["fill"] == areas["balochistan"]["fill"] == UNSHADED  # no gap; no project
    assert areas["kp"]["text"] == (
        "Khyber Pakhtunkhwa: 1 project, funding gap US$ 150.0m (a project&#x27;s split among its provinces)"
    )
    zone = next(t for t in figure["data"] if t["mode"] == "markers" and t["name"] == "Approved")
    assert zone["marker"]["color"] == PROJECT_STATUS_COLOURS["approved"]


def test_the_filters_and_the_moment_narrow_the_map(viewer_client, places):
    response = viewer_client.get(URL, {"sector": "industrial"})
    assert [p["slug"] for p in response.context["places"]] == ["zone-d"]
    assert regions(response)["sindh"] == (0, None, None)
    # Before the 14th JCC Zone D was not known yet (its first record is of Aug 2025).
    response = viewer_client.get(URL, {"as_of": "2022-12-31"})
    assert [p["slug"] for p in response.context["places"]] == ["rail-b"]


@pytest.mark.parametrize("query", [{"shade": "lakh"}, {"colour": "red"}, {"as_of": "yesterday"}, {"sector": "x"}])
def test_bad_options_are_a_400_with_the_forms_message(viewer_client, places, query):
    response = viewer_client.get(URL, query)
    assert response.status_code == 400
    assert "Some filters could not be used" in response.content.decode()


def test_constant_queries_at_two_sizes(viewer_client, places):
    from django.core.cache import cache

    def count():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert viewer_client.get(URL, {"shade": "cost"}).status_code == 200
        return len(captured)

    small = count()
    source = SourceFactory()
    for n in range(15):
        ProjectFactory(regions=["sindh"], latitude=M("25") + M(n) / 2, longitude=M("67"), location_source=source)
        ProjectFactory(regions=["kp", "punjab"], route=RAIL_ROUTE, location_source=source)
    assert count() == small


def test_the_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


# ------------------------------------------------------------------ the boundaries file


def test_the_boundaries_file_is_built_from_the_shared_files_as_they_are():
    """static/geo/pakistan.json is what dashboard.boundaries builds from ../shared/data/geo today."""
    committed = json.loads(boundaries.OUTPUT.read_text())
    assert committed["source_sha256"] == boundaries.source_hashes()
    assert boundaries.serialize(boundaries.build()) == boundaries.OUTPUT.read_text()


def test_the_boundaries_carry_the_attribution_and_draw_fata_as_part_of_kp():
    data = json.loads(boundaries.OUTPUT.read_text())
    assert data["attribution"] == "Boundaries © OpenStreetMap contributors"
    assert [a["region"] for a in data["areas"]] == ["punjab", "sindh", "kp", "balochistan", "gb", "ajk", "ict"]
    kp = next(a for a in data["areas"] if a["region"] == "kp")
    assert len(kp["rings"]) == 1  # one shape: no border drawn between KP and the former FATA
    lons = [x for ring in kp["rings"] for x, _ in ring]
    assert min(lons) < 69.5  # the former FATA's western edge (69.24; KP alone reaches 70.04)


def test_a_projects_page_has_its_own_small_map(viewer_client, places):
    response = viewer_client.get(reverse("dashboard:project", args=["zone-d"]), {"as_of_jcc": "14"})
    figure = response.context["figures"]["map"]
    markers = [t for t in figure["data"] if t["mode"] == "markers"]
    assert [(t["x"], t["y"]) for t in markers] == [([73.0369], [33.6989])]
    areas = figure["layout"]["meta"]["areas"]
    assert areas["ict"]["fill"] != areas["punjab"]["fill"]  # its own territory tinted
    html = response.content.decode()
    assert 'id="h-where"' in html and "33.6989° N, 73.0369° E. The centre of Islamabad." in html
    assert '<a href="/map/?as_of_jcc=14">On the map with the other projects</a>' in html
    # Only the map is drawn over the provinces, not the page's other charts.
    assert html.count("data-boundaries=") == 1 and 'data-chart="chart-where" data-boundaries=' in html
    solar = viewer_client.get(reverse("dashboard:project", args=["solar-c"]))
    assert "map" not in solar.context["figures"] and 'id="h-where"' not in solar.content.decode()
