"""Spreadsheet import with a dry-run preview listing every row and its problems in plain words
(nothing written on error, at the preview or the confirm), export, and templates with an
example row and the allowed values."""

import csv
import datetime as dt
import html as html_lib
import io
import os
import re
import tempfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from financing.models import FinancingChange, FinancingLine
from financing.services import financing_line_record_change
from projects.models import CostEstimate, Project
from projects.resources import CostEstimateResource
from tests.factories import (
    CostEstimateFactory,
    DecisionFactory,
    ExchangeRateFactory,
    LenderFactory,
    ProjectFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def csv_file(rows, encoding="utf-8", name="rows.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_file(rows, name="rows.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def format_value(html, label):
    """The value of the import form's format option called ``label`` (e.g. "csv")."""
    match = re.search(rf'<option value="([^"]+)"[^>]*>\s*{label}\s*</option>', html, re.I)
    assert match, f"no {label} format offered"
    return match.group(1)


def import_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")


def post_import(client, model, upload, label="csv"):
    url = import_url(model)
    page = client.get(url).content.decode()
    return client.post(url, {"format": format_value(page, label), "import_file": upload})


def import_dry_run(client, model, rows):
    return post_import(client, model, csv_file(rows))


def text(fragment: str) -> str:
    """Visible text of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def preview_rows(html: str) -> dict[int, dict[str, str]]:
    """The preview table by line in the file: its result, problems and cells, as visible text."""
    table = re.search(r'<table class="import-preview import-rows">(.*?)</table>', html, re.S)
    assert table, "no table of rows in the preview"
    headers = [text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table.group(1), re.S)]
    rows = {}
    for body in re.findall(r"<tr class=[^>]*>(.*?)</tr>", table.group(1), re.S):
        values = [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]
        cells = dict(zip(headers, values, strict=True))
        rows[int(cells["line"])] = cells
    return rows


def confirm_data(html):
    return {
        name: html_lib.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
        if name != "csrfmiddlewaretoken"
    }


LINE_HEADER = ["project", "lender", "instrument", "status", "as_of", "share_percent", "amount", "currency"]


@pytest.fixture
def kkh():
    project = ProjectFactory(slug="kkh")
    china = LenderFactory(slug="china")
    LenderFactory(slug="adb")
    return project, china


# ------------------------------------------------------------------ the preview


def test_line_import_lists_every_row_with_its_problems_and_writes_nothing(admin_client, kkh):
    response = import_dry_run(
        admin_client,
        FinancingLine,
        [
            LINE_HEADER,
            ["kkh", "china", "undecided", "agreed", "2025-09-26", "85", "", ""],
            ["kkh", "no-such-bank", "grant", "proposed", "2025-09-26", "", "", ""],
            ["kkh", "adb", "grant", "proposed", "2025-09-26", "", "100", "EUR"],
            ["kkh", "adb", "undecided", "proposed", "2025-09-26", "30", "", ""],
            ["kkh", "adb", "loan", "proposed", "26/09/2025", "1,5", "", ""],
        ],
    )
    assert response.status_code == 200
    html = response.content.decode()
    rows = preview_rows(html)
    assert sorted(rows) == [2, 3, 4, 5, 6]  # every row, numbered as the lines of the file (header: line 1)
    assert rows[2]["result"] == "valid (new)" and rows[2]["problems"] == "none"
    assert (rows[2]["project"], rows[2]["lender"], rows[2]["share_percent"]) == ("kkh", "china", "85")
    assert rows[3]["result"] == "not valid"
    assert rows[3]["problems"] == (
        "lender: unknown lender 'no-such-bank': use the lender's slug, as in the address of its page (/lenders/adb/), "
        "e.g. adb"
    )
    assert rows[4]["problems"] == "currency: 'EUR' is not a currency the tracker normalizes (use USD, PKR or CNY)"
    assert rows[4]["currency"] == "EUR"
    assert rows[5]["problems"].startswith("share_percent: The live financing shares of ")
    assert "would add up to 115% of its cost" in rows[5]["problems"]
    assert "as_of: '26/09/2025' is not a date: write dates as YYYY-MM-DD, e.g. 2025-09-26" in rows[6]["problems"]
    assert "share_percent: '1,5' is not a number: write it without thousands separators" in rows[6]["problems"]
    assert (
        "instrument: 'loan' is not an allowed code: use one of concessional_loan, interest_free_loan, "
        "commercial_loan, grant, equity, budget_allocation, undecided" in rows[6]["problems"]
    )
    # Written out in the page, not behind a hover badge or in a tooltip.
    assert "validation-error-container" not in html and "Non field specific" not in html
    assert "title=" not in re.search(r'<table class="import-preview import-rows">.*?</table>', html, re.S).group(0)
    assert "The amount has not been normalized" not in html
    assert "4 of 5 rows have problems" in text(html)
    assert "Confirm import" not in html
    assert not FinancingLine.objects.exists() and not FinancingChange.objects.exists()


def test_valid_line_import_previews_then_imports_through_the_services(admin_client, kkh):
    rows = [LINE_HEADER, ["kkh", "china", "undecided", "agreed", "2025-09-26", "85", "", ""]]
    preview = import_dry_run(admin_client, FinancingLine, rows)
    html = preview.content.decode()
    assert "Confirm import" in html
    assert "All 1 row of the file is valid" in text(html)
    assert not FinancingLine.objects.exists()  # the preview was a dry run
    confirm = admin_client.post(reverse("admin:financing_financingline_process_import"), confirm_data(html))
    assert confirm.status_code == 302
    line = FinancingLine.objects.get()
    assert (line.status, line.share_percent, line.as_of) == ("agreed", Decimal("85.00"), dt.date(2025, 9, 26))
    assert line.changes.count() == 1
    again = admin_client.post(reverse("admin:financing_financingline_process_import"), confirm_data(html))
    assert "This file was imported already" in text(again.content.decode())  # once only
    assert FinancingLine.objects.get().changes.count() == 1


def test_an_imported_state_of_a_line_a_decision_set_is_reported_not_the_decisions(admin_client, kkh):
    """Moving a line by import never credits the decision that set its last state."""
    project, china = kkh
    decision = DecisionFactory(project=project)
    line = FinancingLine(project=project, lender=china, instrument="undecided", as_of=dt.date(2025, 9, 26))
    financing_line_record_change(
        line=line, changed_on=dt.date(2025, 9, 26), status="agreed", share_percent=Decimal("85"), decision=decision
    )
    rows = [LINE_HEADER, ["kkh", "china", "undecided", "signed", "2025-12-01", "85", "", ""]]
    html = import_dry_run(admin_client, FinancingLine, rows).content.decode()
    confirm = admin_client.post(reverse("admin:financing_financingline_process_import"), confirm_data(html))
    assert confirm.status_code == 302
    line.refresh_from_db()
    assert (line.status, line.kind, line.decision) == ("signed", "reported", None)
    latest = line.changes.latest()
    assert (latest.kind, latest.decision, latest.recorded_by.username) == ("reported", None, "admin")
    assert list(decision.financing_changes.values_list("status", flat=True)) == ["agreed"]


def test_a_confirm_that_fails_writes_nothing_and_says_why(admin_client, kkh):
    """The data changed between the preview and the confirm: every row is refused, the reasons listed."""
    project, china = kkh
    rows = [
        LINE_HEADER,
        ["kkh", "adb", "grant", "proposed", "2025-09-26", "10", "", ""],
        ["kkh", "china", "undecided", "agreed", "2025-09-26", "60", "", ""],
    ]
    html = import_dry_run(admin_client, FinancingLine, rows).content.decode()
    assert "Confirm import" in html
    other = LenderFactory(slug="other")
    FinancingLine.objects.create(
        project=project, lender=other, instrument="grant", status="agreed", as_of=dt.date(2025, 1, 1), share_percent=50
    )
    confirm = admin_client.post(reverse("admin:financing_financingline_process_import"), confirm_data(html))
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Nothing was imported. The data changed since the preview: the rows below are not all valid" in text(page)
    rows = preview_rows(page)
    assert rows[2]["result"] == "valid (new)"
    assert "would add up to 120% of its cost" in rows[3]["problems"]
    assert list(FinancingLine.objects.values_list("lender__slug", flat=True)) == ["other"]  # adb's line neither


def test_a_confirm_imports_only_a_file_this_session_previewed(admin_client, kkh):
    with tempfile.NamedTemporaryFile("w", delete=False, suffix=".csv") as other:
        other.write(",".join(LINE_HEADER) + "\nkkh,china,undecided,agreed,2025-09-26,85,,\n")
    try:
        data = {"import_file_name": os.path.basename(other.name), "original_file_name": "x.csv", "format": "0"}
        response = admin_client.post(reverse("admin:financing_financingline_process_import"), data)
        assert response.status_code == 200
        assert "its preview is not from this session: upload it again" in text(response.content.decode())
        assert os.path.exists(other.name)  # neither read nor removed
    finally:
        os.remove(other.name)
    assert not FinancingLine.objects.exists()


def test_estimate_import_normalizes_and_reports_a_missing_rate(admin_client):
    ProjectFactory(slug="ml-1")
    SourceFactory(key="S14")
    ExchangeRateFactory(date=dt.date(2024, 1, 1), per_usd=Decimal("278.55"))
    header = ["project", "as_of", "amount", "currency", "basis", "approving_forum", "full_scope", "source"]
    bad = import_dry_run(
        admin_client,
        CostEstimate,
        [header, ["ml-1", "2010-01-01", "1000", "PKR", "pc_i", "", "1", "S14"]],
    )
    problems = preview_rows(bad.content.decode())[2]["problems"]
    assert problems == (
        "entered_pkr_per_usd: No reference PKR rate on or before 01 Jan 2010: "
        "enter the PKR per USD rate the source used."
    )
    good = import_dry_run(
        admin_client,
        CostEstimate,
        [header, ["ml-1", "2024-05-22", "1923264864000", "PKR", "revised_pc_i", "cdwp", "1", "S14"]],
    )
    assert "Confirm import" in good.content.decode()
    assert not CostEstimate.objects.exists()


def test_estimate_cells_are_read_strictly(admin_client):
    """No silent 'no' for a yes/no cell, no truncated amount, codes in any case or as labels."""
    ProjectFactory(slug="ml-1")
    SourceFactory(key="S14")
    header = ["project", "as_of", "amount", "currency", "basis", "full_scope", "source", "entered_pkr_per_usd"]
    response = import_dry_run(
        admin_client,
        CostEstimate,
        [
            header,
            ["ml-1", "2024-05-22", "100.123", "usd", "Revised PC-I", "maybe", "S14", "280"],
            ["ml-1", "2024-05-22", "-5", "USD", "pc_i", "yes", "S99", "280"],
            ["ml-1", "2024-05-22", "1e400", "USD", "pc_i", "0", "S14", "NaN"],
        ],
    )
    rows = preview_rows(response.content.decode())
    assert rows[2]["problems"] == (
        "amount: '100.123' has more than 2 digits after the decimal point "
        "full_scope: 'maybe' is not yes or no: write 1 for yes or 0 for no"
    )
    assert rows[2]["currency"] == "USD" and rows[2]["basis"] == "revised_pc_i"  # read as the codes
    assert "source: unknown source 'S99': use the source's key, as in Data entry → Sources" in rows[3]["problems"]
    assert "amount: An amount cannot be negative." in rows[3]["problems"]
    assert "amount: '1e400' is too large: at most 22 digits before the decimal point" in rows[4]["problems"]
    assert "entered_pkr_per_usd: 'NaN' is not a number" in rows[4]["problems"]
    assert not CostEstimate.objects.exists()


def test_a_zero_rate_and_an_ambiguous_line_are_row_problems(admin_client, kkh):
    project, china = kkh
    for _ in range(2):  # two live lines of one lender and instrument: allowed, but an import can't choose
        FinancingLine.objects.create(
            project=project, lender=china, instrument="grant", status="proposed", as_of=dt.date(2025, 1, 1)
        )
    header = [*LINE_HEADER, "entered_pkr_per_usd"]
    response = import_dry_run(
        admin_client,
        FinancingLine,
        [
            header,
            ["kkh", "adb", "undecided", "proposed", "2025-09-26", "", "100", "PKR", "0"],
            ["kkh", "china", "grant", "agreed", "2025-09-26", "", "", "", ""],
        ],
    )
    rows = preview_rows(response.content.decode())
    assert rows[2]["problems"].startswith(
        "entered_pkr_per_usd: '0' is not a rate: give the units of the currency per US dollar the source used"
    )
    assert rows[3]["problems"] == (
        "project, lender, instrument: more than one financing line has these values, so the import cannot tell "
        "which to update: change it in Data entry instead"
    )
    assert FinancingLine.objects.count() == 2


def test_project_import_rejects_bad_choices_naming_the_allowed_codes(admin_client):
    header = ["slug", "name", "kind", "sector", "status", "regions"]
    response = import_dry_run(
        admin_client,
        Project,
        [header, ["new-zone", "New zone", "construction", "industrial", "proposed", "sindh, atlantis"]],
    )
    problems = preview_rows(response.content.decode())[2]["problems"]
    allowed = "punjab, sindh, kp, balochistan, gb, ajk, ict"
    assert problems == f"regions: 'atlantis' is not an allowed code: use one of {allowed}"
    assert not Project.objects.filter(slug="new-zone").exists()


def test_the_file_s_own_problems_are_shown_plainly(admin_client, kkh):
    missing = import_dry_run(admin_client, Project, [["name", "sector"], ["New zone", "industrial"]])
    page = text(missing.content.decode())
    assert "The file cannot be imported as it is." in page
    assert "The file has no 'slug' column: every row needs it (it finds the record the row creates or updates)." in page
    wrong = import_dry_run(
        admin_client,
        FinancingLine,
        [[*LINE_HEADER, "curency", "status"], ["kkh", "adb", "grant", "proposed"] + [""] * 6],
    )
    page = text(wrong.content.decode())
    assert "The column 'status' appears more than once: keep one of them." in page
    assert "Unknown column 'curency': the columns are project, lender, instrument, status," in page
    assert "Confirm import" not in page
    latin = post_import(admin_client, Project, csv_file([["slug", "name"], ["thar", "Thar coal — Sindh"]], "utf-16"))
    assert "The file is not UTF-8 text, so it cannot be read as CSV." in text(latin.content.decode())
    garbage = post_import(admin_client, Project, SimpleUploadedFile("x.xlsx", b"\x00PK\x03garbage"), "xlsx")
    assert "The file could not be read as XLSX: check that the format chosen matches the file" in text(
        garbage.content.decode()
    )


def test_xlsx_import_reads_date_and_number_cells(admin_client, kkh):
    upload = xlsx_file([LINE_HEADER, ["kkh", "china", "undecided", "agreed", dt.datetime(2025, 9, 26), 85, None, None]])
    html = post_import(admin_client, FinancingLine, upload, "xlsx").content.decode()
    assert "Confirm import" in html, text(html)[-600:]


# ------------------------------------------------------------------ templates


def template(client, model, fmt):
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_import_template"
    return client.get(reverse(name, args=[fmt]))


@pytest.mark.parametrize("model", [Project, CostEstimate, FinancingLine])
def test_templates_download_with_the_columns_and_an_example_row(admin_client, model):
    response = template(admin_client, model, "xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [model._meta.model_name, "Allowed values"]
    header, example, *rest = workbook.active.values
    assert rest == []
    assert "project" in header or "slug" in header
    assert example[header.index("project" if "project" in header else "slug")] == "ml-1"
    assert any(str(cell).startswith("EXAMPLE ROW – delete or replace this row") for cell in example)
    csv_lines = list(csv.reader(io.StringIO(template(admin_client, model, "csv").content.decode("utf-8-sig"))))
    assert csv_lines == [list(header), [cell or "" for cell in example]]
    assert template(admin_client, model, "pdf").status_code == 404
    page = admin_client.get(import_url(model)).content.decode()
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_import_template"
    assert reverse(name, args=["xlsx"]) in page and reverse(name, args=["csv"]) in page


def allowed_values(response) -> dict[str, dict[str, str]]:
    sheet = load_workbook(io.BytesIO(response.content))["Allowed values"]
    rows = list(sheet.values)
    start = rows.index(("column", "required", "what to write", "allowed codes (code = label)", "example"))
    keys = rows[start]
    return {row[0]: dict(zip(keys, (cell or "" for cell in row), strict=True)) for row in rows[start + 1 :]}


def test_line_template_lists_the_allowed_values(admin_client):
    response = template(admin_client, FinancingLine, "xlsx")
    notes = [row[0] for row in load_workbook(io.BytesIO(response.content))["Allowed values"].values if row[0]]
    assert notes[1].startswith("Line 2 of the first sheet is an example: delete it or replace it")
    guide = allowed_values(response)
    assert list(guide)[:5] == ["project", "lender", "instrument", "status", "as_of"]
    status = guide["status"]["allowed codes (code = label)"].splitlines()
    assert status[:4] == [
        "proposed = Proposed",
        "in_plan = In the approved financing plan",
        "under_negotiation = Under negotiation",
        "agreed = Agreed",
    ]
    assert guide["status"]["required"] == "no: empty means proposed"
    assert "undecided = Not yet decided" in guide["instrument"]["allowed codes (code = label)"].splitlines()
    assert guide["currency"]["allowed codes (code = label)"].splitlines() == [
        "PKR = Pakistani rupee (PKR)",
        "USD = US dollar (USD)",
        "CNY = Chinese yuan (CNY)",
    ]
    assert guide["as_of"]["what to write"].startswith("A date as YYYY-MM-DD (e.g. 2025-09-26)")
    assert guide["as_of"]["required"] == "yes"
    assert guide["project"]["what to write"] == (
        "The project's slug, as in the address of its page (/projects/ml-1/), e.g. ml-1."
    )
    assert guide["project"]["required"] == "yes: with lender and instrument it finds the record to update"
    assert guide["currency"]["required"] == "no"
    assert guide["currency"]["what to write"].endswith("Required with an amount, empty without one.")
    assert guide["lender"]["example"] == "government-of-china"
    assert guide["share_percent"]["what to write"].startswith("A number, up to 3 digits before the decimal point")
    assert guide["amount_usd"]["what to write"] == "Filled in by the tracker (exports show it); ignored on import."


def test_estimate_and_project_templates_list_their_codes(admin_client):
    estimates = allowed_values(template(admin_client, CostEstimate, "xlsx"))
    assert "revised_pc_i = Revised PC-I" in estimates["basis"]["allowed codes (code = label)"]
    assert estimates["full_scope"]["what to write"].startswith("1 for yes, 0 for no")
    assert estimates["source"]["what to write"] == "The source's key, as in Data entry → Sources, e.g. S16."
    assert estimates["full_scope"]["required"] == "no: empty means 1 (yes)"
    assert estimates["amount"]["required"] == (
        "yes: with project, as_of, basis and currency it finds the record to update"
    )
    projects = allowed_values(template(admin_client, Project, "xlsx"))
    assert "kp = Khyber Pakhtunkhwa" in projects["regions"]["allowed codes (code = label)"]
    assert projects["regions"]["what to write"].startswith("Codes from the list, separated by commas")
    assert projects["slug"]["required"] == "yes: it finds the record to update"
    assert projects["name"]["required"] == "yes"


def test_the_import_page_lists_the_allowed_values_for_csv_files(admin_client):
    page = admin_client.get(import_url(FinancingLine)).content.decode()
    guide = re.search(r'<details class="import-guide">(.*?)</details>', page, re.S)
    assert guide, "no allowed values on the import page"
    shown = text(guide.group(1))
    assert "Allowed values for each column" in shown
    assert "status no: empty means proposed" in shown
    assert "agreed = Agreed" in shown and "USD = US dollar (USD)" in shown and "undecided = Not yet decided" in shown


def test_the_template_s_example_row_is_refused_until_replaced(admin_client):
    ProjectFactory(slug="ml-1")
    SourceFactory(key="S16")
    ExchangeRateFactory(date=dt.date(2024, 1, 1), per_usd=Decimal("278.55"))
    lines = list(csv.reader(io.StringIO(template(admin_client, CostEstimate, "csv").content.decode("utf-8-sig"))))
    as_is = import_dry_run(admin_client, CostEstimate, lines)
    problems = preview_rows(as_is.content.decode())[2]["problems"]
    assert problems.startswith("note: this is the template's example row: delete it, or replace it with your own data")
    assert "Confirm import" not in as_is.content.decode()
    note = lines[0].index("note")
    lines[1][note] = "ECNEC approval of the revised PC-I."
    replaced = import_dry_run(admin_client, CostEstimate, lines)
    assert "Confirm import" in replaced.content.decode(), text(replaced.content.decode())[-800:]
    assert not CostEstimate.objects.exists()


# ------------------------------------------------------------------ export


def test_export_as_xlsx(admin_client, kkh):
    project, china = kkh
    url = reverse("admin:projects_project_export")
    page = admin_client.get(url).content.decode()
    chosen = {name: "on" for name in re.findall(r'name="(projectresource_[^"]+)"', page)}
    response = admin_client.post(url, {"format": format_value(page, "xlsx"), "resource": "0", **chosen})
    assert response.status_code == 200, response.content.decode()[:500]
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][0] == "slug" and rows[1][0] == "kkh"


def test_an_exported_estimate_file_previews_as_unchanged(admin_client):
    estimate = CostEstimateFactory(project__slug="ml-1", source__key="S16")
    dataset = CostEstimateResource().export()
    rows = [dataset.headers, *dataset]
    html = import_dry_run(admin_client, CostEstimate, rows).content.decode()
    assert "Confirm import" in html, text(html)[-600:]
    assert CostEstimate.objects.get() == estimate


def test_viewer_cannot_import(viewer_client):
    response = viewer_client.get(reverse("admin:projects_project_import"))
    assert response.status_code == 302
