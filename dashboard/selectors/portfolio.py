"""The portfolio pages: the dashboard's figures and the project list, from a filtered portfolio.

Each figure takes the already-filtered project queryset (annotated by
``financing.selectors.projects_with_funding``) and returns plain rows from
``values().annotate()`` / ``aggregate()``: one query per KPI block or chart. Financing
is narrowed by project id (``project__in=projects.values("pk")``) before aggregating,
so joins added by filters can't multiply the sums. Sums use normalized USD only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    BigIntegerField,
    Case,
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
from django.utils.translation import gettext as _

from financing.choices import FinancingStatus, LenderKind
from financing.models import FinancingLine, Lender, LenderSums, PortfolioSums
from financing.selectors import line_figures, projects_with_funding
from projects.choices import MeetingStatus, ProjectStatus, Sector
from projects.models import JCCMeeting, Phase, Project
from projects.models.project import timeline_dates

from ..cache import cached
from .common import (
    ACTIVE_STATUSES,
    COUNTED,
    PIPELINE,
    ZERO,
    labelled,
    overrun_flags,
    phase_timeline_row,
    project_ids,
)
from .meeting import meeting_decision_counts

#: The dashboard's overrun table and phase timeline show at most this many rows.
OVERRUN_ROWS = 20
TIMELINE_ROWS = 40


# ------------------------------------------------------------------ the portfolio


def portfolio_projects(*, as_of: dt.date | None = None) -> QuerySet[Project]:
    """The projects known on ``as_of`` (all of them without it), annotated by ``projects_with_funding``
    as of that date: what the portfolio filter narrows. No query until it is read.

    As of a date, whether a project was known then (``known_by``) is read from the same row of
    the read model as its figures, so the dated figures are looked up once per project."""
    projects = projects_with_funding(as_of=as_of)
    return projects if as_of is None else projects.filter(known_then=True)


def portfolio_none() -> QuerySet[Project]:
    """No project, annotated as the portfolio is: what a page shows when its filter is invalid."""
    return projects_with_funding(Project.objects.none())


def portfolio_in_order(projects: QuerySet[Project]) -> QuerySet[Project]:
    """The projects in the filter's sort order, or by name when it gave none. No query."""
    return projects if projects.query.order_by else projects.order_by("name")


def project_list_page(
    *,
    projects: QuerySet[Project],
    page: str | int | None,
    per_page: int,
    as_of: dt.date | None = None,
    cache_key: str | None = None,
) -> Page:
    """One page of the filtered projects in order, each annotated by ``projects_with_funding``
    and with its parent (two queries; one when the ids are cached under ``cache_key``).

    The filtered, sorted ids are cached (by data version), so paging and repeat visits compute
    the annotations of one page's projects only, never the whole portfolio's.
    """
    ids = cached(cache_key, lambda: list(portfolio_in_order(projects).values_list("pk", flat=True)))
    result = Paginator(ids, per_page).get_page(page)
    on_page = Project.objects.filter(pk__in=list(result.object_list))
    rows = {p.pk: p for p in projects_with_funding(on_page, as_of=as_of).select_related("parent")}
    result.object_list = [rows[pk] for pk in result.object_list if pk in rows]
    return result


# ------------------------------------------------------------------ the dashboard


@dataclass(frozen=True)
class DashboardPage:
    """Everything the dashboard shows but its charts: each chart's rows are in ``tables``."""

    kpis: dict
    reconcile: dict
    overruns: list[dict]
    overruns_flagged: int
    latest: JCCMeeting | None
    tables: dict[str, list[dict]]
    overrun_rows: int = OVERRUN_ROWS
    timeline_rows: int = TIMELINE_ROWS


