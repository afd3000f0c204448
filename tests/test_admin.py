"""Django admin: every model's pages work for an admin, none for a viewer, and every
invariant shows as a form error with nothing saved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from financing.models import FinancingChange, FinancingLine, Lender
from financing.selectors import projects_with_funding
from financing.services import financing_line_record_change
from projects.models import (
    CostEstimate,
    Decision,
    ExchangeRate,
    JCCMeeting,
    Phase,
    PhaseStatusChange,
    Project,
    ProjectStatusChange,
    Source,
)
from projects.services import phase_status_record_change, project_status_record_change
from tests.factories import (
    CostEstimateFactory,
    DecisionFactory,
    ExchangeRateFactory,
    JCCMeetingFactory,
    LenderFactory,
    PhaseFactory,
    ProjectFactory,
    SourceFactory,
)
from tests.htmlforms import form_data

pytestmark = pytest.mark.django_db
D = dt.date

MODELS = [
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
    ProjectStatusChange,
    PhaseStatusChange,
]


def make_portfolio(size: int) -> None:
    """``size`` projects, each with a phase, an estimate, a decision and a financing line."""
    source = SourceFactory()
    ExchangeRateFactory(source=source)
    meeting = JCCMeetingFactory()
    for i in range(size):
        project = ProjectFactory()
        phase = PhaseFactory(project=project, order=1)
        CostEstimateFactory(project=project, source=source)
        decision = DecisionFactory(meeting=meeting, project=project, source=source, sequence=i + 1)
        line = FinancingLine(project=project, lender=LenderFactory(), instrument="grant", as_of=D(2024, 1, 1))
        financing_line_record_change(
            line=line,
            changed_on=D(2024, 1, 1),
            status="agreed",
            share_percent=Decimal("40"),
            decision=decision,
            source=source,
        )
        project_status_record_change(
            ProjectStatusChange(project=project, status="financing", changed_on=D(2024, 1, 1), decision=decision)
        )
        phase_status_record_change(
            PhaseStatusChange(phase=phase, status="approved", changed_on=D(2024, 1, 1), decision=decision)
        )


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_admin_page_opens_for_an_admin(admin_client, model):
    make_portfolio(2)
    obj = model.objects.first()
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "Test"}).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(admin_url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_viewer_cannot_reach_admin_pages(viewer_client, model):
    make_portfolio(1)
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(model, "change", model.objects.first().pk),
    ):
        response = viewer_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_list_pages_run_a_constant_number_of_queries(admin_client, django_assert_num_queries, model):
    make_portfolio(3)
    url = admin_url(model, "changelist")
    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(url).status_code == 200
    make_portfolio(30)
    with django_assert_num_queries(len(small.captured_queries)):
        assert admin_client.get(url).status_code == 200


def test_autocomplete_searches_answer(admin_client):
    make_portfolio(2)
    for model, field in (
        (FinancingLine, "project"),
        (FinancingLine, "lender"),
        (FinancingLine, "decision"),
        (CostEstimate, "source"),
    ):
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": field,
                "term": "T",
            },
        )
        assert response.status_code == 200, (model, field)


# ---------------------------------------------------------------- form errors


def post_change(admin_client, obj, **changes):
    url = admin_url(type(obj), "change", obj.pk)
    data = form_data(admin_client.get(url), form_id=f"{type(obj)._meta.model_name}_form")
    data.update(changes)
    return admin_client.post(url, data)


def post_add(admin_client, model, data):
    url = admin_url(model, "add")
    base = form_data(admin_client.get(url), form_id=f"{model._meta.model_name}_form")
    base.update(data)
    return admin_client.post(url, base)


def test_project_dates_in_the_wrong_order_show_a_form_error(admin_client):
    project = ProjectFactory()
    response = post_change(admin_client, project, planned_start="2030-01-01", planned_end="2025-01-01")
    assert response.status_code == 200
    assert "The planned start must not be after the planned completion." in response.content.decode()
    project.refresh_from_db()
    assert project.planned_start is None


def test_new_project_with_phases_and_estimate_saves_and_normalizes(admin_client):
    source = SourceFactory()
    ExchangeRateFactory(date=D(2025, 9, 26), per_usd=Decimal("281.37"), kind="daily_close", source=source)
    response = post_add(
        admin_client,
        Project,
        {
            "name": "KKH realignment test",
            "slug": "kkh-realignment-test",
            "kind": "construction",
            "sector": "transport",
            "status": "financing",
            "regions": ["kp", "gb"],
            "length_km": "241",
            "phases-TOTAL_FORMS": "1",
            "phases-0-order": "1",
            "phases-0-name": "Diamer-Basha section",
            "phases-0-length_km": "82",
            "phases-0-status": "approved",
            "cost_estimates-TOTAL_FORMS": "1",
            "cost_estimates-0-as_of": "2025-09-26",
            "cost_estimates-0-amount": "576000000000",
            "cost_estimates-0-currency": "PKR",
            "cost_estimates-0-basis": "jcc_statement",
            "cost_estimates-0-approving_forum": "jcc",
            "cost_estimates-0-full_scope": "on",
            "cost_estimates-0-source": str(source.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(slug="kkh-realignment-test")
    assert project.regions == ["kp", "gb"]
    assert project.phases.get().length_km == Decimal("82")
    estimate = project.cost_estimates.get()
    assert estimate.pkr_rate_origin == "reference"
    assert estimate.amount_usd == Decimal("2047126559.33")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("reference rate of 26 Sep 2025 (daily close)" in m for m in messages)


def test_duplicate_phase_order_in_the_project_inline_is_a_form_error(admin_client):
    project = ProjectFactory()
    response = post_change(
        admin_client,
        project,
        **{
            "phases-TOTAL_FORMS": "2",
            "phases-0-order": "1",
            "phases-0-name": "One",
            "phases-0-status": "planned",
            "phases-1-order": "1",
            "phases-1-name": "Also one",
            "phases-1-status": "planned",
        },
    )
    assert response.status_code == 200
    assert (
        "Please correct the duplicate data for order" in response.content.decode()
        or "already has a phase" in response.content.decode()
    )
    assert not Phase.objects.exists()


def test_negative_estimate_is_a_form_error(admin_client):
    estimate = CostEstimateFactory()
    response = post_change(admin_client, estimate, amount="-5")
    assert "An amount cannot be negative." in response.content.decode()
    estimate.refresh_from_db()
    assert estimate.amount > 0


def test_pkr_estimate_without_any_rate_asks_for_one(admin_client):
    project, source = ProjectFactory(), SourceFactory()
    response = post_add(
        admin_client,
        CostEstimate,
        {
            "project": project.pk,
            "as_of": "2010-01-01",
            "amount": "1000",
            "currency": "PKR",
            "basis": "pc_i",
            "source": source.pk,
        },
    )
    assert response.status_code == 200
    assert "No reference PKR rate on or before 01 Jan 2010" in response.content.decode()
    assert not CostEstimate.objects.exists()


def test_reused_meeting_number_is_a_form_error(admin_client):
    JCCMeetingFactory(number=14)
    response = post_add(
        admin_client, JCCMeeting, {"number": "14", "date": "2025-09-26", "status": "held", "date_precision": "day"}
    )
    assert response.status_code == 200
    assert "A JCC meeting with this number already exists." in response.content.decode()
    assert JCCMeeting.objects.count() == 1


def test_meeting_with_inline_decisions_saves(admin_client):
    project, source = ProjectFactory(), SourceFactory()
    response = post_add(
        admin_client,
        JCCMeeting,
        {
            "number": "15",
            "date": "2026-03-01",
            "status": "held",
            "date_precision": "day",
            "decisions-TOTAL_FORMS": "1",
            "decisions-0-sequence": "1",
            "decisions-0-kind": "approved",
            "decisions-0-project": project.pk,
            "decisions-0-text": "Approved.",
            "decisions-0-source": source.pk,
        },
    )
    assert response.status_code == 302
    assert JCCMeeting.objects.get(number=15).decisions.get().project == project


def test_zero_exchange_rate_is_a_form_error(admin_client):
    source = SourceFactory()
    response = post_add(
        admin_client,
        ExchangeRate,
        {"currency": "PKR", "date": "2025-01-01", "per_usd": "0", "kind": "daily_close", "source": source.pk},
    )
    assert "An exchange rate must be greater than zero." in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_line_share_over_100_is_a_form_error(admin_client):
    project, lender = ProjectFactory(), LenderFactory()
    response = post_add(
        admin_client,
        FinancingLine,
        {
            "project": project.pk,
            "lender": lender.pk,
            "instrument": "grant",
            "status": "agreed",
            "as_of": "2025-01-01",
            "share_percent": "120",
        },
    )
    assert "A share must be between 0% and 100%." in response.content.decode()
    assert not FinancingLine.objects.exists()


def test_standalone_line_pushing_the_total_over_100_is_a_form_error(admin_client):
    project = ProjectFactory()
    financing_line_record_change(
        line=FinancingLine(project=project, lender=LenderFactory(), as_of=D(2020, 1, 1)),
        changed_on=D(2020, 1, 1),
        status="agreed",
        share_percent=Decimal("90"),
    )
    response = post_add(
        admin_client,
        FinancingLine,
        {
            "project": project.pk,
            "lender": LenderFactory().pk,
            "instrument": "grant",
            "status": "proposed",
            "as_of": "2025-01-01",
            "share_percent": "15",
        },
    )
    assert "would add up to 105%" in response.content.decode()
    assert FinancingLine.objects.count() == 1


def project_with_china_line():
    project = ProjectFactory()
    CostEstimateFactory(project=project)
    china = FinancingLine(project=project, lender=LenderFactory(name="China Exim"), as_of=D(2020, 8, 5))
    financing_line_record_change(line=china, changed_on=D(2020, 8, 5), status="agreed", share_percent=Decimal("90"))
    return project, china


def test_inline_lines_over_100_are_a_form_error_and_nothing_is_saved(admin_client):
    project, china = project_with_china_line()
    adb = LenderFactory()
    response = post_change(
        admin_client,
        project,
        **{
            "financing_lines-TOTAL_FORMS": "2",
            "financing_lines-1-lender": adb.pk,
            "financing_lines-1-instrument": "undecided",
            "financing_lines-1-share_percent": "50",
            "financing_lines-1-status": "proposed",
            "financing_lines-1-as_of": "2025-09-26",
        },
    )
    assert response.status_code == 200
    assert "would add up to 140%" in response.content.decode()
    assert project.financing_lines.count() == 1


def test_inline_can_decline_one_line_and_add_another_in_one_save(admin_client):
    project, china = project_with_china_line()
    adb = LenderFactory()
    response = post_change(
        admin_client,
        project,
        **{
            "financing_lines-0-status": "declined",
            "financing_lines-0-as_of": "2025-09-26",
            "financing_lines-TOTAL_FORMS": "2",
            "financing_lines-1-lender": adb.pk,
            "financing_lines-1-instrument": "undecided",
            "financing_lines-1-share_percent": "50",
            "financing_lines-1-status": "proposed",
            "financing_lines-1-as_of": "2025-09-26",
            "financing_lines-0-reason": "China's refusal was entered as agreed by mistake.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    china.refresh_from_db()
    assert china.status == "declined"
    assert list(china.changes.values_list("status", flat=True)) == ["agreed", "declined"]
    fix = china.changes.latest()
    assert (fix.kind, fix.decision, fix.reason) == (
        "correction",
        None,
        "China's refusal was entered as agreed by mistake.",
    )
    assert fix.recorded_by.username == "admin"
    assert (china.kind, china.decision) == ("correction", None)
    added = project.financing_lines.get(lender=adb)
    assert list(added.changes.values_list("kind", flat=True)) == ["reported"]


def test_changing_a_lines_state_on_the_project_page_needs_a_reason(admin_client):
    project, china = project_with_china_line()
    response = post_change(
        admin_client, project, **{"financing_lines-0-status": "declined", "financing_lines-0-as_of": "2025-09-26"}
    )
    assert response.status_code == 200
    assert "say what was wrong in the record (this is a correction)" in response.content.decode()
    china.refresh_from_db()
    assert china.status == "agreed"
    assert china.changes.count() == 1


def test_inline_change_dated_before_the_last_one_is_a_form_error(admin_client):
    project, china = project_with_china_line()
    response = post_change(
        admin_client, project, **{"financing_lines-0-status": "declined", "financing_lines-0-as_of": "2019-01-01"}
    )
    assert response.status_code == 200
    assert "cannot be dated before it" in response.content.decode()
    china.refresh_from_db()
    assert china.status == "agreed"


def test_adding_a_change_moves_its_line(admin_client):
    project, china = project_with_china_line()
    response = post_add(
        admin_client,
        FinancingChange,
        {"line": china.pk, "changed_on": "2025-09-26", "status": "declined", "instrument": "concessional_loan"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    china.refresh_from_db()
    assert (china.status, china.as_of) == ("declined", D(2025, 9, 26))
    assert china.changes.count() == 2


def _project():
    return ProjectFactory()


CHANGE_FORM_CASES = [
    # (factory, changes, message shown)
    (
        _project,
        {"actual_start": "2020-01-01", "actual_end": "2019-01-01"},
        "The actual start must not be after the actual completion.",
    ),
    (_project, {"length_km": "-1"}, "Length, capacity and area cannot be negative."),
    (_project, {"capacity_mw": "-300"}, "Length, capacity and area cannot be negative."),
    (_project, {"latitude": "95"}, "Latitude must be within ±90 and longitude within ±180."),
    (_project, {"status": "finished"}, "Select a valid choice."),
    (lambda: PhaseFactory(order=2), {"order": "0"}, "Phase order starts at 1."),
    (
        lambda: PhaseFactory(),
        {"planned_start": "2030-01-01", "planned_end": "2020-01-01"},
        "The planned start must not be after the planned completion.",
    ),
    (lambda: JCCMeetingFactory(), {"number": "0"}, "Meeting numbers start at 1."),
    (lambda: SourceFactory(), {"url": "not a url"}, "Enter a valid URL."),
    (lambda: ExchangeRateFactory(), {"per_usd": "-3"}, "An exchange rate must be greater than zero."),
    (lambda: CostEstimateFactory(), {"approving_forum": "parliament"}, "Select a valid choice."),
    (lambda: LenderFactory(), {"kind": "pirate"}, "Select a valid choice."),
]


@pytest.mark.parametrize(("make", "changes", "message"), CHANGE_FORM_CASES)
def test_invalid_changes_show_a_form_error_and_save_nothing(admin_client, make, changes, message):
    obj = make()
    before = {f: getattr(obj, f) for f in changes}
    response = post_change(admin_client, obj, **changes)
    assert response.status_code == 200
    assert message in response.content.decode()
    obj.refresh_from_db()
    assert {f: getattr(obj, f) for f in changes} == before


def test_project_cannot_be_made_its_own_parent_in_admin(admin_client):
    project = ProjectFactory()
    response = post_change(admin_client, project, parent=str(project.pk))
    assert "A project cannot be its own parent." in response.content.decode()


def test_duplicate_decision_number_and_source_key_are_form_errors(admin_client):
    decision = DecisionFactory(sequence=1)
    other = DecisionFactory(meeting=decision.meeting, sequence=2)
    response = post_change(admin_client, other, sequence="1")
    assert "This meeting already has a decision with this number." in response.content.decode()
    SourceFactory(key="S1")
    response = post_add(
        admin_client, Source, {"key": "S1", "title": "t", "publisher": "p", "url": "https://example.org", "tier": "A"}
    )
    assert "Another source already uses this key." in response.content.decode()
    rate = ExchangeRateFactory(date=D(2024, 12, 31))
    response = post_add(
        admin_client,
        ExchangeRate,
        {"currency": "PKR", "date": "2024-12-31", "per_usd": "1", "kind": "daily_close", "source": rate.source.pk},
    )
    assert "There is already a rate for this currency on this date." in response.content.decode()


def test_line_amount_without_currency_is_a_form_error(admin_client):
    project, lender = ProjectFactory(), LenderFactory()
    response = post_add(
        admin_client,
        FinancingLine,
        {
            "project": project.pk,
            "lender": lender.pk,
            "instrument": "grant",
            "status": "agreed",
            "as_of": "2025-01-01",
            "amount": "100",
        },
    )
    assert "Give a currency (PKR, USD or CNY) with the amount, and none without one." in response.content.decode()
    assert not FinancingLine.objects.exists()


# ------------------------------------------------------------ financing structure (issue 9)


def test_an_editor_enters_a_plant_as_its_sources_state_it(admin_client):
    """Hub: 75:25 debt:equity; CPIH 74% and HUBCO 26% of the equity; the loan 100% of the debt."""
    project = ProjectFactory()
    CostEstimateFactory(project=project, amount=Decimal("1995000000"))
    cpih, hubco, cdb = LenderFactory(), LenderFactory(), LenderFactory()
    rows = {}
    for i, (lender, share, basis) in enumerate(((cdb, "100", "debt"), (cpih, "74", "equity"), (hubco, "26", "equity"))):
        rows.update(
            {
                f"financing_lines-{i}-lender": lender.pk,
                f"financing_lines-{i}-instrument": "equity" if basis == "equity" else "commercial_loan",
                f"financing_lines-{i}-share_percent": share,
                f"financing_lines-{i}-share_basis": basis,
                f"financing_lines-{i}-status": "agreed",
                f"financing_lines-{i}-as_of": "2019-01-04",
            }
        )
    response = post_change(admin_client, project, debt_percent="75", **{"financing_lines-TOTAL_FORMS": "3"}, **rows)
    assert response.status_code == 302, response.content.decode()[:2000]
    funded = projects_with_funding().get(pk=project.pk)
    assert (funded.committed_usd, funded.funding_gap_usd) == (Decimal("1995000000.00"), Decimal("0.00"))
    assert sorted(project.financing_lines.values_list("share_basis", flat=True)) == ["debt", "equity", "equity"]

    # A further 10% of the equity would make 75 + (74 + 26 + 10)% × 25 = 102.5% of the cost.
    response = post_change(
        admin_client,
        project,
        **{
            "financing_lines-TOTAL_FORMS": "4",
            "financing_lines-3-lender": LenderFactory().pk,
            "financing_lines-3-instrument": "equity",
            "financing_lines-3-share_percent": "10",
            "financing_lines-3-share_basis": "equity",
            "financing_lines-3-status": "agreed",
            "financing_lines-3-as_of": "2019-01-04",
        },
    )
    assert response.status_code == 200
    assert "would add up to 102.5% of its cost" in response.content.decode()
    assert project.financing_lines.count() == 3


def test_a_share_of_the_equity_without_a_split_is_held_to_100_percent_of_the_equity(admin_client):
    project = ProjectFactory()
    rows = {}
    for i, share in enumerate(("60", "50")):
        rows.update(
            {
                f"financing_lines-{i}-lender": LenderFactory().pk,
                f"financing_lines-{i}-instrument": "equity",
                f"financing_lines-{i}-share_percent": share,
                f"financing_lines-{i}-share_basis": "equity",
                f"financing_lines-{i}-status": "agreed",
                f"financing_lines-{i}-as_of": "2017-02-01",
            }
        )
    response = post_change(admin_client, project, **{"financing_lines-TOTAL_FORMS": "2"}, **rows)
    assert response.status_code == 200
    assert "The live shares of the equity of this project would add up to 110%" in response.content.decode()
    assert project.financing_lines.count() == 0


def test_financial_close_needs_its_date_and_a_lower_bound_is_kept(admin_client):
    project = ProjectFactory()
    source = SourceFactory()
    response = post_change(admin_client, project, financial_close_source=source.pk)
    assert response.status_code == 200
    assert "Give the date of the financial close with its source." in response.content.decode()
    response = post_change(
        admin_client,
        project,
        financial_close_on="2017-03-01",
        financial_close_precision="month",
        financial_close_source=source.pk,
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.financial_close_display == "Mar 2017"
