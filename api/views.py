"""The read-only JSON API. Thin, like the pages: read the parameters, call the page's selector, write
the rows it returns.

Each endpoint answers what its page shows, through the same selectors, so the figures are the
pages' own: the projects through ``portfolio_projects`` + ``PortfolioFilter`` + ``project_list_page``,
a project through ``project_page``, the lenders through ``lender_totals`` / ``lender_page``, the
meetings through ``meeting_list_page`` / ``meeting_page`` (whose "what changed" is
``meeting_changes``). Every one is as of a JCC meeting (``as_of_jcc``) or a date (``as_of``) when
asked, and every list is paged (``page``, ``page_size``).

Who may read: any active user, logged in or by token (``REST_FRAMEWORK``); GET only, anything
else is a 405 (401 without credentials).
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboard import selectors
from dashboard.asof import AsOf
from dashboard.cache import cache_key
from dashboard.filters import PortfolioFilter
from opendata import oc4ids
from opendata.exports import oc4ids_package
from projects.choices import Currency

from . import serializers
from .params import Paging, checked, envelope, moment, moment_data
from .schema import MOMENT_PARAMETERS, PAGE_PARAMETERS, portfolio_filter_parameters
from .selectors import exchange_rate_list


class ReadOnlyView(APIView):
    """GET (and HEAD, OPTIONS) only. Throttles are checked before permissions, so requests without
    credentials count against the address's rate too (DRF checks them after, never for refused ones)."""

    http_method_names = ["get", "head", "options"]

    def initial(self, request, *args, **kwargs):
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(request)
        request.version, request.versioning_scheme = self.determine_version(request, *args, **kwargs)
        self.perform_authentication(request)
        self.check_throttles(request)
        self.check_permissions(request)

    def context(self, chosen: AsOf, **extra) -> dict:
        """What the serializers need to write links: the request and the moment (kept in every link)."""
        return {"request": self.request, "moment": chosen, **extra}


def _page_of(rows: list, paging: Paging):
    """One page of rows a selector returned whole (no query)."""
    return checked(Paginator(rows, paging.size).get_page(paging.number), paging.number)


# ------------------------------------------------------------------ projects


class PortfolioFilterBackend(DjangoFilterBackend):
    """The project list's filter (``dashboard.filters.PortfolioFilter``), as of the request's moment:
    its financing filters read the lines' states then. Invalid input is a 400 with its messages."""

    def get_filterset_class(self, view, queryset=None):
        return PortfolioFilter

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "as_of": view.moment.date}


class ProjectList(ReadOnlyView, GenericAPIView):
    """The projects, filtered and sorted as on the project list (``/projects/``), with their figures."""

    filter_backends = [PortfolioFilterBackend]
    #: The moment of the request being answered (now, until ``get`` reads the parameters).
    moment = AsOf()

    def get_queryset(self):
        return selectors.portfolio_projects(as_of=self.moment.date)

    @extend_schema(
        operation_id="projects_list",
        parameters=[*MOMENT_PARAMETERS, *PAGE_PARAMETERS, *portfolio_filter_parameters()],
        responses=serializers.paged(serializers.ProjectListSerializer, "ProjectPage", **serializers.moment_fields()),
    )
    def get(self, request):
        self.moment = moment(request)
        paging = Paging.from_request(request)
        projects = self.filter_queryset(self.get_queryset())
        page = selectors.project_list_page(
            projects=projects,
            page=paging.number,
            per_page=paging.size,
            as_of=self.moment.date,
            cache_key=cache_key(request, "api-project-ids", ignore=("page", "page_size")),
        )
        page = checked(page, paging.number)
        rows = serializers.ProjectListSerializer(page.object_list, many=True, context=self.context(self.moment)).data
        return Response(envelope(request, page, rows, **moment_data(self.moment)))


