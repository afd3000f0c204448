"""Loan terms imported from a spreadsheet: a dry-run preview, then the confirm; a line's terms are updated,
never duplicated; each bad row says why and nothing is written; editors import, viewers cannot."""

import os
import tempfile
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from cpec_site.roles import EDITOR, VIEWER, roles_assign
from financing.models import LoanTerms
from financing.resources import LoanTermsResource
from projects.models import Source
from tests.factories import FinancingLineFactory, LenderFactory, ProjectFactory, SourceFactory
from tests.projects.test_resources import (
    confirm_data,
    csv_file,
    import_dry_run,
    import_url,
    post_import,
    preview_rows,
    text,
    xlsx_file,
)

pytestmark = pytest.mark.django_db
CONFIRM = "admin:financing_loanterms_process_import"
HEADER = [
    "project",
    "lender",
    "instrument",
    "rate_kind",
    "fixed_rate_percent",
    "benchmark",
    "margin_percent",
    "benchmark_assumed_percent",
    "interest_source",
    "tenor_months",
    "grace_months",
    "profile",
    "payments_per_year",
    "repayment_source",
    "upfront_fee_percent",
    "commitment_fee_percent",
    "insurance_percent",
    "fees_source",
    "note",
]


def row(**cells) -> list:
    """A row of HEADER's columns: the Orange Line's loan unless told otherwise (empty cells elsewhere)."""
    values = {"project": "orange-line-lahore", "lender": "china-exim", "instrument": "concessional_loan", **cells}
    return [values.get(column, "") for column in HEADER]


ORANGE = row(
    rate_kind="fixed",
    fixed_rate_percent="5.2",
    interest_source="S56",
    tenor_months="240",
    grace_months="24",
    profile="equal_principal",
    payments_per_year="2",
    repayment_source="S56",
    upfront_fee_percent="0.25",
    insurance_percent="7.125",
    fees_source="S57",
    note="As AidData records it.",
)
# A floating-rate loan written with labels and odd case, paid quarterly: its payments_per_year from a label.
KKH = row(
    project="kkh",
    lender="icbc",
    instrument="Commercial loan",
    rate_kind="Benchmark plus a margin",
    benchmark="6-month LIBOR",
    margin_percent="4.5",
    benchmark_assumed_percent="5.3",
    interest_source="S55",
    tenor_months="120",
    grace_months="36",
    profile="ANNUITY",
    payments_per_year="4",
    repayment_source="S55",
    commitment_fee_percent="0.5",
    fees_source="S55",
)


@pytest.fixture
def lines():
    for key in ("S55", "S56", "S57"):
        SourceFactory(key=key)
    exim = LenderFactory(slug="china-exim")
    orange = FinancingLineFactory(
        project=ProjectFactory(slug="orange-line-lahore"), lender=exim, instrument="concessional_loan"
    )
    kkh = FinancingLineFactory(
        project=ProjectFactory(slug="kkh"), lender=LenderFactory(slug="icbc"), instrument="commercial_loan"
    )
    return orange, kkh


@pytest.fixture
def login(client):
    call_command("setup_roles", verbosity=0)

    def as_role(role):
        user = get_user_model().objects.create_user(f"{role.lower()}-importer", password="x-pass-12345")
        roles_assign(user, role)
        client.force_login(user)
        return client

    return as_role


@pytest.fixture
def editor(login):
    return login(EDITOR)


def problems_of(html) -> dict[int, str]:
    return {line: cells["problems"] for line, cells in preview_rows(html).items()}


def import_and_confirm(client, rows):
    html = import_dry_run(client, LoanTerms, rows).content.decode()
    assert "Confirm import" in html, text(html)[-1500:]
    response = client.post(reverse(CONFIRM), confirm_data(html))
    assert response.status_code == 302, text(response.content.decode())[-1500:]
    return html


STORED = [
    "rate_kind",
    "fixed_rate_percent",
    "benchmark",
    "margin_percent",
    "benchmark_assumed_percent",
    "interest_source__key",
    "tenor_months",
    "grace_months",
    "profile",
    "payments_per_year",
    "repayment_source__key",
    "upfront_fee_percent",
    "commitment_fee_percent",
    "insurance_percent",
    "fees_source__key",
    "note",
]


def stored(line) -> dict:
    return LoanTerms.objects.filter(line=line).values(*STORED).get()


