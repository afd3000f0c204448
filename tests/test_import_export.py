"""Spreadsheet import with a dry-run preview and row errors (nothing written on error), export, templates."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from financing.models import FinancingChange, FinancingLine
from projects.models import CostEstimate, Project
from tests.factories import ExchangeRateFactory, LenderFactory, ProjectFactory, SourceFactory

pytestmark = pytest.mark.django_db


def csv_file(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile("rows.csv", buffer.getvalue().encode(), content_type="text/csv")


def format_value(html, label):
    """The value of the import form's format option called ``label`` (e.g. "csv")."""
    match = re.search(rf'<option value="([^"]+)"[^>]*>\s*{label}\s*</option>', html, re.I)
    assert match, f"no {label} format offered"
    return match.group(1)


def import_dry_run(client, model, rows):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")
    page = client.get(url).content.decode()
    return client.post(url, {"format": format_value(page, "csv"), "import_file": csv_file(rows)})


LINE_HEADER = ["project", "lender", "instrument", "status", "as_of", "share_percent", "amount", "currency"]


@pytest.fixture
def kkh():
    project = ProjectFactory(slug="kkh")
    china = LenderFactory(slug="china")
    LenderFactory(slug="adb")
    return project, china


def test_line_import_lists_row_errors_and_writes_nothing(admin_client, kkh):
    response = import_dry_run(
        admin_client,
        FinancingLine,
        [
            LINE_HEADER,
            ["kkh", "china", "undecided", "agreed", "2025-09-26", "85", "", ""],
            ["kkh", "no-such-bank", "grant", "proposed", "2025-09-26", "", "", ""],
            ["kkh", "adb", "grant", "proposed", "2025-09-26", "", "100", "EUR"],
            ["kkh", "adb", "undecided", "proposed", "2025-09-26", "30", "", ""],
        ],
    )
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert "unknown lender 'no-such-bank'" in html
    assert "is not a valid choice" in html  # EUR
    assert "would add up to 115% of its cost" in html
    assert "Confirm import" not in html
    assert not FinancingLine.objects.exists() and not FinancingChange.objects.exists()


def test_valid_line_import_previews_then_imports_through_the_services(admin_client, kkh):
    rows = [LINE_HEADER, ["kkh", "china", "undecided", "agreed", "2025-09-26", "85", "", ""]]
    preview = import_dry_run(admin_client, FinancingLine, rows)
    html = preview.content.decode()
    assert "Confirm import" in html
    assert not FinancingLine.objects.exists()  # the preview was a dry run
    data = {
        name: value
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
        if name != "csrfmiddlewaretoken"
    }
    confirm = admin_client.post(reverse("admin:financing_financingline_process_import"), data)
    assert confirm.status_code == 302
    line = FinancingLine.objects.get()
    assert (line.status, line.share_percent, line.as_of) == ("agreed", Decimal("85.00"), dt.date(2025, 9, 26))
    assert line.changes.count() == 1


def test_estimate_import_normalizes_and_reports_a_missing_rate(admin_client):
    ProjectFactory(slug="ml-1")
    SourceFactory(key="S14")
    ExchangeRateFactory(date=dt.date(2024, 1, 1), per_usd=Decimal("278.55"))
    header = ["project", "as_of", "amount", "currency", "basis", "approving_forum", "full_scope", "source"]
    bad = import_dry_run(
        admin_client, CostEstimate, [header, ["ml-1", "2010-01-01", "1000", "PKR", "pc_i", "", "1", "S14"]]
    )
    assert "No reference PKR rate on or before 01 Jan 2010" in bad.content.decode()
    good = import_dry_run(
        admin_client,
        CostEstimate,
        [header, ["ml-1", "2024-05-22", "1923264864000", "PKR", "revised_pc_i", "cdwp", "1", "S14"]],
    )
    assert "Confirm import" in good.content.decode()
    assert not CostEstimate.objects.exists()


def test_project_import_rejects_bad_choices(admin_client):
    header = ["slug", "name", "kind", "sector", "status", "regions"]
    response = import_dry_run(
        admin_client,
        Project,
        [header, ["new-zone", "New zone", "construction", "industrial", "proposed", "sindh, atlantis"]],
    )
    assert "is not a valid choice" in response.content.decode().replace("&#x27;", "'")
    assert not Project.objects.filter(slug="new-zone").exists()


@pytest.mark.parametrize("model", [Project, CostEstimate, FinancingLine])
def test_templates_download_with_the_columns(admin_client, model):
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_import_template"
    response = admin_client.get(reverse(name, args=["xlsx"]))
    assert response.status_code == 200
    header = next(load_workbook(io.BytesIO(response.content)).active.values)
    assert "project" in header or "slug" in header
    csv_response = admin_client.get(reverse(name, args=["csv"]))
    assert csv_response.content.decode("utf-8-sig").splitlines()[0].split(",") == list(header)
    assert admin_client.get(reverse(name, args=["pdf"])).status_code == 404
    page = admin_client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import"))
    assert reverse(name, args=["xlsx"]) in page.content.decode()


def test_export_as_xlsx(admin_client, kkh):
    project, china = kkh
    url = reverse("admin:projects_project_export")
    page = admin_client.get(url).content.decode()
    chosen = {name: "on" for name in re.findall(r'name="(projectresource_[^"]+)"', page)}
    response = admin_client.post(url, {"format": format_value(page, "xlsx"), "resource": "0", **chosen})
    assert response.status_code == 200, response.content.decode()[:500]
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][0] == "slug" and rows[1][0] == "kkh"


def test_viewer_cannot_import(viewer_client):
    response = viewer_client.get(reverse("admin:projects_project_import"))
    assert response.status_code == 302
