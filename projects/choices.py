"""Choice lists of the projects app, each with a colour for badges and charts.

Every list is a ``TextChoices``; the models limit their fields to ``.values`` with a
database CHECK constraint, so a value outside the list can't be stored by any path.
The colour maps use one palette for the whole site, so a status has the same colour
on every page and chart.
"""

import functools

from django.db import models
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _


class ProjectKind(models.TextChoices):
    CONSTRUCTION = "construction", _("Construction project")
    INITIATIVE = "initiative", _("Initiative")


class Sector(models.TextChoices):
    TRANSPORT = "transport", _("Transport")
    ENERGY = "energy", _("Energy")
    INDUSTRIAL = "industrial", _("Industrial zones")
    GWADAR = "gwadar", _("Gwadar")
    SOCIAL = "social", _("Social")
    TRADE_FINANCE = "trade_finance", _("Trade and finance initiatives")


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

    PROPOSED = "proposed", _("Proposed")
    UNDER_STUDY = "under_study", _("Under study")
    APPROVED = "approved", _("Approved")
    FINANCING = "financing", _("Financing being arranged")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    OPERATIONAL = "operational", _("Operational")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


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
    PUNJAB = "punjab", _("Punjab")
    SINDH = "sindh", _("Sindh")
    KHYBER_PAKHTUNKHWA = "kp", _("Khyber Pakhtunkhwa")
    BALOCHISTAN = "balochistan", _("Balochistan")
    GILGIT_BALTISTAN = "gb", _("Gilgit-Baltistan")
    AZAD_KASHMIR = "ajk", _("Azad Jammu and Kashmir")
    ISLAMABAD = "ict", _("Islamabad Capital Territory")


class FocusIndustry(models.TextChoices):
    TEXTILES = "textiles", _("Textiles")
    ELECTRONICS = "electronics", _("Electronics")
    PHARMACEUTICALS = "pharmaceuticals", _("Pharmaceuticals")
    ENGINEERING = "engineering", _("Engineering")
    ELECTRIC_VEHICLES = "electric_vehicles", _("Electric vehicles")


class PhaseStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    APPROVED = "approved", _("Approved")
    UNDER_WAY = "under_way", _("Under way")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


PHASE_STATUS_COLOURS = {
    PhaseStatus.PLANNED: "#A6CEE3",
    PhaseStatus.APPROVED: "#B2DF8A",
    PhaseStatus.UNDER_WAY: "#FF7F00",
    PhaseStatus.COMPLETED: "#33A02C",
    PhaseStatus.SUSPENDED: "#FB9A99",
    PhaseStatus.CANCELLED: "#6A6A6A",
}


class Currency(models.TextChoices):
    PKR = "PKR", _("Pakistani rupee (PKR)")
    USD = "USD", _("US dollar (USD)")
    CNY = "CNY", _("Chinese yuan (CNY)")


class EstimateBasis(models.TextChoices):
    FEASIBILITY = "feasibility", _("Feasibility study")
    PC_II = "pc_ii", "PC-II"
    PC_I = "pc_i", "PC-I"
    REVISED_PC_I = "revised_pc_i", _("Revised PC-I")
    CONTRACT = "contract", _("Contract value")
    JCC_STATEMENT = "jcc_statement", _("JCC statement")
    OFFICIAL_STATEMENT = "official_statement", _("Official statement")
    PRESS_REPORT = "press_report", _("Press report")
    EXPENDITURE = "expenditure", _("Actual expenditure")


class EstimateBound(models.TextChoices):
    """Whether a figure is the amount itself or only a bound ("over $2bn")."""

    EXACT = "exact", _("Stated amount")
    LOWER = "lower", _("Lower bound (over, ≥)")
    UPPER = "upper", _("Upper bound (up to, ≤)")


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
    CABINET_COMMITTEE = "cabinet_cpec", _("Cabinet Committee on CPEC")
    JCC = "jcc", "JCC"


class RateOrigin(models.TextChoices):
    """Where the exchange rate used to normalize an amount came from."""

    NOT_NEEDED = "not_needed", _("Not needed (same currency)")
    ENTERED = "entered", _("Entered with the figure")
    REFERENCE = "reference", _("Reference rate")


class ExchangeRateKind(models.TextChoices):
    ANNUAL_AVERAGE = "annual_average", _("Annual average")
    MONTHLY_AVERAGE = "monthly_average", _("Monthly average")
    YEAR_END_CLOSE = "year_end_close", _("Year-end close")
    DAILY_CLOSE = "daily_close", _("Daily close")


class MeetingStatus(models.TextChoices):
    # Translators: the status of a JCC meeting that took place.
    HELD = "held", _("Held")
    PLANNED = "planned", _("Planned, not confirmed held")
    POSTPONED = "postponed", _("Postponed")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact day")
    MONTH = "month", _("Month only")
    YEAR = "year", _("Year only")


def date_with_precision(value, precision: str) -> str:
    """A date as precisely as it is known: 5 Aug 2020, Aug 2020 or 2020."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value:%Y}"
    if precision == DatePrecision.MONTH:
        return date_format(value, "M Y")
    return date_format(value, "j M Y")


class DecisionKind(models.TextChoices):
    FINANCING_AGREED = "financing_agreed", _("Financing agreed")
    FINANCING_DECLINED = "financing_declined", _("Financing declined")
    FINANCING_PROPOSED = "financing_proposed", _("Financing proposed")
    APPROVED = "approved", _("Approved")
    PHASE_LAUNCHED = "phase_launched", _("Phase launched")
    PROPOSAL_MADE = "proposal_made", _("Proposal made")
    REVIEWED = "reviewed", _("Reviewed")
    DEFERRED = "deferred", _("Deferred")


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
    A = "A", _("A: official or state source")
    B = "B", _("B: established newspaper")
    C = "C", _("C: blog, aggregator or wiki (weak)")


@functools.cache
def _labels(choices: type[models.Choices], language: str | None) -> dict[str, str]:
    with translation.override(language):
        return {value: str(label) for value, label in choices.choices}


def label_of(choices: type[models.Choices], value: str) -> str:
    """``choices``' label for ``value`` in the active language (the value itself when unknown).

    Looked up once per language: a page lists hundreds of rows, and each lazy label read walks the
    translation catalogues (``get_FOO_display`` also rebuilds the choices each time)."""
    return _labels(choices, translation.get_language()).get(value, value)
