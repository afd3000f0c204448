"""The OC4IDS project package: valid against the official 0.9.4 schema and codelists, true to the pages.

The schema and codelists are the release's own files (a copy in opendata/schema/, compared here
with ../shared/data/oc4ids/). The figures are compared with what the pages and the CSV export
show, over HTTP, now and as of JCC meetings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dashboard.asof import AsOf
from dashboard.selectors import portfolio_projects, project_page
from financing.models import FinancingLine
from financing.services import financing_line_record_change
from opendata import oc4ids
from opendata.exports import oc4ids_package
from opendata.schema import SCHEMA_DIR, codelist, codelist_errors, codelist_values, schema_errors
from projects.models import JCCMeeting, Project, Source
from tests.dashboard.test_views import grow
from tests.factories import CostEstimateFactory, LenderFactory, ProjectFactory, SourceFactory

D = dt.date
OFFICIAL = Path(settings.BASE_DIR).parent / "shared" / "data" / "oc4ids"
URL = "/projects/export.oc4ids.json"


def download(client, **params) -> dict:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content, parse_float=Decimal)


def assert_valid(package: dict) -> None:
    assert schema_errors(package) == []
    assert codelist_errors(package) == []


def by_slug(package: dict) -> dict[str, dict]:
    return {p["identifiers"][0]["id"]: p for p in package["projects"]}


# ------------------------------------------------------------------ the official artefacts


def test_the_schema_files_are_the_official_release_byte_for_byte():
    ours = sorted(p.relative_to(SCHEMA_DIR) for p in SCHEMA_DIR.rglob("*") if p.is_file())
    official = sorted(p.relative_to(OFFICIAL) for p in OFFICIAL.rglob("*") if p.is_file())
    assert ours == official and len(ours) == 39  # 2 schemas, 35 codelists, LICENSE, SOURCES.txt
    for name in ours:
        assert (SCHEMA_DIR / name).read_bytes() == (OFFICIAL / name).read_bytes(), name


def test_the_validator_catches_what_the_schema_forbids():
    """The checks can fail: a wrong version, a status outside the closed list, a date that is not
    a date-time, an amount as text, and a codelist value that is not in its CSV."""
    package = {
        "uri": "https://example.org/p.json",
        "publishedDate": "2026-12-05",
        "version": "0.9.4",
        "publisher": {"name": "Ministry"},
        "projects": [
            {
                "id": "x-1",
                "status": "suspended",
                "budget": {"amount": {"amount": "12", "currency": "PKR"}},
                "parties": [{"id": "a", "roles": ["sponsor"]}],
            }
        ],
    }
    errors = schema_errors(package)
    assert any(e.startswith("publishedDate: '2026-12-05' is not a 'date-time'") for e in errors), errors
    assert any(e.startswith("version: ") for e in errors), errors
    assert any(e.startswith("projects/0/status: 'suspended' is not one of") for e in errors), errors
    assert any(e.startswith("projects/0/budget/amount/amount: '12' is not of type") for e in errors), errors
    assert codelist_errors(package) == [
        "projects/0/status: 'suspended' is not in projectStatus.csv",
        "projects/0/parties/0/roles: 'sponsor' is not in partyRole.csv",
    ]


# ------------------------------------------------------------------ the demo portfolio


@pytest.fixture
def demo_viewer(demo_db, client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="viewer"))
    return client


@pytest.mark.parametrize("moment", [{}, {"as_of_jcc": "11"}, {"as_of_jcc": "14"}, {"as_of": "2019-07-07"}])
def test_the_demo_package_is_valid_now_and_as_of_two_meetings(demo_viewer, moment):
    package = download(demo_viewer, **moment)
    assert_valid(package)
    known = portfolio_projects(as_of=_date(moment)).count()
    assert len(package["projects"]) == known and known > 10
    assert package["version"] == "0.9"
    # Every closed codelist value we used is listed; the open ones too (we add no codes of our own).
    used = {(name, value) for _, name, value in codelist_values(package)}
    assert {name for name, _ in used} >= {"projectStatus.csv", "projectType.csv", "projectSector.csv", "partyRole.csv"}
    assert all(value in codelist(name) for name, value in used)


def _date(moment: dict) -> dt.date | None:
    if "as_of_jcc" in moment:
        return JCCMeeting.objects.get(number=moment["as_of_jcc"]).date
    return D.fromisoformat(moment["as_of"]) if "as_of" in moment else None


@pytest.mark.parametrize("moment", [{}, {"as_of_jcc": "11"}])
def test_the_packages_figures_are_the_pages_figures(demo_viewer, moment):
    """Cost, its four parts and the gap equal the CSV export's (the project list's figures); each
    finance entry's US$ value equals the line's value on the project page."""
    package = by_slug(download(demo_viewer, **moment))
    response = demo_viewer.get("/projects/export.csv", moment)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == len(package)

    def money(text):
        return Decimal(text) if text else None

    gaps = 0
    for row in rows:
        slug = row["Link"].split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        ext = package[slug]["cpecTracker"]
        cost, funding = ext.get("currentCost", {}), ext.get("fundingUSD", {})
        assert cost.get("amountUSD") == money(row["Current cost (US$)"]), slug
        assert funding.get("committedKnown") == money(row["Committed financing (US$)"]), slug
        assert funding.get("committedUndisclosedPart") == money(row["Committed, amount not disclosed (US$)"]), slug
        assert funding.get("pipelinePart") == money(row["Proposed or planned (US$)"]), slug
        assert funding.get("gap") == money(row["Funding gap (US$)"]), slug
        assert ext["statusLabel"] == row["Status"], slug
        gaps += funding.get("gap") is not None
    assert gaps > 5  # the comparison compared figures, not only empty cells

    as_of = _date(moment)
    for slug in ("ml-1", "kkh-thakot-raikot", "karot-hydropower"):
        if slug not in package:
            continue
        page = project_page(slug=slug, as_of=as_of)
        finance = {f["id"]: f for f in package[slug].get("budget", {}).get("finance", [])}
        closed = {f["id"]: f for f in package[slug]["cpecTracker"].get("closedFinancing", [])}
        for line in page.lines:
            entry = finance.get(f"line-{line.line_pk}") or closed[f"line-{line.line_pk}"]
            assert entry["cpecTracker"].get("valueUSD") == line.value_usd, (slug, line)
            assert entry["cpecTracker"]["negotiationStatus"] == line.status


def test_the_kkh_realignment_as_the_ministry_knows_it(demo_viewer):
    """Worked by hand from the demo data: Rs 576bn at the JCC's rate, 85% agreed by China at the 14th JCC."""
    kkh = by_slug(download(demo_viewer))["kkh-thakot-raikot"]
    assert kkh["status"] == "preparation" and kkh["type"] == "construction"
    assert kkh["sector"] == ["transport", "transport.road"]
    assert kkh["budget"]["amount"] == {"amount": Decimal("576000000000.00"), "currency": "PKR"}
    [china] = kkh["budget"]["finance"]
    assert china["financingParty"]["name"] == "Government of China"
    assert china["financingPartyType"] == "bilateral"
    assert "type" not in china  # the instrument is not decided: no arrangement type
    assert china["cpecTracker"]["negotiationStatus"] == "agreed"
    assert china["cpecTracker"]["sharePercent"] == 85
    assert china["cpecTracker"]["decision"] == {"jccMeeting": 14, "sequence": 1, "kind": "financing_agreed"}
    assert [r["description"] for r in kkh["locations"][:2]] == [
        "Khyber Pakhtunkhwa, Pakistan",
        "Gilgit-Baltistan, Pakistan",
    ]
    assert {p["id"]: p["roles"] for p in kkh["parties"]}["lender-government-of-china"] == ["funder"]
    assert "jcc-14-1" in [m["id"] for m in kkh["milestones"]]
    # As of the 11th JCC, before China agreed: no finance at all.
    before = by_slug(download(demo_viewer, as_of_jcc="11")).get("kkh-thakot-raikot")
    assert before is None or "finance" not in before.get("budget", {})


