"""The staff pages. Thin: bind the input, call the page's selector, build its charts, render.

Each HTML page is served from the cache while the data is unchanged (``cached_page``).
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

from django.conf import settings
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opendata import oc4ids
from opendata.exports import oc4ids_package

from . import charts, exports, selectors
from .asof import AsOf, AsOfForm, as_of_from, compare_moments
from .cache import cache_key, cached
from .filters import PortfolioFilter
from .forms import DebtAssumptionsForm, MapOptionsForm
from .pagecache import cached_page

PAGE_SIZE = 25


class Portfolio(NamedTuple):
    """A portfolio page's input: the bound filter and as-of selector, the projects and the HTTP status."""

    filter: PortfolioFilter
    projects: QuerySet
    status: int
    as_of_form: AsOfForm
    moment: AsOf

    def context(self) -> dict:
        return {"filter": self.filter, "as_of_form": self.as_of_form, "moment": self.moment}


def _bind_portfolio(request) -> Portfolio:
    """The portfolio filter and as-of selector bound to the query string. Invalid input shows
    the forms' messages, no projects, status 400. As of a date, projects not yet known are left out.
    """
    as_of_form, moment, as_of_valid = as_of_from(request)
    queryset = selectors.portfolio_projects(as_of=moment.date)
    portfolio = PortfolioFilter(request.GET or None, queryset=queryset, as_of=moment.date)
    if not as_of_valid or (portfolio.is_bound and not portfolio.is_valid()):
        return Portfolio(portfolio, selectors.portfolio_none(), 400, as_of_form, moment)
    return Portfolio(portfolio, portfolio.qs, 200, as_of_form, moment)


def _status(bound: Portfolio, form) -> int:
    """The page's status: the portfolio's, or 400 when the page's own form (submitted with the filters) is invalid."""
    return 400 if form.is_bound and not form.is_valid() else bound.status


def _bind_as_of(request) -> tuple[AsOfForm, AsOf, int]:
    """A detail page's as-of selector: invalid input shows its message and the latest data, status 400."""
    as_of_form, moment, valid = as_of_from(request)
    return (as_of_form, moment, 200) if valid else (as_of_form, AsOf(), 400)


@require_GET
@cached_page
def dashboard(request):
    bound = _bind_portfolio(request)
    today = timezone.localdate()
    extra = f"{today}|{bound.status}"  # the timeline reads today; invalid input has no projects
    page = selectors.dashboard_page(
        projects=bound.projects,
        filtered=bool(bound.filter.active_filters),
        today=today,
        as_of=bound.moment.date,
        cache_key=cache_key(request, "dashboard", extra=extra),
    )
    figures_key = cache_key(request, "dashboard-figures", extra=extra)
    figures = cached(figures_key, partial(charts.dashboard_figures, page.tables, today=today))
    context = {**vars(page), **bound.context(), "figures": figures, "today": today}
    return render(request, "dashboard/dashboard.html", context, status=bound.status)


@require_GET
@cached_page
def project_list(request):
    bound = _bind_portfolio(request)
    page = None
    if bound.status == 200:
        page = selectors.project_list_page(
            projects=bound.projects,
            page=request.GET.get("page"),
            per_page=PAGE_SIZE,
            as_of=bound.moment.date,
            cache_key=cache_key(request, "project-ids", ignore=("page",)),
        )
    return _render_project_list(request, bound, page)


def _render_project_list(request, bound: Portfolio, page: Page | None):
    context = {**bound.context(), "page": page, "breadcrumbs": [(_("Projects"), "")]}
    return render(request, "dashboard/project_list.html", context, status=bound.status)


@require_GET
def project_export(request, fmt: str):
    bound = _bind_portfolio(request)
    if bound.status != 200:
        return _render_project_list(request, bound, None)
    # Exports are written in English whatever the page's language: their column headers are a
    # file format (tests/dashboard/test_exports.py), and a file is shared beyond its reader.
    with translation.override(settings.LANGUAGE_CODE):
        rows = exports.project_rows(selectors.portfolio_in_order(bound.projects), moment=bound.moment)
        now = timezone.localtime()
        preamble = exports.preamble_lines(bound.filter, bound.moment, now)
        return exports.response(rows, fmt=fmt, filename=f"cpec-projects-{now:%Y-%m-%d}", preamble=preamble)


