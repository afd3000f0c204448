"""CSV and XLSX exports (dashboard/exports.py): exactly the filtered list, formulas neutralized, bad filters a 400."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import (
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


def test_csv_export_is_exactly_the_filtered_list(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:project_export", args=["csv"]), {"region": "gb", "sort": "-name"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="cpec-projects-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Project", "Kind", "Sector", "Status"]
    assert [r[0] for r in rows[1:]] == ["Solar C", "Road A"]
    road = dict(zip(rows[0], rows[2], strict=True))
    assert road["Current cost (US$)"] == "2000000000.00"
    assert road["Committed financing (US$)"] == "1700000000.00"
    assert road["Committed, amount not disclosed (US$)"] == "0.00"
    assert road["Proposed or planned (US$)"] == "0.00"
    assert road["Funding gap (US$)"] == "300000000.00" and road["Funding gap (%)"] == "15.00"
    assert road["Counted in portfolio totals"] == "yes"
    assert road["Financing sources"] == "Government of China"


def test_xlsx_export(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:project_export", args=["xlsx"]), {"lender": "psdp"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Project"
    assert [row[0] for row in values[1:]] == ["Rail B", "Zone D"]
    assert values[1][5] == 7000000000  # a number in the spreadsheet, not text


def test_export_neutralizes_spreadsheet_formulas(viewer_client, db):
    ProjectFactory(name='=HYPERLINK("http://evil.example","click")', slug="evil")
    ProjectFactory(name="+1+1", slug="plus")
    ProjectFactory(name="@SUM(A1)", slug="at")
    ProjectFactory(name="-2", slug="minus")
    csv_rows = list(csv.reader(io.StringIO(viewer_client.get("/projects/export.csv").content.decode("utf-8-sig"))))
    assert sorted(r[0] for r in csv_rows[1:]) == [
        "'+1+1",
        "'-2",
        '\'=HYPERLINK("http://evil.example","click")',
        "'@SUM(A1)",
    ]
    sheet = load_workbook(io.BytesIO(viewer_client.get("/projects/export.xlsx").content)).active
    cells = [row[0] for row in list(sheet.values)[1:]]
    assert all(c.startswith("'") for c in cells)


def test_bad_filter_on_export_is_a_400_page(viewer_client, portfolio):
    response = viewer_client.get("/projects/export.csv", {"cost_min": "abc"})
    assert response.status_code == 400
    assert "Enter a number." in response.content.decode()
