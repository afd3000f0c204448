"""The JCC meeting pages: the meetings with their decisions, and what changed at each."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet

from financing.choices import ChangeKind, FinancingStatus
from financing.models import FinancingChange
from financing.selectors import projects_with_funding
from projects.choices import DecisionKind, MeetingStatus
from projects.models import CostEstimate, Decision, JCCMeeting, Project
from projects.selectors import meetings_with_decision_counts

from .common import labelled, meeting_label, project_ids

#: The largest meeting number the database can hold (a smallint): beyond it, no such meeting.
MAX_MEETING_NUMBER = 32767


def meeting_decision_counts(*, projects: QuerySet[Project] | None = None, as_of: dt.date | None = None) -> list[dict]:
    """Decisions per JCC meeting and kind (about the given projects, or all decisions), up to ``as_of`` (one query).

    Rows (``number``, ``label`` "14th JCC", ``kind``, ``kind_label``, ``decisions``) by meeting
    number, then kind.
    """
    decisions = Decision.objects.all()
    if as_of is not None:
        decisions = decisions.filter(meeting__date__lte=as_of)
    if projects is not None:
        decisions = decisions.filter(project__in=project_ids(projects))
    rows = labelled(
        decisions.order_by()
        .values("kind", number=F("meeting__number"))
        .annotate(decisions=Count("pk"))
        .order_by("number", "kind"),
        "kind",
        DecisionKind,
    )
    return [{**row, "label": meeting_label(row["number"])} for row in rows]


@dataclass(frozen=True)
class MeetingListPage:
    """The meetings, newest first, each annotated ``decision_total``; the decisions per meeting and kind."""

    meetings: list[JCCMeeting]
    per_meeting: list[dict]


def meeting_list_page(*, as_of: dt.date | None = None) -> MeetingListPage:
    """The JCC meetings (those held by ``as_of``, with it) and the rows of the decisions-per-meeting
    chart (two queries)."""
    meetings = meetings_with_decision_counts()
    if as_of is not None:
        meetings = meetings.filter(date__lte=as_of)
    return MeetingListPage(meetings=list(meetings), per_meeting=meeting_decision_counts(as_of=as_of))


@dataclass(frozen=True)
class MeetingPage:
    """One meeting: its decisions a page at a time, grouped by project, and what changed since the previous one."""

    meeting: JCCMeeting
    #: ``{"project", "decisions", "changes"}`` per project in name order, CPEC-wide decisions last.
    grouped: list[dict]
    decisions: Page
    decision_count: int
    #: The previous and next meeting numbers, held or not: ``{"previous", "next"}``.
    neighbours: dict
    #: The previous meeting held, whose date starts "what changed".
    previous: JCCMeeting | None
    #: A page of ``meeting_changes`` rows.
    changed: Page


def meeting_page(
    *, number: int, page: str | int | None = None, changes_page: str | int | None = None, per_page: int = 25
) -> MeetingPage | None:
    """The meeting numbered ``number`` as its page shows it, or None when there is none (12 queries).

    ``page`` pages through its decisions (grouped by project, CPEC-wide ones last, each group
    with the financing changes its decisions made), ``changes_page`` through what changed.
    A number beyond any meeting's is None without asking the database.
    """
    if number > MAX_MEETING_NUMBER:
        return None
    try:
        meeting = JCCMeeting.objects.prefetch_related("sources").get(number=number)
    except JCCMeeting.DoesNotExist:
        return None
    decisions = Paginator(
        Decision.objects.filter(meeting=meeting)
        .select_related("project", "source")
        .order_by(F("project__name").asc(nulls_last=True), "sequence"),
        per_page,
    ).get_page(page)
    changes = (
        FinancingChange.objects.filter(decision__in=list(decisions.object_list))
        .select_related("line__project", "line__lender", "decision")
        .order_by("changed_on", "pk")
    )
    groups: dict = {}
    for decision in decisions:
        key = decision.project_id or 0
        groups.setdefault(key, {"project": decision.project, "decisions": [], "changes": []})["decisions"].append(
            decision
        )
    for change in changes:
        key = change.line.project_id if change.line.project_id in groups else change.decision.project_id or 0
        groups[key]["changes"].append(change)
    previous = JCCMeeting.objects.filter(number__lt=number, status=MeetingStatus.HELD).order_by("-number").first()
    return MeetingPage(
        meeting=meeting,
        grouped=list(groups.values()),
        decisions=decisions,
        decision_count=decisions.paginator.count,
        neighbours=JCCMeeting.objects.aggregate(
            previous=Max("number", filter=Q(number__lt=number)), next=Min("number", filter=Q(number__gt=number))
        ),
        previous=previous,
        changed=meeting_changes(meeting=meeting, previous=previous, page=changes_page, per_page=per_page),
    )


def meeting_changes(
    *, meeting: JCCMeeting, previous: JCCMeeting | None, page: str | int | None = None, per_page: int = 25
) -> Page:
    """What changed between the previous meeting and this one, per project: one page of them (5 queries).

    ``changes_between`` the previous meeting's date and this one's, with the projects this
    meeting decided about.
    """
    return changes_between(
        since=previous.date if previous is not None else None,
        until=meeting.date,
        decisions=Decision.objects.filter(meeting=meeting),
        page=page,
        per_page=per_page,
    )


def changes_between(
    *,
    since: dt.date | None,
    until: dt.date | None,
    decisions: QuerySet[Decision],
    page: str | int | None = None,
    per_page: int = 25,
) -> Page:
    """What changed after ``since`` up to ``until`` (from the start, up to now, when None), per project:
    one page of them (5 queries).

    Financing changes (effects and reported changes, never corrections of the record)
    and cost estimates dated in the window, the projects of ``decisions``, and each
    project's funding gap as of ``since`` and as of ``until``. Projects in name order; only
    the page's projects are read and costed, however many changed.
    """
    window = (Q(changed_on__lte=until) if until else Q()) & (Q(changed_on__gt=since) if since else Q())
    estimate_window = (Q(as_of__lte=until) if until else Q()) & (Q(as_of__gt=since) if since else Q())
    made = FinancingChange.objects.filter(window).exclude(kind=ChangeKind.CORRECTION)
    concerned = Project.objects.filter(
        Q(pk__in=decisions.exclude(project=None).values("project_id"))
        | Q(pk__in=made.values("line__project_id"))
        | Q(pk__in=CostEstimate.objects.filter(estimate_window).values("project_id"))
    ).order_by("name", "pk")
    # The ids in order are read once (the paginator counts the list), not counted and paged apart:
    # both would compute the concerned projects (5,000 at the 40th synthetic meeting, ~45 ms each).
    result = Paginator(list(concerned.values_list("pk", flat=True)), per_page).get_page(page)
    ids = list(result.object_list)
    earlier = FinancingChange.objects.filter(line=OuterRef("line"), changed_on__lt=OuterRef("changed_on"))
    changes_of: dict[int, list] = defaultdict(list)
    for change in (
        FinancingChange.objects.filter(window, line__project__in=ids)
        .exclude(kind=ChangeKind.CORRECTION)  # fixes to the record are no meeting's change
        .annotate(had_earlier=Exists(earlier))
        .select_related("line__project", "line__lender", "decision__meeting")
        .order_by("changed_on", "pk")
    ):
        if change.status == FinancingStatus.SUPERSEDED:
            change.kind_of_change = "superseded"
        elif change.status in FinancingStatus.dead():
            change.kind_of_change = "declined or withdrawn"
        elif not change.had_earlier:
            change.kind_of_change = "added"
        else:
            change.kind_of_change = "changed"
        changes_of[change.line.project_id].append(change)
    estimates_of: dict[int, list] = defaultdict(list)
    for estimate in CostEstimate.objects.filter(estimate_window, project__in=ids).order_by("as_of", "pk"):
        estimates_of[estimate.project_id].append(estimate)
    after = {p.pk: p for p in projects_with_funding(Project.objects.filter(pk__in=ids), as_of=until)}
    before = {p.pk: p for p in projects_with_funding(Project.objects.filter(pk__in=ids), as_of=since)} if since else {}
    rows = []
    for pk in ids:
        project, old = after[pk], before.get(pk)
        rows.append(
            {
                "project": project,
                "gap_before_usd": old.funding_gap_usd if old else None,
                "gap_before_percent": old.funding_gap_percent if old else None,
                "cost_before_usd": old.current_cost_usd if old else None,
                "gap_after_usd": project.funding_gap_usd,
                "gap_after_percent": project.funding_gap_percent,
                "cost_after_usd": project.current_cost_usd,
                "changes": changes_of[pk],
                "estimates": estimates_of[pk],
            }
        )
    result.object_list = rows
    return result
