"""Financing lines and their changes in admin (financing/admin.py): shares, corrections, dated changes,
plants' structures."""

import datetime as dt
from decimal import Decimal

import pytest

from financing.models import FinancingChange, FinancingLine
from financing.selectors import projects_with_funding
from financing.services import financing_line_record_change
from tests.factories import (
    CostEstimateFactory,
    LenderFactory,
    ProjectFactory,
)
from tests.htmlforms import post_add, post_change

pytestmark = pytest.mark.django_db


D = dt.date


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
