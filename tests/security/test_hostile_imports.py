"""Property tests: whatever file an editor uploads to an import, no server error and nothing half-written.

Generated files are posted to the admin's import pages (projects, cost estimates, decisions,
financing lines, PSDP figures, loan terms) as the demo editor: CSV in odd encodings (latin-1,
cp1252, UTF-16/32, a BOM, invalid bytes, bare CR line ends, ragged rows), XLSX with typed cells
(dates, huge and non-finite floats, booleans, formulas), and binary garbage in every offered
format. Columns go missing, unknown, duplicated, unnamed or misspelled in case and spaces; cells
mix valid values of the demo portfolio (real slugs, keys and codes, so rows really are saved
inside the dry run) with formulas, huge numbers, impossible dates, control characters and long text.

Each request must answer below 500 (the test client re-raises a view's exception, so a 500
fails with its traceback and hypothesis prints the shrunk file), the page must never show a
traceback, a row "that could not be saved" or the "Non field specific" label, and the row
counts of projects, cost estimates, decisions, financing lines and their changes, PSDP figures
and loan terms must be unchanged after a dry run — and after a confirm that fails: a file
changed after its preview (one bad row among good ones), swapped for garbage, confirmed twice,
or a confirmation whose hidden fields were tampered with (format, file name, resource).

Profiles: tests/security/conftest.py (each example here posts one or two files).
"""

from __future__ import annotations

import csv
import datetime as dt
import html as html_lib
import io
import os
import re
import tempfile
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from budget.models import PsdpFigure
from budget.resources import PsdpFigureResource
from financing.choices import FinancingStatus
from financing.models import FinancingChange, FinancingLine, Lender, LoanTerms
from financing.resources import FinancingLineResource, LoanTermsResource
from projects.models import CostEstimate, Decision, JCCMeeting, Project, Source
from projects.resources import CostEstimateResource, DecisionResource, ProjectResource, StrictForeignKeyWidget

pytestmark = pytest.mark.django_db

RESOURCES = {
    Project: ProjectResource,
    CostEstimate: CostEstimateResource,
    Decision: DecisionResource,
    FinancingLine: FinancingLineResource,
    PsdpFigure: PsdpFigureResource,
    LoanTerms: LoanTermsResource,
}
MODELS = list(RESOURCES)
COUNTED = (Project, CostEstimate, Decision, FinancingLine, FinancingChange, PsdpFigure, LoanTerms)
#: A value that makes a row of each import invalid, whatever else it holds.
BAD_CELL = {Project: ("sector", "zz-nowhere"), CostEstimate: ("currency", "EUR"), Decision: ("kind", "zz")}
BAD_CELL[FinancingLine] = ("status", "zz-unknown")
BAD_CELL[PsdpFigure] = ("amount_pkr", "-5")
BAD_CELL[LoanTerms] = ("fixed_rate_percent", "-5")

# ------------------------------------------------------------------ strategies
FORMULAS = [
    "=1+1",
    "@SUM(A1:A2)",
    "+1+1",
    "-1+1",
    '=HYPERLINK("https://evil.example","x")',
    "=cmd|' /C calc'!A0",
    "'=1+1",
    "\t=1+1",
    "\r=1",
]
HUGE_NUMBERS = [
    "1e400",
    "-1e400",
    str(10**40),
    str(-(10**40)),
    "1E-400",
    "NaN",
    "-Infinity",
    "sNaN",
    "0x1F",
    "1_000",
    "1,000.50",
    "٣",
    "½",
    " 5 ",
    "99999999999999999999999.99",
    "3.14159265358979",
    "1e22",
    "-0",
    "9" * 5000,
]
WRONG_DATES = [
    "2024-02-30",
    "2023-02-29",
    "0000-00-00",
    "2024-13-01",
    "26/09/2025",
    "09/26/2025",
    "99999-01-01",
    "0001-01-01",
    "9999-12-31",
    "today",
    "2024-06-01T00:00:00",
    "2024-06-01 12:00",
    "-2024-01-01",
    "20240601",
    "1 Jan 2024",
]
ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "None",
    "null",
    "TRUE",
    "yes",
    "\ufeff",
    "EXAMPLE ROW – delete me",
    "'",
    "''",
    '"',
    "\\",
    "%s",
    "{0}",
]

