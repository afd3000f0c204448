"""Data entry for projects, cost estimates, JCC meetings, decisions, sources and rates.

Every list page reads annotated or ``select_related`` rows only, so it runs the same
number of queries whatever the page size. Normalized amounts are read-only and shown
beside the entered amount with the rate that produced them.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from projects.admin_widgets import SafeAutocompleteFields

from .choices import Region
from .models import (
    CostEstimate,
    Decision,
    ExchangeRate,
    JCCMeeting,
    NormalizedMoney,
    Phase,
    PhaseStatusChange,
    Project,
    ProjectStatusChange,
    Source,
)
from .money import amount_text
from .resources import CostEstimateResource, DecisionResource, ProjectResource, SpreadsheetAdminMixin
from .services import phase_status_record_change, project_status_record_change


class AuditedAdmin(SafeAutocompleteFields, SimpleHistoryAdmin):
    """Every change is kept (django-simple-history); only the Admin role may restore a version.

    Models written only through services (financing lines and their changes) set
    ``allow_revert = False``: a restored row would bypass the dated change log.
    """

    allow_revert = True

    def may_revert(self, request) -> bool:
        user = request.user
        return self.allow_revert and (user.is_superuser or user.groups.filter(name="Admin").exists())

    def revert_disabled(self, request, obj=None):
        return not self.may_revert(request) or super().revert_disabled(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and not self.may_revert(request):
            raise PermissionDenied("Only an administrator may restore an earlier version.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class NormalizationMessagesMixin:
    """Tell the editor which rate normalized each amount they just saved."""

    def _announce(self, request, obj) -> None:
        if isinstance(obj, NormalizedMoney) and obj.amount is not None and obj.amount_usd is not None:
            messages.info(
                request,
                f"{obj}: {amount_text(obj.amount, obj.currency)} = USD {obj.amount_usd:,.2f} "
                f"= PKR {obj.amount_pkr:,.2f} ({obj.rate_explanation}).",
            )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._announce(request, obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for obj in [*formset.new_objects, *(o for o, _fields in formset.changed_objects)]:
            self._announce(request, obj)


class RegionFilter(admin.SimpleListFilter):
    title = _("province / region")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        return Region.choices

    def queryset(self, request, queryset):
        if self.value() in Region.values:
            return queryset.filter(regions__contains=[self.value()])
        return queryset


# ------------------------------------------------------------------------- sources


@admin.register(Source)
class SourceAdmin(AuditedAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["key", "title", "publisher", "published_on", "tier"]
    list_display_links = ["key", "title"]
    list_filter = ["tier"]
    search_fields = ["key", "title", "publisher", "url"]
    date_hierarchy = "published_on"
    ordering = ["key", "title"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(AuditedAdmin):
    list_display = ["currency", "date", "per_usd", "kind", "source"]
    list_filter = ["currency", "kind"]
    list_select_related = ["source"]
    search_fields = ["source__title", "source__key"]
    date_hierarchy = "date"
    autocomplete_fields = ["source"]


# ------------------------------------------------------------------------ projects


class PhaseInline(SafeAutocompleteFields, admin.TabularInline):
    model = Phase
    extra = 0
    fields = [
        "order",
        "name",
        "scope",
        "length_km",
        "status",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
    ]


class DefaultedChoicesForm(forms.ModelForm):
    """A form in which the choices that have a sensible default may be left out.

    An estimate's bound and date precision, a financial close's precision, a line's "share
    of": left out of a form (or of an older bookmark or script), each keeps its model default
    (a stated amount, an exact day, a share of the total cost) instead of failing as required.
    """

    DEFAULTED = ("bound", "date_precision", "financial_close_precision", "share_basis")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.DEFAULTED:
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.DEFAULTED:
            if name in self.fields and not cleaned.get(name):
                cleaned[name] = self._meta.model._meta.get_field(name).default
        return cleaned


class CostEstimateInline(SafeAutocompleteFields, admin.TabularInline):
    model = CostEstimate
    form = DefaultedChoicesForm
    extra = 0
    fields = [
        "as_of",
        "date_precision",
        "bound",
        "amount",
        "currency",
        "foreign_exchange_component",
        "entered_pkr_per_usd",
        "entered_cny_per_usd",
        "amount_usd_display",
        "basis",
        "approving_forum",
        "full_scope",
        "scope",
        "source",
        "note",
    ]
    readonly_fields = ["amount_usd_display"]
    autocomplete_fields = ["source"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "pkr_reference", "cny_reference")

    @admin.display(description=_("normalized (USD)"))
    def amount_usd_display(self, obj):
        if obj.amount_usd is None:
            return "–"
        return format_html("USD {}<br><small>{}</small>", f"{obj.amount_usd:,.0f}", obj.rate_explanation)


@admin.register(Project)
class ProjectAdmin(SpreadsheetAdminMixin, NormalizationMessagesMixin, AuditedAdmin):
    resource_classes = [ProjectResource]
    form = DefaultedChoicesForm
    list_display = ["name", "kind", "sector", "status", "regions_display", "current_cost", "planned_end", "updated_at"]
    list_filter = ["kind", "sector", "status", RegionFilter]
    search_fields = [
        "name",
        "name_ur",
        "slug",
        "subsector",
        "location",
        "sponsor",
        "implementing_agency",
        "description",
    ]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "sources", "financial_close_source", "location_source"]
    date_hierarchy = "planned_end"
    list_select_related = ["parent"]
    inlines = [PhaseInline, CostEstimateInline]  # the site's admin (cpec_site/admin.py) adds financing lines
    fieldsets = [
        (None, {"fields": ["name", "name_ur", "slug", "kind", "sector", "subsector", "status", "parent"]}),
        (
            # Translators: sections of a project's form: where, size, who and when (as questions about it).
            _("Where"),
            {"fields": ["regions", "location", ("latitude", "longitude"), "route", "location_source", "location_note"]},
        ),
        (_("Size"), {"fields": [("length_km", "capacity_mw", "area_acres"), "focus_industries"]}),
        (_("Who"), {"fields": ["implementing_agency", "sponsor"]}),
        (_("When"), {"fields": [("planned_start", "planned_end"), ("actual_start", "actual_end")]}),
        (
            _("Financing structure"),
            {
                "fields": [
                    "debt_percent",
                    ("financial_close_on", "financial_close_precision"),
                    "financial_close_source",
                    "financial_close_note",
                ],
                "description": _(
                    "The debt part of the cost (equity is the rest), and when the financing closed: "
                    "from financial close on, all of the cost counts as committed, amounts known or not."
                ),
            },
        ),
        (_("About"), {"fields": ["description", "sources"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_current_cost()

    @admin.display(description=_("regions"))
    def regions_display(self, obj):
        return obj.get_regions_display()

    @admin.display(description=_("current cost (USD)"), ordering="current_cost_usd")
    def current_cost(self, obj):
        return amount_text(obj.current_cost_usd)


@admin.register(Phase)
class PhaseAdmin(AuditedAdmin):
    list_display = ["project", "order", "name", "status", "length_km", "planned_start", "planned_end", "actual_end"]
    list_filter = ["status"]
    list_select_related = ["project"]
    search_fields = ["name", "scope", "project__name"]
    autocomplete_fields = ["project", "sources"]
    date_hierarchy = "planned_start"


@admin.register(CostEstimate)
class CostEstimateAdmin(SpreadsheetAdminMixin, NormalizationMessagesMixin, AuditedAdmin):
    resource_classes = [CostEstimateResource]
    form = DefaultedChoicesForm
    list_display = [
        "project",
        "as_of",
        "stated_amount",
        "usd",
        "pkr",
        "basis",
        "approving_forum",
        "full_scope",
        "source_key",
    ]
    list_filter = ["currency", "basis", "approving_forum", "full_scope", "pkr_rate_origin"]
    list_select_related = ["project", "source"]
    search_fields = ["project__name", "note", "scope", "source__title", "source__key"]
    autocomplete_fields = ["project", "source"]
    date_hierarchy = "as_of"
    readonly_fields = ["amount_usd", "amount_pkr", "rate_explanation"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "project",
                    ("as_of", "date_precision"),
                    ("bound", "amount", "currency"),
                    "foreign_exchange_component",
                    "basis",
                    "approving_forum",
                    "source",
                    "note",
                ]
            },
        ),
        (_("Scope"), {"fields": ["full_scope", "scope"]}),
        (
            _("Normalization"),
            {
                "fields": [
                    ("entered_pkr_per_usd", "entered_cny_per_usd"),
                    ("amount_usd", "amount_pkr"),
                    "rate_explanation",
                ],
                "description": _(
                    "Leave the rates empty to use the reference rate of the date (or the nearest earlier one)."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        # A queryset that already selects related rows makes the changelist ignore
        # list_select_related, so every relation the pages read is named here.
        return super().get_queryset(request).select_related(*self.list_select_related, "pkr_reference", "cny_reference")

    @admin.display(description=_("stated amount"), ordering="amount")
    def stated_amount(self, obj):
        return amount_text(obj.amount, obj.currency)

    @admin.display(description="USD", ordering="amount_usd")
    def usd(self, obj):
        return amount_text(obj.amount_usd)

    @admin.display(description="PKR", ordering="amount_pkr")
    def pkr(self, obj):
        return amount_text(obj.amount_pkr)

    @admin.display(description=_("source"), ordering="source__key")
    def source_key(self, obj):
        return obj.source.key or obj.source.publisher


# ----------------------------------------------------------------------------- JCC


class DecisionInline(SafeAutocompleteFields, admin.StackedInline):
    model = Decision
    extra = 0
    show_change_link = True  # each decision's own page records its effects
    fields = [("sequence", "kind"), "project", "text", "source"]
    autocomplete_fields = ["project", "source"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("meeting", "project", "source")


@admin.register(JCCMeeting)
class JCCMeetingAdmin(AuditedAdmin):
    list_display = [
        "number",
        "date",
        "date_precision",
        "status",
        "place",
        "pakistan_cochair",
        "china_cochair",
        "decision_count",
    ]
    list_filter = ["status", "is_virtual", "is_special"]
    search_fields = ["=number", "city", "pakistan_cochair", "china_cochair", "summary"]
    autocomplete_fields = ["sources"]
    date_hierarchy = "date"
    inlines = [DecisionInline]
    fieldsets = [
        (None, {"fields": [("number", "status"), ("date", "date_precision"), ("city", "is_virtual", "is_special")]}),
        (_("Co-chairs"), {"fields": ["pakistan_cochair", "china_cochair"]}),
        # Translators: a section of a JCC meeting's form: the meeting's record (summary and sources), a noun.
        (_("Record"), {"fields": ["summary", "sources"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(decision_total=Count("decisions")).order_by("number")

    @admin.display(description=_("decisions"), ordering="decision_total")
    def decision_count(self, obj):
        return obj.decision_total


@admin.register(Decision)
class DecisionAdmin(SpreadsheetAdminMixin, AuditedAdmin):
    resource_classes = [DecisionResource]
    list_display = ["meeting", "sequence", "project", "kind", "short_text"]
    list_filter = ["kind", "meeting"]
    list_select_related = ["meeting", "project"]
    search_fields = ["text", "project__name", "=meeting__number"]
    autocomplete_fields = ["meeting", "project", "source"]
    ordering = ["-meeting__number", "sequence"]

    def get_queryset(self, request):
        # __str__ reads the meeting and the project (autocomplete lists use this too).
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 90 else obj.text[:87] + "…"


@admin.register(ProjectStatusChange)
class ProjectStatusChangeAdmin(AuditedAdmin):
    """A project's dated statuses; saving one moves the project's status if it is the latest."""

    list_display = ["project", "status", "changed_on", "decision"]
    list_filter = ["status"]
    list_select_related = ["project", "decision__meeting", "decision__project"]
    search_fields = ["project__name", "note"]
    autocomplete_fields = ["project", "decision", "source"]
    date_hierarchy = "changed_on"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    def save_model(self, request, obj, form, change):
        project_status_record_change(obj)


@admin.register(PhaseStatusChange)
class PhaseStatusChangeAdmin(AuditedAdmin):
    """A phase's dated statuses (approved, launched…); the latest is the phase's status."""

    list_display = ["phase", "status", "changed_on", "decision"]
    list_filter = ["status"]
    list_select_related = ["phase__project", "decision__meeting", "decision__project"]
    search_fields = ["phase__name", "phase__project__name", "note"]
    autocomplete_fields = ["phase", "decision", "source"]
    date_hierarchy = "changed_on"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    def save_model(self, request, obj, form, change):
        phase_status_record_change(obj)