# ------------------------------------------------------------------ good files


def test_an_editor_previews_then_imports_two_loans_exactly(editor, lines):
    orange, kkh = lines
    html = import_dry_run(editor, LoanTerms, [HEADER, ORANGE, KKH]).content.decode()
    assert "Confirm import" in html and "All 2 rows of the file are valid" in text(html)
    assert not LoanTerms.objects.exists()  # the preview was a dry run
    assert editor.post(reverse(CONFIRM), confirm_data(html)).status_code == 302
    assert LoanTerms.objects.count() == 2
    assert stored(orange) == {
        "rate_kind": "fixed",
        "fixed_rate_percent": Decimal("5.200"),
        "benchmark": "",
        "margin_percent": None,
        "benchmark_assumed_percent": None,
        "interest_source__key": "S56",
        "tenor_months": 240,
        "grace_months": 24,
        "profile": "equal_principal",
        "payments_per_year": 2,
        "repayment_source__key": "S56",
        "upfront_fee_percent": Decimal("0.250"),
        "commitment_fee_percent": None,
        "insurance_percent": Decimal("7.125"),
        "fees_source__key": "S57",
        "note": "As AidData records it.",
    }
    assert stored(kkh) == {
        "rate_kind": "floating",
        "fixed_rate_percent": None,
        "benchmark": "6-month LIBOR",
        "margin_percent": Decimal("4.500"),
        "benchmark_assumed_percent": Decimal("5.300"),
        "interest_source__key": "S55",
        "tenor_months": 120,
        "grace_months": 36,
        "profile": "annuity",
        "payments_per_year": 4,
        "repayment_source__key": "S55",
        "upfront_fee_percent": None,
        "commitment_fee_percent": Decimal("0.500"),
        "insurance_percent": None,
        "fees_source__key": "S55",
        "note": "",
    }
    assert LoanTerms.objects.get(line=kkh).annual_rate_percent == Decimal("9.800")
    assert LoanTerms.history.count() == 2  # audited like every edit


def test_a_reimport_updates_a_lines_terms_instead_of_adding_them(editor, lines):
    orange, _ = lines
    LoanTerms.objects.create(
        line=orange, rate_kind="fixed", fixed_rate_percent=Decimal("2"), interest_source=Source.objects.get(key="S55")
    )
    import_and_confirm(editor, [HEADER, ORANGE])
    assert LoanTerms.objects.count() == 1
    assert stored(orange)["fixed_rate_percent"] == Decimal("5.200")
    corrected = list(ORANGE)
    corrected[HEADER.index("fixed_rate_percent")] = "5.1"
    corrected[HEADER.index("insurance_percent")] = ""
    import_and_confirm(editor, [HEADER, corrected])
    assert LoanTerms.objects.count() == 1
    assert stored(orange)["fixed_rate_percent"] == Decimal("5.100")
    assert stored(orange)["insurance_percent"] is None  # an empty cell empties the term
    # The same file again changes nothing.
    again = import_and_confirm(editor, [HEADER, corrected])
    assert "skipped" in text(again).lower() or "unchanged" in text(again).lower()
    assert LoanTerms.objects.count() == 1 and LoanTerms.history.filter(line=orange).count() == 3


def test_an_xlsx_file_with_number_cells_imports(editor, lines):
    orange, _ = lines
    cells = list(ORANGE)
    for column, value in {"fixed_rate_percent": 5.2, "tenor_months": 240, "grace_months": 24.0}.items():
        cells[HEADER.index(column)] = value
    cells[HEADER.index("payments_per_year")] = 2
    cells[HEADER.index("insurance_percent")] = None
    cells[HEADER.index("upfront_fee_percent")] = 0.25
    html = post_import(editor, LoanTerms, xlsx_file([HEADER, cells]), "xlsx").content.decode()
    assert "Confirm import" in html, text(html)[-1500:]
    assert editor.post(reverse(CONFIRM), confirm_data(html)).status_code == 302
    terms = stored(orange)
    assert (terms["fixed_rate_percent"], terms["tenor_months"], terms["grace_months"]) == (Decimal("5.2"), 240, 24)
    assert (terms["payments_per_year"], terms["upfront_fee_percent"], terms["insurance_percent"]) == (
        2,
        Decimal("0.25"),
        None,
    )


