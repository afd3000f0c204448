"""A seeded synthetic CPEC portfolio of any size, to benchmark the pages against.

``synthetic_portfolio_load(projects=N, seed=S)`` plans a portfolio in memory with
``random.Random(S)`` (the same N and S always give the same rows) and inserts it with
``bulk_create``, table by table, in one transaction. Its size scales with N; at
N = 10,000: 30,000 phases, 40,000 cost estimates, 60,000 financing lines with 120,000
dated changes, 40 JCC meetings, 20,000 decisions and 60 lenders (``SyntheticSize``).

Every row is valid under the models' constraints and the services' invariants: money is
normalized with the same arithmetic as ``projects.models.normalize_amount`` and the
reference rates this module inserts; a line's current state is its latest dated change,
field for field, as ``financing.services.financing_line_record_change`` keeps it; a
project's live shares stay within 100% at every date (each line's share never exceeds
a slot of a partition of 100%); a project's status is its latest dated status change;
decisions are numbered within their meeting and dated on its day.

Synthetic rows are marked: slugs start with ``syn-``, names with ``Syn``, and every
source-bearing row cites the one Source with key ``SYN`` ("Synthetic benchmark data").
``synthetic_portfolio_delete`` removes exactly those rows; the loader refuses to write
into a database that holds any other portfolio data (users are never touched).

``bulk_create`` bypasses simple-history: only projects get historical rows (their
creation, and a replanned completion for some), which the overrun flags read; with
``history=True`` every other row gets its creation record too.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from budget.choices import PsdpKind
from budget.models import PsdpFigure
from financing import figures
from financing.choices import ChangeKind, FinancingStatus, Instrument, LenderKind
from financing.figures import figures_paused
from financing.loans import LOAN_INSTRUMENTS
from financing.models import (
    FinancingChange,
    FinancingLine,
    Lender,
    LoanTerms,
    RateKind,
    RepaymentProfile,
)
from projects.choices import (
    ApprovingForum,
    Currency,
    DecisionKind,
    EstimateBasis,
    ExchangeRateKind,
    MeetingStatus,
    PhaseStatus,
    ProjectKind,
    ProjectStatus,
    RateOrigin,
    Region,
    Sector,
    SourceTier,
)
from projects.models import (
    CostEstimate,
    Decision,
    ExchangeRate,
    JCCMeeting,
    Phase,
    PhaseStatusChange,
    Project,
    ProjectStatusChange,
    Source,
    normalize_amount,
)

#: Every synthetic slug starts with this; every synthetic name with "Syn ".
PREFIX = "syn-"
#: The key of the one Source every synthetic row cites.
SOURCE_KEY = "SYN"
SOURCE_TITLE = "Synthetic benchmark data"

#: The portfolio's calendar: projects appear from FIRST_DAY, nothing is dated after DATA_END.
FIRST_DAY = dt.date(2013, 6, 1)
LAST_FIRST_SEEN = dt.date(2025, 3, 1)
DATA_END = dt.date(2025, 10, 31)
FIRST_JCC, LAST_JCC = dt.date(2013, 8, 27), dt.date(2025, 9, 26)

CENT = Decimal("0.01")
RATE = Decimal("0.0001")
HUNDRED = Decimal("100")
BATCH_SIZE = 2000


class SyntheticDataError(Exception):
    """The database holds data the loader must not write over or delete; the message says which."""


# ----------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class SyntheticSize:
    """How many rows of each kind a portfolio of ``projects`` projects has."""

    projects: int
    phases: int
    estimates: int
    lines: int
    changes: int
    meetings: int
    decisions: int
    lenders: int

    @classmethod
    def for_projects(cls, n: int) -> SyntheticSize:
        """3 phases, 4 estimates, 6 lines with 12 changes and 2 decisions per project on average;
        5 to 40 meetings (one per 250 projects); up to 60 lenders (one per 2 projects)."""
        if n < 1:
            raise ValueError("A synthetic portfolio needs at least one project.")
        return cls(
            projects=n,
            phases=3 * n,
            estimates=4 * n,
            lines=6 * n,
            changes=12 * n,
            meetings=max(5, min(40, n // 250)),
            decisions=2 * n,
            lenders=min(60, max(8, n // 2)),
        )


# ------------------------------------------------------------------- distributions

# Sector: weight, median cost in US$ m, [(subsector, asset, size field)].
SECTORS = {
    Sector.ENERGY: (
        28,
        120,
        [
            ("Coal", "Coal Power Plant", "capacity_mw"),
            ("Hydropower", "Hydropower Project", "capacity_mw"),
            ("Solar", "Solar Park", "capacity_mw"),
            ("Wind", "Wind Farm", "capacity_mw"),
            ("Transmission", "Transmission Line", "length_km"),
            ("LNG", "LNG Terminal", None),
        ],
    ),
    Sector.TRANSPORT: (
        25,
        60,
        [
            ("Road", "Highway Section", "length_km"),
            ("Motorway", "Motorway", "length_km"),
            ("Rail", "Railway Upgrade", "length_km"),
            ("Mass transit", "Metro Line", "length_km"),
            ("Bridge", "Bridge", None),
            ("Dry port", "Dry Port", "area_acres"),
        ],
    ),
    Sector.INDUSTRIAL: (
        22,
        35,
        [
            ("Special economic zone", "Special Economic Zone", "area_acres"),
            ("Industrial park", "Industrial Park", "area_acres"),
        ],
    ),
    Sector.GWADAR: (
        8,
        35,
        [
            ("Port", "Port Terminal", None),
            ("Airport", "Airport", None),
            ("Expressway", "Expressway", "length_km"),
            ("Water", "Desalination Plant", None),
            ("Health", "Hospital", None),
        ],
    ),
    Sector.SOCIAL: (
        12,
        10,
        [
            ("Education", "Vocational Institute", None),
            ("Health", "Hospital", None),
            ("Water", "Water Supply Scheme", None),
            ("Agriculture", "Agriculture Demonstration Centre", "area_acres"),
        ],
    ),
    Sector.TRADE_FINANCE: (
        5,
        30,
        [
            ("Trade", "Trade Facilitation Initiative", None),
            ("Finance", "Industrial Relocation Fund", None),
            ("Agriculture", "Agriculture Cooperation Programme", None),
        ],
    ),
}
COST_SIGMA = 1.7
COST_CAP_USD = 40e9  # before the estimates' revisions; no estimate above 60bn
SIZE_MEDIANS = {"capacity_mw": 300, "length_km": 90, "area_acres": 1200}

AGENCIES = {
    Sector.ENERGY: ["PPIB", "WAPDA", "NTDC", "AEDB"],
    Sector.TRANSPORT: ["NHA", "Pakistan Railways", "Punjab Mass Transit Authority"],
    Sector.INDUSTRIAL: ["BOI", "Sindh SEZ Authority", "Punjab SEZ Authority", "KP EZ Development Company"],
    Sector.GWADAR: ["Gwadar Port Authority", "Gwadar Development Authority"],
    Sector.SOCIAL: ["Provincial health department", "Provincial education department", "CPEC Authority"],
    Sector.TRADE_FINANCE: ["Ministry of Commerce", "Ministry of Planning", "CPEC Authority"],
}

PLACES = (
    "Gwadar Karachi Lahore Multan Sukkur Hyderabad Thar Sahiwal Qasim Hub Kohala Karot Kinari Peshawar "
    "Quetta Turbat Hoshab Zhob Khuzdar Basima Rashakai Dhabeji Faisalabad Mirpur Muzaffarabad Gilgit "
    "Skardu Chitral Mansehra Thakot Havelian Raikot Khunjerab Jhimpir Bahawalpur Sialkot Gujranwala "
    "Rawalpindi Abbottabad Nowshera Mardan Swat Bannu Kohat Jacobabad Larkana Nawabshah Thatta Badin "
    "Mirpurkhas Umerkot Sibi Panjgur Kharan Chaman Pasni Ormara Jiwani Dasu Chilas Attock Okara"
).split()

# Projects appear over time; a project with this status was first seen in this window.
STATUS_WEIGHTS = {
    ProjectStatus.PROPOSED: 20,
    ProjectStatus.UNDER_STUDY: 8,
    ProjectStatus.APPROVED: 12,
    ProjectStatus.FINANCING: 10,
    ProjectStatus.UNDER_CONSTRUCTION: 17,
    ProjectStatus.OPERATIONAL: 27,
    ProjectStatus.SUSPENDED: 3,
    ProjectStatus.CANCELLED: 3,
}
FIRST_SEEN_WINDOW = {
    ProjectStatus.OPERATIONAL: (FIRST_DAY, dt.date(2019, 12, 31)),
    ProjectStatus.UNDER_CONSTRUCTION: (FIRST_DAY, dt.date(2022, 12, 31)),
}
LIFECYCLE = [
    ProjectStatus.PROPOSED,
    ProjectStatus.UNDER_STUDY,
    ProjectStatus.APPROVED,
    ProjectStatus.FINANCING,
    ProjectStatus.UNDER_CONSTRUCTION,
    ProjectStatus.OPERATIONAL,
]
REGION_WEIGHTS = {
    Region.PUNJAB: 30,
    Region.SINDH: 25,
    Region.KHYBER_PAKHTUNKHWA: 15,
    Region.BALOCHISTAN: 15,
    Region.GILGIT_BALTISTAN: 7,
    Region.AZAD_KASHMIR: 5,
    Region.ISLAMABAD: 3,
}

# Lenders: kind, how many of 60, name pattern, short-name pattern, countries.
LENDER_KINDS = [
    (LenderKind.CHINESE_GOVERNMENT, 8, "China Policy Bank", "CPB", ["China"]),
    (LenderKind.COMMERCIAL_BANK, 14, "Commercial Bank", "CB", ["China", "Pakistan", "Singapore", "United Kingdom"]),
    (LenderKind.MULTILATERAL, 7, "Development Bank", "DB", ["International"]),
    (LenderKind.PAKISTAN_BUDGET, 2, "Federal PSDP Programme", "PSDP", ["Pakistan"]),
    (LenderKind.PROVINCIAL, 5, "Provincial Government", "Prov", ["Pakistan"]),
    (LenderKind.PRIVATE_SPONSOR, 16, "Infrastructure Sponsor", "Sponsor", ["China", "Pakistan", "Qatar"]),
    (LenderKind.OTHER_GOVERNMENT, 4, "Partner Government", "Gov", ["Saudi Arabia", "United Arab Emirates", "Japan"]),
    (LenderKind.FUND, 4, "Infrastructure Fund", "Fund", ["China", "International"]),
]
# Which kinds of lender finance which sector (weights).
SECTOR_LENDER_KINDS = {
    Sector.ENERGY: {"chinese_government": 25, "commercial_bank": 25, "private_sponsor": 35, "multilateral": 3,
                    "pakistan_budget": 2, "provincial": 3, "other_government": 2, "fund": 5},
    Sector.TRANSPORT: {"chinese_government": 40, "pakistan_budget": 25, "multilateral": 15, "provincial": 8,
                       "commercial_bank": 5, "other_government": 4, "fund": 1, "private_sponsor": 2},
    Sector.INDUSTRIAL: {"private_sponsor": 35, "provincial": 25, "pakistan_budget": 15, "chinese_government": 10,
                        "commercial_bank": 5, "fund": 10},
    Sector.GWADAR: {"chinese_government": 45, "pakistan_budget": 25, "other_government": 15, "multilateral": 5,
                    "private_sponsor": 10},
    Sector.SOCIAL: {"chinese_government": 40, "pakistan_budget": 30, "provincial": 20, "multilateral": 10},
    Sector.TRADE_FINANCE: {"fund": 30, "chinese_government": 30, "commercial_bank": 20, "pakistan_budget": 10,
                           "multilateral": 10},
}  # fmt: skip
INSTRUMENTS = {
    LenderKind.CHINESE_GOVERNMENT: {"concessional_loan": 55, "interest_free_loan": 15, "grant": 20,
                                    "commercial_loan": 10},
    LenderKind.COMMERCIAL_BANK: {"commercial_loan": 1},
    LenderKind.MULTILATERAL: {"concessional_loan": 80, "grant": 20},
    LenderKind.PAKISTAN_BUDGET: {"budget_allocation": 1},
    LenderKind.PROVINCIAL: {"budget_allocation": 1},
    LenderKind.PRIVATE_SPONSOR: {"equity": 1},
    LenderKind.OTHER_GOVERNMENT: {"grant": 60, "concessional_loan": 40},
    LenderKind.FUND: {"equity": 60, "commercial_loan": 40},
}  # fmt: skip
LINE_CURRENCIES = {
    LenderKind.CHINESE_GOVERNMENT: {"CNY": 60, "USD": 40},
    LenderKind.COMMERCIAL_BANK: {"USD": 70, "CNY": 30},
    LenderKind.PAKISTAN_BUDGET: {"PKR": 1},
    LenderKind.PROVINCIAL: {"PKR": 1},
    LenderKind.PRIVATE_SPONSOR: {"USD": 60, "PKR": 40},
}

# A line's final state: committed / pipeline / dead, by the project's status.
LINE_ROLES = {
    "early": {"committed": 20, "pipeline": 68, "dead": 12},  # proposed, under study
    "middle": {"committed": 55, "pipeline": 36, "dead": 9},  # approved, financing
    "late": {"committed": 93, "pipeline": 2, "dead": 5},  # under construction, operational
    "stopped": {"committed": 45, "pipeline": 20, "dead": 35},  # suspended, cancelled
}
#: The chance that a project's lines (live or not) cover its whole cost, by stage.
FULLY_FUNDED = {"early": 0.3, "middle": 0.5, "late": 0.9, "stopped": 0.3}
STAGE = {
    ProjectStatus.PROPOSED: "early",
    ProjectStatus.UNDER_STUDY: "early",
    ProjectStatus.APPROVED: "middle",
    ProjectStatus.FINANCING: "middle",
    ProjectStatus.UNDER_CONSTRUCTION: "late",
    ProjectStatus.OPERATIONAL: "late",
    ProjectStatus.SUSPENDED: "stopped",
    ProjectStatus.CANCELLED: "stopped",
}
COMMITTED_FINAL = {
    ProjectStatus.OPERATIONAL: {"completed": 35, "disbursing": 35, "signed": 20, "agreed": 10},
    ProjectStatus.UNDER_CONSTRUCTION: {"disbursing": 40, "signed": 30, "agreed": 25, "completed": 5},
}
COMMITTED_FINAL_DEFAULT = {"agreed": 55, "signed": 35, "disbursing": 10}
LINE_PATH = [
    FinancingStatus.PROPOSED,
    FinancingStatus.UNDER_NEGOTIATION,
    FinancingStatus.AGREED,
    FinancingStatus.SIGNED,
    FinancingStatus.DISBURSING,
    FinancingStatus.COMPLETED,
]
#: Line statuses a JCC decides (disbursing and completed are not meeting outcomes).
DECIDED_STATUSES = {
    FinancingStatus.PROPOSED: DecisionKind.FINANCING_PROPOSED,
    FinancingStatus.UNDER_NEGOTIATION: DecisionKind.FINANCING_PROPOSED,
    FinancingStatus.AGREED: DecisionKind.FINANCING_AGREED,
    FinancingStatus.SIGNED: DecisionKind.FINANCING_AGREED,
    FinancingStatus.DECLINED: DecisionKind.FINANCING_DECLINED,
    FinancingStatus.WITHDRAWN: DecisionKind.FINANCING_DECLINED,
}
STATUS_DECISIONS = {
    ProjectStatus.APPROVED: DecisionKind.APPROVED,
    ProjectStatus.FINANCING: DecisionKind.FINANCING_PROPOSED,
    ProjectStatus.UNDER_CONSTRUCTION: DecisionKind.PHASE_LAUNCHED,
    ProjectStatus.SUSPENDED: DecisionKind.DEFERRED,
    ProjectStatus.CANCELLED: DecisionKind.DEFERRED,
}
FILLER_DECISIONS = {
    DecisionKind.REVIEWED: 40,
    DecisionKind.PROPOSAL_MADE: 25,
    DecisionKind.DEFERRED: 15,
    DecisionKind.APPROVED: 10,
    DecisionKind.PHASE_LAUNCHED: 5,
    DecisionKind.FINANCING_PROPOSED: 5,
}
#: Chance that an event which can be a JCC outcome is dated on a meeting day and linked to a decision.
LINK_CHANGE, LINK_STATUS = 0.12, 0.3

# Reference rates: units per US dollar on 1 January (interpolated monthly in between).
PKR_PER_USD = {
    2010: 85.19, 2011: 86.34, 2012: 93.40, 2013: 101.63, 2014: 101.10, 2015: 102.77, 2016: 104.77,
    2017: 105.46, 2018: 121.82, 2019: 150.04, 2020: 161.84, 2021: 162.91, 2022: 204.87, 2023: 280.36,
    2024: 278.87, 2025: 281.50, 2026: 283.00, 2027: 285.00,
}  # fmt: skip
CNY_PER_USD = {
    2010: 6.77, 2011: 6.46, 2012: 6.31, 2013: 6.20, 2014: 6.14, 2015: 6.23, 2016: 6.64, 2017: 6.76,
    2018: 6.62, 2019: 6.91, 2020: 6.90, 2021: 6.45, 2022: 6.74, 2023: 7.08, 2024: 7.19, 2025: 7.18,
    2026: 7.10, 2027: 7.10,
}  # fmt: skip


# --------------------------------------------------------------------------- helpers


class _NoProgress:
    def __init__(self, total: int = 0, desc: str = "", **kwargs):
        pass

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


#: ``progress(total=…, desc=…)`` returns a bar with ``update(n)`` and ``close()`` (tqdm's interface).
Progress = Callable[..., object]


def _pick(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _stated(value: float) -> Decimal:
    """An amount as a source would round it: three significant figures, in cents."""
    return Decimal(f"{value:.3g}").quantize(CENT)


def _days(rng: random.Random, k: int, start: dt.date, end: dt.date) -> list[dt.date]:
    """``k`` distinct sorted days from ``start`` to ``end`` (both included)."""
    span = (end - start).days + 1
    k = min(k, span)
    offsets = sorted(rng.sample(range(span), k))
    return [start + dt.timedelta(days=o) for o in offsets]


def _allocate(rng: random.Random, total: int, weights: Sequence[float], low: Sequence[int], high: Sequence[int]):
    """Split ``total`` over items in proportion to ``weights``, each between its low and high."""
    counts = list(low)
    remaining = total - sum(counts)
    if remaining < 0 or total > sum(high):
        raise ValueError(f"Cannot split {total} within the bounds given.")
    w = [wt if c < h else 0.0 for wt, c, h in zip(weights, counts, high, strict=True)]
    indexes = range(len(counts))
    while remaining > 0:
        for i in rng.choices(indexes, weights=w, k=remaining):
            if counts[i] < high[i]:
                counts[i] += 1
                remaining -= 1
                if counts[i] == high[i]:
                    w[i] = 0.0
    return counts


class _Rates:
    """The reference rates by currency and date, looked up like ``ExchangeRate.reference_for``."""

    def __init__(self, rows: list[ExchangeRate]):
        self.rows: dict[str, list[ExchangeRate]] = {}
        for row in sorted(rows, key=lambda r: (r.currency, r.date)):
            self.rows.setdefault(row.currency, []).append(row)
        self.dates = {cur: [r.date for r in rows] for cur, rows in self.rows.items()}

    def on(self, currency: str, day: dt.date) -> ExchangeRate:
        i = bisect.bisect_right(self.dates[currency], day) - 1
        if i < 0:  # pragma: no cover - the rates start years before any synthetic date
            raise ValueError(f"No {currency} rate on or before {day}.")
        return self.rows[currency][i]

    def per_usd(self, currency: str, day: dt.date) -> Decimal:
        return Decimal("1") if currency == Currency.USD else self.on(currency, day).per_usd


NO_MONEY = {
    "amount": None,
    "currency": "",
    "entered_pkr_per_usd": None,
    "entered_cny_per_usd": None,
    "amount_usd": None,
    "amount_pkr": None,
    "pkr_per_usd": None,
    "pkr_rate_origin": "",
    "pkr_reference": None,
    "cny_per_usd": None,
    "cny_rate_origin": "",
    "cny_reference": None,
}


# ------------------------------------------------------------------------- the plan


@dataclass
class Portfolio:
    """The unsaved rows of a synthetic portfolio, linked by instance, in insert order."""

    size: SyntheticSize
    seed: int
    source: Source
    rates: list[ExchangeRate] = field(default_factory=list)
    lenders: list[Lender] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    #: Per project: the day it was first recorded, and (for a replanned one) the first
    #: planned completion and the day it moved; read into the project's history.
    first_seen: list[dt.date] = field(default_factory=list)
    replanned: dict[int, tuple[dt.date, dt.date]] = field(default_factory=dict)
    meetings: list[JCCMeeting] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    status_changes: list[ProjectStatusChange] = field(default_factory=list)
    estimates: list[CostEstimate] = field(default_factory=list)
    lines: list[FinancingLine] = field(default_factory=list)
    changes: list[FinancingChange] = field(default_factory=list)


@dataclass
class _LinePlan:
    lender: Lender
    role: str
    final: str
    instrument: str
    slot: Decimal
    mode: str  # "share", "amount" or "both"
    currency: str
    start: dt.date
    path_length: int


class _Generator:
    def __init__(self, size: SyntheticSize, seed: int, progress: Progress):
        self.size = size
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress
        self.source = Source(
            key=SOURCE_KEY,
            title=SOURCE_TITLE,
            publisher="manage.py load_synthetic_portfolio",
            url="https://example.com/cpec-tracker/synthetic-benchmark-data",
            tier=SourceTier.C,
            notes=(
                f"Generated by manage.py load_synthetic_portfolio --projects {size.projects} --seed {seed}. "
                "Not real data: every row citing this source is synthetic."
            ),
        )
        self.portfolio = Portfolio(size=size, seed=seed, source=self.source)
        # Decisions by (meeting index, project index, kind), so one decision covers the
        # same kind of effect on one project at one meeting.
        self.decision_index: dict[tuple[int, int, str], Decision] = {}
        self.decision_budget = size.decisions - max(1, size.decisions // 50)

    # -------------------------------------------------------------- reference data
    def make_rates(self) -> None:
        rows = []
        for currency, table in ((Currency.PKR, PKR_PER_USD), (Currency.CNY, CNY_PER_USD)):
            for year in range(min(table), max(table)):
                for month in range(1, 13):
                    a, b = table[year], table[year + 1]
                    value = (a + (b - a) * (month - 1) / 12) * (1 + self.rng.uniform(-0.004, 0.004))
                    rows.append(
                        ExchangeRate(
                            currency=currency,
                            date=dt.date(year, month, 1),
                            per_usd=Decimal(f"{value:.4f}"),
                            kind=ExchangeRateKind.ANNUAL_AVERAGE if month == 1 else ExchangeRateKind.DAILY_CLOSE,
                            source=self.source,
                        )
                    )
        self.portfolio.rates = rows
        self.rates = _Rates(rows)

    def make_lenders(self) -> None:
        n = self.size.lenders
        counts = [max(1, round(share * n / 60)) for _, share, *_ in LENDER_KINDS]
        while sum(counts) > n:  # trim the most numerous kinds first
            counts[counts.index(max(counts))] -= 1
        while sum(counts) < n:
            counts[counts.index(max(counts))] += 1
        self.lenders_by_kind: dict[str, list[Lender]] = {}
        self.lender_weights: dict[str, list[float]] = {}
        for (kind, _, name, short, countries), count in zip(LENDER_KINDS, counts, strict=True):
            lenders = []
            for k in range(1, count + 1):
                full = f"Syn {name} {k:02d}"
                lenders.append(
                    Lender(
                        name=full,
                        short_name=f"Syn {short} {k}",
                        slug=PREFIX + slugify(full[4:]),
                        kind=kind,
                        country=countries[(k - 1) % len(countries)],
                        notes="Synthetic lender (benchmark data).",
                    )
                )
            self.lenders_by_kind[kind] = lenders
            # A few lenders carry most lines (Zipf-like).
            self.lender_weights[kind] = [1 / (rank**1.1) for rank in range(1, count + 1)]
            self.portfolio.lenders.extend(lenders)

    def make_meetings(self) -> None:
        m = self.size.meetings
        span = (LAST_JCC - FIRST_JCC).days
        days = [FIRST_JCC]
        for i in range(1, m - 1):
            ideal = FIRST_JCC + dt.timedelta(days=round(span * i / (m - 1)))
            day = ideal + dt.timedelta(days=self.rng.randint(-20, 20))
            days.append(max(day, days[-1] + dt.timedelta(days=30)))
        days.append(LAST_JCC)
        for number, day in enumerate(days, start=1):
            virtual = dt.date(2020, 3, 1) <= day <= dt.date(2021, 12, 31)
            self.portfolio.meetings.append(
                JCCMeeting(
                    number=number,
                    date=day,
                    status=MeetingStatus.HELD,
                    city="" if virtual else ("Beijing" if number % 2 else "Islamabad"),
                    is_virtual=virtual,
                    pakistan_cochair="Synthetic co-chair (Pakistan)",
                    china_cochair="Synthetic co-chair (China)",
                )
            )
        self.meeting_days = days

    # ----------------------------------------------------------------- decisions
    def next_meeting(self, day: dt.date, before: dt.date | None) -> int | None:
        """The index of the first meeting on or after ``day`` and before ``before`` (or by DATA_END)."""
        i = bisect.bisect_left(self.meeting_days, day)
        if i == len(self.meeting_days):
            return None
        if before is not None and self.meeting_days[i] >= before:
            return None
        return i

    def decision_for(self, meeting: int, project_index: int, kind: str, text: str) -> Decision | None:
        key = (meeting, project_index, kind)
        decision = self.decision_index.get(key)
        if decision is None:
            if len(self.portfolio.decisions) >= self.decision_budget:
                return None
            decision = Decision(
                meeting=self.portfolio.meetings[meeting],
                project=self.portfolio.projects[project_index],
                kind=kind,
                text=text,
                source=self.source,
            )
            self.decision_index[key] = decision
            self.portfolio.decisions.append(decision)
        return decision

    def snap(self, days: list[dt.date], eligible: list[bool], chance: float) -> list[int | None]:
        """Move some of ``days`` (sorted, distinct) onto the next meeting's day, keeping them in order.

        Returns, per day, the index of the meeting it now falls on (or None).
        """
        meetings: list[int | None] = []
        for j, day in enumerate(days):
            meeting = None
            if eligible[j] and self.rng.random() < chance:
                meeting = self.next_meeting(day, days[j + 1] if j + 1 < len(days) else None)
                if meeting is not None:
                    days[j] = self.meeting_days[meeting]
            meetings.append(meeting)
        return meetings

    # ------------------------------------------------------------------- money
    def money(self, amount: Decimal, currency: str, day: dt.date, *, entered_pkr: Decimal | None = None) -> dict:
        """The amount's fields, normalized exactly as ``NormalizedMoney.normalize`` would."""
        pkr_ref = None if entered_pkr is not None else self.rates.on(Currency.PKR, day)
        cny_ref = self.rates.on(Currency.CNY, day) if currency == Currency.CNY else None
        result = normalize_amount(
            amount,
            currency,
            day,
            entered_pkr_per_usd=entered_pkr if entered_pkr is not None else pkr_ref.per_usd,
            entered_cny_per_usd=cny_ref.per_usd if cny_ref is not None else None,
        )
        return {
            "amount": amount,
            "currency": currency,
            "entered_pkr_per_usd": entered_pkr,
            "entered_cny_per_usd": None,
            "amount_usd": result.amount_usd,
            "amount_pkr": result.amount_pkr,
            "pkr_per_usd": result.pkr_per_usd,
            "pkr_rate_origin": RateOrigin.ENTERED if entered_pkr is not None else RateOrigin.REFERENCE,
            "pkr_reference": pkr_ref,
            "cny_per_usd": result.cny_per_usd,
            "cny_rate_origin": RateOrigin.REFERENCE if cny_ref is not None else RateOrigin.NOT_NEEDED,
            "cny_reference": cny_ref,
        }

    def stated(self, usd: float, currency: str, day: dt.date) -> Decimal:
        return _stated(usd * float(self.rates.per_usd(currency, day)))

    # ---------------------------------------------------------------- projects
    def make_projects(self) -> None:
        rng, n = self.rng, self.size.projects
        sectors = list(SECTORS)
        sector_weights = [SECTORS[s][0] for s in sectors]
        self.costs: list[float] = []
        self.status_paths: list[list[tuple[str, dt.date]]] = []
        for i in range(1, n + 1):
            sector = rng.choices(sectors, weights=sector_weights)[0]
            _, median, subsectors = SECTORS[sector]
            subsector, asset, size_field = rng.choice(subsectors)
            kind = (
                ProjectKind.INITIATIVE
                if sector == Sector.TRADE_FINANCE and rng.random() < 0.8
                else ProjectKind.CONSTRUCTION
            )
            status = _pick(rng, STATUS_WEIGHTS)
            cost = min(COST_CAP_USD, median * 1e6 * math.exp(rng.gauss(0, COST_SIGMA)))
            start, end = FIRST_SEEN_WINDOW.get(status, (FIRST_DAY, LAST_FIRST_SEEN))
            first_seen = start + dt.timedelta(days=int((end - start).days * rng.betavariate(1.3, 2.0)))
            path = self.status_path(status, first_seen)
            dates = dict(path)
            actual_start = dates.get(ProjectStatus.UNDER_CONSTRUCTION)
            actual_end = dates.get(ProjectStatus.OPERATIONAL)
            planned_start = actual_start or dates.get(ProjectStatus.APPROVED)
            if planned_start is None:
                planned_start = first_seen + dt.timedelta(days=rng.randint(180, 900))
            months = max(9, min(120, round(12 + 9 * math.log10(cost / 1e6 + 1) + rng.gauss(0, 6))))
            planned_end = planned_start + dt.timedelta(days=30 * months)
            if actual_end is not None and rng.random() < 0.5:
                planned_end = max(planned_start, actual_end - dt.timedelta(days=rng.randint(0, 540)))
            if status not in (ProjectStatus.PROPOSED, ProjectStatus.UNDER_STUDY) and rng.random() < 0.25:
                original = max(planned_start, planned_end - dt.timedelta(days=30 * rng.randint(6, 48)))
                moved_on = first_seen + dt.timedelta(days=rng.randint(1, max(1, (DATA_END - first_seen).days)))
                if original < planned_end:
                    self.portfolio.replanned[i - 1] = (original, moved_on)
            if sector == Sector.GWADAR:
                regions = [Region.BALOCHISTAN]
            elif kind == ProjectKind.INITIATIVE:
                regions = []
            else:
                regions = [_pick(rng, REGION_WEIGHTS)]
                if sector == Sector.TRANSPORT and rng.random() < 0.3:
                    regions += [r for r in rng.sample(list(REGION_WEIGHTS), 2) if r not in regions][:1]
            sizes = {"length_km": None, "capacity_mw": None, "area_acres": None}
            if size_field:
                value = SIZE_MEDIANS[size_field] * math.exp(rng.gauss(0, 0.9))
                sizes[size_field] = Decimal(f"{value:.1f}")
            place = rng.choice(PLACES)
            name = f"Syn {place} {asset} {i:05d}"
            located = kind == ProjectKind.CONSTRUCTION and rng.random() < 0.7
            project = Project(
                name=name,
                slug=f"{PREFIX}{i:05d}-{slugify(f'{place} {asset}')}",
                kind=kind,
                sector=sector,
                subsector=subsector,
                status=status,
                regions=regions,
                location=f"{place} (synthetic)",
                latitude=Decimal(f"{rng.uniform(24.5, 36.5):.5f}") if located else None,
                longitude=Decimal(f"{rng.uniform(61.5, 75.5):.5f}") if located else None,
                location_source=self.source if located else None,
                description=f"Synthetic benchmark project ({subsector.lower()}, seed {self.seed}). Not real data.",
                implementing_agency=rng.choice(AGENCIES[sector]),
                planned_start=planned_start if kind == ProjectKind.CONSTRUCTION else None,
                planned_end=planned_end if kind == ProjectKind.CONSTRUCTION else None,
                actual_start=actual_start,
                actual_end=actual_end,
                **sizes,
            )
            if kind != ProjectKind.CONSTRUCTION:
                self.portfolio.replanned.pop(i - 1, None)
            self.portfolio.projects.append(project)
            self.portfolio.first_seen.append(first_seen)
            self.costs.append(cost)
            self.status_paths.append(path)
        # A few projects are sections of a larger one of the same sector (the first 50
        # construction projects of each sector can be parents, and are never sections).
        parents: dict[str, list[int]] = {}
        for index, project in enumerate(self.portfolio.projects):
            if project.kind == ProjectKind.CONSTRUCTION and len(parents.setdefault(project.sector, [])) < 50:
                parents[project.sector].append(index)
        pool = {j for indexes in parents.values() for j in indexes}
        for index, project in enumerate(self.portfolio.projects):
            if index in pool or project.kind != ProjectKind.CONSTRUCTION or rng.random() >= 0.03:
                continue
            candidates = [j for j in parents[project.sector] if self.costs[j] > self.costs[index]]
            if candidates:
                project.parent = self.portfolio.projects[rng.choice(candidates)]

    def status_path(self, final: str, first_seen: dt.date) -> list[tuple[str, dt.date]]:
        rng = self.rng
        if final in LIFECYCLE:
            steps = LIFECYCLE[: LIFECYCLE.index(final) + 1]
        else:
            steps = [*LIFECYCLE[: rng.randint(1, 5)], final]
        keep = {ProjectStatus.PROPOSED, final}
        if final == ProjectStatus.OPERATIONAL:
            keep.add(ProjectStatus.UNDER_CONSTRUCTION)
        steps = [s for s in steps if s in keep or rng.random() < 0.7]
        days = [first_seen, *_days(rng, len(steps) - 1, first_seen + dt.timedelta(days=30), DATA_END)]
        return list(zip(steps, days, strict=True))

    # ---------------------------------------------------------- per-project rows
    def make_status_changes(self) -> None:
        for index, path in enumerate(self.status_paths):
            project = self.portfolio.projects[index]
            statuses = [s for s, _ in path]
            days = [d for _, d in path]
            meetings = self.snap(days, [j > 0 and s in STATUS_DECISIONS for j, s in enumerate(statuses)], LINK_STATUS)
            for status, day, meeting in zip(statuses, days, meetings, strict=True):
                decision = None
                if meeting is not None:
                    decision = self.decision_for(
                        meeting,
                        index,
                        STATUS_DECISIONS[status],
                        f"{ProjectStatus(status).label}: {project.name}.",
                    )
                self.portfolio.status_changes.append(
                    ProjectStatusChange(
                        project=project, status=status, changed_on=day, decision=decision, source=self.source
                    )
                )
            # The status dates may have moved onto meeting days: keep the actual dates with them.
            dates = dict(zip(statuses, days, strict=True))
            if project.actual_start is not None:
                project.actual_start = dates[ProjectStatus.UNDER_CONSTRUCTION]
            if project.actual_end is not None:
                project.actual_end = dates[ProjectStatus.OPERATIONAL]

    def make_phases(self, counts: list[int]) -> None:
        rng = self.rng
        for project, count in zip(self.portfolio.projects, counts, strict=True):
            if count == 0:
                continue
            planned = self.cut(project.planned_start, project.planned_end, count)
            status = project.status
            # Phases before ``done_until`` are completed; the one at it is under way (or suspended).
            done_until = count
            if status in (ProjectStatus.UNDER_CONSTRUCTION, ProjectStatus.SUSPENDED) and project.actual_start:
                done_until = rng.randint(0, count - 1)
            actual = self.cut(project.actual_start, project.actual_end or DATA_END, min(count, done_until + 1))
            for order in range(1, count + 1):
                k = order - 1
                phase_status, actual_start, actual_end = PhaseStatus.PLANNED, None, None
                if status == ProjectStatus.OPERATIONAL:
                    phase_status = PhaseStatus.COMPLETED
                elif status == ProjectStatus.CANCELLED:
                    phase_status = PhaseStatus.CANCELLED
                elif status in (ProjectStatus.UNDER_CONSTRUCTION, ProjectStatus.SUSPENDED) and project.actual_start:
                    if k < done_until:
                        phase_status = PhaseStatus.COMPLETED
                    elif k == done_until:
                        phase_status = (
                            PhaseStatus.UNDER_WAY
                            if status == ProjectStatus.UNDER_CONSTRUCTION
                            else PhaseStatus.SUSPENDED
                        )
                    else:
                        phase_status = PhaseStatus.APPROVED if rng.random() < 0.4 else PhaseStatus.PLANNED
                elif status == ProjectStatus.SUSPENDED:
                    phase_status = PhaseStatus.SUSPENDED
                elif status in (ProjectStatus.APPROVED, ProjectStatus.FINANCING) and k == 0:
                    phase_status = PhaseStatus.APPROVED
                if actual is not None and k < done_until and phase_status == PhaseStatus.COMPLETED:
                    actual_start, actual_end = actual[k]
                elif actual is not None and k == done_until:
                    actual_start = actual[k][0]
                length = None
                if project.length_km is not None:
                    length = (project.length_km / count).quantize(CENT)
                self.portfolio.phases.append(
                    Phase(
                        project=project,
                        order=order,
                        name=f"Phase {order}: {rng.choice(PLACES)} section",
                        scope="Synthetic phase.",
                        length_km=length,
                        status=phase_status,
                        planned_start=planned[k][0] if planned else None,
                        planned_end=planned[k][1] if planned else None,
                        actual_start=actual_start,
                        actual_end=actual_end,
                    )
                )

    def cut(self, start: dt.date | None, end: dt.date | None, parts: int):
        """``parts`` consecutive (start, end) ranges covering start..end, or None without dates."""
        if start is None or end is None:
            return None
        span = max(0, (end - start).days)
        cuts = sorted(self.rng.randint(0, span) for _ in range(parts - 1))
        edges = [0, *cuts, span]
        return [
            (start + dt.timedelta(days=edges[k]), start + dt.timedelta(days=max(edges[k], edges[k + 1] - 1)))
            for k in range(parts)
        ]

    def make_estimates(self, counts: list[int]) -> None:
        rng = self.rng
        for index, (project, count) in enumerate(zip(self.portfolio.projects, counts, strict=True)):
            if count == 0:
                continue
            first_seen = self.portfolio.first_seen[index]
            days = _days(rng, count, first_seen, DATA_END)
            currency = _pick(rng, {"PKR": 55, "USD": 35, "CNY": 10})
            # Which estimates are partial figures (never the first), and the full-scope ladder.
            partial = [k > 0 and rng.random() < 0.06 for k in range(count)]
            n_full = partial.count(False)
            ladder = self.ladder(n_full)
            bases = iter(ladder)
            is_jcc = [False] * count
            full_seen = 0
            for k in range(count):
                if not partial[k]:
                    full_seen += 1
                    is_jcc[k] = ladder[full_seen - 1] == EstimateBasis.JCC_STATEMENT
            meetings = self.snap(days, is_jcc, 1.0)
            cost = self.costs[index] * rng.uniform(0.55, 0.85)
            for k in range(count):
                day = days[k]
                stated_currency = currency if rng.random() < 0.8 else _pick(rng, {"PKR": 50, "USD": 40, "CNY": 10})
                if partial[k]:
                    basis, forum, full = EstimateBasis.PC_I, "", False
                    usd = cost * rng.uniform(0.03, 0.2)
                    scope = rng.choice(["land acquisition", "resettlement", "grid interconnection", "design"])
                else:
                    basis = next(bases)
                    if basis == EstimateBasis.JCC_STATEMENT and meetings[k] is None:
                        basis = EstimateBasis.OFFICIAL_STATEMENT
                    if k > 0:
                        cost *= rng.uniform(0.85, 0.97) if rng.random() < 0.1 else 1 + rng.uniform(0.03, 0.35)
                        cost = min(cost, 1.5 * COST_CAP_USD)
                    usd, full, scope = cost, True, ""
                    forum = self.forum(basis, cost)
                decision = None
                if basis == EstimateBasis.JCC_STATEMENT and full:
                    decision = self.decision_for(
                        meetings[k], index, DecisionKind.REVIEWED, f"Cost of {project.name} reviewed."
                    )
                entered = None
                if stated_currency == Currency.PKR and rng.random() < 0.05:
                    entered = (
                        self.rates.per_usd(Currency.PKR, day) * Decimal(f"{rng.uniform(0.99, 1.01):.4f}")
                    ).quantize(RATE)
                amount = _stated(usd * float(entered or self.rates.per_usd(stated_currency, day)))
                self.portfolio.estimates.append(
                    CostEstimate(
                        project=project,
                        as_of=day,
                        basis=basis,
                        approving_forum=forum,
                        full_scope=full,
                        scope=scope,
                        source=self.source,
                        decision=decision,
                        **self.money(amount, stated_currency, day, entered_pkr=entered),
                    )
                )
            self.costs[index] = cost  # the current cost, for the financing amounts

    def ladder(self, n: int) -> list[str]:
        """Bases of a project's full-scope estimates: PC-II → PC-I → revised PC-I… → a later statement."""
        rng = self.rng
        if n == 0:
            return []
        if n == 1:
            return [EstimateBasis.PC_I]
        first = EstimateBasis.PC_II if rng.random() < 0.6 else EstimateBasis.FEASIBILITY
        if n == 2:
            return [first, EstimateBasis.PC_I]
        last = _pick(
            rng,
            {
                EstimateBasis.REVISED_PC_I: 40,
                EstimateBasis.JCC_STATEMENT: 25,
                EstimateBasis.PRESS_REPORT: 15,
                EstimateBasis.CONTRACT: 10,
                EstimateBasis.OFFICIAL_STATEMENT: 10,
            },
        )
        return [first, EstimateBasis.PC_I, *[EstimateBasis.REVISED_PC_I] * (n - 3), last]

    def forum(self, basis: str, cost_usd: float) -> str:
        if basis == EstimateBasis.JCC_STATEMENT:
            return ApprovingForum.JCC
        if basis not in (EstimateBasis.PC_I, EstimateBasis.REVISED_PC_I):
            return ""
        roll = self.rng.random()
        if roll < 0.05:
            return ApprovingForum.CABINET_COMMITTEE
        if roll < 0.1:
            return ""  # approval not recorded
        if cost_usd < 10e6:
            return ApprovingForum.DDWP
        return ApprovingForum.CDWP if cost_usd < 50e6 else ApprovingForum.ECNEC

    # ----------------------------------------------------------------- financing
    def plan_lines(self, counts: list[int]) -> list[list[_LinePlan]]:
        rng = self.rng
        plans = []
        for index, (project, count) in enumerate(zip(self.portfolio.projects, counts, strict=True)):
            roles = [_pick(rng, LINE_ROLES[STAGE[project.status]]) for _ in range(count)]
            weights = [rng.gammavariate(1.2, 1) + 0.15 for _ in range(count)]
            fully = rng.random() < FULLY_FUNDED[STAGE[project.status]]
            capacity = 100.0 if fully else rng.uniform(40, 98)
            total = sum(weights) or 1.0
            slots = [(Decimal(str(capacity * w / total))).quantize(CENT, ROUND_DOWN) for w in weights]
            first_seen = self.portfolio.first_seen[index]
            latest_start = first_seen + dt.timedelta(days=int((DATA_END - first_seen).days * 0.7))
            kinds = {k: w for k, w in SECTOR_LENDER_KINDS[project.sector].items() if self.lenders_by_kind.get(k)}
            project_plans = []
            for role, slot in zip(roles, slots, strict=True):
                kind = _pick(rng, kinds)
                lender = rng.choices(self.lenders_by_kind[kind], weights=self.lender_weights[kind])[0]
                if role == "committed":
                    final = _pick(rng, COMMITTED_FINAL.get(project.status, COMMITTED_FINAL_DEFAULT))
                elif role == "pipeline":
                    final = _pick(rng, {"proposed": 55, "under_negotiation": 45})
                else:
                    final = _pick(rng, {"declined": 65, "withdrawn": 35})
                path = self.line_path(final)
                project_plans.append(
                    _LinePlan(
                        lender=lender,
                        role=role,
                        final=final,
                        instrument=_pick(rng, INSTRUMENTS[kind]),
                        slot=slot,
                        mode=_pick(rng, {"share": 75, "amount": 15, "both": 10}),
                        currency=_pick(rng, LINE_CURRENCIES.get(kind, {"USD": 1})),
                        start=first_seen + dt.timedelta(days=rng.randint(0, (latest_start - first_seen).days)),
                        path_length=len(path),
                    )
                )
            plans.append(project_plans)
        return plans

    @staticmethod
    def line_path(final: str) -> list[str]:
        if final in LINE_PATH:
            return LINE_PATH[: LINE_PATH.index(final) + 1]
        return [FinancingStatus.PROPOSED, FinancingStatus.UNDER_NEGOTIATION, final]

    def make_lines(self, plans: list[list[_LinePlan]], change_counts: list[int]) -> None:
        """Each line and its dated changes. A declined or withdrawn line may hand its share on to a
        line first recorded after it died (ML-1: China declined, ADB and AIIB proposed), which keeps
        the live shares within 100% at every date."""
        rng = self.rng
        counts = iter(change_counts)
        for index, project_plans in enumerate(plans):
            n_changes = [next(counts) for _ in project_plans]
            dead_first = sorted(range(len(project_plans)), key=lambda k: project_plans[k].role != "dead")
            heirs = [k for k in dead_first if project_plans[k].role != "dead"]
            for k in dead_first:
                plan = project_plans[k]
                died_on = self.make_line(index, plan, n_changes[k])
                early_death = died_on <= DATA_END - dt.timedelta(days=90)
                if plan.role == "dead" and heirs and early_death and rng.random() < 0.75:
                    heir = project_plans[heirs.pop(0)]
                    heir.slot += plan.slot
                    heir.start = max(heir.start, died_on + dt.timedelta(days=rng.randint(1, 60)))

    def make_line(self, index: int, plan: _LinePlan, n: int) -> dt.date:
        """One line with ``n`` changes; returns the day of its latest change."""
        rng = self.rng
        project = self.portfolio.projects[index]
        base = self.line_path(plan.final)
        if n <= len(base):
            statuses = base[-n:]
        else:  # revisions: the same status recorded again with another share or amount
            extra = rng.choices(range(len(base) - 1 or 1), k=n - len(base))
            statuses = sorted([*base, *[base[e] for e in extra]], key=base.index)
        days = _days(rng, n, plan.start, DATA_END)
        meetings = self.snap(days, [s in DECIDED_STATUSES for s in statuses], LINK_CHANGE)
        line = FinancingLine(project=project, lender=plan.lender, note="Synthetic financing line.")
        last = None
        for j, (status, day, meeting) in enumerate(zip(statuses, days, meetings, strict=True)):
            is_last = j == n - 1
            share_factor = 1.0 if is_last or rng.random() < 0.6 else rng.uniform(0.6, 1.0)
            share = (plan.slot * Decimal(f"{share_factor:.4f}")).quantize(CENT, ROUND_DOWN)
            instrument = plan.instrument
            if not is_last and status in (FinancingStatus.PROPOSED, FinancingStatus.UNDER_NEGOTIATION):
                instrument = Instrument.UNDECIDED if rng.random() < 0.4 else plan.instrument
            money = NO_MONEY
            if plan.mode != "share":
                usd = float(share) / 100 * self.costs[index]
                money = self.money(self.stated(usd, plan.currency, day), plan.currency, day)
            decision = None
            if meeting is not None:
                kind = DECIDED_STATUSES[status]
                decision = self.decision_for(meeting, index, kind, f"{DecisionKind(kind).label}: {project.name}.")
            last = FinancingChange(
                line=line,
                changed_on=day,
                status=status,
                instrument=instrument,
                share_percent=share if plan.mode != "amount" else None,
                decision=decision,
                kind=ChangeKind.EFFECT if decision is not None else ChangeKind.REPORTED,
                source=self.source,
                **money,
            )
            self.portfolio.changes.append(last)
        # The line's current state is its latest change, field for field.
        line.as_of = last.changed_on
        line.status = last.status
        line.instrument = last.instrument
        line.share_percent = last.share_percent
        line.decision = last.decision
        line.kind = last.kind
        for name in NO_MONEY:
            setattr(line, name, getattr(last, name))
        self.portfolio.lines.append(line)
        return last.changed_on

    # --------------------------------------------------------------- filler decisions
    def make_filler_decisions(self) -> None:
        rng = self.rng
        order = sorted(range(self.size.projects), key=lambda i: (self.portfolio.first_seen[i], i))
        seen_days = [self.portfolio.first_seen[i] for i in order]
        kinds = list(FILLER_DECISIONS)
        weights = [FILLER_DECISIONS[k] for k in kinds]
        while len(self.portfolio.decisions) < self.size.decisions:
            meeting = rng.randrange(len(self.portfolio.meetings))
            existing = bisect.bisect_right(seen_days, self.meeting_days[meeting])
            kind = rng.choices(kinds, weights=weights)[0]
            if existing == 0 or rng.random() < 0.04:
                project, text = None, f"{DecisionKind(kind).label}: CPEC as a whole (synthetic)."
            else:
                project = self.portfolio.projects[order[rng.randrange(existing)]]
                text = f"{DecisionKind(kind).label}: {project.name}."
            self.portfolio.decisions.append(
                Decision(
                    meeting=self.portfolio.meetings[meeting], project=project, kind=kind, text=text, source=self.source
                )
            )
        # Number each meeting's decisions 1, 2, 3… (projects by name, CPEC-wide last).
        by_meeting: dict[int, list[Decision]] = {}
        for decision in self.portfolio.decisions:
            by_meeting.setdefault(decision.meeting.number, []).append(decision)
        for number, decisions in by_meeting.items():
            decisions.sort(key=lambda d: (d.project is None, d.project.name if d.project else "", d.kind, d.text))
            for sequence, decision in enumerate(decisions, start=1):
                decision.sequence = sequence
            meeting = self.portfolio.meetings[number - 1]
            projects = len({d.project.slug for d in decisions if d.project is not None})
            meeting.summary = f"Synthetic meeting: {len(decisions)} decisions about {projects} projects."

    # --------------------------------------------------------------------- all
    def generate(self) -> Portfolio:
        rng, size = self.rng, self.size
        self.make_rates()
        self.make_lenders()
        self.make_meetings()
        self.make_projects()
        n = size.projects
        projects = self.portfolio.projects
        log_costs = [max(0.5, math.log10(c) - 5) for c in self.costs]  # 1 at US$ 1m, 5 at US$ 10bn
        construction = [p.kind == ProjectKind.CONSTRUCTION for p in projects]
        phase_counts = _allocate(rng, size.phases, log_costs, [1] * n, [8] * n)
        estimate_counts = _allocate(rng, size.estimates, log_costs, [1 if c else 0 for c in construction], [9] * n)
        line_low = [
            1 if c and STAGE[p.status] in ("middle", "late") else 0 for c, p in zip(construction, projects, strict=True)
        ]
        line_counts = _allocate(rng, size.lines, [w**1.5 for w in log_costs], line_low, [14] * n)
        bar = self.progress(total=5, desc="planning")
        self.make_status_changes()
        bar.update(1)
        self.make_phases(phase_counts)
        bar.update(1)
        self.make_estimates(estimate_counts)
        bar.update(1)
        plans = self.plan_lines(line_counts)
        flat = [plan for project_plans in plans for plan in project_plans]
        change_counts = _allocate(
            rng, size.changes, [plan.path_length for plan in flat], [1] * len(flat), [6] * len(flat)
        )
        self.make_lines(plans, change_counts)
        bar.update(1)
        self.make_filler_decisions()
        bar.update(1)
        bar.close()
        return self.portfolio


