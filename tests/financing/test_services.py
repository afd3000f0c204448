"""Financing lines change only through the services: dated, linked, all or nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from financing.models import FinancingChange, FinancingLine
from financing.selectors import projects_with_funding
from financing.services import LineShare, financing_line_record_change, financing_live_shares
from tests.factories import (
    CostEstimateFactory,
    DecisionFactory,
    FinancingLineFactory,
    LenderFactory,
    ProjectFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db
D = dt.date


def new_line(project, **kwargs):
    return FinancingLine(
        project=project, lender=kwargs.pop("lender", None) or LenderFactory(), as_of=D(2020, 1, 1), **kwargs
    )


def test_recording_changes_keeps_every_previous_state():
    project = ProjectFactory()
    source = SourceFactory()
    agreed_2020 = DecisionFactory(project=project)
    declined_2025 = DecisionFactory(project=project)
    line = new_line(project, instrument="concessional_loan")
    financing_line_record_change(
        line=line,
        changed_on=D(2020, 8, 5),
        status="agreed",
        share_percent=Decimal("90"),
        decision=agreed_2020,
        source=source,
    )
    financing_line_record_change(
        line=line, changed_on=D(2025, 9, 26), status="declined", decision=declined_2025, source=source
    )

    line.refresh_from_db()
    assert (line.status, line.share_percent, line.as_of, line.decision) == (
        "declined",
        None,
        D(2025, 9, 26),
        declined_2025,
    )
    history = list(line.changes.order_by("changed_on").values_list("changed_on", "status", "share_percent", "decision"))
    assert history == [
        (D(2020, 8, 5), "agreed", Decimal("90.00"), agreed_2020.pk),
        (D(2025, 9, 26), "declined", None, declined_2025.pk),
    ]


def test_a_change_dated_before_the_previous_one_is_refused():
    line = new_line(ProjectFactory())
    financing_line_record_change(line=line, changed_on=D(2025, 9, 26), status="proposed")
    with pytest.raises(ValidationError) as excinfo:
        financing_line_record_change(line=line, changed_on=D(2024, 1, 1), status="agreed")
    assert "cannot be dated before it" in str(excinfo.value)
    line.refresh_from_db()
    assert line.status == "proposed"
    assert line.changes.count() == 1


def test_shares_over_100_are_refused_and_nothing_is_written():
    project = ProjectFactory()
    financing_line_record_change(
        line=new_line(project), changed_on=D(2020, 1, 1), status="agreed", share_percent=Decimal("90")
    )
    extra = new_line(project)
    with pytest.raises(ValidationError) as excinfo:
        financing_line_record_change(
            line=extra, changed_on=D(2020, 2, 1), status="proposed", share_percent=Decimal("15")
        )
    assert "would add up to 105%" in str(excinfo.value)
    assert project.financing_lines.count() == 1
    assert FinancingChange.objects.filter(line__project=project).count() == 1


def test_declined_and_withdrawn_lines_free_their_share():
    project = ProjectFactory()
    china = new_line(project)
    financing_line_record_change(line=china, changed_on=D(2020, 1, 1), status="agreed", share_percent=Decimal("90"))
    financing_line_record_change(line=china, changed_on=D(2025, 9, 26), status="declined", share_percent=Decimal("90"))
    financing_line_record_change(
        line=new_line(project), changed_on=D(2025, 9, 26), status="proposed", share_percent=Decimal("60")
    )
    assert financing_live_shares(project_id=project.pk).of_cost == Decimal("60")
    assert financing_live_shares(
        project_id=project.pk, pending=[LineShare(None, Decimal("40"), "proposed")]
    ).of_cost == Decimal("100")


def test_database_trigger_refuses_live_shares_over_100(immediate_constraints):
    project = ProjectFactory()
    FinancingLineFactory(project=project, share_percent=Decimal("60"))
    with pytest.raises(IntegrityError, match="cannot exceed 100%"), transaction.atomic():
        FinancingLineFactory(project=project, share_percent=Decimal("50"))
    FinancingLineFactory(project=project, share_percent=Decimal("50"), status="declined")  # dead lines don't count


def test_database_trigger_is_checked_at_commit_so_shares_can_be_swapped_in_any_order():
    project = ProjectFactory()
    a = FinancingLineFactory(project=project, share_percent=Decimal("90"))
    b = FinancingLineFactory(project=project, share_percent=Decimal("10"))
    with transaction.atomic():
        FinancingLine.objects.filter(pk=b.pk).update(share_percent=Decimal("85"))  # 175% for a moment
        FinancingLine.objects.filter(pk=a.pk).update(share_percent=Decimal("15"))
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would do: passes
    shares = dict(FinancingLine.objects.filter(project=project).values_list("pk", "share_percent"))
    assert shares == {a.pk: Decimal("15.00"), b.pk: Decimal("85.00")}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"share_percent": Decimal("120")}, "between 0% and 100%"),
        ({"share_percent": Decimal("-1")}, "between 0% and 100%"),
        ({"amount": Decimal("-1"), "currency": "USD", "entered_pkr_per_usd": Decimal("280")}, "cannot be negative"),
        ({"amount": Decimal("5")}, "Give a currency"),
        ({"status": "maybe"}, "is not a valid choice"),
        ({"instrument": "barter"}, "is not a valid choice"),
    ],
)
def test_line_constraints(fields, message):
    line = FinancingLineFactory.build(project=ProjectFactory(), lender=LenderFactory(), **fields)
    with pytest.raises(ValidationError) as excinfo:
        line.full_clean()
    assert message in " ".join(excinfo.value.messages)
    if "amount" not in fields or fields.get("currency"):
        with pytest.raises(IntegrityError), transaction.atomic():
            line.save()


def test_funding_gap_from_shares_and_amounts_in_usd():
    """85% agreed, 10% proposed: a 5% gap; proposed and declined lines commit nothing."""
    project = ProjectFactory()
    CostEstimateFactory(
        project=project, amount=Decimal("576000000000"), currency="PKR", entered_pkr_per_usd=Decimal("288")
    )
    FinancingLineFactory(project=project, share_percent=Decimal("85"), status="agreed")
    FinancingLineFactory(project=project, share_percent=Decimal("10"), status="proposed")
    FinancingLineFactory(project=project, share_percent=Decimal("5"), status="declined")
    row = projects_with_funding().get(pk=project.pk)
    assert row.current_cost_usd == Decimal("2000000000.00")
    assert row.committed_usd == Decimal("1700000000.00")
    assert row.pipeline_part_usd == Decimal("200000000.00")  # identified, not committed
    assert row.uncommitted_usd == Decimal("300000000.00")
    assert row.uncommitted_percent == Decimal("15.00")
    assert row.funding_gap_usd == Decimal("100000000.00")  # no financier identified
    assert row.funding_gap_percent == Decimal("5.00")


def test_funding_gap_counts_amount_lines_in_normalized_usd_only():
    project = ProjectFactory()
    CostEstimateFactory(project=project, amount=Decimal("1000"), currency="USD")
    line = new_line(project)
    financing_line_record_change(
        line=line,
        changed_on=D(2024, 6, 1),
        status="signed",
        amount=Decimal("28000"),
        currency="PKR",
        entered_pkr_per_usd=Decimal("280"),
    )
    row = projects_with_funding().get(pk=project.pk)
    assert row.committed_usd == Decimal("100.00")  # Rs28,000 at 280 = $100, never 28,000
    assert row.funding_gap_usd == Decimal("900.00")


def test_project_without_cost_has_no_gap_figure():
    project = ProjectFactory()
    row = projects_with_funding().get(pk=project.pk)
    assert row.current_cost_usd is None and row.funding_gap_usd is None and row.funding_gap_percent is None