def test_the_export_names_each_line_as_the_import_reads_it(editor, lines):
    import_and_confirm(editor, [HEADER, ORANGE, KKH])
    exported = {r["project"]: r for r in LoanTermsResource().export().dict}
    assert list(exported["kkh"]) == HEADER
    assert (exported["kkh"]["lender"], exported["kkh"]["instrument"], exported["kkh"]["rate_kind"]) == (
        "icbc",
        "commercial_loan",
        "floating",
    )
    assert exported["orange-line-lahore"]["interest_source"] == "S56"
    # The exported file imports unchanged.
    rows = [HEADER, *([r[c] for c in HEADER] for r in exported.values())]
    import_and_confirm(editor, rows)
    assert LoanTerms.objects.count() == 2


def test_the_list_template_and_import_page_open_for_an_editor(editor, lines):
    import_and_confirm(editor, [HEADER, ORANGE, KKH])
    changelist = editor.get(reverse("admin:financing_loanterms_changelist"), {"q": "kkh"})
    assert changelist.status_code == 200 and "6-month LIBOR + 4.5" in changelist.content.decode()
    assert editor.get(reverse("admin:financing_loanterms_export")).status_code == 200
    template = editor.get(reverse("admin:financing_loanterms_import_template", args=["csv"]))
    assert template.status_code == 200
    assert "orange-line-lahore,china-exim,concessional_loan" in template.content.decode()
    line = lines[0]
    assert editor.get(reverse("admin:financing_financingline_change", args=[line.pk])).status_code == 200  # the inline


# ------------------------------------------------------------------ bad rows