def synthetic_portfolio_generate(size: SyntheticSize, *, seed: int, progress: Progress = _NoProgress) -> Portfolio:
    """Plan a synthetic portfolio in memory (no queries): the same size and seed give the same rows."""
    return _Generator(size, seed, progress).generate()


# --------------------------------------------------------------------------- writing


def _insert(model, objs: list, progress: Progress, desc: str | None = None, *, history: bool = False) -> int:
    bar = progress(total=len(objs), desc=desc or str(model._meta.verbose_name_plural))
    for start in range(0, len(objs), BATCH_SIZE):
        chunk = objs[start : start + BATCH_SIZE]
        model.objects.bulk_create(chunk, batch_size=BATCH_SIZE)
        if history:  # a creation record per row, as simple_history's bulk_create_with_history writes
            model.history.bulk_history_create(chunk, batch_size=BATCH_SIZE, default_change_reason=SOURCE_TITLE)
        bar.update(len(chunk))
    bar.close()
    return len(objs)


def _project_history(portfolio: Portfolio) -> list:
    """Each project's creation in its history (dated the day it was first seen), and its replanning."""
    history = Project.history.model
    fields = [f.attname for f in history.tracked_fields]
    tz = timezone.get_default_timezone()

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(9, 0), tzinfo=tz)

    rows = []
    for index, project in enumerate(portfolio.projects):
        values = {name: getattr(project, name) for name in fields}
        first = portfolio.first_seen[index]
        replanned = portfolio.replanned.get(index)
        if replanned is not None:
            original, moved_on = replanned
            rows.append(
                history(
                    **{**values, "planned_end": original},
                    history_date=at(first),
                    history_type="+",
                    history_change_reason=SOURCE_TITLE,
                )
            )
            first = max(moved_on, first + dt.timedelta(days=1))
            rows.append(history(**values, history_date=at(first), history_type="~", history_change_reason=SOURCE_TITLE))
        else:
            rows.append(history(**values, history_date=at(first), history_type="+", history_change_reason=SOURCE_TITLE))
    return rows


