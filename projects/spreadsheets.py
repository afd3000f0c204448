"""Spreadsheet files the site hands out: formula neutralizing and the one CSV/XLSX writer.

A cell that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) is written with an apostrophe in front, so a project named
``=HYPERLINK(…)`` stays text in Excel and LibreOffice. The dashboard's exports, the admin's
exports (``projects.resources``) and the import templates all write through this module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.http import HttpResponse
from openpyxl import Workbook

#: A spreadsheet takes a cell starting with one of these for a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def table_response(rows: Iterable[Sequence], *, fmt: str, filename: str, sheet: str) -> HttpResponse:
    """Rows (the header row first) as a CSV file, or an XLSX workbook with one sheet named ``sheet``.

    The cells are written as given: neutralize them first.
    """
    if fmt == "csv":
        return spreadsheet_response(csv_text(rows), fmt=fmt, filename=filename)
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    for row in rows:
        worksheet.append(list(row))
    return spreadsheet_response(workbook_bytes(workbook), fmt=fmt, filename=filename)
