"""The OpenAPI description: generated without a warning or an error, valid OpenAPI 3, and saying
what the endpoints accept and answer."""

import json

import pytest
from django.core.management import call_command

from dashboard.filters import PortfolioFilter


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    """``manage.py spectacular --validate --fail-on-warn``: any warning or error fails the run."""
    path = tmp_path_factory.mktemp("openapi") / "schema.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(path))
    return json.loads(path.read_text())


def parameters(schema, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}


def test_the_schema_generates_cleanly_and_lists_only_reads(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "CPEC Tracker API"
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path
        assert {"tokenAuth": []} in operations["get"]["security"], path


def test_the_project_list_takes_every_parameter_of_the_portfolio_filter(schema):
    accepted = parameters(schema, "/api/v1/projects/")
    assert set(PortfolioFilter.base_filters) | {"as_of", "as_of_jcc", "page", "page_size"} == set(accepted)
    assert "transport" in accepted["sector"]["schema"]["items"]["enum"]
    assert "-gap" in accepted["sort"]["schema"]["enum"]
    assert accepted["as_of"]["schema"] == {"type": "string", "format": "date"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects/{slug}/",
        "/api/v1/lenders/",
        "/api/v1/lenders/{slug}/",
        "/api/v1/meetings/",
        "/api/v1/meetings/{number}/",
        "/api/v1/exchange-rates/",
    ],
)
def test_every_endpoint_takes_the_moment(schema, path):
    assert {"as_of", "as_of_jcc"} <= set(parameters(schema, path))


def test_money_is_a_decimal_string(schema):
    project = schema["components"]["schemas"]["ProjectList"]["properties"]
    assert project["funding_gap_usd"] == {
        "type": "string",
        "format": "decimal",
        "readOnly": True,
        "nullable": True,
        "description": "Not identified: what is left of the cost, never below zero, US$.",
    }
