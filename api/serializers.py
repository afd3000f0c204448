"""How the API writes the pages' rows as JSON. Read-only: no serializer here validates input.

Money is a decimal string, exactly as PostgreSQL computed it (never a float). Its currency is
named: a normalized figure's name ends in ``_usd`` or ``_pkr``; a stated amount has its
``currency`` beside it. An unknown figure is null, never 0. Codes are the choices' values
(``ProjectStatus``, ``FinancingStatus``…), enumerated in the OpenAPI description.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from financing.choices import ChangeKind, FinancingStatus, Instrument, LenderKind, ShareBasis
from financing.models import FinancingChange
from projects.choices import (
    ApprovingForum,
    Currency,
    DatePrecision,
    DecisionKind,
    EstimateBasis,
    EstimateBound,
    ExchangeRateKind,
    MeetingStatus,
    PhaseStatus,
    ProjectKind,
    ProjectStatus,
    RateOrigin,
    Region,
    Sector,
    SourceTier,
)


def money(**kwargs) -> serializers.DecimalField:
    """An amount of money or a rate as PostgreSQL stored it: a decimal string, null when unknown."""
    return serializers.DecimalField(max_digits=None, decimal_places=None, allow_null=True, read_only=True, **kwargs)


def choice(choices, **kwargs) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices.choices, read_only=True, **kwargs)


def paged(item: type[serializers.Serializer], name: str, **extra) -> type[serializers.Serializer]:
    """The serializer of one page of ``item`` rows (``api.params.envelope``), for the description."""
    fields = {
        "count": serializers.IntegerField(help_text="Rows in all pages."),
        "page": serializers.IntegerField(),
        "pages": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
    }
    return type(name, (serializers.Serializer,), {**extra, **fields})


def moment_fields() -> dict:
    """The moment a response is as of (``api.params.moment_data``)."""
    return {
        "as_of": serializers.DateField(allow_null=True, help_text="The moment's date; null for now."),
        "as_of_jcc": serializers.IntegerField(allow_null=True, help_text="The JCC meeting asked for, if one was."),
    }


class SourceSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The source's key in the data (S72), empty for most.")
    title = serializers.CharField()
    publisher = serializers.CharField()
    url = serializers.URLField()
    published_on = serializers.DateField(allow_null=True)
    tier = choice(SourceTier)


class LenderRefSerializer(serializers.Serializer):
    """A lender named where a line or a total refers to it."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = choice(LenderKind)


class DecisionRefSerializer(serializers.Serializer):
    """The JCC decision behind a financing state."""

    meeting = serializers.IntegerField(source="meeting.number", help_text="The JCC meeting's number.")
    sequence = serializers.IntegerField(help_text="The decision's number within the meeting.")
    kind = choice(DecisionKind)


class ProjectRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The project in this API.")

    @extend_schema_field(serializers.URLField())
    def get_url(self, project) -> str:
        return _absolute(self.context, "api:project", project.slug)


def _absolute(context: dict, name: str, *args) -> str:
    """The address of an API resource, absolute when the request is known, the moment kept."""
    url = reverse(name, args=args)
    moment = context.get("moment")
    if moment is not None:
        url = moment.link(url)
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


# ------------------------------------------------------------------ projects


