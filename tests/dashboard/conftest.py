"""A small fixed portfolio whose every figure is known, for exact-number tests.

- Road A: transport, under construction, KP + GB, US$ 2,000m (stated in PKR); China 85% agreed (JCC 14/1).
- Rail B: transport, financing, Sindh + Punjab, US$ 7,000m; China 85% agreed 2020, declined 2025 (14/2);
  PSDP 15% agreed; ADB US$ 2,000m proposed (14/3).
- Solar C: energy, proposed, GB, cost unknown, no financing.
- Zone D: industrial, approved, ICT, Rs 24,957m; PSDP 100% agreed.
"""

import datetime as dt
from decimal import Decimal

import pytest

from financing.models import FinancingLine
from financing.services import financing_line_record_change
from tests.factories import (
    CostEstimateFactory,
    DecisionFactory,
    JCCMeetingFactory,
    LenderFactory,
    PhaseFactory,
    ProjectFactory,
    SourceFactory,
)

D = dt.date


@pytest.fixture
def portfolio(db):
    source = SourceFactory(key="S1", publisher="K21 News")
    china = LenderFactory(
        name="Government of China", short_name="China", slug="china", kind="chinese_government", country="China"
    )
    adb = LenderFactory(name="Asian Development Bank", short_name="ADB", slug="adb", kind="multilateral")
    psdp = LenderFactory(
        name="Government of Pakistan – PSDP", short_name="PSDP", slug="psdp", kind="pakistan_budget", country="Pakistan"
    )
    jcc11 = JCCMeetingFactory(number=11, date=D(2022, 10, 27), city="", is_virtual=True)
    jcc14 = JCCMeetingFactory(number=14, date=D(2025, 9, 26), city="Beijing")

    road = ProjectFactory(
        name="Road A",
        slug="road-a",
        sector="transport",
        status="under_construction",
        regions=["kp", "gb"],
        planned_start=D(2025, 1, 1),
        planned_end=D(2030, 12, 31),
    )
    rail = ProjectFactory(
        name="Rail B",
        slug="rail-b",
        sector="transport",
        status="financing",
        regions=["sindh", "punjab"],
        planned_start=D(2023, 1, 1),
        planned_end=D(2031, 6, 30),
    )
    solar = ProjectFactory(name="Solar C", slug="solar-c", sector="energy", status="proposed", regions=["gb"])
    zone = ProjectFactory(
        name="Zone D",
        slug="zone-d",
        sector="industrial",
        status="approved",
        regions=["ict"],
        planned_start=D(2025, 8, 1),
        planned_end=D(2026, 6, 30),
    )
    PhaseFactory(
        project=road,
        order=1,
        name="Diamer-Basha section",
        status="approved",
        planned_start=D(2025, 1, 1),
        planned_end=D(2027, 12, 31),
    )

    CostEstimateFactory(
        project=road,
        amount=Decimal("576000000000"),
        currency="PKR",
        entered_pkr_per_usd=Decimal("288"),
        as_of=D(2025, 9, 26),
        source=source,
    )
    CostEstimateFactory(project=rail, amount=Decimal("6806000000"), currency="USD", as_of=D(2020, 8, 5), source=source)
    CostEstimateFactory(project=rail, amount=Decimal("7000000000"), currency="USD", as_of=D(2025, 9, 26), source=source)
    CostEstimateFactory(
        project=zone,
        amount=Decimal("24957000000"),
        currency="PKR",
        entered_pkr_per_usd=Decimal("280"),
        as_of=D(2025, 8, 1),
        source=source,
    )

    d11 = DecisionFactory(meeting=jcc11, sequence=1, project=rail, kind="approved", source=source)
    d14_1 = DecisionFactory(meeting=jcc14, sequence=1, project=road, kind="financing_agreed", source=source)
    d14_2 = DecisionFactory(meeting=jcc14, sequence=2, project=rail, kind="financing_declined", source=source)
    d14_3 = DecisionFactory(meeting=jcc14, sequence=3, project=rail, kind="financing_proposed", source=source)
    DecisionFactory(meeting=jcc14, sequence=4, project=None, kind="reviewed", source=source)

    def line(project, lender, instrument, *changes):
        obj = FinancingLine(project=project, lender=lender, instrument=instrument, as_of=changes[0]["changed_on"])
        for change in changes:
            financing_line_record_change(line=obj, source=source, **change)
        return obj

    line(
        road,
        china,
        "undecided",
        {"changed_on": D(2025, 9, 26), "status": "agreed", "share_percent": Decimal("85"), "decision": d14_1},
    )
    line(
        rail,
        china,
        "concessional_loan",
        {"changed_on": D(2020, 8, 5), "status": "agreed", "share_percent": Decimal("85"), "decision": d11},
        {"changed_on": D(2025, 9, 26), "status": "declined", "share_percent": Decimal("85"), "decision": d14_2},
    )
    line(
        rail,
        psdp,
        "budget_allocation",
        {"changed_on": D(2020, 8, 5), "status": "agreed", "share_percent": Decimal("15")},
    )
    line(
        rail,
        adb,
        "undecided",
        {
            "changed_on": D(2025, 9, 26),
            "status": "proposed",
            "amount": Decimal("2000000000"),
            "currency": "USD",
            "entered_pkr_per_usd": Decimal("281.37"),
            "decision": d14_3,
        },
    )
    line(
        zone,
        psdp,
        "budget_allocation",
        {"changed_on": D(2025, 8, 1), "status": "agreed", "share_percent": Decimal("100")},
    )
    return {
        "road": road,
        "rail": rail,
        "solar": solar,
        "zone": zone,
        "china": china,
        "adb": adb,
        "psdp": psdp,
        "jcc11": jcc11,
        "jcc14": jcc14,
    }
