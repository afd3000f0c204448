"""The staff pages. Thin: bind the filter, call selectors, build charts, render."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import F, Max, Min, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from financing.choices import ChangeKind
from financing.models import FinancingChange, Lender
from financing.selectors import LineStates, known_by, projects_with_funding
from projects.choices import MeetingStatus
from projects.models import Decision, JCCMeeting, Project
from projects.selectors import meetings_with_decision_counts

from . import charts, exports, selectors
from .asof import AsOf, AsOfForm, as_of_from
from .cache import cached_figures
from .filters import PortfolioFilter

PAGE_SIZE = 25


def _bind_filter(request) -> tuple[PortfolioFilter, object, int, AsOfForm, AsOf]:
    """The portfolio filter and as-of selector bound to the query string, the results
    and the HTTP status. Invalid input shows the forms' messages, no results, status 400.
    """
    as_of_form, moment, as_of_valid = as_of_from(request)
    # As of a date, the projects not yet known then are left out.
    known = known_by(projects_with_funding(as_of=moment.date), moment.date)
    portfolio = PortfolioFilter(request.GET or None, queryset=known, as_of=moment.date)
    if not as_of_valid or (portfolio.is_bound and not portfolio.is_valid()):
        return portfolio, projects_with_funding(Project.objects.none()), 400, as_of_form, moment
    return portfolio, portfolio.qs, 200, as_of_form, moment


def _today() -> dt.date:
    return timezone.localdate()


def _meeting_rows(per_meeting: list[dict]) -> list[dict]:
    """Add the meeting's label ("14th JCC") to decision-count rows."""
    return [{**row, "label": f"{JCCMeeting(number=row['number']).ordinal} JCC"} for row in per_meeting]


def _estimate_rows(estimates) -> list[dict]:
    """A project's estimates as the cost-history chart reads them."""
    return [
        {
            "as_of": e.as_of,
            "amount_usd": e.amount_usd,
            "amount_pkr": e.amount_pkr,
            "basis": e.get_basis_display(),
            "forum": e.get_approving_forum_display() if e.approving_forum else "",
            "source": f"{e.source.publisher} [{e.source.key}]" if e.source.key else e.source.publisher,
            "stated": f"{e.currency} {e.amount:,.0f}",
            "full_scope": e.full_scope,
        }
        for e in estimates
    ]


OVERRUN_ROWS = 20
TIMELINE_ROWS = 40


def _dashboard_figures(portfolio, projects, moment, today) -> dict:
    """Every figure, table and chart of the dashboard (cached by the data's version)."""
    by_sector = selectors.portfolio_cost_by_sector(projects=projects)
    by_lender = selectors.portfolio_lender_mix(projects=projects, by="lender", as_of=moment.date)
    by_kind = selectors.portfolio_lender_mix(projects=projects, by="kind", as_of=moment.date)
    gaps = selectors.portfolio_funding_gaps(projects=projects)
    statuses = selectors.portfolio_status_breakdown(projects=projects)
    timeline = selectors.portfolio_phase_timeline(projects=projects, today=today, limit=TIMELINE_ROWS)
    # The whole portfolio counts CPEC-wide decisions too; a filtered one only its projects'.
    per_meeting = selectors.meeting_decision_counts(
        projects=projects if portfolio.active_filters else None, as_of=moment.date
    )
    meeting_labels = _meeting_rows(per_meeting)
    overruns = selectors.portfolio_overruns(projects=projects, as_of=moment.date, limit=OVERRUN_ROWS)
    kpis = selectors.portfolio_kpis(projects=projects)
    return {
        "kpis": kpis,
        "reconcile": selectors.lender_mix_reconciliation(by_lender, kpis),
        "overruns": overruns,
        "overruns_flagged": overruns[0]["flagged"] if overruns else 0,
        "latest": selectors.latest_meeting_decisions(projects=projects, as_of=moment.date)["meeting"],
        "tables": {
            "by_sector": by_sector,
            "by_lender": by_lender,
            "by_kind": by_kind,
            "gaps": gaps,
            "statuses": statuses,
            "timeline": timeline,
            "per_meeting": per_meeting,
        },
        "figures": {
            "by_sector": charts.figure_json(charts.cost_by_sector(by_sector)),
            "by_lender": charts.figure_json(charts.lender_mix(by_lender, by="lender")),
            "by_kind": charts.figure_json(charts.lender_mix(by_kind, by="kind")),
            "gaps": charts.figure_json(charts.funding_gap_by_project(gaps)),
            "statuses": charts.figure_json(charts.status_breakdown(statuses)),
            "timeline": charts.figure_json(charts.phase_timeline(timeline, today=today)),
            "per_meeting": charts.figure_json(charts.decisions_per_meeting(meeting_labels)),
        },
    }


