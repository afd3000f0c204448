"""Choice lists of the projects app, each with a colour for badges and charts.

Every list is a ``TextChoices``; the models limit their fields to ``.values`` with a
database CHECK constraint, so a value outside the list can't be stored by any path.
The colour maps use one palette for the whole site, so a status has the same colour
on every page and chart.
"""

from django.db import models


class ProjectKind(models.TextChoices):
    CONSTRUCTION = "construction", "Construction project"
    INITIATIVE = "initiative", "Initiative"


class Sector(models.TextChoices):
    TRANSPORT = "transport", "Transport"
    ENERGY = "energy", "Energy"
    INDUSTRIAL = "industrial", "Industrial zones"
    GWADAR = "gwadar", "Gwadar"
    SOCIAL = "social", "Social"
    TRADE_FINANCE = "trade_finance", "Trade and finance initiatives"


SECTOR_COLOURS = {
    Sector.TRANSPORT: "#0072B2",
    Sector.ENERGY: "#E69F00",
    Sector.INDUSTRIAL: "#009E73",
    Sector.GWADAR: "#56B4E9",
    Sector.SOCIAL: "#CC79A7",
    Sector.TRADE_FINANCE: "#7F7F7F",
}


class ProjectStatus(models.TextChoices):
    """Lifecycle of a project, after IATI activity status and OC4IDS project status."""

    PROPOSED = "proposed", "Proposed"
    UNDER_STUDY = "under_study", "Under study"
    APPROVED = "approved", "Approved"
    FINANCING = "financing", "Financing being arranged"
    UNDER_CONSTRUCTION = "under_construction", "Under construction"
    OPERATIONAL = "operational", "Operational"
    SUSPENDED = "suspended", "Suspended"
    CANCELLED = "cancelled", "Cancelled"


PROJECT_STATUS_COLOURS = {
    ProjectStatus.PROPOSED: "#A6CEE3",
    ProjectStatus.UNDER_STUDY: "#1F78B4",
    ProjectStatus.APPROVED: "#B2DF8A",
    ProjectStatus.FINANCING: "#FDBF6F",
    ProjectStatus.UNDER_CONSTRUCTION: "#FF7F00",
    ProjectStatus.OPERATIONAL: "#33A02C",
    ProjectStatus.SUSPENDED: "#FB9A99",
    ProjectStatus.CANCELLED: "#6A6A6A",
}


class Region(models.TextChoices):
    PUNJAB = "punjab", "Punjab"
    SINDH = "sindh", "Sindh"
    KHYBER_PAKHTUNKHWA = "kp", "Khyber Pakhtunkhwa"
    BALOCHISTAN = "balochistan", "Balochistan"
    GILGIT_BALTISTAN = "gb", "Gilgit-Baltistan"
    AZAD_KASHMIR = "ajk", "Azad Jammu and Kashmir"
    ISLAMABAD = "ict", "Islamabad Capital Territory"


class FocusIndustry(models.TextChoices):
    TEXTILES = "textiles", "Textiles"
    ELECTRONICS = "electronics", "Electronics"
    PHARMACEUTICALS = "pharmaceuticals", "Pharmaceuticals"
    ENGINEERING = "engineering", "Engineering"
    ELECTRIC_VEHICLES = "electric_vehicles", "Electric vehicles"


class PhaseStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    APPROVED = "approved", "Approved"
    UNDER_WAY = "under_way", "Under way"
    COMPLETED = "completed", "Completed"
    SUSPENDED = "suspended", "Suspended"
    CANCELLED = "cancelled", "Cancelled"


PHASE_STATUS_COLOURS = {
    PhaseStatus.PLANNED: "#A6CEE3",
    PhaseStatus.APPROVED: "#B2DF8A",
    PhaseStatus.UNDER_WAY: "#FF7F00",
    PhaseStatus.COMPLETED: "#33A02C",
    PhaseStatus.SUSPENDED: "#FB9A99",
    PhaseStatus.CANCELLED: "#6A6A6A",
}


class Currency(models.TextChoices):
    PKR = "PKR", "Pakistani rupee (PKR)"
    USD = "USD", "US dollar (USD)"
    CNY = "CNY", "Chinese yuan (CNY)"


