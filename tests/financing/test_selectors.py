"""How a project's cost falls into committed, undisclosed, proposed and not identified money.

Each test builds a small project whose every figure can be checked by hand, through the
same services admin uses. The numbers follow the demo's plants: Hub (75:25 debt:equity,
shares of the debt and of the equity), Engro (a syndicated loan and sponsors of unknown
amounts), Karot (financial close), ML-1 (a PC-I's financing plan, then China's refusal).
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from dashboard import selectors
from financing.models import FinancingLine
from financing.selectors import LineStates, known_by, projects_with_funding
from financing.services import LineShare, financing_line_record_change, financing_live_shares
from projects.models import CostEstimate, Project
from tests.factories import CostEstimateFactory, DecisionFactory, JCCMeetingFactory, LenderFactory, ProjectFactory

pytestmark = pytest.mark.django_db
D = dt.date
M = Decimal("1000000")


def line(project, lender, *changes, participants=(), instrument="undecided"):
    obj = FinancingLine(project=project, lender=lender, instrument=instrument, as_of=changes[0]["changed_on"])
    for change in changes:
        financing_line_record_change(line=obj, **change)
    if participants:
        obj.participants.set(participants)
    return obj


def usd(amount_m) -> dict:
    return {"amount": Decimal(amount_m) * M, "currency": "USD", "entered_pkr_per_usd": Decimal("280")}


def funding(slug, as_of=None):
    return projects_with_funding(as_of=as_of).get(slug=slug)


def parts(project) -> tuple:
    return (
        project.committed_part_usd,
        project.committed_unknown_usd,
        project.pipeline_part_usd,
        project.funding_gap_usd,
    )


# ------------------------------------------------------------------ shares of debt and equity


@pytest.fixture
def hub(db):
    project = ProjectFactory(name="Hub coal", slug="hub", status="operational", debt_percent=Decimal("75"))
    CostEstimateFactory(project=project, amount=Decimal("1995") * M, as_of=D(2019, 1, 4), basis="official_statement")
    cdb = LenderFactory(name="China Development Bank", short_name="CDB", slug="cdb", kind="chinese_government")
    exim = LenderFactory(name="Export-Import Bank of China", short_name="China Exim", slug="exim")
    cpih = LenderFactory(name="China Power International Holding", short_name="CPIH", slug="cpih")
    hubco = LenderFactory(name="Hub Power Company", short_name="HUBCO", slug="hubco")
    line(
        project,
        cdb,
        {"changed_on": D(2017, 10, 24), "status": "signed", "share_percent": 100, "share_basis": "debt", **usd(1500)},
        participants=[exim],
    )
    for lender, stake in ((cpih, 74), (hubco, 26)):
        line(
            project,
            lender,
            {"changed_on": D(2019, 1, 4), "status": "agreed", "share_percent": stake, "share_basis": "equity"},
            instrument="equity",
        )
    return project


def test_shares_of_the_debt_and_equity_are_read_as_shares_of_cost(hub):
    row = funding("hub")
    # 75% of 1,995 = 1,496.25 (the debt); 74% and 26% of the 25% equity = 369.075 and 129.675.
    assert row.committed_usd == Decimal("1995000000.00")
    assert parts(row) == (Decimal("1995000000.00"), Decimal("0"), Decimal("0"), Decimal("0"))
    states = LineStates()
    values = {s.lender.slug: s.value_usd for s in states.with_value(states.queryset(project=hub))}
    assert values == {
        "cdb": Decimal("1496250000.00"),
        "cpih": Decimal("369075000.00"),
        "hubco": Decimal("129675000.00"),
    }


def test_the_project_page_says_how_hub_is_financed(hub, viewer_client):
    response = viewer_client.get(f"/projects/{hub.slug}/")
    assert response.status_code == 200
    summary = response.context["financing_summary"]
    assert summary[0] == (
        "75% debt, led by a US$ 1.5bn China Development Bank loan with China Exim; 25% sponsors' equity, "
        "CPIH 74% and HUBCO 26%."
    )
    html = response.content.decode()
    assert "74% of the equity" in html and "100% of the debt" in html
    assert 'data-kpi="gap-usd">US$ 0.0m<' in html


def test_shares_of_debt_and_equity_keep_the_100_percent_rule(hub):
    # A further 10% of the equity would make the equity 110%: 1,496.25 + 548.625 > 1,995.
    totals = financing_live_shares(project_id=hub.pk, pending=[LineShare(None, Decimal("10"), "agreed", "equity")])
    assert totals.of_cost == Decimal("102.5")
    assert "102.5% of its cost" in totals.problem("Hub")
    extra = FinancingLine(project=hub, lender=LenderFactory(), as_of=D(2020, 1, 1))
    with pytest.raises(ValidationError, match="102.5% of its cost"):
        financing_line_record_change(
            line=extra, changed_on=D(2020, 1, 1), status="agreed", share_percent=Decimal("10"), share_basis="equity"
        )


def test_the_database_refuses_what_the_rule_refuses(hub, immediate_constraints):
    # A cost share of 10% on top of shares that already cover the cost, written past the services.
    with pytest.raises(IntegrityError), transaction.atomic():
        FinancingLine.objects.create(
            project=hub, lender=LenderFactory(), as_of=D(2020, 1, 1), status="agreed", share_percent=Decimal("10")
        )
    # Lowering the debt part to 60% makes the shares 100% of the debt (60) + 100% of the equity (40): fine.
    Project.objects.filter(pk=hub.pk).update(debt_percent=Decimal("60"))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_without_a_split_each_basis_is_held_to_100_percent_on_its_own(db):
    project = ProjectFactory()  # debt:equity not stated, like Sahiwal
    equity = [LineShare(None, Decimal("51"), "agreed", "equity"), LineShare(None, Decimal("49"), "agreed", "equity")]
    assert financing_live_shares(project_id=project.pk, pending=equity).problem("Sahiwal") is None
    too_much = [*equity, LineShare(None, Decimal("1"), "agreed", "equity")]
    assert financing_live_shares(project_id=project.pk, pending=too_much).problem("Sahiwal") == (
        "The live shares of the equity of Sahiwal would add up to 101%; they cannot exceed 100%."
    )


# ----------------------------------------------------- syndicates and undisclosed commitments


@pytest.fixture
def engro(db):
    project = ProjectFactory(name="Engro Thar II", slug="engro", status="operational")
    CostEstimateFactory(project=project, amount=Decimal("2000") * M, bound="lower", as_of=D(2016, 9, 4))
    cdb = LenderFactory(name="China Development Bank", short_name="CDB", slug="cdb", kind="chinese_government")
    ccb = LenderFactory(name="China Construction Bank", short_name="CCB", slug="ccb", kind="commercial_bank")
    icbc = LenderFactory(name="ICBC", short_name="ICBC", slug="icbc", kind="commercial_bank")
    sponsor = LenderFactory(name="Engro Energy", short_name="Engro", slug="engro-energy", kind="private_sponsor")
    line(
        project,
        cdb,
        {"changed_on": D(2015, 12, 21), "status": "agreed", **usd(621)},
        participants=[ccb, icbc],
        instrument="commercial_loan",
    )
    line(project, sponsor, {"changed_on": D(2016, 4, 4), "status": "agreed"}, instrument="equity")
    return project


def test_a_syndicated_loan_counts_at_its_amount_and_undisclosed_equity_is_not_a_gap(engro):
    row = funding("engro")
    assert row.committed_usd == Decimal("621000000.00")
    assert row.has_undisclosed is True
    # 2,000 − 621 = 1,379 committed by the sponsor at an undisclosed amount; nothing unfunded.
    assert parts(row) == (Decimal("621000000.00"), Decimal("1379000000.00"), Decimal("0"), Decimal("0"))
    assert row.funding_gap_percent == Decimal("0.00")


def test_lender_charts_show_the_syndicate_never_a_split(engro):
    projects = projects_with_funding()
    by_lender = selectors.portfolio_lender_mix(projects=projects, by="lender")
    assert [(r["key"], r["label"], r["committed_usd"]) for r in by_lender] == [
        ("syndicate:cdb,ccb, icbc", "Syndicate: CDB, CCB, ICBC", 621 * M)
    ]
    by_kind = selectors.portfolio_lender_mix(projects=projects, by="kind")
    assert [(r["label"], r["committed_usd"]) for r in by_kind] == [("Syndicated loans (mixed lenders)", 621 * M)]
    totals = {row["lender"].slug: row for row in selectors.lender_totals()}
    for slug in ("cdb", "ccb", "icbc"):
        assert (totals[slug]["committed_usd"], totals[slug]["syndicated_committed_usd"]) == (0, 621 * M)
        assert totals[slug]["projects"] == 1


def test_a_member_of_a_syndicate_sees_it_on_its_page(engro, viewer_client):
    html = viewer_client.get("/lenders/ccb/").content.decode()
    assert "Engro Thar II" in html and "syndicated loan led by CDB" in html
    assert 'data-kpi="syndicated">US$ 621.0m<' in html


def test_a_lower_bound_shows_as_such(engro, viewer_client):
    html = viewer_client.get("/projects/engro/").content.decode()
    assert 'data-kpi="cost-usd">≥ US$ 2.00bn<' in html
    assert "Committed by Engro Energy, amount not disclosed" in html


# --------------------------------------------------------------------------- financial close


@pytest.fixture
def karot(db):
    project = ProjectFactory(
        name="Karot",
        slug="karot",
        status="operational",
        financial_close_on=D(2017, 3, 1),
        financial_close_precision="month",
    )
    CostEstimateFactory(project=project, amount=Decimal("1420") * M, as_of=D(2016, 1, 1), basis="press_report")
    ifc = LenderFactory(name="International Finance Corporation", short_name="IFC", slug="ifc")
    line(project, ifc, {"changed_on": D(2016, 6, 1), "status": "proposed", **usd(500)})
    return project


def test_before_financial_close_the_rest_is_a_gap_and_after_it_none(karot):
    before = funding("karot", D(2016, 12, 31))
    # 1,420 − 500 proposed = 920 not identified (64.79%).
    assert parts(before) == (Decimal("0"), Decimal("0"), Decimal("500000000.00"), Decimal("920000000.00"))
    assert before.funding_gap_percent == Decimal("64.79")
    after = funding("karot", D(2017, 3, 1))
    assert after.financing_closed is True
    assert parts(after) == (Decimal("0"), Decimal("1420000000.00"), Decimal("0"), Decimal("0"))
    assert parts(funding("karot")) == parts(after)


# ------------------------------------------------------- plans, completion, withdrawal, bounds


@pytest.fixture
def railway(db):
    """ML-1 in brief: the 2022 PC-I plans China's US$ 8,370m; China refuses in Aug 2025."""
    project = ProjectFactory(name="Railway", slug="railway", status="financing")
    CostEstimateFactory(project=project, amount=Decimal("9850") * M, as_of=D(2022, 10, 21), basis="revised_pc_i")
    CostEstimateFactory(project=project, amount=Decimal("6678") * M, as_of=D(2024, 7, 9), basis="revised_pc_i")
    china = LenderFactory(name="Government of China", short_name="China", slug="china", kind="chinese_government")
    psdp = LenderFactory(name="PSDP", short_name="PSDP", slug="psdp", kind="pakistan_budget")
    line(
        project,
        china,
        {"changed_on": D(2022, 10, 27), "status": "in_plan", **usd(8370)},
        {"changed_on": D(2023, 10, 8), "status": "in_plan", "share_percent": Decimal("85")},
        {"changed_on": D(2025, 8, 28), "status": "declined", **usd(6000)},
    )
    line(
        project,
        psdp,
        {"changed_on": D(2022, 10, 27), "status": "agreed", **usd(1370)},
        {"changed_on": D(2023, 10, 8), "status": "agreed", "share_percent": Decimal("15")},
    )
    return project


