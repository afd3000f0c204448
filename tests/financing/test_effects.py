"""A JCC decision's effects: applied together through the service, or not at all."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from financing.models import FinancingChange, FinancingLine
from financing.services import FinancingEffect, decision_record_effects, financing_line_record_change
from projects.models import CostEstimate, PhaseStatusChange, ProjectStatusChange
from tests.factories import (
    CostEstimateFactory,
    DecisionFactory,
    JCCMeetingFactory,
    LenderFactory,
    PhaseFactory,
    ProjectFactory,
    SourceFactory,
)
from tests.htmlforms import form_data

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def kkh():
    """A realignment project before the 14th JCC, with a proposed Chinese line."""
    project = ProjectFactory(name="KKH realignment", slug="kkh", status="approved")
    phase = PhaseFactory(project=project, order=1, name="Diamer-Basha section", status="planned")
    china = LenderFactory(name="Government of China", slug="china", kind="chinese_government")
    line = FinancingLine(project=project, lender=china, instrument="undecided", as_of=D(2024, 5, 31))
    financing_line_record_change(line=line, changed_on=D(2024, 5, 31), status="proposed")
    meeting = JCCMeetingFactory(number=14, date=D(2025, 9, 26))
    decision = DecisionFactory(meeting=meeting, sequence=1, project=project, kind="financing_agreed")
    return {"project": project, "phase": phase, "china": china, "line": line, "decision": decision}


def test_all_effects_are_applied_and_linked_to_the_decision(kkh):
    decision, project = kkh["decision"], kkh["project"]
    source = SourceFactory()
    counts = decision_record_effects(
        decision,
        financing=[
            FinancingEffect(
                lender=kkh["china"], status="agreed", share_percent=Decimal("85"), changed_on=D(2025, 9, 26)
            )
        ],
        estimates=[
            CostEstimate(
                amount=Decimal("576000000000"),
                currency="PKR",
                entered_pkr_per_usd=Decimal("288"),
                as_of=D(2025, 9, 26),
                basis="jcc_statement",
                approving_forum="jcc",
                source=source,
            )
        ],
        statuses=[ProjectStatusChange(status="financing", changed_on=D(2025, 9, 26))],
        phases=[PhaseStatusChange(phase=kkh["phase"], status="approved", changed_on=D(2025, 9, 26))],
    )
    assert counts == {"financing": 1, "estimates": 1, "statuses": 1, "phases": 1, "superseded": 0}
    line = kkh["line"]
    line.refresh_from_db()
    assert (line.status, line.share_percent, line.decision) == ("agreed", Decimal("85.00"), decision)
    assert list(line.changes.order_by("changed_on").values_list("status", flat=True)) == ["proposed", "agreed"]
    project.refresh_from_db()
    kkh["phase"].refresh_from_db()
    assert project.status == "financing" and kkh["phase"].status == "approved"
    assert decision.cost_estimates.get().amount_usd == Decimal("2000000000.00")
    assert decision.status_changes.count() == 1 and decision.phase_changes.count() == 1


def test_one_bad_effect_writes_nothing(kkh):
    other = LenderFactory()
    before = (FinancingChange.objects.count(), CostEstimate.objects.count(), ProjectStatusChange.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        decision_record_effects(
            kkh["decision"],
            financing=[
                FinancingEffect(
                    lender=kkh["china"], status="agreed", share_percent=Decimal("85"), changed_on=D(2025, 9, 26)
                ),
                FinancingEffect(
                    lender=other, status="proposed", share_percent=Decimal("30"), changed_on=D(2025, 9, 26)
                ),
            ],
            statuses=[ProjectStatusChange(status="financing", changed_on=D(2025, 9, 26))],
        )
    assert "would add up to 115%" in str(excinfo.value)
    assert (
        FinancingChange.objects.count(),
        CostEstimate.objects.count(),
        ProjectStatusChange.objects.count(),
    ) == before
    kkh["project"].refresh_from_db()
    assert kkh["project"].status == "approved"


def test_a_change_dated_before_the_previous_one_is_refused(kkh):
    with pytest.raises(ValidationError, match="cannot come before it"):
        decision_record_effects(
            kkh["decision"],
            financing=[FinancingEffect(lender=kkh["china"], status="agreed", changed_on=D(2020, 1, 1))],
        )
    assert kkh["line"].changes.count() == 1


def test_a_new_lender_gets_a_new_line(kkh):
    adb = LenderFactory(slug="adb")
    decision_record_effects(
        kkh["decision"], financing=[FinancingEffect(lender=adb, status="proposed", changed_on=D(2025, 9, 26))]
    )
    assert kkh["project"].financing_lines.get(lender=adb).status == "proposed"


def test_effects_need_a_project(kkh):
    general = DecisionFactory(meeting=kkh["decision"].meeting, sequence=2, project=None)
    with pytest.raises(ValidationError, match="choose its project"):
        decision_record_effects(general, statuses=[ProjectStatusChange(status="financing", changed_on=D(2025, 9, 26))])


def test_an_older_status_does_not_replace_a_newer_one(kkh):
    decision_record_effects(
        kkh["decision"], statuses=[ProjectStatusChange(status="under_construction", changed_on=D(2026, 1, 1))]
    )
    decision_record_effects(
        kkh["decision"], statuses=[ProjectStatusChange(status="financing", changed_on=D(2025, 9, 26))]
    )
    kkh["project"].refresh_from_db()
    assert kkh["project"].status == "under_construction"


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


# ------------------------------------------------------------ which line an effect moves


@pytest.fixture
def rohri():
    """ADB with two live lines on one section: US$ 2bn under negotiation, US$ 10m signed."""
    project = ProjectFactory(name="Karachi–Rohri", slug="rohri", status="financing")
    adb = LenderFactory(name="Asian Development Bank", short_name="ADB", slug="adb")
    package = FinancingLine(project=project, lender=adb, instrument="undecided", as_of=D(2026, 2, 18))
    financing_line_record_change(
        line=package,
        changed_on=D(2026, 2, 18),
        status="under_negotiation",
        amount=Decimal("2000000000"),
        currency="USD",
        entered_pkr_per_usd=Decimal("280"),
    )
    readiness = FinancingLine(project=project, lender=adb, instrument="undecided", as_of=D(2025, 12, 5))
    financing_line_record_change(
        line=readiness,
        changed_on=D(2025, 12, 5),
        status="signed",
        amount=Decimal("10000000"),
        currency="USD",
        entered_pkr_per_usd=Decimal("280"),
    )
    decision = DecisionFactory(
        meeting=JCCMeetingFactory(number=15, date=D(2026, 3, 1)), sequence=1, project=project, kind="financing_agreed"
    )
    return {"project": project, "adb": adb, "package": package, "readiness": readiness, "decision": decision}


def agreed_by_adb(rohri, **target):
    return FinancingEffect(
        lender=rohri["adb"],
        instrument="concessional_loan",
        status="agreed",
        changed_on=D(2026, 3, 1),
        amount=Decimal("1200000000"),
        currency="USD",
        entered_pkr_per_usd=Decimal("280"),
        **target,
    )


def test_an_effect_never_opens_a_line_beside_two_live_ones_silently(rohri):
    with pytest.raises(ValidationError) as excinfo:
        decision_record_effects(rohri["decision"], financing=[agreed_by_adb(rohri)])
    assert excinfo.value.messages == [
        "ADB has 2 live lines on Karachi–Rohri: choose the line this effect moves, or “a new line”."
    ]
    assert rohri["project"].financing_lines.count() == 2


def test_the_chosen_line_moves_and_no_other_is_opened(rohri):
    decision_record_effects(rohri["decision"], financing=[agreed_by_adb(rohri, line=rohri["package"])])
    rohri["package"].refresh_from_db()
    assert (rohri["package"].status, rohri["package"].amount_usd, rohri["package"].instrument) == (
        "agreed",
        Decimal("1200000000.00"),
        "concessional_loan",
    )
    assert rohri["package"].decision == rohri["decision"]
    assert rohri["project"].financing_lines.count() == 2


def test_a_new_line_only_when_asked_for(rohri):
    decision_record_effects(rohri["decision"], financing=[agreed_by_adb(rohri, new_line=True)])
    assert rohri["project"].financing_lines.count() == 3


def test_a_line_of_another_lender_or_project_is_refused(rohri):
    other = FinancingLine(project=ProjectFactory(), lender=rohri["adb"], instrument="grant", as_of=D(2024, 1, 1))
    financing_line_record_change(line=other, changed_on=D(2024, 1, 1), status="proposed")
    with pytest.raises(ValidationError, match="is not a line of Karachi–Rohri"):
        decision_record_effects(rohri["decision"], financing=[agreed_by_adb(rohri, line=other)])


def test_one_live_line_is_the_target_whatever_the_instrument(kkh):
    effect = FinancingEffect(
        lender=kkh["china"], instrument="concessional_loan", status="agreed", changed_on=D(2025, 9, 26)
    )
    decision_record_effects(kkh["decision"], financing=[effect])
    kkh["line"].refresh_from_db()
    assert (kkh["line"].status, kkh["line"].instrument) == ("agreed", "concessional_loan")
    assert kkh["project"].financing_lines.count() == 1


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


# ------------------------------------------------------------------- warnings to confirm


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


# ------------------------------------------------------------------- supersession


def test_a_replacement_closes_the_line_it_replaces(rohri, admin_user):
    """ADB's US$ 2bn under negotiation is replaced by a US$ 1.2bn concessional loan agreed at the 15th JCC."""
    counts = decision_record_effects(
        rohri["decision"],
        financing=[agreed_by_adb(rohri, new_line=True, replaces=rohri["package"])],
        recorded_by=admin_user,
    )
    assert (counts["financing"], counts["superseded"]) == (1, 1)
    new = rohri["project"].financing_lines.get(instrument="concessional_loan")
    rohri["package"].refresh_from_db()
    assert (rohri["package"].status, rohri["package"].replaced_by, rohri["package"].as_of) == (
        "superseded",
        new,
        D(2026, 3, 1),
    )
    closing = rohri["package"].changes.latest()
    assert (closing.kind, closing.decision, closing.recorded_by) == ("effect", rohri["decision"], admin_user)
    assert closing.note == "Replaced by ADB — concessional loan — agreed, US$ 1.2bn since 1 Mar 2026."
    # Live: the new US$ 1.2bn and the signed US$ 10m; the US$ 2bn no longer counts.
    live = rohri["project"].financing_lines.live().order_by("amount")
    assert [(line.status, line.amount_usd) for line in live] == [
        ("signed", Decimal("10000000.00")),
        ("agreed", Decimal("1200000000.00")),
    ]