class ProjectDetail(ReadOnlyView):
    """One project as its page shows it: figures, estimates, financing lines and their changes,
    phases, JCC decisions, sections and sources."""

    @extend_schema(
        operation_id="projects_retrieve",
        parameters=MOMENT_PARAMETERS,
        responses=serializers.ProjectDetailSerializer,
    )
    def get(self, request, slug: str):
        chosen = moment(request)
        page = selectors.project_page(slug=slug, as_of=chosen.date)
        if page is None:
            raise NotFound(_("No such project."))
        data = serializers.project_detail_data(page, self.context(chosen))
        return Response({**data, **moment_data(chosen)})


class Oc4idsPackage(ReadOnlyView, GenericAPIView):
    """The filtered projects as an OC4IDS 0.9 project package (docs/oc4ids.md): what the project list's
    "OC4IDS (JSON)" link downloads, for scripts with a token. Money as exact JSON numbers."""

    filter_backends = [PortfolioFilterBackend]
    moment = AsOf()

    def get_queryset(self):
        return selectors.portfolio_projects(as_of=self.moment.date)

    @extend_schema(
        operation_id="oc4ids_package",
        parameters=[*MOMENT_PARAMETERS, *portfolio_filter_parameters()],
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
    )
    def get(self, request):
        self.moment = moment(request)
        projects = self.filter_queryset(self.get_queryset())
        # OC4IDS data is published in English (its "language": "en"), whatever the reader's language.
        with translation.override(settings.LANGUAGE_CODE):
            package = oc4ids_package(projects=projects, moment=self.moment, query=request.GET.urlencode())
            # Written by the package's own encoder, not DRF's renderer, which would turn its Decimals into strings.
            body = oc4ids.dumps(package, indent=None)
        if not package.get("projects"):
            raise NotFound(_("No project matches these filters at this moment: there is nothing to export."))
        return HttpResponse(body, content_type="application/json")


# ------------------------------------------------------------------ lenders


class LenderList(ReadOnlyView):
    """Every lender with its totals, as on the lenders page (``/lenders/``)."""

    @extend_schema(
        operation_id="lenders_list",
        parameters=[*MOMENT_PARAMETERS, *PAGE_PARAMETERS],
        responses=serializers.paged(serializers.LenderSerializer, "LenderPage", **serializers.moment_fields()),
    )
    def get(self, request):
        chosen = moment(request)
        paging = Paging.from_request(request)
        page = _page_of(selectors.lender_totals(as_of=chosen.date), paging)
        rows = serializers.LenderSerializer(page.object_list, many=True, context=self.context(chosen)).data
        return Response(envelope(request, page, rows, **moment_data(chosen)))


class LenderDetail(ReadOnlyView):
    """One lender: its totals and its lines (and the syndicated loans it joins), a page at a time."""

    @extend_schema(
        operation_id="lenders_retrieve",
        parameters=[*MOMENT_PARAMETERS, *PAGE_PARAMETERS],
        responses=serializers.LenderDetailSerializer,
    )
    def get(self, request, slug: str):
        chosen = moment(request)
        paging = Paging.from_request(request)
        page = selectors.lender_page(
            slug=slug,
            as_of=chosen.date,
            page=paging.number,
            per_page=paging.size,
            cache_key=cache_key(request, "api-lender-totals", ignore=("page", "page_size")),
        )
        if page is None:
            raise NotFound(_("No such lender."))
        lines = checked(page.lines, paging.number)
        lender = page.lender
        rows = serializers.LenderLineSerializer(lines.object_list, many=True, context=self.context(chosen)).data
        return Response(
            {
                "slug": lender.slug,
                "name": lender.name,
                "short_name": lender.short_name,
                "kind": lender.kind,
                "country": lender.country,
                "notes": lender.notes,
                **moment_data(chosen),
                "totals": serializers.LenderTotalsSerializer(page.totals).data,
                "lines": envelope(request, lines, rows),
            }
        )


# ------------------------------------------------------------------ JCC meetings