def test_a_financing_plan_is_not_a_commitment(railway):
    at_11th = funding("railway", D(2022, 10, 27))
    # 9,850 = 1,370 committed + 8,370 planned + 110 not identified.
    assert parts(at_11th) == (
        Decimal("1370000000.00"),
        Decimal("0"),
        Decimal("8370000000.00"),
        Decimal("110000000.00"),
    )
    assert at_11th.uncommitted_percent == Decimal("86.09")


def test_after_the_refusal_most_of_the_cost_is_uncommitted(railway):
    row = funding("railway", D(2025, 9, 1))
    # 6,678: PSDP's 15% = 1,001.7 committed; China's 85% declined, so 5,676.3 not identified.
    assert parts(row) == (Decimal("1001700000.00"), Decimal("0"), Decimal("0"), Decimal("5676300000.00"))
    assert row.funding_gap_percent == Decimal("85.00")


def test_completed_financing_is_committed(db):
    project = ProjectFactory(slug="done")
    CostEstimateFactory(project=project, amount=Decimal("100") * M)
    line(project, LenderFactory(), {"changed_on": D(2024, 6, 1), "status": "completed", "share_percent": 100})
    assert parts(funding("done")) == (Decimal("100000000.00"), Decimal("0"), Decimal("0"), Decimal("0"))


