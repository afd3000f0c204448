"""What the pages' selectors share: the portfolio's counting rules, labels, the rows of a
phase timeline, overrun flags and the data's version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from financing.choices import FinancingStatus
from projects.choices import PhaseStatus, ProjectStatus
from projects.models import OVERRUN_THRESHOLD, JCCMeeting, Project

from ..cache import data_version

ZERO = Decimal("0")
PIPELINE = FinancingStatus.pipeline()
#: Projects whose figures count in portfolio totals (``projects_with_funding``): a section of a
#: project that has a cost of its own is shown, but its parent's estimate stands for the whole.
COUNTED = Q(counted_in_totals=True)
ACTIVE_STATUSES = [ProjectStatus.APPROVED, ProjectStatus.FINANCING, ProjectStatus.UNDER_CONSTRUCTION]


def project_ids(projects: QuerySet[Project]) -> QuerySet:
    """The projects' ids as a subquery: narrowing by id keeps a filter's joins out of the sums."""
    return projects.order_by().values("pk")


def labelled(rows, field: str, choices) -> list[dict]:
    """The rows with ``<field>_label``: the choice's label of their ``field``."""
    labels = dict(choices.choices)
    return [{**row, f"{field}_label": labels.get(row[field], row[field])} for row in rows]


def meeting_label(number: int) -> str:
    """A meeting's name on charts: "14th JCC"."""
    return f"{JCCMeeting(number=number).ordinal} JCC"


def phase_timeline_row(
    *, project: str, slug: str, phase: str, status: str, start: dt.date | None, end: dt.date | None
) -> dict:
    """One bar of a phase timeline, as ``charts.phase_timeline`` and the timeline table read it.

    ``start`` and ``end`` are the phase's actual dates where known, else its planned ones.
    """
    return {
        "label": f"{project} – {phase}",
        "project": project,
        "project_slug": slug,
        "phase": phase,
        "status": status,
        "status_label": dict(PhaseStatus.choices).get(status, status),
        "start": start,
        "end": end,
    }


# ------------------------------------------------------------------ overrun flags


@dataclass(frozen=True)
class OverrunFlag:
    """One overrun flag as data: its ``kind`` and figures; pages word it
    (templates/dashboard/_overrun_flag.html).

    Kinds: ``"cost_usd"`` (the cost rose in US$: ``usd_percent``, ``pkr_percent``),
    ``"cost_pkr"`` (only the rupee cost rose: the exchange rate) and ``"completion"`` (the
    planned completion moved from ``original`` to ``planned``, ``months`` later). ``str()``
    gives the same words in plain text, for text outputs and tests.
    """

    kind: str
    usd_percent: Decimal | None = None
    pkr_percent: Decimal | None = None
    original: dt.date | None = None
    planned: dt.date | None = None
    months: int | None = None

    def __str__(self) -> str:
        # The words of templates/dashboard/_overrun_flag.html, as its translations have them.
        if self.kind == "cost_usd":
            return _("Cost overrun: +%(usd)s%% in US$ (+%(pkr)s%% in PKR) over the first approved PC-I") % {
                "usd": self.usd_percent,
                "pkr": self.pkr_percent,
            }
        if self.kind == "cost_pkr":
            usd = f"{self.usd_percent:+}"
            if usd.startswith("+"):
                words = _("Rupee cost up %(pkr)s%% while the US$ cost moved +%(usd)s%%: exchange-rate driven")
                usd = usd[1:]
            else:
                words = _("Rupee cost up %(pkr)s%% while the US$ cost moved %(usd)s%%: exchange-rate driven")
            return words % {"usd": usd, "pkr": self.pkr_percent}
        return ngettext(
            "Completion moved from %(original)s to %(planned)s (%(months)s months later)",
            "Completion moved from %(original)s to %(planned)s (%(months)s months later)",
            self.months,
        ) % {
            "original": dateformat.format(self.original, "M Y"),
            "planned": dateformat.format(self.planned, "M Y"),
            "months": self.months,
        }


def overrun_flags(row) -> list[OverrunFlag]:
    """The overrun flags of a project annotated by ``with_overruns`` (a dict or an object), as data."""

    def get(name):
        return row[name] if isinstance(row, dict) else getattr(row, name)

    flags = []
    usd, pkr = get("overrun_usd_percent"), get("overrun_pkr_percent")
    if usd is not None and usd > OVERRUN_THRESHOLD:
        flags.append(OverrunFlag("cost_usd", usd_percent=usd, pkr_percent=pkr))
    elif pkr is not None and pkr > OVERRUN_THRESHOLD:
        flags.append(OverrunFlag("cost_pkr", usd_percent=usd, pkr_percent=pkr))
    planned, original = get("planned_end"), get("original_planned_end")
    if planned and original and planned > original:
        months = (planned.year - original.year) * 12 + planned.month - original.month
        flags.append(OverrunFlag("completion", original=original, planned=planned, months=months))
    return flags


# ------------------------------------------------------------------ data version


def site_last_updated() -> dt.datetime | None:
    """When any recorded data last changed (one query)."""
    return data_version()[1]
