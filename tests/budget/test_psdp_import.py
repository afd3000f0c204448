"""PSDP figures imported from a spreadsheet: a dry-run preview, then the confirm; bad rows say why."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from budget.models import PsdpFigure
from budget.resources import PsdpFigureResource
from tests.factories import ProjectFactory, PsdpFigureFactory, SourceFactory
from tests.projects.test_resources import confirm_data, import_dry_run, preview_rows, text

pytestmark = pytest.mark.django_db
HEADER = ["project", "fiscal_year", "scheme", "kind", "component", "amount_pkr", "stated", "as_of", "source"]
CONFIRM = "admin:budget_psdpfigure_process_import"


@pytest.fixture
def ml1():
    SourceFactory(key="P3")
    return ProjectFactory(slug="ml-1")


def test_a_years_figures_preview_then_import_once(admin_client, ml1):
    rows = [
        HEADER,
        ["ml-1", "2019-20", "Design", "original", "total", "1800000000", "Rs1.8 billion", "2019-06-12", "P3"],
        ["ml-1", "2019", "Design", "Released (so far)", "", "360000000", "Rs 360 million", "2019-09-03", "P3"],
    ]
    html = import_dry_run(admin_client, PsdpFigure, rows).content.decode()
    assert "Confirm import" in html and "All 2 rows of the file are valid" in text(html)
    assert not PsdpFigure.objects.exists()  # the preview was a dry run
    assert admin_client.post(reverse(CONFIRM), confirm_data(html)).status_code == 302
    assert sorted(PsdpFigure.objects.values_list("fiscal_year", "kind", "component", "amount_pkr")) == [
        (2019, "original", "total", Decimal("1800000000.00")),
        (2019, "released", "total", Decimal("360000000.00")),
    ]
    # The same file again changes nothing: each row is found by its project, year, scheme, kind, part and date.
    again = import_dry_run(admin_client, PsdpFigure, rows).content.decode()
    assert admin_client.post(reverse(CONFIRM), confirm_data(again)).status_code == 302
    assert PsdpFigure.objects.count() == 2


def test_bad_rows_are_listed_with_their_problems_and_nothing_is_written(admin_client, ml1):
    rows = [
        HEADER,
        ["ml-1", "2019-20", "", "original", "total", "-5", "", "2019-06-12", "P3"],
        ["ml-1", "2019-21", "", "original", "total", "5", "", "2019-06-12", "P3"],
        ["ml-1", "2019-20", "", "promised", "total", "5", "", "2019-06-12", "P3"],
        ["ml-1", "2019-20", "", "original", "total", "5", "", "2018-12-31", "P3"],
        ["no-such", "2019-20", "", "original", "total", "5", "", "2019-06-12", "P9"],
    ]
    html = import_dry_run(admin_client, PsdpFigure, rows).content.decode()
    assert "Confirm import" not in html
    problems = {line: row["problems"] for line, row in preview_rows(html).items()}
    assert "A PSDP figure cannot be negative." in problems[2]
    assert "fiscal_year" in problems[3] and "2019-21" in problems[3]
    assert "kind" in problems[4] and "promised" in problems[4]
    assert "A figure cannot be dated before the calendar year its fiscal year starts in." in problems[5]
    assert "unknown project" in problems[6] and "unknown source" in problems[6]
    assert not PsdpFigure.objects.exists()


def test_the_export_writes_fiscal_years_as_the_psdp_does(ml1):
    PsdpFigureFactory(project=ml1, fiscal_year=2019, as_of=dt.date(2019, 6, 12))
    dataset = PsdpFigureResource().export()
    assert dataset.dict[0]["fiscal_year"] == "2019-20"
    assert dataset.dict[0]["project"] == "ml-1"
