"""The demo command: sourced facts, loaded once however often it runs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest

from financing.models import FinancingChange, FinancingLine, Lender
from financing.selectors import projects_with_funding
from projects.models import (
    CostEstimate,
    Decision,
    ExchangeRate,
    JCCMeeting,
    Phase,
    Project,
    ProjectStatusChange,
    Source,
)

pytestmark = pytest.mark.django_db

ALL_MODELS = [
    Source,
    ExchangeRate,
    Project,
    Phase,
    CostEstimate,
    JCCMeeting,
    Decision,
    Lender,
    FinancingLine,
    FinancingChange,
]


@pytest.fixture
def demo(demo_db, db):
    """The demo portfolio (loaded once for this module), in a rolled-back transaction."""


def counts():
    return {m.__name__: m.objects.count() for m in ALL_MODELS}


def test_running_twice_duplicates_nothing(demo, monkeypatch):
    first = counts()
    monkeypatch.setenv("DEMO_VIEWER_PASSWORD", "viewer-demo-pass")
    call_command("load_cpec_demo", verbosity=0)
    assert counts() == first
    assert get_user_model().objects.count() == 3


def test_portfolio_size(demo):
    c = counts()
    assert Project.objects.construction().count() >= 28  # the 14th JCC's projects plus at least 20 others
    assert Project.objects.initiatives().count() >= 2
    assert c["Lender"] >= 12
    assert set(JCCMeeting.objects.values_list("number", flat=True)) == {1, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}
    assert ExchangeRate.objects.filter(currency="PKR").count() >= 13


def test_kkh_realignment_is_85_percent_china_with_a_15_percent_gap(demo):
    kkh = projects_with_funding().get(slug="kkh-thakot-raikot")
    assert kkh.length_km == Decimal("241")
    assert kkh.current_cost_pkr == Decimal("576000000000.00")
    assert kkh.current_cost_usd == Decimal("2000000000.00")
    assert kkh.funding_gap_percent == Decimal("15.00")
    assert kkh.funding_gap_usd == Decimal("300000000.00")
    china = kkh.financing_lines.get()
    assert (china.lender.country, china.status, china.share_percent) == ("China", "agreed", Decimal("85.00"))
    assert china.decision.meeting.number == 14
    phase_one = kkh.phases.get(order=1)
    assert phase_one.length_km == Decimal("82")


def test_ml1_keeps_its_whole_cost_history_and_financing_shift(demo):
    ml1 = Project.objects.get(slug="ml-1")
    amounts_usd = list(ml1.cost_estimates.order_by("as_of", "pk").values_list("amount_usd", flat=True))
    assert len(amounts_usd) >= 6
    for figure in (
        "8200000000.00",
        "6200000000.00",
        "6806000000.00",
        "9850000000.00",
        "6678000000.00",
        "7000000000.00",
    ):
        assert Decimal(figure) in amounts_usd
    assert Decimal("9851000000.00") in amounts_usd  # ECNEC's in-principle approval, 31 Oct 2022
    china = ml1.financing_lines.get(lender__slug="government-of-china", instrument="concessional_loan")
    assert china.status == "declined"
    assert china.as_of == dt.date(2025, 8, 28)  # first reported in Aug 2025, recorded by the 14th JCC
    assert china.decision.meeting.number == 14
    # The PC-I's financing plans were never agreements.
    assert set(china.changes.exclude(status="declined").values_list("status", flat=True)) == {"in_plan"}
    agreed = ml1.financing_lines.get(lender__slug="government-of-china", status="agreed")
    assert (agreed.amount_usd, agreed.as_of) == (Decimal("1100000000.00"), dt.date(2024, 7, 9))
    proposed = set(ml1.financing_lines.filter(status="proposed").values_list("lender__short_name", flat=True))
    assert proposed == {"ADB", "AIIB"}


def test_ml1_over_time(demo):
    def ml1(on):
        return projects_with_funding(as_of=on).get(slug="ml-1")

    at_11th = ml1(dt.date(2022, 10, 27))
    # US$ 9.85bn: PSDP's 1.37bn committed, China's 8.37bn only planned, 0.11bn not identified.
    assert (at_11th.committed_usd, at_11th.pipeline_part_usd, at_11th.funding_gap_usd) == (
        Decimal("1370000000.00"),
        Decimal("8370000000.00"),
        Decimal("110000000.00"),
    )
    before_14th = ml1(dt.date(2025, 9, 1))
    # US$ 6.678bn: PSDP's 15% (1,001.7m) + China's 1.1bn for Karachi–Hyderabad; the rest uncommitted.
    assert before_14th.committed_usd == Decimal("2101700000.00")
    assert before_14th.uncommitted_usd == Decimal("4576300000.00")
    assert before_14th.uncommitted_percent == Decimal("68.53")


def test_no_operational_plant_whose_financing_closed_shows_a_gap(demo):
    closed = projects_with_funding().filter(financing_closed=True)
    assert set(closed.values_list("slug", flat=True)) >= {
        "karot-hydropower",
        "suki-kinari-hydropower",
        "sahiwal-coal",
        "port-qasim-coal",
        "matiari-lahore-hvdc",
    }
    assert list(closed.filter(funding_gap_usd__gt=0)) == []
    hub = projects_with_funding().get(slug="hub-coal")
    assert (hub.committed_usd, hub.funding_gap_usd) == (Decimal("1995000000.00"), Decimal("0.00"))


def test_engros_syndicate_counts_as_committed(demo):
    engro = projects_with_funding().get(slug="engro-thar-block-ii")
    assert engro.current_cost_bound == "lower"
    syndicate = engro.financing_lines.get(lender__slug="cdb")
    assert sorted(syndicate.participants.values_list("slug", flat=True)) == ["ccb", "icbc"]
    assert syndicate.amount_usd in engro_committed_lines(engro)
    assert engro.funding_gap_usd == Decimal("0")


def engro_committed_lines(project) -> list[Decimal]:
    return list(project.financing_lines.filter(status__in=["agreed", "signed"]).values_list("amount_usd", flat=True))


def test_the_portfolio_cost_does_not_count_a_section_on_top_of_its_parent(demo):
    from dashboard.selectors import portfolio_kpis

    projects = projects_with_funding()
    rohri = projects.get(slug="ml-1-karachi-rohri")
    assert rohri.counted_in_totals is False and rohri.current_cost_usd == Decimal("2000000000.00")
    counted = [p.current_cost_usd for p in projects if p.counted_in_totals and p.current_cost_usd is not None]
    assert portfolio_kpis(projects=projects)["cost_usd"] == sum(counted)


def test_14th_jcc_has_its_cochairs_and_decisions(demo):
    meeting = JCCMeeting.objects.get(number=14)
    assert meeting.city == "Beijing"
    assert "Ahsan Iqbal" in meeting.pakistan_cochair
    assert "Zhou Haibing" in meeting.china_cochair
    assert meeting.decisions.count() >= 8
    about = set(meeting.decisions.exclude(project=None).values_list("project__slug", flat=True))
    assert {
        "kkh-thakot-raikot",
        "ml-1",
        "g2g-sez-karachi",
        "g2g-sez-islamabad",
        "gb-solar-300mw",
        "gwadar-port",
        "fta-revision",
        "industrial-relocation-fund",
    } <= about
    assert JCCMeeting.objects.get(number=13).status == "planned"


def test_sezs_solar_and_initiatives(demo):
    for slug in ("g2g-sez-karachi", "g2g-sez-islamabad"):
        sez = Project.objects.get(slug=slug)
        assert sez.status == "proposed"
        assert sorted(sez.focus_industries) == [
            "electric_vehicles",
            "electronics",
            "engineering",
            "pharmaceuticals",
            "textiles",
        ]
    assert Project.objects.get(slug="gb-solar-300mw").capacity_mw == Decimal("300")
    small = Project.objects.get(slug="gb-solar-100mw")
    assert small.capacity_mw == Decimal("100")
    assert small.cost_estimates.get().amount == Decimal("24957000000.00")
    assert Project.objects.get(slug="fta-revision").kind == "initiative"
    assert Project.objects.get(slug="industrial-relocation-fund").kind == "initiative"


def test_every_figure_has_a_source_and_conflicts_stay_separate(demo):
    assert not CostEstimate.objects.filter(source=None).exists()
    assert not Decision.objects.filter(source=None).exists()
    orange = Project.objects.get(slug="orange-line-lahore")
    assert orange.cost_estimates.values("source").distinct().count() >= 2


def test_unknowns_stay_empty(demo):
    assert Project.objects.get(slug="gwadar-port").cost_estimates.count() == 0
    assert (
        Project.objects.get(slug="kkh-thakot-raikot").financing_lines.filter(lender__kind="pakistan_budget").count()
        == 0
    )


def test_demo_logins(demo, client):
    User = get_user_model()
    assert User.objects.get(username="admin").is_superuser
    viewer = User.objects.get(username="viewer")
    assert not viewer.is_staff and not viewer.is_superuser
    # django-axes checks every login against its lockouts, and needs the request for that.
    assert client.login(request=HttpRequest(), username="viewer", password="viewer-demo-pass")


def test_broken_demo_files_write_nothing(demo, tmp_path, settings):
    before = counts()
    source_dir = settings.BASE_DIR / "data" / "demo"
    for name in ("sources.yaml", "exchange_rates.yaml", "lenders.yaml", "meetings.yaml"):
        (tmp_path / name).write_text((source_dir / name).read_text(encoding="utf-8"), encoding="utf-8")
    with (tmp_path / "sources.yaml").open("a", encoding="utf-8") as fh:
        fh.write('\n- key: NEW1\n  title: "Fresh"\n  publisher: "P"\n  url: "https://example.org/new"\n  tier: B\n')
    (tmp_path / "projects.yaml").write_text(
        "- slug: broken\n  name: Broken\n  sector: transport\n  planned_start: 2030-01-01\n  planned_end: 2020-01-01\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("load_cpec_demo", data_dir=str(tmp_path), verbosity=0)
    assert counts() == before
    assert not Source.objects.filter(key="NEW1").exists()  # loaded before the error, rolled back


def test_14th_jcc_effects_are_dated_records_of_its_decisions(demo):
    """What the 14th JCC changed is recorded as its decisions' effects, as an editor would enter them."""
    phase = Phase.objects.get(project__slug="kkh-thakot-raikot", order=1)
    approval = phase.status_changes.get()
    assert (phase.status, approval.status, approval.changed_on.isoformat()) == ("approved", "approved", "2025-09-26")
    assert str(approval.decision.meeting.number) + "/" + str(approval.decision.sequence) == "14/2"
    proposed = {
        change.project.slug: change.decision.sequence
        for change in ProjectStatusChange.objects.filter(decision__meeting__number=14).select_related("project")
    }
    assert proposed == {
        "fta-revision": 6,
        "g2g-sez-karachi": 7,
        "g2g-sez-islamabad": 8,
        "industrial-relocation-fund": 9,
        "gb-solar-300mw": 10,
    }
    kkh_estimate = CostEstimate.objects.get(decision__meeting__number=14, decision__sequence=1)
    assert (kkh_estimate.amount, kkh_estimate.currency, kkh_estimate.source.key) == (
        Decimal("576000000000.00"),
        "PKR",
        "S1",
    )
    assert CostEstimate.objects.filter(decision__meeting__number=14).count() == 2


def test_as_of_the_11th_jcc_the_14th_jccs_projects_are_not_yet_known(demo):
    from financing.selectors import known_by

    then = set(known_by(Project.objects.all(), dt.date(2022, 10, 27)).values_list("slug", flat=True))
    for slug in ("g2g-sez-karachi", "g2g-sez-islamabad", "gb-solar-300mw", "ml-1-karachi-rohri"):
        assert slug not in then
    assert {"ml-1", "karachi-circular-railway", "hub-coal"} <= then