def synthetic_portfolio_insert(
    portfolio: Portfolio, *, progress: Progress = _NoProgress, history: bool = False
) -> dict[str, int]:
    """Insert the planned rows with ``bulk_create``, one table after another (one bar each).

    Projects always get their history rows (the overrun flags read the first planned
    completion from it); with ``history`` every other row gets a creation record too
    (about 60% more insert time).
    """
    counts: dict[str, int] = {}
    counts["sources"] = _insert(Source, [portfolio.source], progress, history=history)
    counts["exchange rates"] = _insert(ExchangeRate, portfolio.rates, progress, history=history)
    counts["lenders"] = _insert(Lender, portfolio.lenders, progress, history=history)
    top = [p for p in portfolio.projects if p.parent is None]
    sections = [p for p in portfolio.projects if p.parent is not None]
    counts["projects"] = _insert(Project, top, progress) + _insert(Project, sections, progress, "project sections")
    counts["project history"] = _insert(Project.history.model, _project_history(portfolio), progress, "project history")
    through = Project.sources.through
    _insert(
        through, [through(project=p, source=portfolio.source) for p in portfolio.projects], progress, "project sources"
    )
    counts["JCC meetings"] = _insert(JCCMeeting, portfolio.meetings, progress, history=history)
    through = JCCMeeting.sources.through
    _insert(
        through,
        [through(jccmeeting=m, source=portfolio.source) for m in portfolio.meetings],
        progress,
        "meeting sources",
    )
    counts["decisions"] = _insert(Decision, portfolio.decisions, progress, history=history)
    counts["phases"] = _insert(Phase, portfolio.phases, progress, history=history)
    counts["project status changes"] = _insert(ProjectStatusChange, portfolio.status_changes, progress, history=history)
    counts["cost estimates"] = _insert(CostEstimate, portfolio.estimates, progress, history=history)
    counts["financing lines"] = _insert(FinancingLine, portfolio.lines, progress, history=history)
    counts["financing changes"] = _insert(FinancingChange, portfolio.changes, progress, history=history)
    counts["loan terms"] = _insert(LoanTerms, _loan_terms(portfolio), progress, history=history)
    counts["PSDP figures"] = _insert(PsdpFigure, _psdp_figures(portfolio), progress, history=history)
    return counts