def test_a_withdrawn_line_frees_its_share_and_counts_nowhere(db):
    project = ProjectFactory(slug="moved")
    CostEstimateFactory(project=project, amount=Decimal("100") * M)
    line(
        project,
        LenderFactory(),
        {"changed_on": D(2024, 6, 1), "status": "proposed", "share_percent": 60},
        {"changed_on": D(2024, 7, 1), "status": "withdrawn", "share_percent": 60},
    )
    line(project, LenderFactory(), {"changed_on": D(2024, 8, 1), "status": "agreed", "share_percent": 60})
    assert parts(funding("moved")) == (Decimal("60000000.00"), Decimal("0"), Decimal("0"), Decimal("40000000.00"))


def test_committed_money_above_the_cost_leaves_no_negative_gap(db, viewer_client):
    """The airport: grants worth more in US$ than the rupee cost converted at a later rate."""
    project = ProjectFactory(name="Airport", slug="airport")
    CostEstimateFactory(project=project, amount=Decimal("266") * M)
    line(project, LenderFactory(), {"changed_on": D(2024, 6, 1), "status": "agreed", **usd(364)})
    row = funding("airport")
    assert row.committed_usd == Decimal("364000000.00")
    assert parts(row) == (Decimal("266000000.00"), Decimal("0"), Decimal("0"), Decimal("0"))
    assert row.funding_gap_percent == Decimal("0.00")
    html = viewer_client.get("/projects/airport/").content.decode()
    assert "Committed money (US$ 364m) exceeds the current cost (US$ 266m)" in html
    # The dashboard's lender mix counts the line's full US$ 364m and says why the tile shows 266m.
    dashboard = viewer_client.get("/")
    assert dashboard.context["kpis"]["committed_usd"] == Decimal("266000000.00")
    assert dashboard.context["reconcile"]["lines_committed_usd"] == Decimal("364000000.00")
    assert dashboard.context["reconcile"]["beyond_cost_usd"] == Decimal("98000000.00")
    assert "leaves out US$ 98.0m committed above projects' costs" in dashboard.content.decode()