unicode_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
control_text = st.text(st.characters(min_codepoint=1, max_codepoint=0x1F), min_size=1, max_size=4)
long_text = st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(100, 3000))
hostile_cell = st.one_of(
    st.sampled_from(FORMULAS + HUGE_NUMBERS + WRONG_DATES + ODD), unicode_text, control_text, long_text
)
#: Files in these are refused with a plain message (or read, when they hold only ASCII).
ODD_ENCODINGS = ["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-32", "ascii"]


#: Valid values narrowed where the generic ones would clash with the demo's lines: a superseded line
#: must name its successor (not a column), and a line's new state cannot predate its last change.
VALID_OVERRIDES = {
    (FinancingLineResource, "status"): st.sampled_from(
        [code for code, _ in FinancingStatus.choices if code != FinancingStatus.SUPERSEDED]
    ),
    (FinancingLineResource, "as_of"): st.dates(dt.date(2026, 6, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat),
    # A fiscal year as the PSDP writes it or by its first year, before the figures' dates (2014 on).
    (PsdpFigureResource, "fiscal_year"): st.integers(2000, 2013).flatmap(
        lambda year: st.sampled_from([str(year), f"{year}-{(year + 1) % 100:02d}"])
    ),
}


def valid_cell(resource_class, column, catalog) -> st.SearchStrategy:
    """Values a column accepts (codes, real keys of the demo, dates, numbers), as text; "" where optional."""
    field = resource_class().fields[column]
    model_field = resource_class.model_field(field)
    strategy = _valid_cell(resource_class, field, model_field, catalog)
    if model_field is not None and model_field.blank:
        return st.one_of(st.just(""), strategy)
    return strategy


def _valid_cell(resource_class, field, model_field, catalog) -> st.SearchStrategy:
    if (resource_class, field.column_name) in VALID_OVERRIDES:
        return VALID_OVERRIDES[resource_class, field.column_name]
    if isinstance(field.widget, StrictForeignKeyWidget):
        return st.sampled_from(catalog[field.widget.model]).map(str)
    if model_field is None or not model_field.editable:
        return st.just("")
    if field.column_name.startswith("entered_"):  # an exchange rate: more than zero
        return st.decimals(1, 500, places=4).map(str)
    base = getattr(model_field, "base_field", None)
    if base is not None and base.choices:
        codes = [code for code, _ in base.choices]
        return st.lists(st.sampled_from(codes), max_size=3, unique=True).map(", ".join)
    if model_field.choices:
        codes = [str(code) for code, _ in model_field.choices if code]  # instalments a year are numbers
        labels = [str(label) for code, label in model_field.choices if code]
        return st.one_of(st.sampled_from(codes), st.sampled_from(codes).map(str.upper), st.sampled_from(labels))
    internal = model_field.get_internal_type()
    if internal == "DateField":
        return st.dates(dt.date(2014, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat)
    if internal == "DecimalField":
        whole = model_field.max_digits - model_field.decimal_places
        top = 100 if whole <= 3 else 10 ** min(whole, 12) - 1
        return st.decimals(0, top, places=model_field.decimal_places).map(str)
    if "Integer" in internal:
        return st.integers(1, 60).map(str)
    if internal == "BooleanField":
        return st.sampled_from(["1", "0", "TRUE", "false"])
    if internal == "SlugField":
        return st.from_regex(r"zz-[a-z0-9-]{1,20}", fullmatch=True)
    return st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)


@st.composite
def table(draw, model, catalog, hostile=True):
    """A header row and up to four rows: columns kept, dropped, added, duplicated or misspelled."""
    resource_class = RESOURCES[model]
    resource = resource_class()
    columns = [f.column_name for f in resource.get_import_fields()]
    ids = [resource.fields[f].column_name for f in resource.get_import_id_fields()]
    mode = draw(st.sampled_from(["all", "all", "ids and some", "any"] if hostile else ["all"]), label="columns")
    if mode == "all":
        headers = draw(st.permutations(columns)) if hostile else list(columns)
    elif mode == "ids and some":
        headers = ids + draw(st.lists(st.sampled_from([c for c in columns if c not in ids]), unique=True))
    else:
        headers = draw(st.lists(st.sampled_from(columns), min_size=1, max_size=len(columns), unique=True))
    kinds = list(headers)  # the column each cell is valid for (None: an unknown column)
    if hostile and draw(st.integers(0, 3), label="mess with the header") == 3:
        for _ in range(draw(st.integers(1, 3))):
            change = draw(st.sampled_from(["unknown", "duplicate", "unnamed", "case", "spaces", "bom"]))
            if change == "unknown":
                headers.append(draw(st.one_of(unicode_text, st.sampled_from(["curency", "Slug2", "id", "__all__"]))))
                kinds.append(None)
            elif change == "duplicate" and headers:
                index = draw(st.integers(0, len(headers) - 1))
                headers.append(headers[index])
                kinds.append(kinds[index])
            elif change == "unnamed":
                headers.append("")
                kinds.append(None)
            elif headers:
                index = draw(st.integers(0, len(headers) - 1))
                name = str(headers[index])
                headers[index] = {"case": name.upper(), "spaces": f" {name} ", "bom": "\ufeff" + name}[change]
    rows = []
    empty = hostile and draw(st.integers(0, 9), label="no rows") == 9
    for _ in range(0 if empty else draw(st.integers(1, 4), label="rows")):
        row = []
        clean = not hostile or draw(st.booleans(), label="a clean row")  # saved in the dry run, then undone
        for kind in kinds:
            use_hostile = kind is None or (not clean and draw(st.integers(0, 3)) == 3)
            if use_hostile:
                row.append(draw(hostile_cell, label=f"hostile {kind}"))
            else:
                row.append(draw(valid_cell(resource_class, kind, catalog), label=str(kind)))
        if clean:
            row = coherent(kinds, row)
            if model is LoanTerms:
                row = coherent_terms(draw, kinds, row, catalog)
        rows.append(row)
    return headers, rows


def coherent(kinds, row):
    """A valid row: a currency with an amount and none without, each start before its end."""
    row = list(row)
    at = {kind: index for index, kind in enumerate(kinds) if kind}
    if "amount" in at and "currency" in at:
        if row[at["amount"]] == "":
            row[at["currency"]] = ""
        elif row[at["currency"]] == "":
            row[at["currency"]] = "USD"
    for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        if start in at and end in at and row[at[start]] and row[at[end]] and row[at[start]] > row[at[end]]:
            row[at[start]], row[at[end]] = row[at[end]], row[at[start]]
    return row


def coherent_terms(draw, kinds, row, catalog):
    """A valid loan-terms row: a line of the demo, and terms its constraints allow (a fixed rate only with
    fixed interest, the grace within the tenor, whole instalment periods, each stated group with its source)."""
    row = list(row)
    at = {kind: index for index, kind in enumerate(kinds) if kind}
    percent = st.one_of(st.just(""), st.decimals(0, 100, places=3).map(str))
    source = st.sampled_from(catalog[Source])
    project, lender, instrument = draw(st.sampled_from(catalog[FinancingLine]), label="line")
    cells = {"project": project, "lender": lender, "instrument": instrument}
    interest = draw(st.sampled_from(["", "fixed", "floating"]), label="interest")
    cells.update(rate_kind=interest, fixed_rate_percent="", benchmark="", margin_percent="")
    cells.update(benchmark_assumed_percent="", interest_source=draw(st.one_of(st.just(""), source)))
    if interest == "fixed":
        cells.update(fixed_rate_percent=draw(percent), interest_source=draw(source))
    elif interest == "floating":
        cells.update(benchmark=draw(st.sampled_from(["", "6-month LIBOR", "SOFR"])), interest_source=draw(source))
        cells.update(margin_percent=draw(percent), benchmark_assumed_percent=draw(percent))
    payments = draw(st.sampled_from([1, 2, 4, 12]), label="instalments a year")
    period = 12 // payments
    periods = draw(st.integers(1, 60), label="periods")
    tenor = draw(st.sampled_from(["", str(periods * period)]), label="tenor")
    grace = draw(st.sampled_from(["", str(draw(st.integers(0, periods - 1)) * period)]), label="grace")
    profile = draw(st.sampled_from(["", "equal_principal", "annuity"]), label="profile")
    repayment = draw(source) if tenor or grace or profile else draw(st.one_of(st.just(""), source))
    cells.update(tenor_months=tenor, grace_months=grace, profile=profile, payments_per_year=str(payments))
    cells.update(repayment_source=repayment)
    fees = {name: draw(percent) for name in ("upfront_fee_percent", "commitment_fee_percent", "insurance_percent")}
    cells.update(fees, fees_source=draw(source) if any(fees.values()) else draw(st.one_of(st.just(""), source)))
    for column, value in cells.items():
        if column in at:
            row[at[column]] = value
    return row


def csv_bytes(draw, headers, rows, hostile=True) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        if hostile and draw(st.integers(0, 7)) == 7:  # a ragged row
            row = row[: draw(st.integers(0, len(row)))] + draw(st.lists(hostile_cell, max_size=2))
        writer.writerow(row)
    text = buffer.getvalue()
    if not hostile:
        return text.encode("utf-8")
    ending = draw(st.sampled_from(["\r\n", "\n", "\r"]), label="line ends")
    text = text.replace("\r\n", ending)
    odd = draw(st.integers(0, 5), label="odd encoding") == 5  # mostly UTF-8, so most files reach their rows
    encoding = draw(st.sampled_from(ODD_ENCODINGS if odd else ["utf-8", "utf-8-sig"]), label="encoding")
    data = text.encode(
        encoding, errors=draw(st.sampled_from(["replace", "ignore", "backslashreplace", "xmlcharrefreplace"]))
    )
    if draw(st.integers(0, 7), label="break bytes") == 7:
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\x80", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xfe\xff"]))
            + data[at:]
        )
    return data


