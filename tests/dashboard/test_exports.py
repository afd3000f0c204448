"""CSV and XLSX exports (dashboard/exports.py): exactly the filtered list, formulas neutralized, bad filters a 400.

The XLSX has six lines above its table (a blank row, then the header in row 8); the CSV is one header row and data.
"""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import (
    ProjectFactory,
)

from .test_views import grow

pytestmark = pytest.mark.django_db

SITE = "https://cpec.example.gov.pk"
HEADER_ROW = 8


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = SITE


def xlsx_sheet(client, query=None):
    response = client.get(reverse("dashboard:project_export", args=["xlsx"]), query or {})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def csv_rows(client, query=None):
    response = client.get(reverse("dashboard:project_export", args=["csv"]), query or {})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


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
    values = list(xlsx_sheet(viewer_client, {"lender": "psdp"}).values)
    assert values[HEADER_ROW - 1][0] == "Project"
    assert [row[0] for row in values[HEADER_ROW:]] == ["Rail B", "Zone D"]
    assert values[HEADER_ROW][5] == 7000000000  # a number in the spreadsheet, not text


def test_xlsx_export_says_what_it_holds_above_the_table(viewer_client, portfolio, site_url):
    query = {"sector": ["transport", "industrial"], "lender": "psdp"}
    with time_machine.travel(dt.datetime(2025, 10, 1, 9, 5, tzinfo=dt.UTC), tick=False):
        sheet = xlsx_sheet(viewer_client, query)
    assert [sheet.cell(row, 1).value for row in range(1, 5)] == [
        "CPEC Tracker — projects",
        "Filters: Sector: Transport, Industrial zones; Lender: PSDP",
        "As of: now (the latest data)",
        "Exported: 1 Oct 2025, 14:05 Pakistan time",  # 09:05 UTC
    ]
    assert sheet["A1"].font.b
    assert sheet["A5"].value.startswith("Source: every figure comes from the sources listed on its project's page")
    assert sheet["A6"].value.startswith("Funding gap: what is left of the current cost")
    assert sheet["A7"].value is None


def test_xlsx_export_formats_numbers_dates_and_the_header(viewer_client, portfolio, site_url):
    sheet = xlsx_sheet(viewer_client, {"lender": "psdp"})
    header = [cell.value for cell in sheet[HEADER_ROW]]
    rail = {label: cell for label, cell in zip(header, sheet[HEADER_ROW + 1], strict=True)}
    assert rail["Project"].value == "Rail B"
    money = ("Current cost (US$)", "Committed financing (US$)", "Proposed or planned (US$)", "Funding gap (US$)")
    # 7,000m cost; PSDP's 15% is 1,050m committed; ADB's 2,000m proposed; 3,950m (56.43%) left.
    assert [(rail[label].value, rail[label].number_format) for label in money] == [
        (7000000000, "#,##0"),
        (1050000000, "#,##0"),
        (2000000000, "#,##0"),
        (3950000000, "#,##0"),
    ]
    assert (rail["Funding gap (%)"].value, rail["Funding gap (%)"].number_format) == (0.5643, "0.0%")
    assert (rail["Cost as of"].value, rail["Cost as of"].number_format) == (dt.datetime(2025, 9, 26), "yyyy-mm-dd")
    assert all(cell.font.b for cell in sheet[HEADER_ROW]) and not rail["Kind"].font.b
    assert sheet.freeze_panes == "B9"  # the header row and the project names stay in view
    assert sheet.auto_filter.ref == "A8:T10"  # the header and both projects
    widths = {letter: sheet.column_dimensions[letter].width for letter in "AFNT"}
    assert widths == {"A": 40, "F": 18, "N": 10, "T": 50}


def test_xlsx_names_link_to_the_project_page_as_of_the_meeting(viewer_client, portfolio, site_url):
    sheet = xlsx_sheet(viewer_client, {"as_of_jcc": "11", "q": "rail"})
    assert sheet["A2"].value == "Filters: Search: rail"
    assert sheet["A3"].value == "As of: the 11th JCC (27 Oct 2022)"
    name = sheet.cell(HEADER_ROW + 1, 1)
    assert name.value == "Rail B"
    assert name.hyperlink.target == f"{SITE}/projects/rail-b/?as_of_jcc=11"
    assert sheet.cell(HEADER_ROW + 1, 20).value == f"{SITE}/projects/rail-b/?as_of_jcc=11"
    assert sheet.max_row == HEADER_ROW + 1


def test_csv_is_one_header_row_with_absolute_links(viewer_client, portfolio, site_url):
    rows = csv_rows(viewer_client, {"as_of": "2022-10-27", "sort": "name"})
    assert rows[0][0] == "Project" and rows[0][-1] == "Link"
    assert [(row[0], row[5], row[-1]) for row in rows[1:]] == [
        ("Rail B", "6806000000.00", f"{SITE}/projects/rail-b/?as_of=2022-10-27"),  # plain numbers
        ("Solar C", "", f"{SITE}/projects/solar-c/?as_of=2022-10-27"),
    ]
    now = csv_rows(viewer_client, {"q": "zone"})
    assert [row[-1] for row in now[1:]] == [f"{SITE}/projects/zone-d/"]


def test_links_follow_the_configured_site_address(viewer_client, portfolio, settings):
    settings.SITE_URL = "http://127.0.0.1:9000"
    assert csv_rows(viewer_client, {"q": "zone"})[1][-1] == "http://127.0.0.1:9000/projects/zone-d/"


def test_export_neutralizes_spreadsheet_formulas(viewer_client, db, site_url):
    ProjectFactory(name='=HYPERLINK("http://evil.example","click")', slug="evil")
    ProjectFactory(name="+1+1", slug="plus")
    ProjectFactory(name="@SUM(A1)", slug="at")
    ProjectFactory(name="-2", slug="minus")
    rows = csv_rows(viewer_client)
    assert sorted(r[0] for r in rows[1:]) == [
        "'+1+1",
        "'-2",
        '\'=HYPERLINK("http://evil.example","click")',
        "'@SUM(A1)",
    ]
    sheet = xlsx_sheet(viewer_client)
    names = {sheet.cell(row, 1).value: sheet.cell(row, 1) for row in range(HEADER_ROW + 1, sheet.max_row + 1)}
    assert sorted(names) == sorted(r[0] for r in rows[1:])
    assert all(cell.data_type == "s" for cell in names.values())  # text, never a formula
    evil = names['\'=HYPERLINK("http://evil.example","click")']
    assert evil.hyperlink.target == f"{SITE}/projects/evil/"  # its page, not evil.example


def test_bad_filter_on_export_is_a_400_page(viewer_client, portfolio):
    response = viewer_client.get("/projects/export.csv", {"cost_min": "abc"})
    assert response.status_code == 400
    assert "Enter a number." in response.content.decode()


def test_a_filtered_as_of_xlsx_export_runs_a_constant_number_of_queries(
    viewer_client, portfolio, django_assert_num_queries
):
    url = "/projects/export.xlsx?as_of_jcc=11&lender=china&sector=transport"
    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert viewer_client.get(url).status_code == 200
    grow(45)
    with django_assert_num_queries(len(small.captured_queries)):
        assert viewer_client.get(url).status_code == 200