class ProjectListSerializer(serializers.Serializer):
    """A project, and its cost and how it is financed (``financing.selectors.projects_with_funding``) as
    of the response's moment: the cost falls into committed (``committed_part_usd``) + committed of
    undisclosed amount + proposed or planned (``pipeline_part_usd``) + funding gap, which add up to it.
    All parts are null when the cost is unknown."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The project in this API, as of the same moment.")
    page_url = serializers.SerializerMethodField(help_text="The project's page on the site.")
    kind = choice(ProjectKind)
    sector = choice(Sector)
    subsector = serializers.CharField()
    regions = serializers.ListField(child=choice(Region))
    parent = serializers.SlugField(source="parent.slug", allow_null=True, default=None)
    status = choice(ProjectStatus, source="status_then", help_text="The status as of the response's moment.")
    counted_in_totals = serializers.BooleanField(
        help_text="False for a section whose parent has a cost of its own (the parent's cost stands for it)."
    )
    current_cost_usd = money(help_text="The current cost (the estimate of record), US$.")
    current_cost_pkr = money(help_text="The current cost, PKR.")
    current_cost_as_of = serializers.DateField(allow_null=True, help_text="The date of the estimate of record.")
    cost_is_lower_bound = serializers.SerializerMethodField(help_text='The cost is a lower bound ("over US$ 2bn").')
    committed_usd = money(
        help_text="Committed financing of known value, US$: every committed line's value, which may exceed the cost."
    )
    committed_part_usd = money(help_text="Committed financing of known value up to the cost, US$ (the Committed part).")
    committed_unknown_usd = money(help_text="The cost committed by financiers whose amounts are not disclosed, US$.")
    pipeline_usd = money(help_text="Proposed, planned or negotiated financing, US$: every such line's value.")
    pipeline_part_usd = money(
        help_text="Proposed, planned or negotiated financing up to what is left of the cost, US$."
    )
    funding_gap_usd = money(help_text="Not identified: what is left of the cost, never below zero, US$.")
    funding_gap_percent = money(help_text="The funding gap as a percentage of the cost.")
    financing_closed = serializers.BooleanField(help_text="Financing has closed (financial close) by the moment.")
    has_undisclosed = serializers.BooleanField(help_text="A committed line has no known value.")
    overrun_usd_percent = money(help_text="The cost's rise over the first approved PC-I, in US$ (percent).")
    overrun_pkr_percent = money(help_text="The cost's rise over the first approved PC-I, in rupees (percent).")
    overrun_flagged = serializers.BooleanField(allow_null=True)
    planned_start = serializers.DateField(allow_null=True)
    planned_end = serializers.DateField(allow_null=True)
    financial_close_on = serializers.DateField(allow_null=True)

    @extend_schema_field(serializers.URLField())
    def get_url(self, project) -> str:
        return _absolute(self.context, "api:project", project.slug)

    @extend_schema_field(serializers.URLField())
    def get_page_url(self, project) -> str:
        return _absolute(self.context, "dashboard:project", project.slug)

    @extend_schema_field(serializers.BooleanField())
    def get_cost_is_lower_bound(self, project) -> bool:
        return project.current_cost_bound == EstimateBound.LOWER


class EstimateSerializer(serializers.Serializer):
    """A dated cost estimate: the amount as the source stated it and its normalization."""

    as_of = serializers.DateField()
    date_precision = choice(DatePrecision)
    amount = money(help_text="As stated, in ``currency``.")
    currency = choice(Currency)
    bound = choice(EstimateBound, help_text='"lower" for "over US$ 2bn", "upper" for "up to", else "exact".')
    amount_usd = money()
    amount_pkr = money()
    foreign_exchange_component = money(
        help_text="The part of the amount to be paid in foreign currency (the PC-I's FEC), in ``currency``; null "
        "when the source does not split it."
    )
    pkr_per_usd = money(help_text="The rate used.")
    pkr_rate_origin = choice(RateOrigin, allow_blank=True)
    cny_per_usd = money()
    basis = choice(EstimateBasis)
    approving_forum = choice(ApprovingForum, allow_blank=True)
    full_scope = serializers.BooleanField()
    scope = serializers.CharField()
    of_record = serializers.BooleanField(help_text="The estimate the current cost comes from.")
    source = SourceSerializer()


class LineStateSerializer(serializers.Serializer):
    """A financing line's state as of the response's moment (its latest dated change by then)."""

    line = serializers.IntegerField(source="line_pk", help_text="The financing line's id.")
    lender = LenderRefSerializer()
    participants = serializers.SerializerMethodField(
        help_text="The other members of a syndicated loan (the lender leads it); the amount is the facility's."
    )
    status = choice(FinancingStatus)
    committed = serializers.BooleanField(source="is_committed")
    instrument = choice(Instrument)
    share_percent = money(help_text="The share of what ``share_basis`` names, percent.")
    share_basis = choice(ShareBasis)
    amount = money(help_text="As stated, in ``currency``.")
    currency = choice(Currency, allow_blank=True)
    amount_usd = money()
    value_usd = money(
        help_text="What the line counts for, US$: its share of the cost, else its stated amount; null when neither "
        "is known (committed of undisclosed amount)."
    )
    as_of = serializers.DateField(help_text="The date of this state.")
    decision = DecisionRefSerializer(allow_null=True)
    replaced_by = serializers.SerializerMethodField(help_text="For a superseded line: the line that replaced it.")

    @extend_schema_field(LenderRefSerializer(many=True))
    def get_participants(self, line) -> list:
        members = self.context.get("participants", {}).get(line.line_pk, [])
        return LenderRefSerializer(members, many=True).data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_replaced_by(self, line) -> int | None:
        # The id on the row (no query): a state as of a date names it only once superseded.
        if isinstance(line, FinancingChange):
            return line.line.replaced_by_id if line.status == FinancingStatus.SUPERSEDED else None
        return line.replaced_by_id


class ChangeSerializer(serializers.Serializer):
    """A dated change of a financing line: what it became, when, and why."""

    line = serializers.IntegerField(source="line_id")
    lender = LenderRefSerializer(source="line.lender")
    changed_on = serializers.DateField()
    kind = choice(ChangeKind)
    status = choice(FinancingStatus)
    instrument = choice(Instrument)
    share_percent = money()
    share_basis = choice(ShareBasis)
    amount = money()
    currency = choice(Currency, allow_blank=True)
    amount_usd = money()
    decision = DecisionRefSerializer(allow_null=True)
    reason = serializers.CharField(help_text="For a correction: what was wrong in the record.")


class PhaseSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    scope = serializers.CharField()
    status = choice(PhaseStatus)
    planned_start = serializers.DateField(allow_null=True)
    planned_end = serializers.DateField(allow_null=True)
    actual_start = serializers.DateField(allow_null=True)
    actual_end = serializers.DateField(allow_null=True)


class ProjectDecisionSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(source="meeting.number")
    meeting_date = serializers.DateField(source="meeting.date")
    sequence = serializers.IntegerField()
    kind = choice(DecisionKind)
    text = serializers.CharField()
    source = SourceSerializer()


class PsdpYearSerializer(serializers.Serializer):
    """The PSDP's money for one scheme of the project in one fiscal year (July–June), in rupees."""

    fiscal_year = serializers.CharField(source="year", help_text='"2024-25": 1 Jul 2024 to 30 Jun 2025.')
    scheme = serializers.CharField(help_text="The PSDP scheme, where the project has several.")
    allocation = money(help_text="The revised allocation once there is one, else the original one.")
    original = money()
    revised = money()
    released = money(help_text="The latest release reported, often “so far” on ``released_on``.")
    released_on = serializers.DateField(allow_null=True)
    spent = money(help_text="The latest spending reported, often “so far” on ``spent_on``.")
    spent_on = serializers.DateField(allow_null=True)
    release_rate = money(help_text="Released, percent of the allocation.")
    utilization = money(help_text="Spent, percent of the allocation.")
    flags = serializers.ListField(
        child=serializers.CharField(),
        help_text="released_over_allocation, spent_over_allocation, spent_over_released.",
    )


