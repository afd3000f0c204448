"""Names that are HTML, JavaScript or spreadsheet formulas stay text everywhere they are shown.

A portfolio whose project, lender, decision, meeting, phase, source, estimate and financing
texts are script payloads is rendered on every dashboard page (now and "as of"), every admin
page for those objects and every export. On a page the payload must only ever appear escaped:
the parsed HTML holds no element, event handler or inline script it could have brought, every
``<script>`` is a same-site file or ``json_script`` data, and the chart data — decoded as the
browser decodes it — keeps the payload as text for plotly (entity-escaped, see dashboard/charts.py).
In exports every text cell a spreadsheet would run as a formula starts with an apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from html import escape as html_escape
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from financing.models import FinancingChange, FinancingLine
from financing.services import financing_line_record_change
from projects.models import JCCMeeting, Project
from projects.resources import ProjectResource
from tests.factories import (
    CostEstimateFactory,
    DecisionFactory,
    JCCMeetingFactory,
    LenderFactory,
    PhaseFactory,
    ProjectFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
BREAKOUT = "</script><script>alert(2)</script>"  # aimed at json_script
SVG = "'><svg/onload=alert(3)>"
HTML_PAYLOADS = [SCRIPT, IMG, BREAKOUT, SVG]
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)"]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
D = dt.date


@pytest.fixture
def hostile(db):
    """A small portfolio written by an attacker with data-entry rights."""
    source = SourceFactory(key="X1", title=SCRIPT, publisher=IMG, notes=BREAKOUT)
    lender = LenderFactory(name=IMG, short_name=SCRIPT, slug="evil-bank", country=SVG, notes=BREAKOUT)
    lender2 = LenderFactory(name=BREAKOUT, short_name=SVG, slug="evil-fund", kind="chinese_government")
    meeting = JCCMeetingFactory(
        number=41, date=D(2025, 9, 26), city=SCRIPT, pakistan_cochair=IMG, china_cochair=BREAKOUT, summary=SVG
    )
    meeting.sources.add(source)
    projects = {}
    for i, name in enumerate(HTML_PAYLOADS + FORMULAS):
        project = ProjectFactory(
            name="Draft",
            slug=f"evil-{i}",
            status="under_construction",
            sector="transport",
            subsector=IMG,
            location=SVG,
            description=BREAKOUT,
            implementing_agency=SCRIPT,
            sponsor=IMG,
            planned_start=D(2024, 1, 1),
            planned_end=D(2030, 1, 1),
        )
        project.name = name  # a second save: the history shows the payload as a change
        project.save()
        project.sources.add(source)
        projects[name] = project
        PhaseFactory(
            project=project,
            order=1,
            name=BREAKOUT,
            scope=SCRIPT,
            status="under_way",
            planned_start=D(2024, 1, 1),
            planned_end=D(2031, 1, 1),
        )
        CostEstimateFactory(project=project, as_of=D(2024, 1, 1), source=source, note=SCRIPT, scope=IMG)
        decision = DecisionFactory(meeting=meeting, sequence=i + 1, project=project, text=IMG + BREAKOUT, source=source)
        for who, share in ((lender, "40"), (lender2, "20")):
            line = FinancingLine(project=project, lender=who, instrument="grant", as_of=D(2025, 9, 26))
            financing_line_record_change(
                line=line,
                changed_on=D(2025, 9, 26),
                status="agreed",
                share_percent=Decimal(share),
                decision=decision,
                source=source,
                note=SVG,
            )
    return {"projects": projects, "lender": lender, "meeting": meeting, "source": source}


# ------------------------------------------------------------------ HTML checks
class Page(HTMLParser):
    """What the browser would build: elements, attributes, scripts and their text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script, self._text = attributes, []

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        if self._script is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._text)))
            self._script = None