def _loan_terms(portfolio: Portfolio) -> list:
    """Terms for two loans in three, so the debt page schedules many and lists the rest: concessional
    loans at 2% and interest-free ones at 0%, fixed; commercial ones at SOFR + 3.5% with no level
    recorded (the page's assumption supplies it); 20 years with 5 of grace; every other one's repayment
    profile left unstated."""
    terms = []
    loans = [line for line in portfolio.lines if line.instrument in LOAN_INSTRUMENTS]
    for n, line in enumerate(loans):
        if n % 3 == 2:
            continue
        floating = line.instrument == Instrument.COMMERCIAL_LOAN
        terms.append(
            LoanTerms(
                line=line,
                rate_kind=RateKind.FLOATING if floating else RateKind.FIXED,
                fixed_rate_percent=None
                if floating
                else Decimal("0" if line.instrument == "interest_free_loan" else "2"),
                benchmark="6-month SOFR" if floating else "",
                margin_percent=Decimal("3.5") if floating else None,
                interest_source=portfolio.source,
                tenor_months=240,
                grace_months=60,
                profile=RepaymentProfile.EQUAL_PRINCIPAL if n % 2 == 0 else "",
                repayment_source=portfolio.source,
            )
        )
    return terms


def _psdp_figures(portfolio: Portfolio) -> list:
    """For one top-level project in four: an original allocation and a release in each fiscal year
    2019-20 to 2024-25 (Rs 1bn to 7bn; 60% released by the year's end)."""
    figures_ = []
    top = [p for p in portfolio.projects if p.parent is None]
    for n, project in enumerate(top[::4]):
        allocation = Decimal(1 + n % 7) * 1_000_000_000
        for year in range(2019, 2025):
            for kind, amount, day in (
                (PsdpKind.ORIGINAL, allocation, dt.date(year, 7, 1)),
                (PsdpKind.RELEASED, allocation * Decimal("0.6"), dt.date(year + 1, 6, 30)),
            ):
                figures_.append(
                    PsdpFigure(
                        project=project,
                        fiscal_year=year,
                        kind=kind,
                        amount_pkr=amount,
                        as_of=day,
                        source=portfolio.source,
                    )
                )
    return figures_


