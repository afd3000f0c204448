"""The demo portfolio's places (data/demo/projects.yaml, G sources): sourced, inside Pakistan, or left empty."""

from decimal import Decimal

import pytest

from projects.geo import validate_route
from projects.models import Project

M = Decimal


@pytest.fixture
def demo(demo_db, db):
    """The demo portfolio (loaded once for this module), in a rolled-back transaction."""


def test_every_place_has_its_source_and_says_what_it_is(demo):
    located = Project.objects.exclude(latitude=None, route=None)
    assert located.count() == 27  # 20 points and 7 routes
    for project in located.select_related("location_source"):
        assert project.location_source is not None and project.location_source.url.startswith("http")
        assert project.location_note, project.slug
        project.full_clean()  # inside Pakistan, well formed
        validate_route(project.route)
        assert (project.latitude is None) == bool(project.route), "a point or a route, not both"


def test_sites_where_a_source_gives_them_and_towns_otherwise(demo):
    sahiwal = Project.objects.get(slug="sahiwal-coal")
    assert (sahiwal.latitude, sahiwal.longitude) == (M("30.71422"), M("73.23802"))
    assert sahiwal.location_source.url == "https://gem.wiki/Sahiwal_power_station"
    airport = Project.objects.get(slug="new-gwadar-international-airport")
    assert "NOT the new airport's site" in airport.location_note


def test_routes_run_through_the_towns_in_order(demo):
    havelian_thakot = Project.objects.get(slug="kkh-havelian-thakot").route
    assert havelian_thakot == {
        "type": "LineString",
        "coordinates": [[73.15333, 34.05306], [73.21168, 34.1463], [73.20139, 34.33389], [72.91667, 34.75]],
    }
    assert len(Project.objects.get(slug="ml-1").route["coordinates"]) == 7  # Karachi … Peshawar


def test_what_is_not_known_is_left_empty_with_the_reason(demo):
    for slug in ("gb-solar-300mw", "gb-solar-100mw", "suki-kinari-hydropower", "dhabeji-sez", "moqpondass-sez"):
        project = Project.objects.get(slug=slug)
        assert (project.latitude, project.route, project.location_source) == (None, None, None)
        assert project.location_note.startswith("No location"), slug