@require_GET
def dashboard(request):
    portfolio, projects, status, as_of_form, moment = _bind_filter(request)
    today = _today()
    figures = cached_figures(
        request,
        "dashboard",
        lambda: _dashboard_figures(portfolio, projects, moment, today),
        extra=f"{today}|{status}",
    )
    context = {
        "filter": portfolio,
        "as_of_form": as_of_form,
        "moment": moment,
        "today": today,
        "overrun_rows": OVERRUN_ROWS,
        "timeline_rows": TIMELINE_ROWS,
        **figures,
    }
    return render(request, "dashboard/dashboard.html", context, status=status)


@require_GET
def project_list(request):
    portfolio, projects, status, as_of_form, moment = _bind_filter(request)
    if status != 200:
        page = None
    else:
        if not (portfolio.is_bound and portfolio.form.cleaned_data.get("sort")):
            projects = projects.order_by("name")
        # The filtered, sorted ids are cached (by data version), so paging and repeat visits
        # compute the annotations of one page's projects only.
        ids = cached_figures(
            request, "project-ids", lambda: list(projects.values_list("pk", flat=True)), ignore=("page",)
        )
        page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
        # The page's rows only: the figures are computed for these projects, not the whole portfolio.
        on_page = Project.objects.filter(pk__in=list(page.object_list))
        rows = {p.pk: p for p in projects_with_funding(on_page, as_of=moment.date).select_related("parent")}
        page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    context = {
        "filter": portfolio,
        "as_of_form": as_of_form,
        "moment": moment,
        "page": page,
        "breadcrumbs": [("Projects", "")],
    }
    return render(request, "dashboard/project_list.html", context, status=status)


@require_GET
def project_export(request, fmt: str):
    portfolio, projects, status, as_of_form, moment = _bind_filter(request)
    if status != 200:
        context = {
            "filter": portfolio,
            "as_of_form": as_of_form,
            "moment": moment,
            "page": None,
            "breadcrumbs": [("Projects", "")],
        }
        return render(request, "dashboard/project_list.html", context, status=status)
    rows = exports.project_rows(projects.order_by(*(projects.query.order_by or ["name"])), as_of=moment.date)
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    return exports.response(rows, fmt=fmt, filename=f"cpec-projects-{stamp}")


@require_GET
def project_detail(request, slug: str):
    as_of_form, moment, valid = as_of_from(request)
    if not valid:
        moment = AsOf()
    project = get_object_or_404(
        projects_with_funding(Project.objects.filter(slug=slug), as_of=moment.date)
        .with_overruns(as_of=moment.date)
        .select_related("parent", "financial_close_source")
    )
    estimates = project.cost_estimates.select_related("source", "pkr_reference", "cny_reference").order_by(
        "as_of", "pk"
    )
    if moment.date is not None:
        estimates = estimates.filter(as_of__lte=moment.date)
    estimates = list(estimates)
    states = LineStates(moment.date)
    lines = list(
        states.with_value(states.queryset(project=project))
        .select_related(
            *states.related("lender", "replaced_by__lender"), "decision__meeting", "pkr_reference", "cny_reference"
        )
        .order_by("-status", states.path("lender__name"))
    )
    phases = list(project.phases.order_by("order"))
    decisions = project.decisions.select_related("meeting", "source").order_by("-meeting__number", "sequence")
    changes = FinancingChange.objects.filter(line__project=project)
    if moment.date is not None:
        decisions = decisions.filter(meeting__date__lte=moment.date)
        changes = changes.filter(changed_on__lte=moment.date)
    decisions = list(decisions)
    changes = list(
        changes.select_related("line__lender", "decision__meeting", "source", "recorded_by").order_by(
            "-changed_on", "-pk"
        )
    )
    corrections = [change for change in changes if change.kind == ChangeKind.CORRECTION]
    sources = list(project.sources.order_by("key", "title"))
    sections = list(project.sections.order_by("name").values("name", "slug"))
    committed = [line for line in lines if line.is_committed and line.value_usd]
    participants = selectors.syndicate_members([line.line_pk for line in lines])
    today = _today()
    timeline = [
        {
            "project": project.name,
            "phase": p.name,
            "status": p.status,
            "start": p.actual_start or p.planned_start,
            "end": p.actual_end or p.planned_end,
        }
        for p in phases
    ]
    context = {
        "breadcrumbs": [("Projects", reverse("dashboard:projects")), (project.name, "")],
        "as_of_form": as_of_form,
        "moment": moment,
        "project": project,
        "estimates": estimates,
        "lines": lines,
        "phases": phases,
        "decisions": decisions,
        "sources": sources,
        "sections": sections,
        "changes": changes,
        "corrections": corrections,
        "committed": committed,
        "participants": participants,
        "financing_summary": selectors.project_financing_summary(project, lines, participants),
        "has_phase_dates": any(row["start"] and row["end"] for row in timeline),
        "overrun_flags": selectors.overrun_flags(project),
        "figures": {
            "history": charts.figure_json(charts.cost_history(_estimate_rows(estimates))),
            "donut": charts.figure_json(
                charts.financing_donut(
                    [
                        {
                            "label": f"{line.lender}-led syndicate"
                            if line.line_pk in participants
                            else str(line.lender),
                            "kind": line.lender.kind,
                            "key": line.lender.slug,  # the lender's colour survives a renaming
                            "value_usd": line.value_usd,
                        }
                        for line in committed
                    ],
                    gap_usd=project.funding_gap_usd,
                    undisclosed_usd=project.committed_unknown_usd,
                    pipeline_usd=project.pipeline_part_usd,
                )
            ),
            "timeline": charts.figure_json(charts.phase_timeline(timeline, today=today)),
        },
    }
    return render(request, "dashboard/project_detail.html", context, status=200 if valid else 400)


