"""A JCC decision's page (cpec_site/admin.py): effects applied together or not at all, the line each moves,
warnings to confirm, replacements."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import PhaseStatusChange, ProjectStatusChange
from tests.factories import (
    CostEstimateFactory,
    DecisionFactory,
    LenderFactory,
    PhaseFactory,
    ProjectFactory,
)
from tests.htmlforms import form_data

pytestmark = pytest.mark.django_db


D = dt.date


def new_financing_prefix(data):
    """The prefix of the "new financing effect" rows (two inlines share the model)."""
    return next(key[: -len("-0-target")] for key in data if key.endswith("-0-target"))


def test_decision_page_applies_effects(admin_client, kkh):
    decision = kkh["decision"]
    url = reverse("admin:projects_decision_change", args=[decision.pk])
    data = form_data(admin_client.get(url), form_id="decision_form")
    new = new_financing_prefix(data)
    assert data[f"{new}-0-changed_on"] == "26/09/2025"  # defaults to the meeting's date
    data.update(
        {
            f"{new}-0-lender": str(kkh["china"].pk),
            f"{new}-0-instrument": "undecided",
            f"{new}-0-status": "agreed",
            f"{new}-0-share_percent": "85",
            "status_changes-TOTAL_FORMS": "1",
            "status_changes-0-status": "financing",
            "status_changes-0-changed_on": "2025-09-26",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    kkh["line"].refresh_from_db()
    assert (kkh["line"].status, kkh["line"].decision) == ("agreed", decision)
    kkh["project"].refresh_from_db()
    assert kkh["project"].status == "financing"


def test_decision_page_defaults_instrument_date_and_source(admin_client, kkh):
    """Left empty, an effect keeps the line's instrument and takes the meeting's date and the decision's source."""
    decision = kkh["decision"]
    kkh["line"].instrument = "commercial_loan"
    kkh["line"].save(update_fields=["instrument"])
    url = reverse("admin:projects_decision_change", args=[decision.pk])
    data = form_data(admin_client.get(url), form_id="decision_form")
    new = new_financing_prefix(data)
    assert data["cost_estimates-TOTAL_FORMS"] == "0"
    data.update(
        {
            f"{new}-0-lender": str(kkh["china"].pk),
            f"{new}-0-status": "agreed",
            f"{new}-0-share_percent": "85",
            "cost_estimates-TOTAL_FORMS": "1",
            "cost_estimates-0-as_of": "26/09/2025",
            "cost_estimates-0-amount": "2000000000",
            "cost_estimates-0-currency": "USD",
            "cost_estimates-0-entered_pkr_per_usd": "288",
            "cost_estimates-0-basis": "jcc_statement",
            "cost_estimates-0-approving_forum": "jcc",
            "cost_estimates-0-full_scope": "on",
            "cost_estimates-0-note": "About $2bn.",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    change = kkh["line"].changes.latest("changed_on")
    assert (change.line.instrument, change.changed_on, change.source) == (
        "commercial_loan",
        D(2025, 9, 26),
        decision.source,
    )
    estimate = decision.cost_estimates.get()
    assert (estimate.source, estimate.note, estimate.amount_usd) == (
        decision.source,
        "About $2bn.",
        Decimal("2000000000.00"),
    )


def test_decision_page_shows_share_overflow_as_an_error_and_saves_nothing(admin_client, kkh):
    decision = kkh["decision"]
    url = reverse("admin:projects_decision_change", args=[decision.pk])
    data = form_data(admin_client.get(url), form_id="decision_form")
    new = new_financing_prefix(data)
    data.update(
        {
            f"{new}-0-lender": str(kkh["china"].pk),
            f"{new}-0-instrument": "undecided",
            f"{new}-0-status": "agreed",
            f"{new}-0-share_percent": "120",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "A share must be between 0% and 100%." in response.content.decode()
    data[f"{new}-0-share_percent"] = "85"
    data[f"{new}-0-changed_on"] = "2020-01-01"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "cannot come before it" in response.content.decode()
    assert kkh["line"].changes.count() == 1


def test_decision_page_refuses_effects_without_a_project_and_foreign_phases(admin_client, kkh):
    general = DecisionFactory(meeting=kkh["decision"].meeting, sequence=5, project=None)
    url = reverse("admin:projects_decision_change", args=[general.pk])
    data = form_data(admin_client.get(url), form_id="decision_form")
    data.update(
        {
            "status_changes-TOTAL_FORMS": "1",
            "status_changes-0-status": "financing",
            "status_changes-0-changed_on": "2025-09-26",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "choose its project before adding effects" in response.content.decode()
    other_phase = PhaseFactory(project=ProjectFactory(), order=1)
    url = reverse("admin:projects_decision_change", args=[kkh["decision"].pk])
    data = form_data(admin_client.get(url), form_id="decision_form")
    data.update(
        {
            "phase_changes-TOTAL_FORMS": "1",
            "phase_changes-0-phase": str(other_phase.pk),
            "phase_changes-0-status": "approved",
            "phase_changes-0-changed_on": "2025-09-26",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "is not a phase of" in response.content.decode()
    assert not PhaseStatusChange.objects.exists() and not ProjectStatusChange.objects.exists()


def test_the_decision_page_offers_the_projects_lines_by_name(admin_client, rohri):
    url = reverse("admin:projects_decision_change", args=[rohri["decision"].pk])
    page = admin_client.get(url)
    html = page.content.decode()
    assert "ADB — not yet decided — under negotiation, US$ 2bn since 18 Feb 2026" in html
    assert "ADB — not yet decided — signed, US$ 10m since 5 Dec 2025" in html
    data = form_data(page, form_id="decision_form")
    new = new_financing_prefix(data)
    row = {
        f"{new}-0-lender": str(rohri["adb"].pk),
        f"{new}-0-instrument": "concessional_loan",
        f"{new}-0-status": "agreed",
        f"{new}-0-amount": "1200000000",
        f"{new}-0-currency": "USD",
        f"{new}-0-entered_pkr_per_usd": "280",
    }
    # Left automatic with two live lines: the page asks, and nothing is written.
    response = admin_client.post(url, {**data, **row})
    assert response.status_code == 200
    assert "ADB has 2 live lines on Karachi–Rohri: choose the line this effect moves" in response.content.decode()
    assert rohri["project"].financing_lines.count() == 2
    # The package chosen: it moves to agreed.
    response = admin_client.post(url, {**data, **row, f"{new}-0-target": str(rohri["package"].pk)})
    assert response.status_code == 302, response.content.decode()[:2000]
    rohri["package"].refresh_from_db()
    assert rohri["package"].status == "agreed"
    assert rohri["project"].financing_lines.count() == 2


def test_the_decision_page_refuses_another_lenders_line(admin_client, rohri):
    aiib = LenderFactory(name="Asian Infrastructure Investment Bank", short_name="AIIB")
    url = reverse("admin:projects_decision_change", args=[rohri["decision"].pk])
    data = form_data(admin_client.get(url), form_id="decision_form")
    new = new_financing_prefix(data)
    data.update(
        {
            f"{new}-0-lender": str(aiib.pk),
            f"{new}-0-target": str(rohri["package"].pk),
            f"{new}-0-status": "agreed",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "This line is ADB&#x27;s; choose AIIB&#x27;s line or a new line." in response.content.decode()
    rohri["package"].refresh_from_db()
    assert rohri["package"].status == "under_negotiation"


def post_effect(admin_client, decision, confirm=False, **row):
    url = reverse("admin:projects_decision_change", args=[decision.pk])
    data = form_data(admin_client.get(url), form_id="decision_form")
    new = new_financing_prefix(data)
    data.update({f"{new}-0-{name}": value for name, value in row.items()})
    if confirm:
        data["confirm_warnings"] = "on"
    return admin_client.post(url, data)


def test_an_effect_dated_months_before_its_meeting_needs_confirming(admin_client, kkh):
    row = {"lender": str(kkh["china"].pk), "status": "agreed", "share_percent": "85", "changed_on": "10/06/2025"}
    response = post_effect(admin_client, kkh["decision"], **row)
    assert response.status_code == 200
    assert (
        "Check: this effect is dated 10 Jun 2025, 108 days before the meeting (26 Sep 2025). If it is right, "
        "tick “I have checked the warnings” at the top and save again."
    ) in response.content.decode()
    kkh["line"].refresh_from_db()
    assert kkh["line"].status == "proposed"  # nothing written
    response = post_effect(admin_client, kkh["decision"], confirm=True, **row)
    assert response.status_code == 302, response.content.decode()[:2000]
    kkh["line"].refresh_from_db()
    assert (kkh["line"].status, kkh["line"].as_of) == ("agreed", D(2025, 6, 10))


def test_more_than_30_days_after_the_meeting_needs_confirming_too(admin_client, kkh):
    row = {"lender": str(kkh["china"].pk), "status": "agreed", "changed_on": "27/10/2025"}
    response = post_effect(admin_client, kkh["decision"], **row)
    assert "31 days after the meeting (26 Sep 2025)" in response.content.decode()
    row["changed_on"] = "26/10/2025"  # 30 days after: fine
    assert post_effect(admin_client, kkh["decision"], **row).status_code == 302


def test_committed_money_above_the_cost_needs_confirming(admin_client, rohri):
    CostEstimateFactory(project=rohri["project"], amount=Decimal("2000000000"), as_of=D(2025, 11, 1))
    row = {
        "lender": str(rohri["adb"].pk),
        "target": str(rohri["package"].pk),
        "status": "agreed",
        "amount": "2500000000",
        "currency": "USD",
        "entered_pkr_per_usd": "280",
    }
    response = post_effect(admin_client, rohri["decision"], **row)
    assert "US$ 2,500,000,000 committed is more than the project&#x27;s current cost (US$ 2,000,000,000)." in (
        response.content.decode()
    )
    assert post_effect(admin_client, rohri["decision"], confirm=True, **row).status_code == 302
    rohri["package"].refresh_from_db()
    assert rohri["package"].amount_usd == Decimal("2500000000.00")


def test_a_second_live_line_of_one_lender_and_instrument_needs_confirming(admin_client, rohri):
    row = {"lender": str(rohri["adb"].pk), "target": "new", "status": "proposed"}
    response = post_effect(admin_client, rohri["decision"], **row)
    assert "ADB already has a live line of this instrument (ADB — not yet decided — under negotiation" in (
        response.content.decode()
    )
    assert rohri["project"].financing_lines.count() == 2
    assert post_effect(admin_client, rohri["decision"], confirm=True, **row).status_code == 302
    assert rohri["project"].financing_lines.count() == 3


def test_the_decision_page_supersedes_a_line(admin_client, rohri):
    row = {
        "lender": str(rohri["adb"].pk),
        "target": "new",
        "replaces": str(rohri["package"].pk),
        "instrument": "concessional_loan",
        "status": "agreed",
        "amount": "1200000000",
        "currency": "USD",
        "entered_pkr_per_usd": "280",
    }
    response = post_effect(admin_client, rohri["decision"], **row)
    assert response.status_code == 302, response.content.decode()[:3000]
    rohri["package"].refresh_from_db()
    assert rohri["package"].status == "superseded"
    assert rohri["package"].replaced_by.amount_usd == Decimal("1200000000.00")
    assert rohri["project"].financing_lines.live().count() == 2
