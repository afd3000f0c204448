"""The one CSV/XLSX writer (projects/spreadsheets.py): plain CSV for machines, a formatted XLSX for people."""

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from projects.spreadsheets import (
    DATE_FORMAT,
    MONEY_FORMAT,
    PERCENT_FORMAT,
    Column,
    Link,
    neutralize,
    table_response,
)

COLUMNS = [
    Column("Project", 30),
    Column("Cost (US$)", 16, MONEY_FORMAT),
    Column("Gap (%)", 9, PERCENT_FORMAT),
    Column("Cost as of", 12, DATE_FORMAT),
]
EVIL = Link('=HYPERLINK("http://evil.example")', "https://site.example/projects/evil/")
ROWS = [
    [EVIL, Decimal("2000000000.00"), Decimal("15.00"), dt.date(2025, 9, 26)],
    ["-2", None, None, None],
]


def sheet_of(response):
    return load_workbook(io.BytesIO(response.content)).active


def test_csv_is_the_header_and_plain_values_with_link_texts():
    response = table_response(COLUMNS, ROWS, fmt="csv", filename="t", sheet="T", preamble=["Title"])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="t.csv"'
    assert response.content.decode("utf-8-sig").splitlines() == [
        "Project,Cost (US$),Gap (%),Cost as of",  # no preamble: one header row, then the data
        '"\'=HYPERLINK(""http://evil.example"")",2000000000.00,15.00,2025-09-26',
        "'-2,,,",
    ]


def test_xlsx_has_the_preamble_above_a_formatted_table():
    preamble = ["Title", "Filters: none", "=1+1"]
    sheet = sheet_of(table_response(COLUMNS, ROWS, fmt="xlsx", filename="t", sheet="T", preamble=preamble))
    assert sheet.title == "T"
    assert [sheet.cell(row, 1).value for row in range(1, 5)] == ["Title", "Filters: none", "'=1+1", None]
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert [cell.value for cell in sheet[5]] == ["Project", "Cost (US$)", "Gap (%)", "Cost as of"]
    assert all(cell.font.b for cell in sheet[5])
    link, cost, gap, as_of = sheet[6]
    assert (link.value, link.hyperlink.target) == (
        '\'=HYPERLINK("http://evil.example")',
        "https://site.example/projects/evil/",
    )
    assert (cost.value, cost.number_format) == (2000000000, "#,##0")
    assert (gap.value, gap.number_format) == (0.15, "0.0%")  # 15.00 percent is the fraction 0.15
    assert (as_of.value, as_of.number_format) == (dt.datetime(2025, 9, 26), "yyyy-mm-dd")
    assert [cell.value for cell in sheet[7]] == ["'-2", None, None, None]  # text stays text
    assert sheet.freeze_panes == "B6"
    assert sheet.auto_filter.ref == "A5:D7"
    assert [sheet.column_dimensions[letter].width for letter in "ABCD"] == [30, 16, 9, 12]


def test_xlsx_without_a_preamble_starts_with_the_header():
    sheet = sheet_of(table_response(COLUMNS, [], fmt="xlsx", filename="t", sheet="T"))
    assert [cell.value for cell in sheet[1]] == ["Project", "Cost (US$)", "Gap (%)", "Cost as of"]
    assert (sheet.max_row, sheet.freeze_panes, sheet.auto_filter.ref) == (1, "B2", "A1:D1")


def test_neutralize_keeps_numbers_unless_told_text_stays_text():
    assert neutralize("-5.00") == "-5.00"
    assert neutralize("-5.00", numbers_stay=False) == "'-5.00"
    assert neutralize("'=1") == "'=1"  # already neutral: no second apostrophe
    assert neutralize(Decimal("-5")) == Decimal("-5")


def test_control_characters_a_worksheet_cannot_hold_are_dropped_not_a_500():
    """A search for ESC put "Filters: Search: \\x1b" in the header block; openpyxl refuses such text."""
    response = table_response(
        COLUMNS, [["Port\x07 E", None, None, None]], fmt="xlsx", filename="t", sheet="T", preamble=["T", "Search: \x1b"]
    )
    sheet = sheet_of(response)
    assert sheet["A2"].value == "Search: "
    assert sheet["A5"].value == "Port E"  # after the two lines, a blank row and the header