def test_on_one_date_an_approved_or_precise_figure_beats_a_bound_or_a_press_report(db):
    project = ProjectFactory(slug="metro")
    day = D(2020, 10, 26)
    CostEstimateFactory(project=project, amount=Decimal("1600") * M, as_of=day, basis="press_report")
    CostEstimateFactory(project=project, amount=Decimal("2200") * M, as_of=day, basis="press_report", bound="lower")
    assert funding("metro").current_cost_usd == Decimal("1600000000.00")
    CostEstimateFactory(project=project, amount=Decimal("1700") * M, as_of=day, basis="pc_i", approving_forum="ecnec")
    assert funding("metro").current_cost_usd == Decimal("1700000000.00")
    CostEstimateFactory(project=project, amount=Decimal("1800") * M, as_of=day, basis="pc_i")
    assert funding("metro").current_cost_usd == Decimal("1700000000.00")  # approved beats unapproved


# ------------------------------------------------------------------ sections and first known


@pytest.fixture
def sections(db):
    parent = ProjectFactory(name="Main line", slug="main-line")
    section = ProjectFactory(name="Southern section", slug="southern", parent=parent)
    CostEstimateFactory(project=section, amount=Decimal("2000") * M, as_of=D(2025, 11, 1))
    CostEstimateFactory(project=parent, amount=Decimal("7000") * M, as_of=D(2025, 9, 26))
    return parent, section