@require_GET
def project_export_oc4ids(request):
    """The filtered portfolio as an OC4IDS 0.9 project package (docs/oc4ids.md), as of the moment chosen."""
    bound = _bind_portfolio(request)
    if bound.status != 200:
        return _render_project_list(request, bound, None)
    # OC4IDS data is published in English (its "language": "en"), whatever the page's language.
    with translation.override(settings.LANGUAGE_CODE):
        package = oc4ids_package(projects=bound.projects, moment=bound.moment, query=request.GET.urlencode())
        body = oc4ids.dumps(package, indent=None)
    if not package.get("projects"):
        # An OC4IDS package holds at least one project: a download of none fails with the reason.
        return HttpResponse(
            _("No project matches these filters at this moment: there is nothing to export."),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    now = timezone.localtime()
    moment = bound.moment.query.replace("_", "-").replace("=", "-")  # "as-of-jcc-14"
    name = f"cpec-projects-oc4ids-{now:%Y-%m-%d}" + (f"-{moment}" if moment else "")
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@require_GET
@cached_page
def project_detail(request, slug: str):
    as_of_form, moment, status = _bind_as_of(request)
    page = selectors.project_page(slug=slug, as_of=moment.date)
    if page is None:
        raise Http404("No such project.")
    figures = {
        "history": charts.cost_history(page.history),
        "donut": charts.financing_donut(page.donut_rows, **page.donut_parts),
        "timeline": charts.phase_timeline(page.timeline, today=timezone.localdate()),
        "psdp": charts.psdp_years(page.psdp_years),
    }
    place = selectors.project_place(page.project)
    if place is not None:
        place["url"] = ""  # this page: nothing to open
        figures["map"] = charts.corridor_map([place], selectors.REGIONS, highlight=page.project.regions, height=360)
    context = {
        **vars(page),
        "place": place,
        "figures": figures,
        "as_of_form": as_of_form,
        "moment": moment,
        "breadcrumbs": [(_("Projects"), reverse("dashboard:projects")), (page.project.name, "")],
    }
    return render(request, "dashboard/project_detail.html", context, status=status)


@require_GET
@cached_page
def psdp(request):
    bound = _bind_portfolio(request)
    page = selectors.psdp_page(projects=bound.projects, as_of=bound.moment.date)
    figures = {"years": charts.psdp_years(page.years)}
    context = {**vars(page), **bound.context(), "figures": figures, "breadcrumbs": [("PSDP", "")]}
    return render(request, "dashboard/psdp.html", context, status=bound.status)


@require_GET
@cached_page
def debt(request):
    bound = _bind_portfolio(request)
    assumptions = DebtAssumptionsForm(request.GET or None)
    status = _status(bound, assumptions)
    page = selectors.debt_page(
        projects=bound.projects,
        as_of=bound.moment.date,
        assumptions=assumptions.assumptions(),
        pkr_per_usd=assumptions.chosen_rate(),
    )
    figures = {"years": charts.debt_service(page.years, page.kinds)}
    context = {
        **vars(page),
        **bound.context(),
        "assumptions_form": assumptions,
        "figures": figures,
        "breadcrumbs": [(_("Debt service"), "")],
    }
    return render(request, "dashboard/debt.html", context, status=status)


@require_GET
@cached_page
def corridor_map(request):
    bound = _bind_portfolio(request)
    options_form = MapOptionsForm(request.GET or None)
    status = _status(bound, options_form)
    options = options_form.options()
    page = selectors.map_page(projects=bound.projects)
    for place in page.places:  # a click opens the project at the moment viewed
        place["url"] = bound.moment.link(reverse("dashboard:project", args=[place["slug"]]))
    figures = {"map": charts.corridor_map(page.places, page.regions, **options)}
    context = {
        **vars(page),
        **bound.context(),
        **options,
        "options_form": options_form,
        "figures": figures,
        "breadcrumbs": [(_("Map"), "")],
    }
    return render(request, "dashboard/map.html", context, status=status)


@require_GET
@cached_page
def lender_list(request):
    as_of_form, moment, status = _bind_as_of(request)
    rows = selectors.lender_totals(as_of=moment.date)
    context = {"rows": rows, "as_of_form": as_of_form, "moment": moment, "breadcrumbs": [(_("Lenders"), "")]}
    return render(request, "dashboard/lender_list.html", context, status=status)


@require_GET
@cached_page
def lender_detail(request, slug: str):
    as_of_form, moment, status = _bind_as_of(request)
    page = selectors.lender_page(
        slug=slug,
        as_of=moment.date,
        page=request.GET.get("page"),
        per_page=PAGE_SIZE,
        cache_key=cache_key(request, "lender-totals", ignore=("page",)),
    )
    if page is None:
        raise Http404("No such lender.")
    context = {
        **vars(page),
        "as_of_form": as_of_form,
        "moment": moment,
        "breadcrumbs": [(_("Lenders"), reverse("dashboard:lenders")), (page.lender.name, "")],
    }
    return render(request, "dashboard/lender_detail.html", context, status=status)


@require_GET
@cached_page
def meeting_list(request):
    as_of_form, moment, status = _bind_as_of(request)
    page = selectors.meeting_list_page(as_of=moment.date)
    figure = charts.decisions_per_meeting(page.per_meeting)
    context = {**vars(page), "figure": figure, "as_of_form": as_of_form, "moment": moment}
    context["breadcrumbs"] = [(_("JCC meetings"), "")]
    return render(request, "dashboard/meeting_list.html", context, status=status)


@require_GET
@cached_page
def meeting_detail(request, number: int):
    as_of_form, moment, status = _bind_as_of(request)
    page = selectors.meeting_page(
        number=number, page=request.GET.get("page"), changes_page=request.GET.get("changes_page"), per_page=PAGE_SIZE
    )
    if page is None:
        raise Http404("No such JCC meeting.")
    context = {
        **vars(page),
        "as_of_form": as_of_form,
        "moment": moment,
        "after_moment": moment.date is not None and page.meeting.date > moment.date,
        "breadcrumbs": [
            (_("JCC meetings"), reverse("dashboard:meetings")),
            # Translators: a meeting's name in the breadcrumbs: "14th JCC".
            (_("%(ordinal)s JCC") % {"ordinal": page.meeting.ordinal}, ""),
        ],
    }
    return render(request, "dashboard/meeting_detail.html", context, status=status)


@require_GET
@cached_page
def compare(request):
    forms, (before, after), status = compare_moments(request)
    page = selectors.compare_page(
        before=before.date, after=after.date, page=request.GET.get("changes_page"), per_page=PAGE_SIZE
    )
    context = {**vars(page), "forms": forms, "moment_before": before, "moment": after}
    context["breadcrumbs"] = [(_("Compare two moments"), "")]
    return render(request, "dashboard/compare.html", context, status=status)
