"""Spreadsheet files the site hands out: formula neutralizing and the one CSV/XLSX writer.

A cell that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) is written with an apostrophe in front, so a project named
``=HYPERLINK(…)`` stays text in Excel and LibreOffice. The dashboard's exports, the admin's
exports (``projects.resources``) and the import templates all write through this module.

``table_response`` writes a table: as CSV one header row and the data, numbers plain (for
machines); as XLSX for people, with a title block above the table, number formats, column
widths, a bold frozen header row, an autofilter and hyperlinks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

#: A spreadsheet takes a cell starting with one of these for a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: XLSX number formats: whole units with thousands separators, percents, dates.
MONEY_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Column:
    """A table column: its header, and in XLSX its width (in characters) and number format.

    A column with ``PERCENT_FORMAT`` holds percents (15.00); XLSX stores the fraction (0.15),
    which the format shows as 15.0%.
    """

    label: str
    width: int = 12
    number_format: str = "General"


@dataclass(frozen=True)
class Link:
    """A cell's text that opens ``url`` in XLSX; CSV has the text only."""

    text: str
    url: str


def neutralize(value, *, numbers_stay: bool = True):
    """Keep a text cell text: ``=HYPERLINK(…)`` becomes ``'=HYPERLINK(…)``; anything but a string is kept.

    A string that reads as a number (``-5.00``, ``+12``) is no formula and stays as it is: the
    admin's exports write every value as text, numbers included. Where numbers are written as
    numbers, ``numbers_stay=False`` makes a text cell that looks like one (a project named
    ``-2``) keep its apostrophe too, so it stays the text it is.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    if numbers_stay:
        try:
            if Decimal(value).is_finite():
                return value
        except InvalidOperation:
            pass
    return "'" + value


def csv_text(rows: Iterable[Sequence]) -> str:
    """Rows as CSV text with a byte-order mark, so that Excel reads it as UTF-8 (None is an empty cell)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return "\ufeff" + buffer.getvalue()


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def spreadsheet_response(content: str | bytes, *, fmt: str, filename: str) -> HttpResponse:
    """A download of ``<filename>.<fmt>`` (csv or xlsx)."""
    response = HttpResponse(content, content_type=CSV_TYPE if fmt == "csv" else XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def table_response(
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    *,
    fmt: str,
    filename: str,
    sheet: str,
    preamble: Sequence[str] = (),
) -> HttpResponse:
    """The rows under a header row as a CSV file, or an XLSX workbook with one sheet named ``sheet``.

    Every text cell is neutralized. The ``preamble`` lines (a title first) go above the table
    in XLSX only: the CSV stays one header row and the data.
    """
    if fmt == "csv":
        cells = ([_text(v.text if isinstance(v, Link) else v) for v in row] for row in rows)
        return spreadsheet_response(csv_text([[c.label for c in columns], *cells]), fmt=fmt, filename=filename)
    workbook = table_workbook(columns, rows, sheet=sheet, preamble=preamble)
    return spreadsheet_response(workbook_bytes(workbook), fmt=fmt, filename=filename)


def table_workbook(
    columns: Sequence[Column], rows: Iterable[Sequence], *, sheet: str, preamble: Sequence[str] = ()
) -> Workbook:
    """The XLSX side of ``table_response``: the preamble (title in bold), a blank row, then the table."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    header_row = len(preamble) + 2 if preamble else 1
    # Set before the first row: a write-only sheet writes its widths and panes first.
    for number, column in enumerate(columns, start=1):
        worksheet.column_dimensions[get_column_letter(number)].width = column.width
    worksheet.freeze_panes = f"B{header_row + 1}"  # the header row and the project column stay in view
    for number, line in enumerate(preamble):
        worksheet.append([_cell(worksheet, _text(line), font=TITLE if number == 0 else None)])
    if preamble:
        worksheet.append([])
    worksheet.append([_cell(worksheet, _text(c.label), font=BOLD, alignment=WRAP) for c in columns])
    last_row = header_row
    for row in rows:
        worksheet.append([_data_cell(worksheet, value, column) for value, column in zip(row, columns, strict=True)])
        last_row += 1
    worksheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{last_row}"
    return workbook


def _text(value):
    # A text cell that looks like a number stays text here: numbers are written as numbers.
    # Control characters (a search for ESC, say) cannot be stored in a worksheet: they are dropped.
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralize(value, numbers_stay=False)


def _cell(worksheet, value, *, font=None, alignment=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=value)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _data_cell(worksheet, value, column: Column) -> WriteOnlyCell:
    if isinstance(value, Link):
        cell = _cell(worksheet, _text(value.text))
        cell.hyperlink = value.url
        cell.style = "Hyperlink"
        return cell
    if column.number_format == PERCENT_FORMAT and isinstance(value, Decimal):
        value = value / 100
    cell = _cell(worksheet, _text(value))
    if value is not None:
        cell.number_format = column.number_format
    return cell