def dashboard_page(
    *,
    projects: QuerySet[Project],
    filtered: bool,
    today: dt.date,
    as_of: dt.date | None = None,
    cache_key: str | None = None,
) -> DashboardPage:
    """The dashboard of the filtered portfolio as of ``as_of``: key figures, each chart's rows
    (``tables``: by_sector, by_lender, by_kind, gaps, statuses, timeline, per_meeting),
    the largest overruns and the latest meeting held.

    Twelve queries, none when the page is cached under ``cache_key``. The whole portfolio
    counts CPEC-wide decisions too; a ``filtered`` one only its projects'. For the whole
    portfolio now or as of a JCC meeting's date, the key figures, the sectors, the statuses and
    the lender mix are read from the sums PostgreSQL keeps (``stored_portfolio_sums``): ten queries.
    """

    def compute() -> DashboardPage:
        stored = None if filtered else stored_portfolio_sums(as_of=as_of)
        if stored is not None:
            kpis, by_sector, statuses, flagged = stored
            by_lender, by_kind = stored_lender_mixes(as_of=as_of)
        else:
            kpis, by_sector = portfolio_kpis(projects=projects), portfolio_cost_by_sector(projects=projects)
            statuses, flagged = portfolio_status_breakdown(projects=projects), None
            by_lender, by_kind = portfolio_lender_mixes(projects=projects, as_of=as_of)
        overruns = portfolio_overruns(projects=projects, limit=OVERRUN_ROWS, flagged=flagged)
        return DashboardPage(
            kpis=kpis,
            reconcile=lender_mix_reconciliation(by_lender, kpis),
            overruns=overruns,
            overruns_flagged=overruns[0]["flagged"] if overruns else 0,
            latest=latest_meeting_decisions(projects=projects, as_of=as_of)["meeting"],
            tables={
                "by_sector": by_sector,
                "by_lender": by_lender,
                "by_kind": by_kind,
                "gaps": portfolio_funding_gaps(projects=projects),
                "statuses": statuses,
                "timeline": portfolio_phase_timeline(projects=projects, today=today, limit=TIMELINE_ROWS),
                "per_meeting": meeting_decision_counts(projects=projects if filtered else None, as_of=as_of),
            },
        )

    return cached(cache_key, compute)


