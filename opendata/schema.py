"""Checking a package against the official OC4IDS 0.9.4 schema and codelists, offline.

The schema files in ``opendata/schema/`` are a verbatim copy of the release (``SOURCES.txt``;
the tests compare them with ../shared/data/oc4ids/). The package schema points at the project
schema by its remote URL; a ``referencing.Registry`` maps that URL to the local file, so nothing
is fetched. Formats ("date-time", "uri") are checked (rfc3339-validator, rfc3986-validator).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"


@cache
def _load(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@cache
def _validator() -> Draft4Validator:
    project, package = _load("project-schema.json"), _load("project-package-schema.json")
    registry = Registry().with_resource(project["id"], Resource.from_contents(project, default_specification=DRAFT4))
    return Draft4Validator(package, registry=registry, format_checker=FormatChecker())


def schema_errors(package: dict) -> list[str]:
    """What makes ``package`` invalid against the package schema, one line per error ("" path: the top)."""
    errors = sorted(_validator().iter_errors(package), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(package)'}: {e.message}" for e in errors]


@cache
def codelist(name: str) -> frozenset[str]:
    """The codes of one of the standard's codelists (``projectStatus.csv``)."""
    with (SCHEMA_DIR / "codelists" / name).open(encoding="utf-8", newline="") as f:
        return frozenset(row["Code"] for row in csv.DictReader(f))


def codelist_values(package: dict) -> Iterator[tuple[str, str, str]]:
    """Every value the package gives a field that takes its values from a codelist, open or
    closed: (path, codelist file, value). Walks the project schema beside each project."""
    schema = _load("project-schema.json")
    for i, project in enumerate(package.get("projects", [])):
        yield from _walk(project, schema, schema, f"projects/{i}")


def _walk(instance, node: dict, root: dict, path: str) -> Iterator[tuple[str, str, str]]:
    if "$ref" in node:
        node = root["definitions"][node["$ref"].rsplit("/", 1)[-1]]
    if "codelist" in node and instance is not None:
        for item in instance if isinstance(instance, list) else [instance]:
            yield path, node["codelist"], item
        return
    if isinstance(instance, dict):
        for key, child in instance.items():
            if key in node.get("properties", {}):
                yield from _walk(child, node["properties"][key], root, f"{path}/{key}")
    elif isinstance(instance, list) and "items" in node:
        for i, child in enumerate(instance):
            yield from _walk(child, node["items"], root, f"{path}/{i}")


def codelist_errors(package: dict) -> list[str]:
    """The values the package gives codelist fields that are not in the codelist."""
    return [
        f"{path}: {value!r} is not in {name}"
        for path, name, value in codelist_values(package)
        if value not in codelist(name)
    ]