BAD = {
    "unknown line": (
        row(instrument="grant"),
        "project, lender, instrument: there is no financing line of 'orange-line-lahore' from 'china-exim' as "
        "'grant': this lender's lines on the project are 'concessional_loan': use one of them",
    ),
    "no line of this lender": (
        row(lender="icbc"),
        "there is no financing line of 'orange-line-lahore' from 'icbc' as 'concessional_loan': add the line first",
    ),
    "unknown project": (row(project="no-such"), "project: unknown project 'no-such'"),
    "unknown instrument": (row(instrument="bond"), "instrument: 'bond' is not an allowed code"),
    "no lender": (row(lender=""), "lender: required: this cell is empty"),
    "bad number": (
        row(rate_kind="fixed", fixed_rate_percent="5,2", interest_source="S56"),
        "fixed_rate_percent: '5,2' is not a number",
    ),
    "percent sign": (
        row(rate_kind="fixed", fixed_rate_percent="5.2%", interest_source="S56"),
        "fixed_rate_percent: '5.2%' is not a number",
    ),
    "negative rate": (
        row(rate_kind="fixed", fixed_rate_percent="-1", interest_source="S56"),
        "fixed_rate_percent: '-1' is not a rate: rates and fees are between 0% and 100%",
    ),
    "fee above 100%": (
        row(upfront_fee_percent="150", fees_source="S56"),
        "upfront_fee_percent: '150' is not a rate: rates and fees are between 0% and 100%",
    ),
    "grace not within tenor": (
        row(tenor_months="240", grace_months="240", repayment_source="S56"),
        "grace_months, tenor_months: The grace period must be shorter than the tenor.",
    ),
    "tenor not whole periods": (
        row(tenor_months="241", grace_months="24", payments_per_year="2", repayment_source="S56"),
        "tenor_months, grace_months: The tenor and grace period are whole numbers of the periods between "
        "instalments (6 months when paid twice a year).",
    ),
    "zero tenor": (row(tenor_months="0", repayment_source="S56"), "tenor_months: The tenor must be at least a month."),
    "negative tenor": (row(tenor_months="-12", repayment_source="S56"), "tenor_months: must be at least 0"),
    "rate without its source": (
        row(rate_kind="fixed", fixed_rate_percent="5.2"),
        "Give the source of the interest terms.",
    ),
    "tenor without its source": (
        row(tenor_months="240"),
        "Give the source of the tenor, grace period and repayment.",
    ),
    "fee without its source": (row(insurance_percent="7"), "Give the source of the fees."),
    "fixed rate with floating interest": (
        row(rate_kind="floating", fixed_rate_percent="5", interest_source="S56"),
        "fixed_rate_percent, rate_kind: A fixed rate goes with fixed interest.",
    ),
    "margin with fixed interest": (
        row(rate_kind="fixed", margin_percent="2", interest_source="S56"),
        "A benchmark and a margin go with floating interest.",
    ),
    "unknown source": (
        row(rate_kind="fixed", fixed_rate_percent="5", interest_source="S99"),
        "interest_source: unknown interest source 'S99'",
    ),
    "unknown rate kind": (row(rate_kind="variable", interest_source="S56"), "rate_kind: 'variable' is not an allowed"),
    "instalments not 1, 2, 4 or 12": (
        row(payments_per_year="3"),
        "payments_per_year: '3' is not an allowed code: use one of 1, 2, 4, 12",
    ),
    "tenor not a whole number": (row(tenor_months="240.5", repayment_source="S56"), "'240.5' is not a whole number"),
    "too many decimals": (
        row(rate_kind="fixed", fixed_rate_percent="5.234567", interest_source="S56"),
        "more than 5 digits after the decimal point",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_each_bad_row_says_why_and_nothing_is_written(editor, lines, case):
    orange, _ = lines
    bad, message = BAD[case]
    html = import_dry_run(editor, LoanTerms, [HEADER, KKH, bad]).content.decode()
    assert "Confirm import" not in html
    problems = problems_of(html)
    assert problems[2] == "none", problems[2]  # the good row is valid, but not written either
    assert message in problems[3], problems[3]
    assert "Non field specific" not in html and "could not be saved" not in html
    assert not LoanTerms.objects.exists()


def test_a_file_of_bad_rows_lists_every_problem_and_leaves_existing_terms_alone(editor, lines):
    orange, _ = lines
    LoanTerms.objects.create(
        line=orange, rate_kind="fixed", fixed_rate_percent=Decimal("2"), interest_source=Source.objects.get(key="S55")
    )
    before = stored(orange)
    html = import_dry_run(editor, LoanTerms, [HEADER, ORANGE, *(bad for bad, _ in BAD.values())]).content.decode()
    assert "Confirm import" not in html
    problems = problems_of(html)
    for line, (case, (_, message)) in enumerate(BAD.items(), start=3):
        assert message in problems[line], (case, problems[line])
    assert stored(orange) == before and LoanTerms.objects.count() == 1


def test_a_file_that_went_wrong_after_its_preview_writes_nothing(editor, lines):
    """The confirm reads the file again: one bad row now, so no row is written (the import is one transaction)."""
    html = import_dry_run(editor, LoanTerms, [HEADER, ORANGE, KKH]).content.decode()
    fields = confirm_data(html)
    stored_file = os.path.join(tempfile.gettempdir(), os.path.basename(fields["import_file_name"]))
    bad, _ = BAD["grace not within tenor"]
    with open(stored_file, "wb") as file:
        file.write(csv_file([HEADER, ORANGE, bad, KKH]).read())
    response = editor.post(reverse(CONFIRM), fields)
    assert response.status_code == 200 and "Nothing was imported" in response.content.decode()
    assert not LoanTerms.objects.exists()


# ------------------------------------------------------------------ who may import


def test_a_viewer_cannot_import(login, lines):
    client = login(VIEWER)
    url = import_url(LoanTerms)
    assert client.get(url).status_code == 302
    response = client.post(url, {"format": "0", "import_file": csv_file([HEADER, ORANGE])})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert client.post(reverse(CONFIRM), {"import_file_name": "x", "format": "0"}).status_code == 302
    assert not LoanTerms.objects.exists()


def test_staff_without_the_add_permission_cannot_import(client, lines):
    """Staff who may only view loan terms see the list, but neither the import nor its confirm."""
    user = get_user_model().objects.create_user("reader", password="x-pass-12345", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_loanterms"))
    client.force_login(user)
    assert client.get(reverse("admin:financing_loanterms_changelist")).status_code == 200
    assert client.get(import_url(LoanTerms)).status_code == 403
    assert client.post(reverse(CONFIRM), {"import_file_name": "x", "format": "0"}).status_code == 403
    assert not LoanTerms.objects.exists()


def test_editors_hold_the_loan_terms_permissions(editor):
    codenames = set(Group.objects.get(name=EDITOR).permissions.values_list("codename", flat=True))
    assert {"view_loanterms", "add_loanterms", "change_loanterms"} <= codenames
    assert "delete_loanterms" not in codenames