def xlsx_bytes(draw, headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if draw(st.integers(0, 9), label="empty workbook") == 9:
        headers, rows = [], []
    if headers:
        typed = draw(st.integers(0, 9), label="typed header") == 9
        sheet.append([xlsx_cell(draw, value) if typed else xlsx_text(value) for value in headers])
    for values in rows:
        sheet.append([xlsx_cell(draw, value) for value in values])
    if draw(st.integers(0, 5), label="second sheet") == 5:
        workbook.create_sheet("other").append(["x", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_cell(draw, value):
    """A cell as typed as a spreadsheet holds it: number, date, yes/no, formula or text."""
    kind = draw(st.integers(0, 5), label="cell type")
    if kind == 0:
        try:
            return dt.datetime.strptime(value, "%Y-%m-%d")
        except (TypeError, ValueError):
            pass
    if kind == 1:
        try:
            number = float(value)
        except (TypeError, ValueError):
            pass
        else:
            if number == number and abs(number) != float("inf"):
                return int(number) if number.is_integer() and abs(number) < 10**15 else number
    if kind == 2:
        return draw(
            st.sampled_from(
                [
                    1e308,
                    -1e308,
                    5e-324,
                    -0.0,
                    10**40,
                    True,
                    False,
                    dt.datetime(1900, 1, 1),
                    dt.datetime(9999, 12, 31, 23, 59),
                    dt.date(1901, 3, 1),
                    dt.time(12, 30),
                    "=1+1",
                    "=SUM(A1:A3)",
                    "=1/0",
                    "#DIV/0!",
                    None,
                ]
            )
        )
    return xlsx_text(value)


def xlsx_text(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # a cell cannot hold them at all
    return value


GARBAGE = [
    b"",
    b"\x00" * 64,
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff\x00s\x00l\x00u\x00g",
    b"PK\x03\x04" + b"\x00" * 26,
    b"slug\n",
    b"slug,name\n,\n",
    b"\n\n\n",
    b'"unterminated,quote\nx,y\n',
    b"[]",
    b"{}",
    b"null",
    b"- a\n- b\n",
    b"!!python/object/apply:os.system ['true']\n",
    b"<table><tr><td>x</td></tr></table>",
    b"=1+1,@SUM(A1)\n=1+1,@SUM(A1)\n",
]


FILE_NAMES = ["rows.csv", "ROWS.CSV", "x", "../../etc/passwd", "a b ü.csv", "'\"<b>.csv", "x" * 300 + ".csv"]


def not_csv(value: str) -> bool:
    """A format field that does not name the CSV format (index 0) the file was previewed in."""
    try:
        return int(value) != 0
    except ValueError:
        return True


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def catalog(demo_db, django_db_blocker):
    with django_db_blocker.unblock():
        return {
            Project: sorted(Project.objects.values_list("slug", flat=True)),
            Lender: sorted(Lender.objects.values_list("slug", flat=True)),
            Source: sorted(key for key in Source.objects.values_list("key", flat=True) if key),
            JCCMeeting: sorted(JCCMeeting.objects.values_list("number", flat=True)),
            # The lines as the loan-terms import names them (project, lender, instrument).
            FinancingLine: sorted(
                set(FinancingLine.objects.values_list("project__slug", "lender__slug", "instrument"))
            ),
        }


@pytest.fixture
def editor(catalog):
    """The demo editor, logged in; re-raises a view's exception (a 500) into the test."""
    client = Client(raise_request_exception=True)
    client.force_login(get_user_model().objects.get(username="editor"))
    return client


@pytest.fixture
def formats(editor):
    """The import form's format values by label ("csv" → "0"); the same on every import page."""
    page = editor.get(import_url(Project)).content.decode()
    found = dict(
        (label.strip().lower(), value) for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]+)<', page)
    )
    assert {"csv", "xlsx"} <= set(found), found
    return found


def import_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")


def confirm_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_process_import")


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def post(client, url, data, **kwargs):
    try:
        response = client.post(url, data, **kwargs)
    except Exception as exc:  # the view raised: a 500 for a real editor
        raise AssertionError(f"POST {url} raised {type(exc).__name__}: {exc}") from exc
    assert response.status_code < 500, f"POST {url} answered {response.status_code}"
    if response.status_code == 200:
        page = response.content.decode()
        assert "Traceback" not in page, f"POST {url}: a traceback on the page"
        assert "could not be saved (" not in page, f"POST {url}: a row failed with an exception: {problems(page)}"
        assert "Non field specific" not in page
    return response


def problems(page: str) -> str:
    found = re.findall(r'<td class="import-row-problems">(.*?)</td>', page, re.S)
    return " | ".join(" ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", f)).split()) for f in found)[:2000]