def test_loan_terms_as_interest_rates_with_their_sources(demo_viewer):
    """Suki Kinari's China Exim half (T14): 6-month LIBOR + 4.75%, 12 years with 5 of grace; the level
    0.41326% is the one AidData states, in the notes. East Bay's interest-free loan: a fixed 0%."""
    projects = by_slug(download(demo_viewer))
    [exim] = [
        f
        for f in projects["suki-kinari-hydropower"]["budget"]["finance"]
        if f["financingParty"]["name"] == "Export-Import Bank of China"
    ]
    assert exim["interestRate"] == {
        "base": "6-month LIBOR",
        "margin": Decimal("0.0475"),
        "fixed": False,
        "notes": "Schedules take the benchmark at 0.41326% a year.",
    }
    terms = exim["cpecTracker"]["loanTerms"]
    assert (terms["tenorMonths"], terms["graceMonths"], terms["insurancePercent"]) == (144, 60, Decimal("6.77394"))
    assert "repayment" not in terms  # no source states it
    documents = {d["id"] for d in projects["suki-kinari-hydropower"]["documents"]}
    assert terms["interestSource"] == "source-T14" and "source-T14" in documents
    east_bay = projects["gwadar-east-bay-expressway"]["budget"]["finance"]
    assert {"margin": Decimal("0"), "fixed": True} in [f.get("interestRate") for f in east_bay]


# ------------------------------------------------------------------ mapping rules, worked by hand