def test_a_section_of_a_costed_parent_is_not_counted_twice(sections):
    kpis = selectors.portfolio_kpis(projects=projects_with_funding())
    assert (kpis["projects"], kpis["costed"], kpis["sections_in_parent"]) == (2, 1, 1)
    assert kpis["cost_usd"] == Decimal("7000000000.00")
    assert kpis["gap_usd"] == Decimal("7000000000.00")
    assert [r["slug"] for r in selectors.portfolio_funding_gaps(projects=projects_with_funding())] == ["main-line"]
    # Before the parent had a cost of its own, the section counted.
    CostEstimate.objects.filter(project=sections[0]).update(as_of=D(2026, 1, 1))
    then = projects_with_funding(as_of=D(2025, 12, 1))
    assert selectors.portfolio_kpis(projects=then)["cost_usd"] == Decimal("2000000000.00")


def test_dashboard_totals_equal_the_project_list_and_csv_under_the_rule(sections, viewer_client):
    kpis = viewer_client.get("/").context["kpis"]
    text = viewer_client.get("/projects/export.csv").content.decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(text))
    cost, counted = header.index("Current cost (US$)"), header.index("Counted in portfolio totals")
    assert sum(Decimal(r[cost]) for r in rows if r[counted] == "yes") == kpis["cost_usd"]
    assert sorted(r[counted] for r in rows) == ["no: its parent's cost stands for it", "yes"]


def test_as_of_views_leave_out_projects_not_yet_known(sections, viewer_client):
    meeting = JCCMeetingFactory(number=14, date=D(2025, 9, 26))
    DecisionFactory(meeting=meeting, project=sections[0])
    ProjectFactory(slug="undated")  # nothing dated: kept, since nothing says when it became known
    assert sorted(known_by(Project.objects.all(), D(2025, 10, 1)).values_list("slug", flat=True)) == [
        "main-line",
        "undated",
    ]
    response = viewer_client.get("/projects/", {"as_of": "2025-10-01"})
    assert [p.slug for p in response.context["page"]] == ["main-line", "undated"]


# ------------------------------------------------------------------------ exchange rates


@pytest.mark.parametrize(
    ("figure_on", "rate_on", "kind", "distant"),
    [
        (D(2023, 6, 13), D(2022, 12, 31), "year_end_close", True),  # the airport's 2023 cost at a 2022 close
        (D(2023, 1, 10), D(2022, 12, 31), "year_end_close", False),  # ten days on
        (D(2021, 1, 1), D(2021, 1, 1), "annual_average", True),  # an average, whatever the day
        (D(2025, 9, 26), D(2025, 9, 26), "daily_close", False),
    ],
)
def test_a_rate_far_from_the_figures_date_is_marked(figure_on, rate_on, kind, distant, viewer_client):
    from tests.factories import ExchangeRateFactory

    ExchangeRateFactory(date=rate_on, per_usd=Decimal("226.43"), kind=kind)
    project = ProjectFactory(slug="airport")
    estimate = CostEstimateFactory(
        project=project, amount=Decimal("60208000000"), currency="PKR", entered_pkr_per_usd=None, as_of=figure_on
    )
    assert estimate.pkr_reference.date == rate_on
    assert estimate.rate_is_distant is distant
    html = viewer_client.get("/projects/airport/").content.decode()
    assert ("⚠ rate not of the figure" in html) is distant
    usd_figure = CostEstimateFactory(project=project, currency="USD", entered_pkr_per_usd=None, as_of=figure_on)
    assert usd_figure.rate_is_distant is False  # a US$ figure does not depend on the rupee's rate
