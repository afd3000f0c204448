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
    DecisionFactory,
    LenderFactory,
    ProjectFactory,
    SourceFactory,
)
from tests.htmlforms import form_data

D = dt.date

pytestmark = pytest.mark.django_db


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


# ------------------------------------------------------------ which line an effect moves


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


# ------------------------------------------------------------------- warnings to confirm


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
