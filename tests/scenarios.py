"""Two financing scenarios before a JCC meeting, shared by the effect services' and the decision page's tests.

- ``kkh``: a realignment project before the 14th JCC, with a proposed Chinese line;
- ``rohri``: ADB with two live lines on one section (US$ 2bn under negotiation, US$ 10m signed).
"""

import datetime as dt
from decimal import Decimal

import pytest

from financing.models import FinancingLine
from financing.services import financing_line_record_change
from tests.factories import DecisionFactory, JCCMeetingFactory, LenderFactory, PhaseFactory, ProjectFactory

D = dt.date


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