# ------------------------------------------------------------------ guard and delete


def _synthetic_filters() -> dict:
    """Per model, the rows that are synthetic."""
    project = Q(project__slug__startswith=PREFIX)
    return {
        LoanTerms: Q(line__project__slug__startswith=PREFIX),
        PsdpFigure: project,
        FinancingChange: Q(line__project__slug__startswith=PREFIX),
        FinancingLine: project,
        PhaseStatusChange: Q(phase__project__slug__startswith=PREFIX),
        Phase: project,
        ProjectStatusChange: project,
        CostEstimate: project,
        Decision: project | Q(source__key=SOURCE_KEY),
        JCCMeeting: Q(sources__key=SOURCE_KEY),
        Project: Q(slug__startswith=PREFIX),
        Lender: Q(slug__startswith=PREFIX),
        ExchangeRate: Q(source__key=SOURCE_KEY),
        Source: Q(key=SOURCE_KEY),
    }


@dataclass(frozen=True)
class PortfolioState:
    """Synthetic and other rows of the tables every portfolio row hangs off (tables with none left out)."""

    synthetic: dict[str, int]
    other: dict[str, int]


def synthetic_portfolio_state() -> PortfolioState:
    """How many synthetic and other rows the database holds.

    Every portfolio row hangs off a project, a meeting, a lender, a rate or a source, so
    those five tables tell whether anything but synthetic data is there.
    """
    filters = _synthetic_filters()
    synthetic, other = {}, {}
    for model in (Project, JCCMeeting, Lender, ExchangeRate, Source):
        name = str(model._meta.verbose_name_plural)
        ours = model.objects.filter(pk__in=model.objects.filter(filters[model]).values("pk"))
        if count := ours.count():
            synthetic[name] = count
        if count := model.objects.count() - count:
            other[name] = count
    return PortfolioState(synthetic, other)