def test_rules_for_values_with_no_code_coordinates_and_sections(portfolio, viewer_client):
    """Suspended: no status; an initiative: no type; a budget allocation: no arrangement type;
    coordinates as a GeoJSON point (longitude first), a route as a GeoJSON line; sections related both ways."""
    road = portfolio["road"]
    Project.objects.filter(pk=road.pk).update(
        status="suspended", latitude=Decimal("35.12345"), longitude="73.5", location_source=Source.objects.first()
    )
    route = {"type": "LineString", "coordinates": [[67.01, 24.86], [68.36833, 25.37917]]}
    Project.objects.filter(slug="rail-b").update(route=route, location_source=Source.objects.first())
    section = ProjectFactory(name="Road A – north", slug="road-a-north", parent=road, sector="transport")
    ProjectFactory(name="Fund E", slug="fund-e", kind="initiative", sector="trade_finance", subsector="Investment fund")
    package = download(viewer_client)
    assert_valid(package)
    projects = by_slug(package)
    assert "status" not in projects["road-a"] and projects["road-a"]["cpecTracker"]["status"] == "suspended"
    assert projects["road-a"]["locations"][-1]["geometry"] == {
        "type": "Point",
        "coordinates": [Decimal("73.50000"), Decimal("35.12345")],
    }
    assert "type" not in projects["fund-e"] and projects["fund-e"]["sector"] == ["economy"]
    assert projects["fund-e"]["cpecTracker"]["kind"] == "initiative"
    [psdp] = projects["zone-d"]["budget"]["finance"]
    assert "type" not in psdp and psdp["financingPartyType"] == "other"
    [rel] = projects["road-a-north"]["relatedProjects"]
    assert rel["identifier"] == f"cpec-tracker-{road.pk}" and rel["cpecTracker"]["relation"] == "parent"
    assert projects["road-a"]["relatedProjects"][0]["identifier"] == f"cpec-tracker-{section.pk}"
    # Rail B: its route as a GeoJSON line; China declined at the 14th JCC, so its line is out of
    # ``finance`` and kept as closed.
    rail = projects["rail-b"]
    line = {"type": "LineString", "coordinates": [[Decimal(str(c)) for c in p] for p in route["coordinates"]]}
    assert rail["locations"][-1] == {"id": "route", "description": "Route of Rail B", "geometry": line}
    assert [f["financingParty"]["id"] for f in rail["budget"]["finance"]] == ["lender-adb", "lender-psdp"]
    [declined] = rail["cpecTracker"]["closedFinancing"]
    assert declined["cpecTracker"]["negotiationStatus"] == "declined" and declined["type"] == "loan"
    assert declined["concessional"] is True
    adb = rail["budget"]["finance"][0]
    assert adb["value"] == {"amount": Decimal("2000000000.00"), "currency": "USD"}
    assert adb["financingPartyType"] == "multilateral"


def test_money_is_written_as_exact_numbers(portfolio):
    """Not through float: 24 significant digits come out as stored."""
    source = SourceFactory()
    project = ProjectFactory(slug="big")
    CostEstimateFactory(
        project=project, amount=Decimal("1234567890123456789012.34"), currency="PKR", as_of=D(2025, 1, 1), source=source
    )
    package = oc4ids_package(projects=portfolio_projects().filter(slug="big"), moment=AsOf())
    text = oc4ids.dumps(package)
    assert '"amount": 1234567890123456789012.34,' in text
    assert json.loads(text, parse_float=Decimal)["projects"][0]["budget"]["amount"]["amount"] == Decimal(
        "1234567890123456789012.34"
    )


def test_hostile_names_and_text_survive_intact(portfolio, viewer_client):
    name = '</script><script>alert(1)</script> "Road" \\ \u202eRTL\u202c =HYPERLINK("x") سڑک 公路'
    text = 'Line one\nLine two\t{"json": [1]}\u2028end & <b>bold</b>'
    project = ProjectFactory(name=name, slug="evil", description=text, implementing_agency=name)
    lender = LenderFactory(name="Bank ' OR 1=1; --", slug="evil-bank")
    line = FinancingLine(project=project, lender=lender, instrument="grant", as_of=D(2024, 1, 1))
    financing_line_record_change(
        line=line,
        changed_on=D(2024, 1, 1),
        status="agreed",
        amount=Decimal("5"),
        currency="USD",
        entered_pkr_per_usd=Decimal("280"),
    )
    package = download(viewer_client)
    assert_valid(package)
    evil = by_slug(package)["evil"]
    assert evil["title"] == name and evil["description"] == text
    assert evil["publicAuthority"]["name"] == name
    assert evil["budget"]["finance"][0]["financingParty"]["name"] == "Bank ' OR 1=1; --"


# ------------------------------------------------------------------ the download and the command