class DebtYearSerializer(serializers.Serializer):
    fiscal_year = serializers.CharField()
    principal = money()
    interest = money()
    fees = money()
    total = money()
    outstanding = money(help_text="Owed at the end of the fiscal year.")


class LoanSerializer(serializers.Serializer):
    """One loan of the project with its recorded terms, and its repayment schedule per fiscal year (US$)
    when its terms are complete, drawn in full when it starts (``assumption``); else what it lacks."""

    line = serializers.IntegerField(source="line_id")
    lender = serializers.CharField(source="lender_name")
    lender_kind = choice(LenderKind)
    status = choice(FinancingStatus)
    committed = serializers.BooleanField()
    principal_usd = money()
    rate_kind = serializers.CharField(source="terms.rate_kind", default="")
    benchmark = serializers.CharField(source="terms.benchmark", default="")
    margin_percent = money(source="terms.margin_percent", default=None)
    rate_percent = money(help_text="The rate the schedule uses, percent a year.")
    tenor_months = serializers.IntegerField(source="terms.tenor_months", default=None, allow_null=True)
    grace_months = serializers.IntegerField(source="terms.grace_months", default=None, allow_null=True)
    repayment = serializers.CharField(source="terms.profile", default="")
    payments_per_year = serializers.IntegerField(source="terms.payments_per_year", default=None, allow_null=True)
    upfront_fee_percent = money(source="terms.upfront_fee_percent", default=None)
    commitment_fee_percent = money(source="terms.commitment_fee_percent", default=None)
    insurance_percent = money(source="terms.insurance_percent", default=None)
    starts = serializers.DateField(source="start", allow_null=True)
    starts_at = serializers.CharField(source="start_basis")
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="What a schedule lacks; [] when it has one."
    )
    schedule = DebtYearSerializer(many=True, source="years")


class ProjectFactsSerializer(ProjectListSerializer):
    """One project's own fields and figures, as of the moment."""

    description = serializers.CharField()
    location = serializers.CharField()
    latitude = money()
    longitude = money()
    route = serializers.JSONField(
        allow_null=True, help_text="A GeoJSON LineString (longitude, latitude) for a road, railway or line."
    )
    location_note = serializers.CharField(help_text="What the point is (the site or a named town's centre).")
    location_source = serializers.CharField(source="location_source.key", default=None, allow_null=True)
    length_km = money()
    capacity_mw = money()
    area_acres = money()
    implementing_agency = serializers.CharField()
    sponsor = serializers.CharField()
    actual_start = serializers.DateField(allow_null=True)
    actual_end = serializers.DateField(allow_null=True)
    debt_percent = money(help_text="The debt part of the cost in the financing structure (75 for 75:25).")


