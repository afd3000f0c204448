"""The pages say what set each financing state: a decision, a correction or a source; and what replaced a line."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from financing.models import FinancingLine
from financing.services import (
    FinancingEffect,
    decision_record_effects,
    financing_line_edit,
    financing_line_record_change,
)
from tests.factories import CostEstimateFactory, DecisionFactory, JCCMeetingFactory, LenderFactory, ProjectFactory

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def rohri():
    """Karachi–Rohri (US$ 2bn): ADB's US$ 2bn under negotiation is replaced at the 15th JCC by a
    US$ 1.2bn concessional loan; AIIB's US$ 800m is agreed; an editor later corrects AIIB's line."""
    project = ProjectFactory(name="Karachi–Rohri", slug="rohri", status="financing")
    CostEstimateFactory(project=project, amount=Decimal("2000000000"), currency="USD", as_of=D(2025, 11, 1))
    adb = LenderFactory(name="Asian Development Bank", short_name="ADB", slug="adb", kind="multilateral")
    aiib = LenderFactory(
        name="Asian Infrastructure Investment Bank", short_name="AIIB", slug="aiib", kind="multilateral"
    )
    usd = {"currency": "USD", "entered_pkr_per_usd": Decimal("280")}
    package = FinancingLine(project=project, lender=adb, instrument="undecided", as_of=D(2026, 2, 18))
    financing_line_record_change(
        line=package, changed_on=D(2026, 2, 18), status="under_negotiation", amount=Decimal("2000000000"), **usd
    )
    aiib_line = FinancingLine(project=project, lender=aiib, instrument="concessional_loan", as_of=D(2026, 2, 18))
    financing_line_record_change(
        line=aiib_line, changed_on=D(2026, 2, 18), status="proposed", amount=Decimal("800000000"), **usd
    )
    JCCMeetingFactory(number=14, date=D(2025, 9, 26))
    meeting = JCCMeetingFactory(number=15, date=D(2026, 3, 1))
    decision = DecisionFactory(meeting=meeting, sequence=2, project=project, kind="financing_agreed")
    decision_record_effects(
        decision,
        financing=[
            FinancingEffect(
                lender=adb,
                status="agreed",
                instrument="concessional_loan",
                changed_on=D(2026, 3, 1),
                amount=Decimal("1200000000"),
                new_line=True,
                replaces=package,
                **usd,
            ),
            FinancingEffect(lender=aiib, status="agreed", changed_on=D(2026, 3, 1), amount=Decimal("800000000"), **usd),
        ],
    )
    editor = get_user_model().objects.create_user("amna", password="x-pass-12345")
    aiib_line.refresh_from_db()
    aiib_line.amount = Decimal("750000000")
    aiib_line.as_of = D(2026, 3, 16)
    financing_line_edit(aiib_line, reason="AIIB's press release gives US$ 750m, not 800m.", recorded_by=editor)
    return {"project": project, "decision": decision, "package": package, "meeting": meeting}


def test_the_project_page_credits_decisions_and_shows_the_correction(viewer_client, rohri):
    html = viewer_client.get(reverse("dashboard:project", args=["rohri"])).content.decode()
    # The replaced line says what replaced it; the new line is credited to the 15th JCC's decision 2.
    assert "by ADB’s concessional loan line (agreed, USD 1,200,000,000); its share no longer counts" in html
    assert "15th JCC, decision 2</a>" in html
    # AIIB's current state was set by the correction, listed as such with its reason and editor.
    assert '<span class="tag tag-correction">correction</span> <small>AIIB&#x27;s press release gives' in html
    assert "Corrections to the record (1)" in html
    assert "16 Mar 2026</td><td>AIIB</td>" in html
    assert "by amna</td>" in html


def test_the_meeting_page_lists_effects_never_corrections(viewer_client, rohri):
    html = viewer_client.get(reverse("dashboard:meeting", args=[15])).content.decode()
    assert "AIIB: <em>changed</em>" in html
    assert "ADB: <em>superseded</em>" in html
    assert "USD 750,000,000" not in html  # the correction of 16 March is no change of the 15th JCC
    assert rohri["decision"].financing_changes.count() == 3  # two effects and the supersession


def test_as_of_the_meeting_the_replaced_line_is_superseded_and_gone_from_the_pipeline(viewer_client, rohri):
    response = viewer_client.get(reverse("dashboard:project", args=["rohri"]), {"as_of": "2026-03-01"})
    html = response.content.decode()
    assert "Superseded by another line" in html
    project = response.context["project"]
    # US$ 1.2bn + US$ 800m committed on a US$ 2bn cost: no pipeline and no gap left.
    assert (project.committed_usd, project.pipeline_part_usd, project.funding_gap_usd) == (
        Decimal("2000000000.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