def portfolio_kpis(*, projects: QuerySet[Project]) -> dict:
    """Counts and totals of the filtered portfolio (one query).

    Money sums cover the projects counted in totals (``COUNTED``) whose cost is known, and
    split their cost into the four parts of ``projects_with_funding``, so cost = committed
    + committed of undisclosed amount + pipeline + gap, exactly. Percentages are of that cost.
    Committed money on projects without a known cost is summed apart (``committed_uncosted_usd``,
    on ``uncosted_committed`` projects), and so is committed money above a project's cost
    (``over_committed_usd``, on ``over_committed`` projects): the Committed tile counts a project's
    committed money up to its cost, so that cost − committed − … = gap holds per project.
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
        n_uncosted_committed=Count("pk", filter=COUNTED & Q(current_cost_usd__isnull=True, committed_usd__gt=0)),
        # Committed money above a project's cost: the capped Committed tile leaves it out.
        sum_over_committed_usd=Sum(F("committed_usd") - F("committed_part_usd"), filter=costed, default=ZERO),
        n_over_committed=Count("pk", filter=costed & Q(committed_usd__gt=F("committed_part_usd"))),
    )
    return _with_percents({key.split("_", 1)[1]: value for key, value in sums.items()})


def _with_percents(totals: dict) -> dict:
    """The key figures with each part of the cost as a percentage of it (None without a cost)."""
    cost = totals["cost_usd"]
    for part in ("committed", "committed_unknown", "pipeline", "gap"):
        totals[f"{part}_percent"] = (totals[f"{part}_usd"] * 100 / cost).quantize(Decimal("0.1")) if cost else None
    return totals


#: The key figures ``portfolio_kpis`` returns, as ``PortfolioSums`` names them.
KPI_SUMS = (
    "projects",
    "costed",
    "sections_in_parent",
    "undisclosed",
    "cost_usd",
    "cost_pkr",
    "committed_usd",
    "committed_unknown_usd",
    "pipeline_usd",
    "gap_usd",
    "committed_uncosted_usd",
    "uncosted_committed",
    "over_committed_usd",
    "over_committed",
)


def stored_portfolio_sums(*, as_of: dt.date | None = None) -> tuple[dict, list[dict], list[dict], int] | None:
    """The whole portfolio's key figures, cost by sector, breakdown by status and number of flagged
    overruns, now or as of ``as_of``, read from the sums PostgreSQL keeps
    (``financing.models.PortfolioSums``): what ``portfolio_kpis``, ``portfolio_cost_by_sector``,
    ``portfolio_status_breakdown`` and ``portfolio_overruns`` compute for the unfiltered portfolio
    (one query). None when no sums are kept for ``as_of`` (a date that is no JCC meeting's, or a
    database emptied by TRUNCATE): the caller then sums per request, never shows zeros for them.
    """
    moment = Q(moment__isnull=True) if as_of is None else Q(moment=as_of)
    rows = list(PortfolioSums.objects.filter(moment).values("dimension", "key", "overruns", *KPI_SUMS))
    whole = next((row for row in rows if row["dimension"] == PortfolioSums.Dimension.ALL), None)
    if whole is None:
        return None
    kpis = _with_percents({name: whole[name] for name in KPI_SUMS})
    # A sector or status whose last project left keeps its row at zero: shown as no row at all.
    rows = [r for r in rows if r["projects"] or r["dimension"] == PortfolioSums.Dimension.ALL]
    sectors = [r for r in rows if r["dimension"] == PortfolioSums.Dimension.SECTOR]
    sectors.sort(key=lambda r: (-r["cost_usd"], r["key"]))
    by_sector = labelled(
        [{"sector": r["key"], "cost_usd": r["cost_usd"], "projects": r["projects"]} for r in sectors], "sector", Sector
    )
    statuses = [
        # The sum of no known cost is no sum, as PostgreSQL's SUM says.
        {"status": r["key"], "projects": r["projects"], "cost_usd": r["cost_usd"] if r["costed"] else None}
        for r in rows
        if r["dimension"] == PortfolioSums.Dimension.STATUS
    ]
    lifecycle = {status: index for index, status in enumerate(ProjectStatus.values)}
    statuses.sort(key=lambda r: (lifecycle.get(r["status"], len(lifecycle)), r["status"]))
    return kpis, by_sector, labelled(statuses, "status", ProjectStatus), whole["overruns"]


def latest_meeting_decisions(*, projects: QuerySet[Project], as_of: dt.date | None = None) -> dict:
    """The latest JCC meeting held (by ``as_of``) and how many of its decisions concern the portfolio (one query)."""
    meetings = JCCMeeting.objects.filter(status=MeetingStatus.HELD)
    if as_of is not None:
        meetings = meetings.filter(date__lte=as_of)
    # The latest meeting is picked first, so only its decisions are counted.
    latest = meetings.order_by("-number").values("pk")[:1]
    meeting = (
        JCCMeeting.objects.filter(pk=Subquery(latest))
        .annotate(
            decision_total=Count("decisions"),
            # Each decision's project looked up in the portfolio (a few hundred index lookups), rather
            # than the whole portfolio listed to be matched against them.
            decision_in_portfolio=Count(
                "decisions", filter=Q(Exists(projects.filter(pk=OuterRef("decisions__project"))))
            ),
        )
        .first()
    )
    return {"meeting": meeting}


def portfolio_cost_by_sector(*, projects: QuerySet[Project]) -> list[dict]:
    """Cost and projects per sector, labelled, the costliest first (one query)."""
    return labelled(
        projects.order_by()
        .values("sector")
        .annotate(cost_usd=Sum("current_cost_usd", filter=COUNTED, default=ZERO), projects=Count("pk"))
        .order_by("-cost_usd", "sector"),
        "sector",
        Sector,
    )


def portfolio_status_breakdown(*, projects: QuerySet[Project]) -> list[dict]:
    """Projects and cost per status (as of the portfolio's date, when it has one), labelled, in the
    statuses' lifecycle order (``ProjectStatus``: proposed first, cancelled last) (one query)."""
    rows = (
        projects.order_by()
        .values("status_then")
        .annotate(projects=Count("pk"), cost_usd=Sum("current_cost_usd", filter=COUNTED))
        .order_by("status_then")
    )
    lifecycle = {status: index for index, status in enumerate(ProjectStatus.values)}
    rows = sorted(rows, key=lambda r: lifecycle.get(r["status_then"], len(lifecycle)))
    return labelled([{"status": r.pop("status_then"), **r} for r in rows], "status", ProjectStatus)


def portfolio_funding_gaps(*, projects: QuerySet[Project], limit: int = 15) -> list[dict]:
    """The projects counted in totals with cost not yet committed, largest funding gap first (one query).

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
    project's cost, projects without a cost apart): committed above costs is the difference left.
    No query."""
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


def portfolio_lender_mix(*, projects: QuerySet[Project], by: str, as_of: dt.date | None = None) -> list[dict]:
    """Committed and pipeline (proposed, planned, negotiated) financing per lender (``by="lender"``)
    or lender kind (``by="kind"``): one of ``portfolio_lender_mixes`` (three queries)."""
    by_lender, by_kind = portfolio_lender_mixes(projects=projects, as_of=as_of)
    return by_lender if by == "lender" else by_kind


def portfolio_lender_mixes(*, projects: QuerySet[Project], as_of: dt.date | None = None) -> tuple[list, list]:
    """Committed and pipeline (proposed, planned, negotiated) financing per lender, and per lender kind (three queries).

    Rows (``key``, ``label``, ``committed_usd``, ``pipeline_usd``) are labelled and sorted as
    the chart draws them: the largest total first, then by label; rows of no money are left out.
    A syndicated loan is the syndicate's, never split among its members: by lender it is a
    row of its own ("Syndicate: CDB, CCB, ICBC"), one per group of lenders; by kind it counts
    under its members' kind, or as a mixed syndicate when they differ. Lines of a section whose
    parent is counted in its stead are left out, as in the portfolio's totals.

    PostgreSQL sums the lines' stored values (``line_figures``, the read model) per lender and
    status, and per syndicated line; two small queries read the lenders and the members of the
    portfolio's syndicates.
    The few rows are then labelled, syndicates of the same lenders merged, and added up by kind,
    so the portfolio's lines are read once for both charts.
    """
    counted = project_ids(projects.filter(COUNTED))
    lines = line_figures(as_of).filter(project__in=counted).order_by()
    return _lender_mixes(_lender_mix_sums(lines))


def stored_lender_mixes(*, as_of: dt.date | None = None) -> tuple[list, list]:
    """``portfolio_lender_mixes`` of the whole portfolio now or as of a JCC meeting's date, from the
    sums PostgreSQL keeps (``financing.models.LenderSums``; three queries)."""
    moment = Q(moment__isnull=True) if as_of is None else Q(moment=as_of)
    sums = LenderSums.objects.filter(moment, lines__gt=0).values("lender_id", "status", "syndicate_line", "value_usd")
    return _lender_mixes(sums)


def _lender_mix_sums(lines: QuerySet) -> QuerySet:
    """The lines' US$ value per lender and status, and per syndicated line (``syndicate_line``)."""
    # Per lender and status (a few hundred groups of integer keys: hashed, never sorted), and
    # per syndicated line, in one query; the statuses are folded into committed and pipeline below.
    return (
        lines.filter(syndicated=False)
        .values("lender_id", "status", syndicate_line=Value(None, output_field=BigIntegerField()))
        .annotate(value_usd=Sum("value_usd"))
        .union(
            lines.filter(syndicated=True)
            .values("lender_id", "status", syndicate_line=F("line_id"))
            .annotate(value_usd=Sum("value_usd")),
            all=True,
        )
    )


def _lender_mixes(sums) -> tuple[list, list]:
    """The lender mix's rows by lender and by kind, from the value per lender, status and syndicated
    line (rows of ``lender_id``, ``status``, ``syndicate_line``, ``value_usd``) (two queries)."""
    lenders = {
        row["id"]: row
        for row in Lender.objects.values(
            "id", lender_slug=F("slug"), lender_name=F("name"), lender_short=F("short_name"), lender_kind=F("kind")
        )
    }
    members: dict[int, list[dict]] = {}
    for member in (
        # Every syndicate's members (a few rows: only syndicated lines have any), read whole rather
        # than narrowed to the portfolio, which would join the portfolio's projects once more.
        FinancingLine.participants.through.objects.order_by("lender__name", "lender__slug").values(
            "financingline_id", "lender_id"
        )
    ):
        members.setdefault(member["financingline_id"], []).append(lenders[member["lender_id"]])

    def short(lender_row: dict) -> str:
        return lender_row["lender_short"] or lender_row["lender_name"]

    by_key: dict[str, dict] = {}
    committed, pipeline = set(FinancingStatus.committed()), set(PIPELINE)
    for row in sums:
        if not row["value_usd"] or not (row["status"] in committed or row["status"] in pipeline):
            continue
        lead, others = lenders[row["lender_id"]], members.get(row["syndicate_line"], [])
        if others:
            # A syndicate's key names its lead and members, so the same group of lenders is one row.
            key = f"syndicate:{lead['lender_slug']}," + ", ".join(m["lender_slug"] for m in others)
            label = _("Syndicate: %(lenders)s") % {"lenders": ", ".join([short(lead), *(short(m) for m in others)])}
            mixed = any(m["lender_kind"] != lead["lender_kind"] for m in others)
            kind = MIXED_SYNDICATE if mixed else lead["lender_kind"]
        else:
            key, label, kind = lead["lender_slug"], short(lead), lead["lender_kind"]
        total = by_key.setdefault(
            key, {"key": key, "label": label, "kind_key": kind, "committed_usd": ZERO, "pipeline_usd": ZERO}
        )
        total["committed_usd" if row["status"] in committed else "pipeline_usd"] += row["value_usd"]
    by_lender = list(by_key.values())
    kinds: dict[str, dict] = {}
    for row in by_lender:
        kind = kinds.setdefault(row["kind_key"], {"key": row["kind_key"], "committed_usd": ZERO, "pipeline_usd": ZERO})
        kind["committed_usd"] += row["committed_usd"]
        kind["pipeline_usd"] += row["pipeline_usd"]
    by_kind = list(kinds.values())
    for row in by_kind:
        row["label"] = (
            _("Syndicated loans (mixed lenders)")
            if row["key"] == MIXED_SYNDICATE
            else str(LenderKind(row["key"]).label)
        )
    for rows in (by_lender, by_kind):
        rows.sort(key=lambda r: (-(r["committed_usd"] + r["pipeline_usd"]), r["label"]))
    return by_lender, by_kind


def portfolio_phase_timeline(*, projects: QuerySet[Project], today: dt.date, limit: int | None = None) -> list[dict]:
    """Phases of active projects (actual dates, else planned), plus phase-less active projects (two queries).

    Rows of ``phase_timeline_row``, by start date and project. With ``limit``, the ones still
    running or ending soonest: at most that many, ended ones last. The phases are then read in
    the order of their end dates from an index (``timeline_dates``), the running ones and the
    ended ones each up to ``limit``, checking each one's project as it goes.
    """
    active = projects.filter(status_then__in=ACTIVE_STATUSES)
    end, start = timeline_dates()
    phases = (
        Phase.objects.filter(Exists(active.filter(pk=OuterRef("project_id"))))
        .annotate(end=end, start=start)
        .filter(start__isnull=False, end__isnull=False)
        .values(
            "start", "end", "status", phase=F("name"), project_name=F("project__name"), project_slug=F("project__slug")
        )
    )
    # Active projects with no dated phase are drawn as one bar from their own dates.
    dated_phase = Phase.objects.filter(project=OuterRef("pk")).filter(
        Q(actual_start__isnull=False) | Q(planned_start__isnull=False),
        Q(actual_end__isnull=False) | Q(planned_end__isnull=False),
    )
    whole = (
        active.exclude(Exists(dated_phase))
        .annotate(end=end, start=start)
        .filter(start__isnull=False, end__isnull=False)
        .values("start", "end", project_name=F("name"), project_slug=F("slug"))
        .annotate(status=Value("planned"), phase=Value(_("whole project")))
    )
    if limit is None:
        phases, whole = phases.order_by("start", "project__name"), whole.order_by("start", "name")
    else:
        # Running or future first, by end date; then those already over, by end date. Phase-less
        # projects are few: found by one anti-join, then sorted (not read twice as the phases are).
        phases = _soonest(phases, today, limit, "project__name")
        ended = Case(When(end__lt=today, then=Value(1)), default=Value(0))
        whole = whole.order_by(ended, "end", "start", "name")[:limit]
    rows = [
        phase_timeline_row(
            project=r["project_name"],
            slug=r["project_slug"],
            phase=r["phase"],
            status=r["status"],
            start=r["start"],
            end=r["end"],
        )
        for r in [*phases, *whole]
    ]
    if limit is not None:
        rows.sort(key=lambda r: (r["end"] < today, r["end"], r["start"], r["project"]))
        rows = rows[:limit]
    rows.sort(key=lambda r: (r["start"], r["project"]))
    return rows


def _soonest(rows: QuerySet, today: dt.date, limit: int, name: str) -> QuerySet:
    """Up to ``limit`` of the ``rows`` (annotated ``end`` and ``start``) not yet over, and as many of
    those over, each by end date, start date and ``name`` (one query)."""
    order = ("end", "start", name)
    running = rows.filter(end__gte=today).order_by(*order)[:limit]
    return running.union(rows.filter(end__lt=today).order_by(*order)[:limit], all=True)


def portfolio_overruns(
    *, projects: QuerySet[Project], limit: int | None = None, flagged: int | None = None
) -> list[dict]:
    """Projects whose cost rose over their first approved PC-I, or whose completion slipped (one query).

    The baseline, the original completion, the overruns and whether they are flagged are stored
    with the projects' figures (``FigureColumns``, as of the portfolio's date). The largest US$
    overruns first, read in order from an index; with ``limit``, that many, each row carrying
    ``flagged``: how many projects are flagged in all (counted here unless given), and ``flags``:
    its overrun flags as data (``OverrunFlag``).
    """
    rows = (
        projects.filter(overrun_flagged=True)
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
        )
    )
    rows = rows.annotate(flagged=Window(Count("pk"))) if flagged is None else rows.annotate(flagged=Value(flagged))
    if limit is not None:
        rows = rows[:limit]
    return [{**row, "flags": overrun_flags(row)} for row in rows]