def strings(value):
    """Every string in decoded JSON."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def assert_inert(html: str, where: str) -> list:
    """The page carries no payload as markup; returns the decoded chart data (json_script)."""
    for payload in HTML_PAYLOADS:
        assert payload not in html, f"{where}: raw {payload!r}"
    page = Page()
    page.feed(html)
    for tag, attributes in page.tags:
        handlers = [name for name in attributes if name.lstrip("/").startswith("on")]
        assert not handlers, f"{where}: <{tag}> with event handler {handlers}"
        assert not (tag == "img" and attributes.get("src") == "x"), f"{where}: the payload's <img>"
        for name in ("href", "src", "action", "formaction"):
            assert not (attributes.get(name) or "").strip().lower().startswith("javascript:"), where
    data = []
    for attributes, text in page.scripts:
        if "src" in attributes:
            assert attributes["src"].startswith("/static/") or attributes["src"].startswith("/admin/jsi18n"), where
            assert not text.strip(), f"{where}: a script with both src and content"
        else:
            assert attributes.get("type") == "application/json", f"{where}: an inline script {text[:80]!r}"
            # json_script escapes < > & in the data, so nothing in it can close the element.
            assert not set("<>&") & set(text), f"{where}: unescaped markup characters in script data"
            decoded = json.loads(text)
            for value in strings(decoded):
                for payload in HTML_PAYLOADS:
                    assert payload not in value, f"{where}: chart data holds raw {payload!r} (plotly renders tags)"
            data.append(decoded)
    return data


def shown(html: str, payload: str) -> bool:
    """The payload is on the page as text (escaped by Django)."""
    return escape(payload) in html


SITE_PAGES = [
    ("/", None),
    ("/?sector=transport&lender=evil-bank", None),
    ("/?as_of_jcc=41", None),
    ("/?as_of=2025-01-01", None),
    ("/projects/", None),
    ("/projects/?lender=evil-fund&sort=-name", None),
    ("/projects/?as_of_jcc=41", None),
    ("/projects/evil-0/", SCRIPT),
    ("/projects/evil-1/", IMG),
    ("/projects/evil-2/", BREAKOUT),
    ("/projects/evil-3/", SVG),
    ("/projects/evil-0/?as_of_jcc=41", SCRIPT),
    ("/projects/evil-1/?as_of=2025-12-31", IMG),
    ("/lenders/", IMG),
    ("/lenders/?as_of_jcc=41", IMG),
    ("/lenders/evil-bank/", IMG),
    ("/lenders/evil-fund/?as_of=2025-12-31", BREAKOUT),
    ("/jcc/", None),
    ("/jcc/41/", SCRIPT),
]


@pytest.mark.parametrize(("url", "expected"), SITE_PAGES)
def test_site_pages_show_payloads_as_text(admin_client, hostile, url, expected):
    response = admin_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    charts = assert_inert(html, url)
    if expected:
        assert shown(html, expected), f"{url}: {expected!r} is not shown at all"
    else:  # pages that list every project: each name is there, as text
        assert all(shown(html, p) for p in HTML_PAYLOADS), url
    if url.split("?")[0] == "/" or url.startswith("/projects/evil"):
        assert charts, f"{url}: no chart data checked"


def test_chart_data_carries_names_for_plotly_as_text(admin_client, hostile):
    """plotly.js reads a subset of HTML in its texts: names reach it entity-escaped, which it
    shows as the literal characters (tests/browser/test_security.py hovers one to see)."""
    html = admin_client.get("/").content.decode()
    figures = json.dumps(assert_inert(html, "/"))
    for payload in (SCRIPT, IMG):
        assert json.dumps(html_escape(payload).replace("&quot;", "&#34;"))[1:-1] in figures


REFLECTED = [
    {"q": SCRIPT},
    {"q": IMG},
    {"q": BREAKOUT},
    {"cost_min": IMG},
    {"as_of": SCRIPT},
    {"as_of_jcc": IMG},
    {"sort": SVG},
    {"sector": SCRIPT},
    {"lender": BREAKOUT},
    {IMG: SCRIPT},
]


@pytest.mark.parametrize("url", ["/", "/projects/", "/projects/export.csv", "/lenders/", "/projects/evil-0/"])
def test_reflected_payloads_are_escaped(admin_client, hostile, url):
    """Query values echoed in a form or an error message stay text."""
    for query in REFLECTED:
        response = admin_client.get(url, query)
        assert response.status_code in (200, 400), (url, query)
        if response["Content-Type"].startswith("text/html"):
            assert_inert(response.content.decode(), f"{url}?{query}")


def test_login_page_escapes_next_and_username(client, db):
    response = client.post(f"/accounts/login/?next={IMG}", {"username": SCRIPT, "password": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html, "login")
    assert shown(html, SCRIPT)


# ------------------------------------------------------------------ admin
ADMIN_MODELS = [
    "projects.project",
    "projects.phase",
    "projects.costestimate",
    "projects.jccmeeting",
    "projects.decision",
    "projects.source",
    "financing.lender",
    "financing.financingline",
    "financing.financingchange",
]


def admin_pages(app_model: str, pk: int) -> list[str]:
    app, model = app_model.split(".")
    return [
        reverse(f"admin:{app}_{model}_changelist"),
        reverse(f"admin:{app}_{model}_changelist") + "?q=" + SCRIPT,
        reverse(f"admin:{app}_{model}_change", args=[pk]),
        reverse(f"admin:{app}_{model}_history", args=[pk]),
        reverse(f"admin:{app}_{model}_delete", args=[pk]),
    ]


def first_pk(app_model, hostile):
    from django.apps import apps

    model = apps.get_model(app_model)
    return model.objects.order_by("pk").values_list("pk", flat=True).first()


@pytest.mark.parametrize("app_model", ADMIN_MODELS)
def test_admin_pages_show_payloads_as_text(admin_client, hostile, app_model):
    pk = first_pk(app_model, hostile)
    assert pk is not None
    for url in admin_pages(app_model, pk):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_inert(html, url)
        # No inline style either: the CSP allows none (templates/simple_history, templates/admin).
        assert not re.search(r"\sstyle=", html), f"{url}: inline style attribute"


def test_admin_history_shows_the_change_as_text(admin_client, hostile):
    project = hostile["projects"][SCRIPT]
    html = admin_client.get(reverse("admin:projects_project_history", args=[project.pk])).content.decode()
    assert_inert(html, "history")
    assert shown(html, SCRIPT)  # "Draft → <script>…" as text
    record = project.history.order_by("history_id").first()
    url = reverse("admin:projects_project_simple_history", args=[project.pk, record.history_id])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert_inert(response.content.decode(), url)


def test_admin_import_preview_shows_payloads_as_text(admin_client, hostile):
    from tests.projects.test_resources import import_dry_run

    response = import_dry_run(
        admin_client,
        Project,
        [["slug", "name", "sector", "status", "regions"], ["evil-new", IMG, "transport", "proposed", SCRIPT]],
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html, "import preview")
    assert shown(html, IMG) or shown(html, SCRIPT)


def test_admin_rejects_a_javascript_source_url(admin_client, db):
    url = reverse("admin:projects_source_add")
    response = admin_client.post(url, {"key": "J1", "title": "t", "publisher": "p", "url": "javascript:alert(1)"})
    assert response.status_code == 200  # the form again
    assert "Enter a valid URL." in response.content.decode()


# ------------------------------------------------------------------ exports
def assert_neutral(cell, where):
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        try:
            Decimal(cell)
        except ArithmeticError:
            pytest.fail(f"{where}: formula cell {cell!r}")


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"formula cell {cell.coordinate}: {cell.value!r}"
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_site_exports_neutralize_formulas(admin_client, hostile, fmt):
    response = admin_client.get(f"/projects/export.{fmt}", {"lender": "evil-bank"})
    assert response.status_code == 200
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    names = {row[0] for row in rows[1:]}
    assert {"'" + f for f in FORMULAS} <= names  # the formula names, each with its apostrophe
    assert set(HTML_PAYLOADS) <= names  # markup is just text in a spreadsheet
    for row in rows:
        for cell in row:
            assert_neutral(cell, fmt)


def admin_export(client, model_name, fmt):
    from tests.projects.test_resources import format_value

    app = "financing" if model_name == "financingline" else "projects"
    url = reverse(f"admin:{app}_{model_name}_export")
    page = client.get(url).content.decode()
    chosen = {name: "on" for name in re.findall(r'name="(\w+resource_[^"]+)"', page)}
    assert chosen, "no export fields offered"
    response = client.post(url, {"format": format_value(page, fmt), "resource": "0", **chosen})
    assert response.status_code == 200, response.content.decode()[:500]
    return response


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("model_name", ["project", "decision", "costestimate", "financingline"])
def test_admin_exports_neutralize_formulas(admin_client, hostile, model_name, fmt):
    if model_name == "project":
        for project in hostile["projects"].values():  # formulas in every text column
            project.description, project.sponsor = FORMULAS[0], FORMULAS[1]
            project.save()
    response = admin_export(admin_client, model_name, fmt)
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert len(rows) > 1
    for row in rows:
        for cell in row:
            assert_neutral(cell, f"{model_name}.{fmt}")
    if model_name == "project":
        cells = {cell for row in rows for cell in row}
        assert {"'" + f for f in FORMULAS} <= cells


def test_an_exported_file_imports_unchanged(hostile):
    """The apostrophe is for spreadsheets only: importing the export gives back the same names."""
    before = dict(Project.objects.values_list("slug", "name"))
    dataset = ProjectResource().export()
    assert "'" + FORMULAS[0] in dataset["name"]
    Project.objects.filter(slug__startswith="evil-").update(name="renamed")
    result = ProjectResource().import_data(dataset, dry_run=False, raise_errors=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert dict(Project.objects.values_list("slug", "name")) == before


def test_numbers_are_not_neutralized(hostile):
    from projects.resources import neutralize

    assert neutralize("-5.00") == "-5.00"
    assert neutralize("+12") == "+12"
    assert neutralize("-1+1") == "'-1+1"
    assert neutralize("-inf") == "'-inf"
    assert neutralize("\tcmd") == "'\tcmd"
    assert neutralize(Decimal("-5")) == Decimal("-5")


def test_meeting_and_line_exist(hostile):
    """The fixture built what the tests above look for."""
    assert JCCMeeting.objects.filter(number=41).exists()
    assert FinancingLine.objects.filter(lender=hostile["lender"]).count() == len(HTML_PAYLOADS + FORMULAS)
    assert FinancingChange.objects.filter(note=SVG).exists()