class MeetingList(ReadOnlyView):
    """The JCC meetings, newest first (those held by the moment), each with its number of decisions,
    and the decisions per meeting and kind (the meetings page's chart)."""

    @extend_schema(
        operation_id="meetings_list",
        parameters=[*MOMENT_PARAMETERS, *PAGE_PARAMETERS],
        responses=serializers.paged(
            serializers.MeetingListItemSerializer,
            "MeetingPage",
            **serializers.moment_fields(),
            decisions_per_meeting=serializers.MeetingDecisionCountSerializer(many=True),
        ),
    )
    def get(self, request):
        chosen = moment(request)
        paging = Paging.from_request(request)
        listing = selectors.meeting_list_page(as_of=chosen.date)
        page = _page_of(listing.meetings, paging)
        rows = serializers.MeetingListItemSerializer(page.object_list, many=True, context=self.context(chosen)).data
        counts = serializers.MeetingDecisionCountSerializer(listing.per_meeting, many=True).data
        return Response(envelope(request, page, rows, **moment_data(chosen), decisions_per_meeting=counts))


class MeetingDetail(ReadOnlyView):
    """One meeting as its page shows it: its decisions with the financing changes each made (``page``),
    and what changed since the previous meeting held, project by project (``changes_page``)."""

    @extend_schema(
        operation_id="meetings_retrieve",
        parameters=[
            *MOMENT_PARAMETERS,
            *PAGE_PARAMETERS,
            OpenApiParameter("changes_page", OpenApiTypes.INT, description="The page of what changed, from 1."),
        ],
        responses=serializers.MeetingDetailSerializer,
    )
    def get(self, request, number: int):
        chosen = moment(request)
        paging = Paging.from_request(request)
        changes_paging = Paging.from_request(request, name="changes_page")
        page = selectors.meeting_page(
            number=number, page=paging.number, changes_page=changes_paging.number, per_page=paging.size
        )
        if page is None:
            raise NotFound(_("No such JCC meeting."))
        decisions = checked(page.decisions, paging.number)
        changed = checked(page.changed, changes_paging.number)
        context = self.context(chosen)
        made = {}
        for group in page.grouped:
            for change in group["changes"]:
                made.setdefault(change.decision_id, []).append(change)
        decision_rows = serializers.MeetingDecisionSerializer(
            decisions.object_list, many=True, context={**context, "made": made}
        ).data
        meeting = page.meeting
        return Response(
            {
                **serializers.MeetingSerializer(meeting, context=context).data,
                **moment_data(chosen),
                "after_moment": chosen.date is not None and meeting.date > chosen.date,
                "sources": serializers.SourceSerializer(meeting.sources.all(), many=True).data,
                "previous_held": page.previous.number if page.previous else None,
                "neighbours": page.neighbours,
                "decisions": envelope(request, decisions, decision_rows),
                "changes": envelope(
                    request,
                    changed,
                    serializers.WhatChangedSerializer(changed.object_list, many=True, context=context).data,
                    name="changes_page",
                ),
            }
        )


# ------------------------------------------------------------------ exchange rates


class ExchangeRateList(ReadOnlyView):
    """The reference exchange rates (PKR and CNY per US dollar) dated up to the moment, newest first."""

    @extend_schema(
        operation_id="exchange_rates_list",
        parameters=[
            *MOMENT_PARAMETERS,
            *PAGE_PARAMETERS,
            OpenApiParameter("currency", OpenApiTypes.STR, enum=[Currency.PKR, Currency.CNY]),
        ],
        responses=serializers.paged(
            serializers.ExchangeRateSerializer, "ExchangeRatePage", **serializers.moment_fields()
        ),
    )
    def get(self, request):
        chosen = moment(request)
        paging = Paging.from_request(request)
        currency = request.query_params.get("currency") or None
        if currency not in (None, Currency.PKR, Currency.CNY):
            raise ValidationError({"currency": [_("Choose PKR or CNY.")]})
        rates = exchange_rate_list(as_of=chosen.date, currency=currency)
        page = checked(Paginator(rates, paging.size).get_page(paging.number), paging.number)
        rows = serializers.ExchangeRateSerializer(page.object_list, many=True).data
        return Response(envelope(request, page, rows, **moment_data(chosen)))