class ProjectDetailSerializer(ProjectFactsSerializer):
    """One project as its page shows it (``dashboard.selectors.project_page``)."""

    as_of = serializers.DateField(allow_null=True, help_text="The moment's date; null for now.")
    as_of_jcc = serializers.IntegerField(allow_null=True, help_text="The moment's JCC meeting, when one was asked for.")
    financing_summary = serializers.ListField(child=serializers.CharField(), help_text="The page's sentences.")
    estimates = EstimateSerializer(many=True, help_text="Dated up to the moment, oldest first.")
    financing_lines = LineStateSerializer(many=True, help_text="Each line's state as of the moment.")
    financing_changes = ChangeSerializer(many=True, help_text="Dated up to the moment, newest first.")
    phases = PhaseSerializer(many=True)
    decisions = ProjectDecisionSerializer(many=True, help_text="JCC decisions up to the moment, newest first.")
    sections = ProjectRefSerializer(many=True)
    sources = SourceSerializer(many=True)
    psdp = PsdpYearSerializer(many=True, help_text="The PSDP's figures per fiscal year and scheme, latest first.")
    loans = LoanSerializer(many=True, help_text="Its loans not declined, withdrawn or superseded.")
    loan_assumption = serializers.CharField(help_text="What the loans' schedules assume, in words.")


def project_detail_data(page, context: dict) -> dict:
    """A ``ProjectPage`` as ``ProjectDetailSerializer`` writes it (no query: the page holds every row)."""
    context = {**context, "participants": page.participants}
    data = dict(ProjectFactsSerializer(page.project, context=context).data)
    data.update(
        financing_summary=page.financing_summary,
        estimates=EstimateSerializer(page.estimates, many=True).data,
        financing_lines=LineStateSerializer(page.lines, many=True, context=context).data,
        financing_changes=ChangeSerializer(page.changes, many=True).data,
        phases=PhaseSerializer(page.phases, many=True).data,
        decisions=ProjectDecisionSerializer(page.decisions, many=True).data,
        sections=[
            {"slug": s["slug"], "name": s["name"], "url": _absolute(context, "api:project", s["slug"])}
            for s in page.sections
        ],
        sources=SourceSerializer(page.sources, many=True).data,
        psdp=PsdpYearSerializer(page.psdp, many=True).data,
        loans=LoanSerializer(page.loans, many=True).data,
        loan_assumption=page.loan_assumption,
    )
    return data


# ------------------------------------------------------------------ lenders


class LenderTotalsSerializer(serializers.Serializer):
    """A lender's totals as of the moment (``dashboard.selectors.lender_totals``), US$. Its own lines
    apart from the syndicated loans it leads or joins, which count at their whole amount."""

    projects = serializers.IntegerField()
    lines = serializers.IntegerField()
    committed_usd = money()
    pipeline_usd = money()
    syndicated_committed_usd = money()
    syndicated_pipeline_usd = money()
    declined = serializers.IntegerField(help_text="Lines declined or withdrawn.")


class LenderSerializer(serializers.Serializer):
    slug = serializers.SlugField(source="lender.slug")
    name = serializers.CharField(source="lender.name")
    short_name = serializers.CharField(source="lender.short_name")
    kind = choice(LenderKind, source="lender.kind")
    country = serializers.CharField(source="lender.country")
    url = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField())
    def get_url(self, row) -> str:
        return _absolute(self.context, "api:lender", row["lender"].slug)

    @extend_schema_field(LenderTotalsSerializer())
    def get_totals(self, row) -> dict:
        return LenderTotalsSerializer(row).data


class LenderLineSerializer(LineStateSerializer):
    """One of a lender's lines, or a syndicated loan it joins, as of the moment."""

    project = ProjectRefSerializer()
    syndicated = serializers.BooleanField(help_text="A syndicated loan: the lender leads or joins it.")
    participants = None
    decision = None
    decision_meeting = serializers.IntegerField(allow_null=True)
    decision_sequence = serializers.IntegerField(allow_null=True)


