"""What the pages' selectors share: the portfolio's counting rules, labels, the rows of a
phase timeline, overrun flags and the data's version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from django.db.models import Q, QuerySet

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

    WORDS: ClassVar[dict[str, str]] = {
        "cost_usd": "Cost overrun: +{usd_percent}% in US$ (+{pkr_percent}% in PKR) over the first approved PC-I",
        "cost_pkr": "Rupee cost up {pkr_percent}% while the US$ cost moved {usd_percent:+}%: exchange-rate driven",
        "completion": "Completion moved from {original:%b %Y} to {planned:%b %Y} ({months} months later)",
    }

    kind: str
    usd_percent: Decimal | None = None
    pkr_percent: Decimal | None = None
    original: dt.date | None = None
    planned: dt.date | None = None
    months: int | None = None

    def __str__(self) -> str:
        figures = {
            name: getattr(self, name) for name in ("usd_percent", "pkr_percent", "original", "planned", "months")
        }
        return self.WORDS[self.kind].format(**figures)


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
