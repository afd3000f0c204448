"""The compare page: the portfolio at two moments side by side, with the differences and what changed between."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from projects.choices import MeetingStatus
from projects.models import Decision, JCCMeeting

from .common import ZERO
from .meeting import changes_between
from .portfolio import portfolio_kpis, portfolio_lender_mix, portfolio_projects

#: The key figures compared, in the dashboard's order: kpis key, label, kind ("count", "usd" or "percent").
COMPARED_FIGURES = (
    ("projects", _("Projects and initiatives known"), "count"),
    ("costed", _("With a known cost"), "count"),
    ("cost_usd", _("Cost"), "usd"),
    ("committed_usd", _("Committed (amount known)"), "usd"),
    ("committed_unknown_usd", _("Committed, amount not disclosed"), "usd"),
    ("pipeline_usd", _("Proposed or planned"), "usd"),
    ("gap_usd", _("Funding gap"), "usd"),
    ("gap_percent", _("Funding gap, share of the known cost"), "percent"),
    ("over_committed_usd", _("Committed above projects' costs (not in the tiles)"), "usd"),
    ("committed_uncosted_usd", _("Committed on projects with no cost (apart)"), "usd"),
)


@dataclass(frozen=True)
class ComparePage:
    """The portfolio as of ``before`` and ``after`` (None: now)."""

    before: dt.date | None
    after: dt.date | None
    #: ``{"key", "label", "kind", "before", "after", "change"}`` per compared figure.
    figures: list[dict]
    #: ``{"key", "label", "committed_before", "committed_after", "committed_change", "pipeline_before",
    #: "pipeline_after", "pipeline_change"}`` per lender with money at either moment, the largest
    #: total at ``after`` first.
    lenders: list[dict]
    #: The JCC meetings held after ``before`` up to ``after``, oldest first, with ``decision_total``.
    meetings: list[JCCMeeting]
    #: A page of ``changes_between`` rows: per project, what changed and its gap before and after.
    changed: Page


def _change(before, after):
    return None if before is None or after is None else after - before


def compare_page(
    *, before: dt.date | None, after: dt.date | None, page: str | int | None = None, per_page: int = 25
) -> ComparePage:
    """The compare page's figures (13 queries, whatever the portfolio's size)."""
    kpis = {}
    mixes = {}
    for name, moment in (("before", before), ("after", after)):
        projects = portfolio_projects(as_of=moment)
        kpis[name] = portfolio_kpis(projects=projects)
        mixes[name] = {row["key"]: row for row in portfolio_lender_mix(projects=projects, by="lender", as_of=moment)}
    figures = [
        {
            "key": key,
            "label": str(label),
            "kind": kind,
            "before": kpis["before"][key],
            "after": kpis["after"][key],
            "change": _change(kpis["before"][key], kpis["after"][key]),
        }
        for key, label, kind in COMPARED_FIGURES
    ]
    lenders = []
    for key in mixes["before"].keys() | mixes["after"].keys():
        old, new = mixes["before"].get(key), mixes["after"].get(key)
        row: dict = {"key": key, "label": (new or old)["label"]}
        for part in ("committed", "pipeline"):
            was = old[f"{part}_usd"] if old else ZERO
            now = new[f"{part}_usd"] if new else ZERO
            row.update({f"{part}_before": was, f"{part}_after": now, f"{part}_change": now - was})
        lenders.append(row)
    lenders.sort(key=lambda r: (-(r["committed_after"] + r["pipeline_after"]), r["label"]))
    meetings = JCCMeeting.objects.filter(status=MeetingStatus.HELD)
    if before is not None:
        meetings = meetings.filter(date__gt=before)
    if after is not None:
        meetings = meetings.filter(date__lte=after)
    meetings = list(meetings.annotate(decision_total=Count("decisions")).order_by("number"))
    return ComparePage(
        before=before,
        after=after,
        figures=figures,
        lenders=lenders,
        meetings=meetings,
        changed=changes_between(
            since=before,
            until=after,
            decisions=Decision.objects.filter(meeting__in=[m.pk for m in meetings]),
            page=page,
            per_page=per_page,
        ),
    )