def _delete_rows(qs) -> int:
    """DELETE the rows of ``qs`` in one statement (no per-row signals, so no history rows for it)."""
    model = qs.model
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{table}" WHERE "{pk}" IN (SELECT * FROM ({sql}) AS doomed)', params)  # noqa: S608
        return cursor.rowcount


def synthetic_portfolio_delete() -> dict[str, int]:
    """Delete every synthetic row (and the history rows of those objects); nothing else."""
    filters = _synthetic_filters()
    meetings = list(JCCMeeting.objects.filter(filters[JCCMeeting]).values_list("pk", flat=True))
    deleted: dict[str, int] = {}
    # The read model's rows go first: they refer to the projects, and the foreign keys may be
    # checked at once (after an earlier load's SET CONSTRAINTS ALL IMMEDIATE in this transaction).
    # They are taken out of the portfolio's sums as they go (figures.drop).
    figures.drop(Project.objects.filter(filters[Project]).values_list("pk", flat=True))
    m2m = {
        FinancingLine: FinancingLine.sources.through,
        Phase: Phase.sources.through,
        JCCMeeting: JCCMeeting.sources.through,
        Project: Project.sources.through,
    }
    for model, condition in filters.items():
        qs = model.objects.filter(pk__in=meetings) if model is JCCMeeting else model.objects.filter(condition)
        ids = qs.order_by().values("pk")
        if model in m2m:
            through = m2m[model]
            column = next(f.name for f in through._meta.fields if f.related_model is model)
            _delete_rows(through.objects.filter(**{f"{column}__in": ids}))
        history = getattr(model, "history", None)
        if history is not None:
            _delete_rows(history.model.objects.filter(id__in=ids))
        deleted[str(model._meta.verbose_name_plural)] = _delete_rows(qs)
    return deleted


