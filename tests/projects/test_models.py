"""Each invariant rejects bad data in the model (form-error message) and in the database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.models import CostEstimate, ExchangeRate, JCCMeeting, Phase, Project
from tests.factories import (
    CostEstimateFactory,
    DecisionFactory,
    ExchangeRateFactory,
    JCCMeetingFactory,
    PhaseFactory,
    ProjectFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date


def assert_rejected(obj, message):
    """The model's validation shows ``message``, and PostgreSQL refuses the row anyway.

    For a choice field Django's own "is not a valid choice" comes first; the CHECK
    constraint still stops any write that bypasses forms.
    """
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    assert message in " ".join(excinfo.value.messages)
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()  # save() runs no validation: the database must refuse on its own


PROJECT_CASES = [
    ({"planned_start": D(2030, 1, 1), "planned_end": D(2025, 1, 1)}, "planned start must not be after"),
    ({"actual_start": D(2020, 1, 1), "actual_end": D(2019, 1, 1)}, "actual start must not be after"),
    ({"length_km": Decimal("-1")}, "cannot be negative"),
    ({"capacity_mw": Decimal("-300")}, "cannot be negative"),
    ({"latitude": Decimal("91"), "longitude": Decimal("73")}, "A latitude inside Pakistan"),
    ({"status": "finished"}, "is not a valid choice"),
    ({"sector": "mining"}, "is not a valid choice"),
    ({"kind": "other"}, "is not a valid choice"),
    ({"regions": ["punjab", "atlantis"]}, "is not a valid choice"),
    ({"focus_industries": ["toys"]}, "is not a valid choice"),
]


@pytest.mark.parametrize(("fields", "message"), PROJECT_CASES)
def test_project_constraints(fields, message):
    project = ProjectFactory.build(**fields)
    assert_rejected(project, message)


def test_project_cannot_be_its_own_parent():
    project = ProjectFactory()
    project.parent = project
    assert_rejected(project, "cannot be its own parent")


def test_valid_project_passes_every_check():
    project = ProjectFactory.build(
        regions=["kp", "gb"], focus_industries=["textiles"], planned_start=D(2025, 1, 1), planned_end=D(2030, 12, 31)
    )
    project.full_clean()
    project.save()
    assert Project.objects.get(pk=project.pk).regions == ["kp", "gb"]


def test_phase_order_unique_per_project():
    phase = PhaseFactory(order=1)
    duplicate = Phase(project=phase.project, order=1, name="Again")
    assert_rejected(duplicate, "already has a phase with this order number")
    PhaseFactory(order=1)  # another project may have its own phase 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"order": 0}, "Phase order starts at 1"),
        ({"planned_start": D(2026, 1, 1), "planned_end": D(2025, 1, 1)}, "planned start must not be after"),
        ({"actual_start": D(2026, 1, 1), "actual_end": D(2025, 1, 1)}, "actual start must not be after"),
        ({"status": "dreaming"}, "is not a valid choice"),
        ({"length_km": Decimal("-82")}, "Length cannot be negative"),
    ],
)
def test_phase_constraints(fields, message):
    phase = PhaseFactory.build(project=ProjectFactory(), **fields)
    assert_rejected(phase, message)


def test_meeting_numbers_are_unique():
    JCCMeetingFactory(number=14)
    duplicate = JCCMeetingFactory.build(number=14)
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "A JCC meeting with this number already exists." in excinfo.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_meeting_number_positive_and_status_valid():
    assert_rejected(JCCMeetingFactory.build(number=0), "Meeting numbers start at 1")
    assert_rejected(JCCMeetingFactory.build(status="rumoured"), "is not a valid choice")


def test_decision_sequence_unique_per_meeting():
    decision = DecisionFactory(sequence=1)
    duplicate = DecisionFactory.build(
        meeting=decision.meeting, sequence=1, project=decision.project, source=decision.source
    )
    assert_rejected(duplicate, "already has a decision with this number")


def test_decision_kind_limited_to_choices():
    decision = DecisionFactory.build(kind="vetoed", meeting=JCCMeetingFactory(), project=None, source=SourceFactory())
    assert_rejected(decision, "is not a valid choice")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": Decimal("-5")}, "An amount cannot be negative"),
        ({"basis": "rumour"}, "is not a valid choice"),
        ({"approving_forum": "parliament"}, "is not a valid choice"),
        ({"entered_pkr_per_usd": Decimal("0")}, "greater than zero"),
    ],
)
def test_cost_estimate_constraints(fields, message):
    estimate = CostEstimateFactory.build(project=ProjectFactory(), source=SourceFactory(), **fields)
    with pytest.raises(ValidationError) as excinfo:
        estimate.full_clean()
    assert message in " ".join(excinfo.value.messages)


def test_cost_estimate_database_refuses_negative_and_unnormalized_amounts():
    estimate = CostEstimateFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CostEstimate.objects.filter(pk=estimate.pk).update(amount=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        CostEstimate.objects.filter(pk=estimate.pk).update(amount_usd=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        CostEstimate.objects.filter(pk=estimate.pk).update(currency="EUR")


def test_cost_estimate_holds_pkr_trillions():
    estimate = CostEstimateFactory(
        amount=Decimal("1923264864000.00"), currency="PKR", entered_pkr_per_usd=Decimal("288")
    )
    estimate.refresh_from_db()
    assert estimate.amount == Decimal("1923264864000.00")
    assert estimate.amount_pkr == Decimal("1923264864000.00")


def test_exchange_rate_must_be_positive_and_unique_per_day():
    rate = ExchangeRateFactory(date=D(2024, 12, 31))
    assert_rejected(
        ExchangeRateFactory.build(per_usd=Decimal("0"), source=rate.source, date=D(2024, 1, 1)), "greater than zero"
    )
    duplicate = ExchangeRate(
        currency="PKR", date=D(2024, 12, 31), per_usd=Decimal("1"), kind="daily_close", source=rate.source
    )
    assert_rejected(duplicate, "already a rate for this currency on this date")
    assert_rejected(
        ExchangeRate(currency="USD", date=D(2024, 1, 2), per_usd=Decimal("1"), kind="daily_close", source=rate.source),
        "is not a valid choice",
    )


def test_source_keys_unique_when_given():
    SourceFactory(key="S1")
    assert_rejected(SourceFactory.build(key="S1"), "Another source already uses this key")
    SourceFactory(key="")
    SourceFactory(key="")  # empty keys don't collide


def test_meeting_display():
    meeting = JCCMeeting(number=13, date=D(2024, 5, 24), date_precision="month")
    assert meeting.ordinal == "13th"
    assert meeting.date_display == "May 2024"
    assert JCCMeeting(number=1, date=D(2013, 8, 1)).ordinal == "1st"
    assert JCCMeeting(number=12, date=D(2023, 7, 11)).ordinal == "12th"