class LenderDetailSerializer(serializers.Serializer):
    """One lender as its page shows it (``dashboard.selectors.lender_page``): totals and a page of lines."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    kind = choice(LenderKind)
    country = serializers.CharField()
    notes = serializers.CharField()
    as_of = serializers.DateField(allow_null=True)
    as_of_jcc = serializers.IntegerField(allow_null=True)
    totals = LenderTotalsSerializer()
    lines = paged(LenderLineSerializer, "LenderLinePage")()


# ------------------------------------------------------------------ meetings


class MeetingSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    ordinal = serializers.CharField(help_text='"14th".')
    date = serializers.DateField()
    date_precision = choice(DatePrecision)
    status = choice(MeetingStatus)
    city = serializers.CharField()
    is_virtual = serializers.BooleanField()
    is_special = serializers.BooleanField()
    pakistan_cochair = serializers.CharField()
    china_cochair = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField())
    def get_url(self, meeting) -> str:
        return _absolute(self.context, "api:meeting", meeting.number)


class MeetingListItemSerializer(MeetingSerializer):
    decision_total = serializers.IntegerField(help_text="Its decisions, about any project or CPEC-wide.")


class MeetingDecisionCountSerializer(serializers.Serializer):
    """Decisions per meeting and kind, as the meetings page's chart counts them."""

    number = serializers.IntegerField()
    label = serializers.CharField()
    kind = choice(DecisionKind)
    decisions = serializers.IntegerField()


class MeetingChangeSerializer(ChangeSerializer):
    """A financing change made by one of the meeting's decisions."""

    project = ProjectRefSerializer(source="line.project")
    decision = None
    decision_sequence = serializers.IntegerField(source="decision.sequence")


class MeetingDecisionSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    kind = choice(DecisionKind)
    project = ProjectRefSerializer(allow_null=True, help_text="Null for a CPEC-wide decision.")
    text = serializers.CharField()
    source = SourceSerializer()
    financing_changes = serializers.SerializerMethodField(help_text="The financing changes this decision made.")

    @extend_schema_field(MeetingChangeSerializer(many=True))
    def get_financing_changes(self, decision) -> list:
        # The meeting page's changes, by decision (``context["made"]``): read with the page, never per decision.
        return MeetingChangeSerializer(self.context["made"].get(decision.pk, []), many=True, context=self.context).data


class WhatChangedChangeSerializer(ChangeSerializer):
    kind_of_change = serializers.ChoiceField(
        choices=[(c, c) for c in ("added", "changed", "declined or withdrawn", "superseded")], read_only=True
    )


class ChangedEstimateSerializer(EstimateSerializer):
    """A cost estimate dated between the two meetings (its source is on the project)."""

    source = None
    of_record = None


class WhatChangedSerializer(serializers.Serializer):
    """A project that changed between the previous meeting held and this one (the meeting page's
    "What changed"): its financing changes (never corrections) and estimates dated in between, and
    its cost and funding gap at both ends, US$."""

    project = ProjectRefSerializer()
    cost_before_usd = money()
    gap_before_usd = money()
    gap_before_percent = money()
    cost_after_usd = money()
    gap_after_usd = money()
    gap_after_percent = money()
    changes = serializers.SerializerMethodField()
    estimates = serializers.SerializerMethodField()

    @extend_schema_field(WhatChangedChangeSerializer(many=True))
    def get_changes(self, row) -> list:
        return WhatChangedChangeSerializer(row["changes"], many=True).data

    @extend_schema_field(ChangedEstimateSerializer(many=True))
    def get_estimates(self, row) -> list:
        return ChangedEstimateSerializer(row["estimates"], many=True).data


class MeetingDetailSerializer(MeetingSerializer):
    """One meeting as its page shows it (``dashboard.selectors.meeting_page``)."""

    as_of = serializers.DateField(allow_null=True)
    as_of_jcc = serializers.IntegerField(allow_null=True)
    after_moment = serializers.BooleanField(help_text="The meeting was held after the moment asked for.")
    sources = SourceSerializer(many=True)
    previous_held = serializers.IntegerField(
        allow_null=True, help_text="The previous meeting held, whose date starts what changed."
    )
    neighbours = inline_serializer(
        "MeetingNeighbours",
        {"previous": serializers.IntegerField(allow_null=True), "next": serializers.IntegerField(allow_null=True)},
    )
    decisions = paged(MeetingDecisionSerializer, "MeetingDecisionPage")()
    changes = paged(WhatChangedSerializer, "WhatChangedPage")()


# ------------------------------------------------------------------ exchange rates


#: The currencies reference rates are kept for (per US dollar).
REFERENCE_CURRENCIES = [(Currency.PKR, "PKR"), (Currency.CNY, "CNY")]


class ExchangeRateSerializer(serializers.Serializer):
    currency = serializers.ChoiceField(choices=REFERENCE_CURRENCIES, read_only=True)
    date = serializers.DateField()
    per_usd = money(help_text="Units of the currency per US dollar.")
    kind = choice(ExchangeRateKind)
    source = SourceSerializer()
