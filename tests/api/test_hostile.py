"""Hostile parameters get a 400 with the forms' messages as JSON (a 404 for what does not exist), never a 500.

Hand-picked cases first, each with the answer it must get; then a property test sending every
endpoint generated query strings (the generators of tests/security/test_hostile_input.py), on
the demo portfolio.
"""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import tests.security.conftest  # noqa: F401 (the suite's hypothesis profiles: "ci" unless HYPOTHESIS_PROFILE says)
from tests.security.test_hostile_input import PORTFOLIO, query

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/projects/", "/api/v1/lenders/", "/api/v1/meetings/", "/api/v1/exchange-rates/"]
DETAILS = ["/api/v1/projects/rail-b/", "/api/v1/lenders/china/", "/api/v1/meetings/14/"]
ENDPOINTS = LISTS + DETAILS

BAD_MOMENTS = [
    ({"as_of": "2025-02-30"}, "as_of", "Enter a valid date."),
    ({"as_of": "1989-12-31"}, "as_of", "Choose a date from 1990 on."),
    ({"as_of": "2025-01-01\x00"}, "as_of", None),
    ({"as_of": "'; DROP TABLE projects_project; --"}, "as_of", "Enter a valid date."),
    ({"as_of_jcc": "99"}, "as_of_jcc", None),
    ({"as_of_jcc": "99999999999999999999"}, "as_of_jcc", None),
    ({"as_of_jcc": "1 OR 1=1"}, "as_of_jcc", None),
    ({"as_of_jcc": "\x00"}, "as_of_jcc", None),
    ({"as_of_jcc": "14", "as_of": "nonsense"}, "as_of", "Enter a valid date."),
]


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize(("params", "field", "message"), BAD_MOMENTS)
def test_a_bad_moment_is_a_400_with_the_forms_message(api, portfolio, url, params, field, message):
    response = api.get(url, params)
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]


BAD_PAGES = [
    ({"page": "0"}, 400),
    ({"page": "-1"}, 400),
    ({"page": "abc"}, 400),
    ({"page": "1e3"}, 400),
    ({"page": "2\x00"}, 400),
    ({"page": "٣"}, 400),  # an Arabic-Indic digit: not a page number here
    ({"page": "99999"}, 404),
    ({"page": "9" * 400}, 404),
    ({"page_size": "0"}, 400),
    ({"page_size": "101"}, 400),
    ({"page_size": "-5"}, 400),
    ({"page_size": "1000000000000"}, 400),
    ({"page_size": "ten"}, 400),
    ({"page_size": "\x00"}, 400),
]


@pytest.mark.parametrize("url", LISTS + ["/api/v1/lenders/china/", "/api/v1/meetings/14/"])
@pytest.mark.parametrize(("params", "status"), BAD_PAGES)
def test_bad_paging_is_a_400_and_a_page_past_the_last_a_404(api, portfolio, url, params, status):
    response = api.get(url, params)
    assert response.status_code == status
    body = response.json()
    assert body == {"detail": "There is no such page."} if status == 404 else set(body) <= {"page", "page_size"}


def test_the_meetings_changes_are_paged_strictly_too(api, portfolio):
    assert api.get("/api/v1/meetings/14/", {"changes_page": "x"}).status_code == 400
    assert api.get("/api/v1/meetings/14/", {"changes_page": "2"}).status_code == 404


BAD_FILTERS = [
    {"sector": "space"},
    {"status": "'; DROP TABLE projects_project; --"},
    {"lender": "no-such-lender"},
    {"lender_kind": "\x00"},
    {"meeting": "99"},
    {"meeting": "1 UNION SELECT 1"},
    {"cost_min": "NaN"},
    {"cost_min": "1e999999"},
    {"cost_min": "5", "cost_max": "1"},
    {"completion_after": "2030-01-01", "completion_before": "2020-01-01"},
    {"completion_after": "2024-02-30"},
    {"sort": "password"},
    {"q": "x" * 201},
    {"q": "rail\x00"},
]


@pytest.mark.parametrize("params", BAD_FILTERS)
def test_a_bad_filter_is_a_400_with_the_filters_messages(api, viewer_client, portfolio, params):
    response = api.get("/api/v1/projects/", params)
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) <= set(PORTFOLIO) | {"non_field_errors"}
    # The project list refuses the same input, with the same messages.
    page = viewer_client.get("/projects/", params)
    assert page.status_code == 400
    assert {name: list(messages) for name, messages in page.context["filter"].errors.items()} == errors


def test_sql_in_the_search_text_is_just_text(api, portfolio):
    response = api.get("/api/v1/projects/", {"q": "' OR '1'='1"})
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/no-such-project/",
        "/api/v1/lenders/no-such-lender/",
        "/api/v1/meetings/99/",
        "/api/v1/meetings/0/",
        "/api/v1/meetings/99999999999999999999/",
    ],
)
def test_what_does_not_exist_is_a_404(api, portfolio, url):
    response = api.get(url)
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize("url", ["/api/v1/projects/%00/", "/api/v1/meetings/-1/", "/api/v1/lenders/a%20b/"])
def test_a_path_no_endpoint_matches_is_a_404(api, portfolio, url):
    assert api.get(url).status_code == 404


def test_an_unknown_currency_is_a_400(api, db):
    response = api.get("/api/v1/exchange-rates/", {"currency": "USD"})
    assert (response.status_code, response.json()) == (400, {"currency": ["Choose PKR or CNY."]})


# ------------------------------------------------------------------ generated


@pytest.fixture(scope="module")
def catalog(demo_db, django_db_blocker):
    from financing.models import Lender
    from projects.models import JCCMeeting

    with django_db_blocker.unblock():
        return {
            "lenders": sorted(Lender.objects.values_list("slug", flat=True)),
            "meetings": sorted(JCCMeeting.objects.values_list("number", flat=True)),
        }


API_PARAMETERS = (*PORTFOLIO, "page_size", "changes_page", "currency")


@given(data=st.data())
@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
def test_no_query_string_makes_any_endpoint_fail(generous_throttle, api, catalog, data):
    url = data.draw(st.sampled_from(ENDPOINTS), label="endpoint")
    response = api.get(f"{url}?{query(data, catalog, API_PARAMETERS)}")
    assert response.status_code in (200, 400, 404), response.content[:300]
    assert response["Content-Type"] == "application/json"


@pytest.fixture
def generous_throttle(settings):
    """The property test sends far more than a person would: the rate is not what it tests."""
    rates = {"user": "100000/minute", "anon": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
