"""Where a project is (projects/geo.py): a point and a route, checked by the database and shown as form errors."""

import json
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from projects.geo import validate_route
from projects.models import Project
from tests.factories import ProjectFactory, SourceFactory
from tests.htmlforms import post_change

pytestmark = pytest.mark.django_db

HAVELIAN_THAKOT = {"type": "LineString", "coordinates": [[73.15, 34.05], [73.2, 34.33], [72.92, 34.8]]}

#: Routes the database and the model both refuse, with what the form says.
BAD_ROUTES = {
    "a point, not a line": ({"type": "Point", "coordinates": [73.1, 34.0]}, "Paste the route as a GeoJSON LineString"),
    "a list, not GeoJSON": ([[73.1, 34.0], [73.2, 34.3]], "Paste the route as a GeoJSON LineString"),
    "one point": ({"type": "LineString", "coordinates": [[73.1, 34.0]]}, "at least two points"),
    "no coordinates": ({"type": "LineString"}, "at least two points"),
    "latitude first": (
        {"type": "LineString", "coordinates": [[34.05, 73.15], [34.33, 73.2]]},
        "It looks like latitude, longitude",
    ),
    "in China": ({"type": "LineString", "coordinates": [[73.15, 34.05], [79.9, 37.1]]}, "Point 2 of the route"),
    "a text": ({"type": "LineString", "coordinates": [[73.15, 34.05], ["73.2", "34.3"]]}, "not a pair of numbers"),
    "three numbers": ({"type": "LineString", "coordinates": [[73.15, 34.05, 500], [73.2, 34.3]]}, "not a pair"),
    "a boolean": ({"type": "LineString", "coordinates": [[73.15, 34.05], [True, 34.3]]}, "not a pair of numbers"),
}


def _saved_by_sql(project, route) -> bool:
    """Whether PostgreSQL accepts ``route`` on ``project``, with a source (bypassing the model's checks)."""
    source = SourceFactory()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE projects_project SET route = %s, location_source_id = %s WHERE id = %s",
                [json.dumps(route), source.pk, project.pk],
            )
    except IntegrityError:
        return False
    return True


def test_a_route_is_saved_and_read_back_as_geojson(admin_client):
    project = ProjectFactory(sector="transport")
    source = SourceFactory()
    response = post_change(admin_client, project, route=json.dumps(HAVELIAN_THAKOT), location_source=str(source.pk))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.route == HAVELIAN_THAKOT
    assert project.history.first().route == HAVELIAN_THAKOT  # audited like every field


@pytest.mark.parametrize("case", BAD_ROUTES)
def test_a_bad_route_is_a_form_error_and_the_database_refuses_it_too(admin_client, case):
    route, message = BAD_ROUTES[case]
    project = ProjectFactory(sector="transport")
    source = SourceFactory()
    response = post_change(admin_client, project, route=json.dumps(route), location_source=str(source.pk))
    assert response.status_code == 200
    assert message in response.content.decode()
    project.refresh_from_db()
    assert project.route is None
    assert not _saved_by_sql(project, route)


def test_json_that_does_not_parse_is_a_form_error(admin_client):
    project = ProjectFactory()
    response = post_change(admin_client, project, route='{"type": "LineString", "coordinates": [[73.1, 34.0],')
    assert response.status_code == 200
    assert "Enter a valid JSON." in response.content.decode()


@pytest.mark.parametrize("route", [HAVELIAN_THAKOT, {"type": "LineString", "coordinates": [[60.5, 23.5], [78, 37.5]]}])
def test_the_database_and_the_model_accept_the_same_routes(route):
    validate_route(route)
    assert _saved_by_sql(ProjectFactory(), route)


@pytest.mark.parametrize(
    "latitude, longitude, message",
    [
        ("34.05", "", "Give the longitude too, or neither."),
        ("", "73.15", "Give the latitude too, or neither."),
        ("40.1", "73.15", "A latitude inside Pakistan"),
        ("34.05", "59.9", "A longitude inside Pakistan"),
    ],
)
def test_a_bad_point_is_a_form_error_and_the_database_refuses_it_too(admin_client, latitude, longitude, message):
    project = ProjectFactory()
    response = post_change(admin_client, project, latitude=latitude, longitude=longitude)
    assert response.status_code == 200
    assert message in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(
            latitude=Decimal(latitude) if latitude else None,
            longitude=Decimal(longitude) if longitude else None,
            location_source=SourceFactory(),  # sourced: the point's own rule refuses it
        )


def test_a_point_or_a_route_needs_its_source(admin_client):
    project = ProjectFactory()
    response = post_change(admin_client, project, latitude="30.60167", longitude="73.40833")
    assert "Give the source of the coordinates or the route." in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(route=HAVELIAN_THAKOT)


def test_a_point_inside_pakistan_is_saved(admin_client):
    project = ProjectFactory()
    source = SourceFactory()
    response = post_change(admin_client, project, latitude="30.60167", longitude="73.40833", location_source=source.pk)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.latitude, project.longitude) == (Decimal("30.60167"), Decimal("73.40833"))
