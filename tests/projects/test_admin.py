"""Projects, phases, estimates, meetings and sources in admin (projects/admin.py): form errors, never a half-save."""

import datetime as dt
from decimal import Decimal

import pytest

from projects.models import (
    CostEstimate,
    ExchangeRate,
    JCCMeeting,
    Phase,
    Project,
    Source,
)
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
from tests.htmlforms import post_add, post_change

pytestmark = pytest.mark.django_db
D = dt.date


# ---------------------------------------------------------------- form errors


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
    (_project, {"latitude": "95", "longitude": "73"}, "A latitude inside Pakistan"),
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


# ------------------------------------------------------------ financing structure (issue 9)


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
