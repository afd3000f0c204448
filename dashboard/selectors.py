"""The figures of the staff pages, computed by PostgreSQL from a filtered portfolio.

Each function takes the already-filtered project queryset (annotated by
``financing.selectors.projects_with_funding``) and returns plain rows from
``values().annotate()`` / ``aggregate()``: one query per KPI block or chart. Financing
is narrowed by project id (``project__in=projects.values("pk")``) before aggregating,
so joins added by filters can't multiply the sums. Sums use normalized USD only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.contrib.postgres.aggregates import StringAgg
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Concat, NullIf

from financing.choices import ChangeKind, FinancingStatus, LenderKind, ShareBasis
from financing.models import FinancingChange, FinancingLine, Lender
from financing.selectors import LineStates, projects_with_funding
from projects.choices import DecisionKind, MeetingStatus, PhaseStatus, ProjectStatus, Sector
from projects.models import CostEstimate, Decision, JCCMeeting, Phase, Project
from projects.money import compact_money

from .models import DataVersion

PIPELINE = FinancingStatus.pipeline()
#: Projects whose figures count in portfolio totals (``projects_with_funding``): a section of a
#: project that has a cost of its own is shown, but its parent's estimate stands for the whole.
COUNTED = Q(counted_in_totals=True)
ACTIVE_STATUSES = [ProjectStatus.APPROVED, ProjectStatus.FINANCING, ProjectStatus.UNDER_CONSTRUCTION]
ZERO = Decimal("0")


def _ids(projects: QuerySet[Project]) -> QuerySet:
    return projects.order_by().values("pk")


def portfolio_kpis(*, projects: QuerySet[Project]) -> dict:
    """Counts and totals of the filtered portfolio (one query).

    Money sums cover the projects counted in totals (``COUNTED``) whose cost is known, and
    split their cost into the four parts of ``projects_with_funding``, so cost = committed
    + committed of undisclosed amount + pipeline + gap, exactly. Percentages are of that cost.
    Committed money on projects without a known cost is summed apart (``committed_uncosted_usd``).
    """
    costed = COUNTED & Q(current_cost_usd__isnull=False)
    # Aliases must differ from the annotations they sum (Django would reference the alias).
    sums = projects.order_by().aggregate(
        n_projects=Count("pk"),
        n_costed=Count("pk", filter=costed),
        n_sections_in_parent=Count("pk", filter=~COUNTED),
        n_undisclosed=Count("pk", filter=costed & Q(committed_unknown_usd__gt=0)),
        sum_cost_usd=Sum("current_cost_usd", filter=COUNTED, default=ZERO),
        sum_cost_pkr=Sum("current_cost_pkr", filter=COUNTED, default=ZERO),
        sum_committed_usd=Sum("committed_part_usd", filter=costed, default=ZERO),
        sum_committed_unknown_usd=Sum("committed_unknown_usd", filter=costed, default=ZERO),
        sum_pipeline_usd=Sum("pipeline_part_usd", filter=costed, default=ZERO),
        sum_gap_usd=Sum("funding_gap_usd", filter=costed, default=ZERO),
        sum_committed_uncosted_usd=Sum(
            "committed_usd", filter=COUNTED & Q(current_cost_usd__isnull=True), default=ZERO
        ),
    )
    totals = {key.split("_", 1)[1]: value for key, value in sums.items()}
    cost = totals["cost_usd"]
    for part in ("committed", "committed_unknown", "pipeline", "gap"):
        totals[f"{part}_percent"] = (totals[f"{part}_usd"] * 100 / cost).quantize(Decimal("0.1")) if cost else None
    return totals


def latest_meeting_decisions(*, projects: QuerySet[Project], as_of: dt.date | None = None) -> dict:
    """The latest JCC meeting held (by ``as_of``) and how many of its decisions concern the portfolio."""
    meetings = JCCMeeting.objects.filter(status=MeetingStatus.HELD)
    if as_of is not None:
        meetings = meetings.filter(date__lte=as_of)
    meeting = (
        meetings.annotate(
            decision_total=Count("decisions"),
            decision_in_portfolio=Count("decisions", filter=Q(decisions__project__in=_ids(projects))),
        )
        .order_by("-number")
        .first()
    )
    return {"meeting": meeting}


def _labelled(rows, field: str, choices) -> list[dict]:
    labels = dict(choices.choices)
    return [{**row, f"{field}_label": labels.get(row[field], row[field])} for row in rows]


def portfolio_cost_by_sector(*, projects: QuerySet[Project]) -> list[dict]:
    return _labelled(
        projects.order_by()
        .values("sector")
        .annotate(cost_usd=Sum("current_cost_usd", filter=COUNTED, default=ZERO), projects=Count("pk"))
        .order_by("-cost_usd", "sector"),
        "sector",
        Sector,
    )


def portfolio_status_breakdown(*, projects: QuerySet[Project]) -> list[dict]:
    """Projects and cost per status (as of the portfolio's date, when it has one)."""
    rows = (
        projects.order_by()
        .values("status_then")
        .annotate(projects=Count("pk"), cost_usd=Sum("current_cost_usd", filter=COUNTED))
        .order_by("status_then")
    )
    return _labelled([{"status": r.pop("status_then"), **r} for r in rows], "status", ProjectStatus)


def portfolio_funding_gaps(*, projects: QuerySet[Project], limit: int = 15) -> list[dict]:
    """The projects counted in totals with cost not yet committed, largest funding gap first.

    Each row splits the project's cost into its four parts (``projects_with_funding``):
    projects whose uncommitted cost is all in the pipeline follow those with a gap.
    """
    return list(
        projects.filter(COUNTED, uncommitted_usd__gt=0)
        .order_by("-funding_gap_usd", "-uncommitted_usd", "name")
        .values(
            "name",
            "slug",
            cost_usd=F("current_cost_usd"),
            committed_usd=F("committed_part_usd"),
            unknown_usd=F("committed_unknown_usd"),
            pipeline_usd=F("pipeline_part_usd"),
            gap_usd=F("funding_gap_usd"),
            gap_percent=F("funding_gap_percent"),
        )[:limit]
    )


def lender_mix_reconciliation(rows: list[dict], kpis: dict) -> dict:
    """How the lender mix's totals (each line's full value) meet the Committed tile (capped at each
    project's cost, projects without a cost apart): committed above costs is the difference left."""
    lines_committed = sum((row["committed_usd"] for row in rows), ZERO)
    uncosted = kpis["committed_uncosted_usd"]
    return {
        "lines_committed_usd": lines_committed,
        "lines_pipeline_usd": sum((row["pipeline_usd"] for row in rows), ZERO),
        "uncosted_usd": uncosted,
        "beyond_cost_usd": lines_committed - kpis["committed_usd"] - uncosted,
    }


#: The lender-kind key of syndicated loans whose members are of different kinds.
MIXED_SYNDICATE = "mixed_syndicate"


def _participant_names(line_ref, name=None):
    """The other members of a syndicate, comma-separated in name order: short names, or ``name``."""
    through = FinancingLine.participants.through
    return Subquery(
        through.objects.filter(financingline_id=line_ref)
        .order_by()
        .values("financingline_id")
        .annotate(
            names=StringAgg(
                name or Coalesce(NullIf(F("lender__short_name"), Value("")), F("lender__name")),
                delimiter=", ",
                order_by="lender__name",
                output_field=CharField(),
            )
        )
        .values("names")
    )


def portfolio_lender_mix(*, projects: QuerySet[Project], by: str, as_of: dt.date | None = None) -> list[dict]:
    """Committed and pipeline (proposed, planned, negotiated) financing per lender or lender kind.

    A syndicated loan is the syndicate's, never split among its members: by lender it is a
    row of its own ("Syndicate: CDB, CCB, ICBC"); by kind it counts under its members' kind,
    or as a mixed syndicate when they differ. Lines of a section whose parent is counted in
    its stead are left out, as in the portfolio's totals.
    """
    states = LineStates(as_of)
    counted = projects.filter(COUNTED)
    lines = (
        states.with_value(states.queryset(project__in=_ids(counted)))
        .annotate(syndicated=states.syndicated())
        .order_by()
    )
    lender = states.path("lender__")
    lead = Coalesce(NullIf(F(lender + "short_name"), Value("")), F(lender + "name"))
    if by == "lender":
        # A syndicate's key names its members, so the same group of lenders is one row.
        members = Concat(
            Value("syndicate:"),
            F(lender + "slug"),
            Value(","),
            _participant_names(OuterRef(states.line_pk), F("lender__slug")),
            output_field=CharField(),
        )
        lines = lines.values(
            key=Case(
                When(syndicated=True, then=members),
                default=F(lender + "slug"),
                output_field=CharField(),
            ),
            label=Case(
                When(
                    syndicated=True,
                    then=Concat(
                        Value("Syndicate: "),
                        lead,
                        Value(", "),
                        _participant_names(OuterRef(states.line_pk)),
                        output_field=CharField(),
                    ),
                ),
                default=lead,
                output_field=CharField(),
            ),
        )
    else:
        other_kind = FinancingLine.participants.through.objects.filter(
            financingline_id=OuterRef(states.line_pk)
        ).exclude(lender__kind=OuterRef(lender + "kind"))
        lines = lines.annotate(mixed=Exists(other_kind)).values(
            key=Case(
                When(mixed=True, then=Value(MIXED_SYNDICATE)), default=F(lender + "kind"), output_field=CharField()
            )
        )
    rows = list(
        lines.annotate(
            committed_usd=Sum("value_usd", filter=Q(status__in=FinancingStatus.committed()), default=ZERO),
            pipeline_usd=Sum("value_usd", filter=Q(status__in=PIPELINE), default=ZERO),
        ).order_by("key")
    )
    rows = [r for r in rows if r["committed_usd"] or r["pipeline_usd"]]
    if by != "lender":
        for r in rows:
            r["label"] = (
                "Syndicated loans (mixed lenders)" if r["key"] == MIXED_SYNDICATE else LenderKind(r["key"]).label
            )
    rows.sort(key=lambda r: (-(r["committed_usd"] + r["pipeline_usd"]), r["label"]))
    return rows


def portfolio_phase_timeline(*, projects: QuerySet[Project], today: dt.date, limit: int | None = None) -> list[dict]:
    """Phases of active projects (actual dates, else planned), plus phase-less active projects.

    With ``limit``, the ones still running or ending soonest: at most that many, ended ones last.
    """
    active = projects.filter(status_then__in=ACTIVE_STATUSES)
    phases = (
        Phase.objects.filter(project__in=_ids(active))
        .annotate(start=Coalesce("actual_start", "planned_start"), end=Coalesce("actual_end", "planned_end"))
        .filter(start__isnull=False, end__isnull=False)
        .values(
            "start", "end", "status", phase=F("name"), project_name=F("project__name"), project_slug=F("project__slug")
        )
        .order_by("start", "project__name")
    )
    # Active projects with no dated phase are drawn as one bar from their own dates.
    whole = (
        active.exclude(pk__in=phases.values("project"))
        .annotate(start=Coalesce("actual_start", "planned_start"), end=Coalesce("actual_end", "planned_end"))
        .filter(start__isnull=False, end__isnull=False)
        .values("start", "end", project_name=F("name"), project_slug=F("slug"))
        .annotate(status=Value("planned"), phase=Value("whole project"))
        .order_by("start", "name")
    )
    if limit is not None:
        # Running or future first, by end date; then those already over, latest end first.
        ended = Case(When(end__lt=today, then=Value(1)), default=Value(0))
        phases = phases.order_by(ended, F("end").asc(), "start", "project__name")[:limit]
        whole = whole.order_by(ended, F("end").asc(), "start", "name")[:limit]
    rows = [{**r, "project": r["project_name"]} for r in phases]
    rows += [{**r, "project": r["project_name"]} for r in whole]
    if limit is not None:
        rows.sort(key=lambda r: (r["end"] < today, r["end"], r["start"], r["project"]))
        rows = rows[:limit]
    rows.sort(key=lambda r: (r["start"], r["project"]))
    return _labelled(rows, "status", PhaseStatus)


def meeting_decision_counts(*, projects: QuerySet[Project] | None = None, as_of: dt.date | None = None) -> list[dict]:
    """Decisions per JCC meeting and kind (about the given projects, or all decisions), up to ``as_of``."""
    decisions = Decision.objects.all()
    if as_of is not None:
        decisions = decisions.filter(meeting__date__lte=as_of)
    if projects is not None:
        decisions = decisions.filter(project__in=_ids(projects))
    return _labelled(
        decisions.order_by()
        .values("kind", number=F("meeting__number"))
        .annotate(decisions=Count("pk"))
        .order_by("number", "kind"),
        "kind",
        DecisionKind,
    )


def lender_totals(*, lenders: QuerySet[Lender] | None = None, as_of: dt.date | None = None) -> list[dict]:
    """Every lender with its project count, committed and pipeline financing (USD).

    ``committed_usd`` and ``pipeline_usd`` are its own lines; the syndicated loans it leads
    or takes part in are summed apart at their whole amounts (``syndicated_*``), never split.
    """
    lenders = lenders if lenders is not None else Lender.objects.all()
    states = LineStates(as_of)
    ids = lenders.order_by().values("pk")
    own = states.with_value(states.queryset(lender__in=ids)).annotate(syndicated=states.syndicated())
    own = own.values(lender_key=F(states.path("lender_id")))
    # One row per line and participating lender: each member gets the whole facility.
    joined = states.with_value(states.queryset(participants__in=ids)).values(lender_key=F(states.path("participants")))
    committed = Q(status__in=FinancingStatus.committed())
    pipeline = Q(status__in=PIPELINE)
    totals: dict[int, dict] = {}
    for row in own.order_by().annotate(
        projects=Count(states.path("project"), distinct=True),
        lines=Count("pk"),
        committed_usd=Sum("value_usd", filter=committed & Q(syndicated=False), default=ZERO),
        pipeline_usd=Sum("value_usd", filter=pipeline & Q(syndicated=False), default=ZERO),
        syndicated_committed_usd=Sum("value_usd", filter=committed & Q(syndicated=True), default=ZERO),
        syndicated_pipeline_usd=Sum("value_usd", filter=pipeline & Q(syndicated=True), default=ZERO),
        declined=Count("pk", filter=Q(status__in=FinancingStatus.refused())),
    ):
        totals[row.pop("lender_key")] = row
    for row in joined.order_by().annotate(
        projects=Count(states.path("project"), distinct=True),
        lines=Count("pk"),
        syndicated_committed_usd=Sum("value_usd", filter=committed, default=ZERO),
        syndicated_pipeline_usd=Sum("value_usd", filter=pipeline, default=ZERO),
        declined=Count("pk", filter=Q(status__in=FinancingStatus.refused())),
    ):
        key = row.pop("lender_key")
        mine = totals.setdefault(key, {**EMPTY_TOTALS})
        for name, value in row.items():
            mine[name] = mine[name] + value
    return [{"lender": lender, **totals.get(lender.pk, EMPTY_TOTALS)} for lender in lenders.order_by("name")]


EMPTY_TOTALS = {
    "projects": 0,
    "lines": 0,
    "committed_usd": ZERO,
    "pipeline_usd": ZERO,
    "syndicated_committed_usd": ZERO,
    "syndicated_pipeline_usd": ZERO,
    "declined": 0,
}


def data_version() -> tuple[int | None, dt.datetime | None]:
    """The data's version and when it last changed (moved by PostgreSQL triggers; dashboard/models.py)."""
    row = DataVersion.objects.filter(pk=1).values_list("version", "changed_at").first()
    return row if row is not None else (None, None)


def site_last_updated() -> dt.datetime | None:
    """When any recorded data last changed."""
    return data_version()[1]


def meeting_changes(
    *, meeting: JCCMeeting, previous: JCCMeeting | None, page: str | int | None = None, per_page: int = 25
) -> Page:
    """What changed between the previous meeting and this one, per project: one page of them (6 queries).

    Financing changes (effects and reported changes, never corrections of the record)
    and cost estimates dated after the previous meeting up to this
    one's date, the projects this meeting decided about, and each project's funding gap
    as of the previous meeting and as of this one. Projects in name order; only the
    page's projects are read and costed, however many the meeting concerned.
    """
    since = previous.date if previous is not None else None
    window = Q(changed_on__lte=meeting.date) & (Q(changed_on__gt=since) if since else Q())
    estimate_window = Q(as_of__lte=meeting.date) & (Q(as_of__gt=since) if since else Q())
    made = FinancingChange.objects.filter(window).exclude(kind=ChangeKind.CORRECTION)
    concerned = Project.objects.filter(
        Q(pk__in=Decision.objects.filter(meeting=meeting).exclude(project=None).values("project_id"))
        | Q(pk__in=made.values("line__project_id"))
        | Q(pk__in=CostEstimate.objects.filter(estimate_window).values("project_id"))
    ).order_by("name", "pk")
    result = Paginator(concerned.values_list("pk", flat=True), per_page).get_page(page)
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
    after = {p.pk: p for p in projects_with_funding(Project.objects.filter(pk__in=ids), as_of=meeting.date)}
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


#: Rises up to this many percent are within the noise of rounded press figures.
OVERRUN_THRESHOLD = Decimal("5")


def overrun_flags(row) -> list[str]:
    """Plain-words flags for a project annotated by ``with_overruns`` (a dict or an object)."""

    def get(name):
        return row[name] if isinstance(row, dict) else getattr(row, name)

    flags = []
    usd, pkr = get("overrun_usd_percent"), get("overrun_pkr_percent")
    if usd is not None and usd > OVERRUN_THRESHOLD:
        flags.append(f"Cost overrun: +{usd}% in US$ (+{pkr}% in PKR) over the first approved PC-I")
    elif pkr is not None and pkr > OVERRUN_THRESHOLD:
        flags.append(f"Rupee cost up {pkr}% while the US$ cost moved {usd:+}%: exchange-rate driven")
    planned, original = get("planned_end"), get("original_planned_end")
    if planned and original and planned > original:
        months = (planned.year - original.year) * 12 + planned.month - original.month
        flags.append(f"Completion moved from {original:%b %Y} to {planned:%b %Y} ({months} months later)")
    return flags


def portfolio_overruns(
    *, projects: QuerySet[Project], as_of: dt.date | None = None, limit: int | None = None
) -> list[dict]:
    """Projects whose cost rose over their first approved PC-I, or whose completion slipped (one query).

    The largest US$ overruns first; with ``limit``, that many, each row carrying ``flagged``:
    how many projects are flagged in all.
    """
    rows = (
        projects.with_overruns(as_of=as_of)
        .filter(
            Q(overrun_usd_percent__gt=OVERRUN_THRESHOLD)
            | Q(overrun_pkr_percent__gt=OVERRUN_THRESHOLD)
            | Q(planned_end__gt=F("original_planned_end"))
        )
        .order_by(F("overrun_usd_percent").desc(nulls_last=True), "name")
        .values(
            "name",
            "slug",
            "planned_end",
            "original_planned_end",
            "baseline_usd",
            "baseline_as_of",
            "baseline_forum",
            "overrun_usd_percent",
            "overrun_pkr_percent",
            cost_usd=F("current_cost_usd"),
            flagged=Window(Count("pk")),
        )
    )
    if limit is not None:
        rows = rows[:limit]
    return [{**row, "flags": overrun_flags(row)} for row in rows]


# ------------------------------------------------------------------ financing in words

_INSTRUMENT_WORDS = {
    "grant": "grant",
    "budget_allocation": "budget allocation",
    "equity": "equity investment",
    "undecided": "commitment",
}


def _percent(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1')).normalize():f}%"


def _names(lenders) -> str:
    names = [str(lender) for lender in lenders]
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def syndicate_members(line_ids: list[int]) -> dict[int, list]:
    """The other members of each syndicated line, by line id (one query)."""
    members: dict[int, list] = defaultdict(list)
    through = FinancingLine.participants.through
    for row in through.objects.filter(financingline_id__in=line_ids).select_related("lender").order_by("lender__name"):
        members[row.financingline_id].append(row.lender)
    return dict(members)


def project_financing_summary(project, lines: list, participants: dict[int, list] | None = None) -> list[str]:
    """How a project is financed, in sentences a minister could read.

    ``project`` is annotated by ``projects_with_funding``; ``lines`` are its financing
    states (as of the page's date), ``participants`` the other members of each syndicated
    line by line id. For Hub: "75% debt, led by a US$ 1.5bn China Development Bank loan;
    25% sponsors' equity, CPIH 74% and HUBCO 26%."
    """
    participants = participants or {}
    live = [line for line in lines if line.status not in FinancingStatus.dead()]
    sentences = []

    def words(line, *, debt: bool = False) -> str:
        """ "a US$ 1.5bn China Development Bank loan with China Exim", "China (government), 85% of the cost"."""
        members = participants.get(line.line_pk, [])
        kind = _INSTRUMENT_WORDS.get(line.instrument, "loan")
        if debt or (kind == "commitment" and (members or line.lender.kind == "commercial_bank")):
            kind = "loan"  # debt, a syndicate or a bank's money: a loan whatever its terms
        if line.amount:
            text = f"a {compact_money(line.amount, line.currency)} {line.lender.name} {kind}"
        elif line.share_percent is not None and line.share_basis == ShareBasis.COST:
            text = f"{line.lender}, {_percent(line.share_percent)} of the cost"
        else:
            text = str(line.lender)
        return text + (f" with {_names(members)}" if members else "")

    if project.debt_percent is not None:
        debt_lines = [
            line
            for line in live
            if line.share_basis == ShareBasis.DEBT
            or (line.amount and line.share_basis != ShareBasis.EQUITY and line.instrument != "equity")
        ]
        equity_lines = sorted(
            (line for line in live if line.share_basis == ShareBasis.EQUITY and line.share_percent is not None),
            key=lambda line: (-line.share_percent, str(line.lender)),
        )
        debt = f"{_percent(project.debt_percent)} debt"
        if debt_lines:
            lead = max(debt_lines, key=lambda line: line.amount_usd or Decimal("0"))
            debt += f", led by {words(lead, debt=True)}"
        equity = f"{_percent(project.equity_percent)} sponsors' equity"
        if equity_lines:
            equity += ", " + _names(f"{line.lender} {_percent(line.share_percent)}" for line in equity_lines)
        sentences.append(f"{debt}; {equity}.")
    else:
        known = [words(line) for line in live if line.is_committed and line.value_usd is not None]
        if known:
            sentences.append("Committed: " + "; ".join(known) + ".")
    if project.current_cost_usd is None:
        sentences.append("No cost estimate is recorded, so the funding gap is unknown.")
        return sentences
    if project.financing_closed:
        close = project.financial_close_display
        split = (
            f"; {_money_usd(project.committed_unknown_usd)} of it from financiers whose amounts are not disclosed"
            if project.committed_unknown_usd
            else ""
        )
        sentences.append(f"Fully financed at financial close ({close}){split}: no funding gap.")
    elif project.has_undisclosed:
        undisclosed = _names(
            sorted({line.lender.name for line in live if line.is_committed and line.value_usd is None})
        )
        sentences.append(
            f"Committed by {undisclosed}, amount{'' if ' and ' not in undisclosed else 's'} not disclosed: "
            f"the remaining {_money_usd(project.committed_unknown_usd)} of the cost is counted as committed of "
            "undisclosed amount, so no funding gap can be stated."
        )
    elif project.funding_gap_usd:
        sentences.append(
            f"{_percent(project.funding_gap_percent)} of the cost ({_money_usd(project.funding_gap_usd)}) has no "
            "financier identified."
        )
    elif project.pipeline_part_usd:
        sentences.append("The whole cost is covered by committed or proposed financing: no funding gap.")
    else:
        sentences.append("The whole cost is committed: no funding gap.")
    if project.pipeline_part_usd:
        sentences.append(
            f"{_money_usd(project.pipeline_part_usd)} is proposed, planned or under negotiation, not committed."
        )
    if project.committed_usd > project.current_cost_usd:
        sentences.append(
            f"Committed money ({_money_usd(project.committed_usd)}) exceeds the current cost "
            f"({_money_usd(project.current_cost_usd)}): the cost estimate may predate the commitments, or the "
            "figures were converted to US$ at different dates' rates; the gap is counted as zero."
        )
    return sentences


def _money_usd(value: Decimal | None) -> str:
    return compact_money(value, "USD") if value is not None else "–"