# --------------------------------------------------------------------------- loading


@dataclass
class LoadResult:
    size: SyntheticSize
    seed: int
    counts: dict[str, int]
    deleted: dict[str, int]
    seconds: dict[str, float]


def synthetic_portfolio_load(
    *, projects: int, seed: int, replace: bool = False, history: bool = False, progress: Progress = _NoProgress
) -> LoadResult:
    """Generate and insert a synthetic portfolio in one transaction.

    Refuses (``SyntheticDataError``, nothing written) when the database holds any
    portfolio row that is not synthetic, or synthetic rows without ``replace``; with
    ``replace`` the earlier synthetic rows are deleted first. Deferred constraints (the
    100% live-share trigger, foreign keys) are checked before returning.
    """
    size = SyntheticSize.for_projects(projects)
    seconds: dict[str, float] = {}
    deleted: dict[str, int] = {}
    with transaction.atomic():
        # The read model's refreshes wait while the rows go in (one per statement would recompute
        # each project many times): each project written is refreshed once when the pause ends.
        with figures_paused():
            state = synthetic_portfolio_state()
            if state.other:
                found = ", ".join(f"{count} {name}" for name, count in state.other.items())
                raise SyntheticDataError(
                    f"The database holds data that is not synthetic ({found}). Load the synthetic "
                    "portfolio into a database of its own; --replace deletes only synthetic data."
                )
            if state.synthetic and not replace:
                found = ", ".join(f"{count} {name}" for name, count in state.synthetic.items())
                raise SyntheticDataError(
                    f"The database already holds a synthetic portfolio ({found}). "
                    "Pass --replace to delete it and load a new one."
                )
            if state.synthetic:
                started = time.perf_counter()
                deleted = synthetic_portfolio_delete()
                seconds["delete"] = time.perf_counter() - started
            started = time.perf_counter()
            portfolio = synthetic_portfolio_generate(size, seed=seed, progress=progress)
            seconds["generate"] = time.perf_counter() - started
            started = time.perf_counter()
            counts = synthetic_portfolio_insert(portfolio, progress=progress, history=history)
            seconds["insert"] = time.perf_counter() - started
            started = time.perf_counter()
        seconds["read model"] = time.perf_counter() - started
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # Run the deferred checks now rather than at commit, so they are timed and any
            # violation is raised here (also inside a caller's transaction, e.g. a test).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds["check constraints"] = time.perf_counter() - started
        started = time.perf_counter()
    seconds["commit"] = time.perf_counter() - started
    return LoadResult(size=size, seed=seed, counts=counts, deleted=deleted, seconds=seconds)


ANALYZED_MODELS = (
    Source,
    ExchangeRate,
    Lender,
    Project,
    JCCMeeting,
    Decision,
    Phase,
    ProjectStatusChange,
    CostEstimate,
    FinancingLine,
    FinancingChange,
)


def synthetic_portfolio_analyze() -> None:
    """Refresh the planner's statistics of the loaded tables (VACUUM ANALYZE outside a transaction)."""
    tables = [m._meta.db_table for m in ANALYZED_MODELS]
    tables += [Project.history.model._meta.db_table, Project.sources.through._meta.db_table]
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {', '.join(connection.ops.quote_name(t) for t in tables)}")