def test_a_line_cannot_replace_itself_or_a_dead_line(rohri):
    with pytest.raises(ValidationError, match="A line cannot replace itself"):
        decision_record_effects(
            rohri["decision"], financing=[agreed_by_adb(rohri, line=rohri["package"], replaces=rohri["package"])]
        )
    financing_line_record_change(line=rohri["readiness"], changed_on=D(2026, 2, 20), status="withdrawn")
    with pytest.raises(ValidationError, match="no longer counts \\(withdrawn\\): there is nothing to replace"):
        decision_record_effects(
            rohri["decision"], financing=[agreed_by_adb(rohri, line=rohri["package"], replaces=rohri["readiness"])]
        )
    rohri["package"].refresh_from_db()
    assert rohri["package"].status == "under_negotiation"  # nothing written


def test_the_database_refuses_a_superseded_line_without_its_replacement(rohri):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError, match="superseded_names_replacement"), transaction.atomic():
        FinancingLine.objects.filter(pk=rohri["package"].pk).update(status="superseded")


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


# ------------------------------------------------------------------- corrections


def test_a_correction_on_the_lines_page_names_no_decision(admin_client, rohri):
    """A status fixed on the line's own page on 16 March is a correction, not the 15th JCC's change."""
    decision_record_effects(rohri["decision"], financing=[agreed_by_adb(rohri, line=rohri["package"])])
    url = reverse("admin:financing_financingline_change", args=[rohri["package"].pk])
    data = form_data(admin_client.get(url), form_id="financingline_form")
    data.update({"status": "under_negotiation", "as_of": "16/03/2026"})
    refused = admin_client.post(url, data)
    assert refused.status_code == 200
    assert "say what was wrong in the record (this is a correction)" in refused.content.decode()
    data["reason"] = "The 15th JCC only welcomed ADB's offer; nothing was agreed."
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    fix = rohri["package"].changes.latest()
    assert (fix.kind, fix.decision, fix.changed_on, fix.status) == (
        "correction",
        None,
        D(2026, 3, 16),
        "under_negotiation",
    )
    assert fix.reason == "The 15th JCC only welcomed ADB's offer; nothing was agreed."
    assert fix.recorded_by.username == "admin"
    # Only the effect is the decision's change.
    assert list(rohri["decision"].financing_changes.values_list("status", flat=True)) == ["agreed"]


def test_editing_only_the_note_records_no_change(admin_client, rohri):
    url = reverse("admin:financing_financingline_change", args=[rohri["package"].pk])
    data = form_data(admin_client.get(url), form_id="financingline_form")
    data["note"] = "ADB's board meets in June."
    assert admin_client.post(url, data).status_code == 302
    rohri["package"].refresh_from_db()
    assert rohri["package"].note == "ADB's board meets in June."
    assert rohri["package"].changes.count() == 1


def test_the_lender_box_names_lenders_in_full(admin_client, rohri):
    url = reverse("admin:autocomplete") + "?term=asian&app_label=financing&model_name=financingline&field_name=lender"
    results = admin_client.get(url).json()["results"]
    assert [r["text"] for r in results] == ["Asian Development Bank (ADB)"]