def test_the_download_needs_a_login_and_names_its_moment(viewer_client, portfolio):
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = viewer_client.get(URL, {"as_of_jcc": "14"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="cpec-projects-oc4ids-')
    assert response["Content-Disposition"].endswith('-as-of-jcc-14.json"')
    package = json.loads(response.content)
    assert package["uri"] == f"{settings.SITE_URL}{URL}?as_of_jcc=14"
    assert package["cpecTracker"]["moment"] == "the 14th JCC (26 Sep 2025)"


def test_the_download_keeps_the_filters_and_refuses_bad_ones(viewer_client, portfolio):
    package = download(viewer_client, sector="energy")
    assert [p["title"] for p in package["projects"]] == ["Solar C"]
    response = viewer_client.get(URL, {"cost_min": "abc"})
    assert response.status_code == 400 and "Enter a number." in response.content.decode()
    response = viewer_client.get(URL, {"as_of_jcc": "999"})
    assert response.status_code == 400
    response = viewer_client.get(URL, {"as_of": "2030-13-01"})
    assert response.status_code == 400
    response = viewer_client.get(URL, {"sector": "social"})
    assert response.status_code == 404 and "nothing to export" in response.content.decode()


def test_the_project_list_links_the_download_with_its_filters(viewer_client, portfolio):
    html = viewer_client.get("/projects/", {"sector": "transport", "as_of_jcc": "14"}).content.decode()
    assert f'href="{URL}?sector=transport&amp;as_of_jcc=14" download>OC4IDS (JSON)</a>' in html


def test_the_download_runs_a_constant_number_of_queries(viewer_client, portfolio, django_assert_num_queries):
    url = f"{URL}?as_of_jcc=14&sector=transport"
    grow(2)
    with CaptureQueriesContext(connection) as small:
        download(viewer_client, **dict(p.split("=") for p in url.split("?")[1].split("&")))
    grow(45)
    with django_assert_num_queries(len(small.captured_queries)):
        assert viewer_client.get(url).status_code == 200
    assert len(small.captured_queries) < 20


def test_the_command_writes_a_valid_package_as_of_a_meeting(portfolio, tmp_path):
    out = tmp_path / "package.json"
    stderr = io.StringIO()
    call_command("export_oc4ids", "--as-of-jcc", "11", "--output", str(out), stderr=stderr)
    package = json.loads(out.read_text(encoding="utf-8"), parse_float=Decimal)
    assert_valid(package)
    # As of the 11th JCC, Rail B was known (its PC-I of 5 Aug 2020), and Solar C, which has no dated
    # record at all; China and the PSDP had agreed Rail B's financing, the ADB not yet proposed.
    assert [p["title"] for p in package["projects"]] == ["Rail B", "Solar C"]
    finance = package["projects"][0]["budget"]["finance"]
    assert [(f["financingParty"]["id"], f["cpecTracker"]["negotiationStatus"]) for f in finance] == [
        ("lender-china", "agreed"),
        ("lender-psdp", "agreed"),
    ]
    assert stderr.getvalue().strip() == f"Wrote 2 projects to {out} as of the 11th JCC (27 Oct 2022)"


def test_the_command_refuses_bad_input_with_a_message(portfolio, tmp_path):
    with pytest.raises(CommandError, match="--as-of-jcc: Select a valid choice"):
        call_command("export_oc4ids", "--as-of-jcc", "99")
    with pytest.raises(CommandError, match="--as-of: Enter a valid date"):
        call_command("export_oc4ids", "--as-of", "2022-02-30")
    portfolio["solar"].delete()  # the one project with no dated record, known at any date
    with pytest.raises(CommandError, match="No project was known then"):
        call_command("export_oc4ids", "--as-of", "1995-01-01")
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_oc4ids", "--output", str(tmp_path / "missing" / "p.json"))


def test_scripts_get_the_same_package_from_the_api_with_a_token(viewer, viewer_client, portfolio):
    from rest_framework.authtoken.models import Token

    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=viewer).key}")
    response = api.get("/api/v1/projects.oc4ids.json", {"as_of_jcc": "14", "sector": "transport"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    package = json.loads(response.content, parse_float=Decimal)
    assert_valid(package)
    downloaded = download(viewer_client, as_of_jcc="14", sector="transport")
    assert package["projects"] == downloaded["projects"]
    assert [p["title"] for p in package["projects"]] == ["Rail B", "Road A"]
    assert Client().get("/api/v1/projects.oc4ids.json").status_code == 401
    bad = api.get("/api/v1/projects.oc4ids.json", {"cost_min": "abc"})
    assert bad.status_code == 400 and bad.json() == {"cost_min": ["Enter a number."]}
    none = api.get("/api/v1/projects.oc4ids.json", {"sector": "social"})
    assert none.status_code == 404 and "nothing to export" in none.json()["detail"]