def confirm_data(page: str) -> dict[str, str]:
    return {
        name: html_lib.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
        if name != "csrfmiddlewaretoken"
    }


def discard(page: str) -> None:
    """Remove the upload a valid preview keeps for its confirm (never confirmed here)."""
    stored = confirm_data(page).get("import_file_name")
    if stored:
        path = os.path.join(tempfile.gettempdir(), os.path.basename(stored))
        if os.path.exists(path):
            os.remove(path)


def dry_run(client, formats, model, label, content: bytes, name: str):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    before = counts()
    response = post(client, import_url(model), {"format": formats[label], "import_file": upload})
    assert response.status_code == 200
    assert counts() == before, "a dry run wrote rows"
    page = response.content.decode()
    if "Confirm import" in page:
        event("preview: every row valid")
        discard(page)
    elif 'class="import-preview import-rows"' in page:
        valid = page.count('<td class="import-row-result">valid')
        event(f"preview: rows with problems{', and valid rows' if valid else ''}")
    elif "The file cannot be imported as it is" in page:
        event("preview: the file's columns refused")
    else:
        refusal = re.search(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', page, re.S)
        event(f"preview: the file refused unread ({html_lib.unescape(refusal.group(1))[:40] if refusal else '?'})")
    return page


# ------------------------------------------------------------------ properties
def test_the_editor_may_import_everywhere(editor, catalog):
    """The properties below post as the editor: each import page must be open to them, with demo data."""
    for model in MODELS:
        assert editor.get(import_url(model)).status_code == 200
    assert all(len(keys) > 3 for keys in catalog.values())


EACH_IMPORT = pytest.mark.parametrize("model", MODELS, ids=[model._meta.model_name for model in MODELS])


@EACH_IMPORT
@given(data=st.data())
def test_csv_files_never_fail_nor_write(editor, formats, catalog, model, data):
    headers, rows = data.draw(table(model, catalog), label="table")
    content = csv_bytes(data.draw, headers, rows)
    dry_run(editor, formats, model, "csv", content, data.draw(st.sampled_from(FILE_NAMES), label="file name"))


@EACH_IMPORT
@given(data=st.data())
def test_xlsx_files_never_fail_nor_write(editor, formats, catalog, model, data):
    headers, rows = data.draw(table(model, catalog), label="table")
    dry_run(editor, formats, model, "xlsx", xlsx_bytes(data.draw, headers, rows), "rows.xlsx")


@given(data=st.data())
def test_garbage_files_never_fail_nor_write(editor, formats, catalog, data):
    model = data.draw(st.sampled_from(MODELS), label="import")
    label = data.draw(st.sampled_from(sorted(formats)), label="format")
    content = data.draw(
        st.one_of(
            st.sampled_from(GARBAGE),
            st.binary(max_size=3000),
            st.sampled_from(GARBAGE).flatmap(lambda g: st.binary(max_size=200).map(lambda b: g + b)),
            st.binary(max_size=300).map(lambda b: zipped({"[Content_Types].xml": b, "xl/workbook.xml": b})),
            st.integers(0, 3000).map(lambda n: _valid_xlsx()[:n]),
        ),
        label="content",
    )
    dry_run(editor, formats, model, label, content, f"rows.{label}")


def _valid_xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(["slug", "name"])
    workbook.active.append(["zz-x", "X"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@EACH_IMPORT
@hypothesis_settings(max_examples=max(10, hypothesis_settings.default.max_examples // 3))
@given(data=st.data())
def test_a_failed_confirm_writes_nothing(editor, formats, catalog, model, data):
    """Preview a file of valid rows, then confirm it after it went wrong: never a 500, never part of it."""
    headers, rows = data.draw(table(model, catalog, hostile=False), label="valid table")
    content = csv_bytes(data.draw, headers, rows, hostile=False)
    upload = SimpleUploadedFile("rows.csv", content, content_type="text/csv")
    before = counts()
    preview = post(editor, import_url(model), {"format": formats["csv"], "import_file": upload})
    assert counts() == before
    page = preview.content.decode()
    if "Confirm import" not in page:
        event(f"confirm: the valid rows were not ({problems(page)[:60]})")
        return  # the rows clash with each other or with the demo (shares over 100%…): nothing to confirm
    fields = confirm_data(page)
    stored = os.path.join(tempfile.gettempdir(), os.path.basename(fields["import_file_name"]))
    sentinels = []  # files a tampered confirm names: never read nor removed
    try:
        how, must_fail, response, before = tampered_confirm(
            editor, model, catalog, data, headers, rows, content, fields, sentinels
        )
    finally:
        for path in [stored, *sentinels]:
            if os.path.exists(path):
                os.remove(path)
    if must_fail or response.status_code != 302:
        assert response.status_code == 200
        assert "Nothing was imported" in response.content.decode()
        assert counts() == before, f"a failed confirm ({how}) wrote rows"


def tampered_confirm(client, model, catalog, data, headers, rows, content, fields, sentinels):
    """Spoil a previewed file or its confirmation, then confirm: (how, must it fail, the response, counts before)."""
    stored = os.path.join(tempfile.gettempdir(), os.path.basename(fields["import_file_name"]))
    how = data.draw(st.sampled_from(["one bad row", "garbage", "tampered field", "twice"]), label="tamper")
    event(f"confirm: {how}")
    must_fail = True
    if how == "one bad row":
        column, bad = BAD_CELL[model]
        wrong = list(rows[0])
        wrong[headers.index(column)] = bad
        rows = list(rows)
        rows.insert(data.draw(st.integers(0, len(rows)), label="at"), wrong)
        with open(stored, "wb") as file:
            file.write(csv_bytes(data.draw, headers, rows, hostile=False))
    elif how == "garbage":
        hostile_headers, hostile_rows = data.draw(table(model, catalog), label="swapped in")
        with open(stored, "wb") as file:
            file.write(csv_bytes(data.draw, hostile_headers, hostile_rows))
        must_fail = False  # a swapped-in file may happen to be valid: then it imports whole
    elif how == "tampered field":
        name = data.draw(st.sampled_from(["format", "import_file_name", "resource"]), label="field")
        if name == "import_file_name":
            with tempfile.NamedTemporaryFile("wb", delete=False, suffix=".csv") as file:
                file.write(content)
            sentinels.append(file.name)
            values = [os.path.basename(file.name), "../../../etc/passwd", "/etc/passwd", ".", "", "\x00"]
            fields[name] = data.draw(st.one_of(st.sampled_from(values), unicode_text), label="file name")
        elif name == "format":
            formats = st.one_of(st.sampled_from(["-1", "99", "x", "", "1e3", "1", "2", "9" * 5000]), unicode_text)
            fields[name] = data.draw(formats.filter(not_csv), label="format")
        else:
            fields[name] = data.draw(st.one_of(st.sampled_from(["-1", "99", "x", "9" * 5000]), unicode_text))
            must_fail = False  # the only resource is taken whatever the index
    before = counts()
    if how == "twice":
        first = post(client, confirm_url(model), fields)
        assert first.status_code == 302, problems(first.content.decode())
        before = counts()
    response = post(client, confirm_url(model), fields)
    for sentinel in sentinels:
        assert os.path.exists(sentinel), "a confirm removed a file it did not preview"
    return how, must_fail, response, before


KNOWN_HARD_POSTS = {
    "no file": {"format": "0"},
    "no format": {"import_file": b"slug\nx\n"},
    "format out of range": {"format": "99", "import_file": b"slug\nx\n"},
    "format not a number": {"format": "x", "import_file": b"slug\nx\n"},
    "file as text": {"format": "0", "import_file": "slug\nx\n"},
    "resource out of range": {"format": "0", "resource": "7", "import_file": b"slug,name\nzz-x,X\n"},
}


@pytest.mark.parametrize("case", KNOWN_HARD_POSTS)
def test_known_hard_import_posts(editor, catalog, case):
    """Cases worth running every time, whatever hypothesis draws: the import form, never a 500."""
    data = dict(KNOWN_HARD_POSTS[case])
    if isinstance(data.get("import_file"), bytes):
        data["import_file"] = SimpleUploadedFile("rows.csv", data["import_file"], content_type="text/csv")
    before = counts()
    response = post(editor, import_url(Project), data)
    assert response.status_code == 200
    assert counts() == before


@pytest.mark.parametrize(
    "data",
    [{}, {"import_file_name": "x"}, {"import_file_name": "x", "original_file_name": "x", "format": "0"}],
    ids=["empty", "no format", "never previewed"],
)
def test_known_hard_confirms(editor, catalog, data):
    before = counts()
    response = post(editor, confirm_url(FinancingLine), data)
    assert response.status_code == 200 and "Nothing was imported" in response.content.decode()
    assert editor.get(confirm_url(FinancingLine)).status_code == 405
    assert counts() == before