class EstimateBasis(models.TextChoices):
    FEASIBILITY = "feasibility", "Feasibility study"
    PC_II = "pc_ii", "PC-II"
    PC_I = "pc_i", "PC-I"
    REVISED_PC_I = "revised_pc_i", "Revised PC-I"
    CONTRACT = "contract", "Contract value"
    JCC_STATEMENT = "jcc_statement", "JCC statement"
    OFFICIAL_STATEMENT = "official_statement", "Official statement"
    PRESS_REPORT = "press_report", "Press report"
    EXPENDITURE = "expenditure", "Actual expenditure"


class EstimateBound(models.TextChoices):
    """Whether a figure is the amount itself or only a bound ("over $2bn")."""

    EXACT = "exact", "Stated amount"
    LOWER = "lower", "Lower bound (over, ≥)"
    UPPER = "upper", "Upper bound (up to, ≤)"


#: When two estimates share a date, the one with the lowest rank is the cost: an approved
#: PC-I over an unapproved one, official documents over statements, statements over press
#: reports (the forum adds its own rank, ``ApprovingForum``), and a stated amount over a bound.
ESTIMATE_BASIS_PRECEDENCE = {
    "revised_pc_i": 1,
    "pc_i": 1,
    "contract": 2,
    "pc_ii": 3,
    "feasibility": 3,
    "jcc_statement": 4,
    "official_statement": 4,
    "press_report": 5,
    "expenditure": 6,
}


class ApprovingForum(models.TextChoices):
    DDWP = "ddwp", "DDWP"
    CDWP = "cdwp", "CDWP"
    ECNEC = "ecnec", "ECNEC"
    CABINET_COMMITTEE = "cabinet_cpec", "Cabinet Committee on CPEC"
    JCC = "jcc", "JCC"


class RateOrigin(models.TextChoices):
    """Where the exchange rate used to normalize an amount came from."""

    NOT_NEEDED = "not_needed", "Not needed (same currency)"
    ENTERED = "entered", "Entered with the figure"
    REFERENCE = "reference", "Reference rate"


class ExchangeRateKind(models.TextChoices):
    ANNUAL_AVERAGE = "annual_average", "Annual average"
    MONTHLY_AVERAGE = "monthly_average", "Monthly average"
    YEAR_END_CLOSE = "year_end_close", "Year-end close"
    DAILY_CLOSE = "daily_close", "Daily close"


class MeetingStatus(models.TextChoices):
    HELD = "held", "Held"
    PLANNED = "planned", "Planned, not confirmed held"
    POSTPONED = "postponed", "Postponed"


class DatePrecision(models.TextChoices):
    DAY = "day", "Exact day"
    MONTH = "month", "Month only"
    YEAR = "year", "Year only"


def date_with_precision(value, precision: str) -> str:
    """A date as precisely as it is known: 5 Aug 2020, Aug 2020 or 2020."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value:%Y}"
    if precision == DatePrecision.MONTH:
        return f"{value:%b %Y}"
    return f"{value:%d %b %Y}".lstrip("0")


class DecisionKind(models.TextChoices):
    FINANCING_AGREED = "financing_agreed", "Financing agreed"
    FINANCING_DECLINED = "financing_declined", "Financing declined"
    FINANCING_PROPOSED = "financing_proposed", "Financing proposed"
    APPROVED = "approved", "Approved"
    PHASE_LAUNCHED = "phase_launched", "Phase launched"
    PROPOSAL_MADE = "proposal_made", "Proposal made"
    REVIEWED = "reviewed", "Reviewed"
    DEFERRED = "deferred", "Deferred"


DECISION_KIND_COLOURS = {
    DecisionKind.FINANCING_AGREED: "#33A02C",
    DecisionKind.FINANCING_DECLINED: "#E31A1C",
    DecisionKind.FINANCING_PROPOSED: "#FDBF6F",
    DecisionKind.APPROVED: "#B2DF8A",
    DecisionKind.PHASE_LAUNCHED: "#FF7F00",
    DecisionKind.PROPOSAL_MADE: "#A6CEE3",
    DecisionKind.REVIEWED: "#1F78B4",
    DecisionKind.DEFERRED: "#6A6A6A",
}


class SourceTier(models.TextChoices):
    A = "A", "A: official or state source"
    B = "B", "B: established newspaper"
    C = "C", "C: blog, aggregator or wiki (weak)"