@require_GET
def lender_list(request):
    as_of_form, moment, valid = as_of_from(request)
    rows = selectors.lender_totals(as_of=moment.date if valid else None)
    context = {"rows": rows, "as_of_form": as_of_form, "moment": moment, "breadcrumbs": [("Lenders", "")]}
    return render(request, "dashboard/lender_list.html", context, status=200 if valid else 400)


@require_GET
def lender_detail(request, slug: str):
    as_of_form, moment, valid = as_of_from(request)
    if not valid:
        moment = AsOf()
    lender = get_object_or_404(Lender, slug=slug)
    states = LineStates(moment.date)
    totals = cached_figures(
        request,
        "lender-totals",
        lambda: selectors.lender_totals(lenders=Lender.objects.filter(pk=lender.pk), as_of=moment.date)[0],
        ignore=("page",),
    )
    paginator = Paginator(
        states.with_value(states.queryset().filter(states.of_lender(lender)))
        .annotate(syndicated=states.syndicated())
        .select_related(*states.related("project", "lender"))
        # The decision behind each line, as subqueries PostgreSQL runs for the page's rows only
        # (a join would be made for every line of the lender before the sort).
        .annotate(
            decision_meeting=Subquery(Decision.objects.filter(pk=OuterRef("decision_id")).values("meeting__number")),
            decision_sequence=Subquery(Decision.objects.filter(pk=OuterRef("decision_id")).values("sequence")),
        )
        .order_by(states.path("project__name"), "pk"),
        PAGE_SIZE,
    )
    paginator.count = totals["lines"]  # the same lines, already counted with the totals
    lines = paginator.get_page(request.GET.get("page"))
    context = {
        "lender": lender,
        "lines": lines,
        "totals": totals,
        "as_of_form": as_of_form,
        "moment": moment,
        "breadcrumbs": [("Lenders", reverse("dashboard:lenders")), (lender.name, "")],
    }
    return render(request, "dashboard/lender_detail.html", context, status=200 if valid else 400)


@require_GET
def meeting_list(request):
    meetings = list(meetings_with_decision_counts())
    per_meeting = selectors.meeting_decision_counts()
    figure = charts.figure_json(charts.decisions_per_meeting(_meeting_rows(per_meeting)))
    context = {
        "meetings": meetings,
        "figure": figure,
        "per_meeting": per_meeting,
        "breadcrumbs": [("JCC meetings", "")],
    }
    return render(request, "dashboard/meeting_list.html", context)


@require_GET
def meeting_detail(request, number: int):
    if number > 32767:  # beyond a meeting number; say 404 before asking the database
        raise Http404("No such JCC meeting.")
    meeting = get_object_or_404(JCCMeeting.objects.prefetch_related("sources"), number=number)
    # Decisions a page at a time, grouped by project (CPEC-wide ones last), each group with
    # the financing changes its decisions made.
    decisions = Paginator(
        Decision.objects.filter(meeting=meeting)
        .select_related("project", "source")
        .order_by(F("project__name").asc(nulls_last=True), "sequence"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    changes = list(
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
    grouped = list(groups.values())
    previous = JCCMeeting.objects.filter(number__lt=number, status=MeetingStatus.HELD).order_by("-number").first()
    changed = selectors.meeting_changes(
        meeting=meeting, previous=previous, page=request.GET.get("changes_page"), per_page=PAGE_SIZE
    )
    neighbours = JCCMeeting.objects.aggregate(
        previous=Max("number", filter=Q(number__lt=number)), next=Min("number", filter=Q(number__gt=number))
    )
    return render(
        request,
        "dashboard/meeting_detail.html",
        {
            "meeting": meeting,
            "grouped": grouped,
            "decisions": decisions,
            "decision_count": decisions.paginator.count,
            "neighbours": neighbours,
            "previous": previous,
            "changed": changed,
            "breadcrumbs": [("JCC meetings", reverse("dashboard:meetings")), (f"{meeting.ordinal} JCC", "")],
        },
    )
