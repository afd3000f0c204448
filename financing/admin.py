"""Data entry for lenders, financing lines and their dated changes.

Financing lines are written through ``financing.services`` only, whether from the
project page's inline or from their own page: each save records a dated change linked
to its decision, and the 100% rule on live shares is checked across the whole formset
(so an editor can lower one share and raise another in one save). The site's admin
(``cpec_site.admin``) puts ``FinancingLineInline`` on the project page and a decision's
effects on the decision page.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.admin import AuditedAdmin, DefaultedChoicesForm, NormalizationMessagesMixin
from projects.admin_widgets import SafeAutocompleteFields
from projects.money import amount_text
from projects.resources import SpreadsheetAdminMixin

from .choices import ChangeKind, FinancingStatus
from .models import FinancingChange, FinancingLine, Lender, LoanTerms, RateKind
from .resources import FinancingLineResource, LoanTermsResource
from .services import (
    LineShare,
    financing_change_date_validate,
    financing_line_edit,
    financing_line_record_change,
    financing_line_state_changed,
    financing_shares_validate,
)

#: Why a change made on a line's own form is a correction, and where a decision's changes go.
CORRECTION_HELP = gettext_lazy(
    "Changing an existing line's status, date, share or amount here corrects the record: it is "
    "listed on the project page as a correction, never as a JCC meeting's change. Say what was "
    "wrong. A JCC decision's changes are entered on the decision's page, as its effects."
)
CORRECTION_REQUIRED = gettext_lazy(
    "You changed this line's state: say what was wrong in the record (this is a correction)."
)


class LenderChoiceField(forms.ModelChoiceField):
    """Lenders by full name: "Asian Development Bank (ADB)"."""

    def label_from_instance(self, obj):
        return obj.choice_label


def lender_labels_in_full(formfield):
    """Name lenders in full in a lender field the admin built (autocomplete or select)."""
    if formfield is not None:
        formfield.label_from_instance = lambda obj: obj.choice_label
    return formfield


class FinancingLineFormSet(BaseInlineFormSet):
    """The financing lines of one project: shares checked together, saved via the service."""

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.pk is None and not self.forms:
            return
        pending = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data:
                continue
            deleting = self.can_delete and self._should_delete_form(form)
            pk = form.instance.pk
            if deleting:
                pending.append(LineShare(pk, None, FinancingStatus.WITHDRAWN))
            else:
                pending.append(LineShare.of(pk, data))
        # The project form's values are on the instance already: its split as it is being saved.
        financing_shares_validate(project_id=self.instance.pk, pending=pending, debt_percent=self.instance.debt_percent)

    #: The editor saving the page (set by ``FinancingLineInline.get_formset``).
    recorded_by = None

    def save_new(self, form, commit=True):
        setattr(form.instance, self.fk.name, self.instance)
        return self._save_through_service(form, commit)

    def save_existing(self, form, obj, commit=True):
        return self._save_through_service(form, commit)

    def _save_through_service(self, form, commit):
        line = form.save(commit=False)
        if commit:
            # clean() checked the whole set's shares
            financing_line_edit(
                line, reason=form.cleaned_data.get("reason", ""), recorded_by=self.recorded_by, check_shares=False
            )
            form.save_m2m()
        return line


class FinancingLineForm(DefaultedChoicesForm):
    """A line on its own form or the project's: a new state of an existing line is a correction."""

    reason = forms.CharField(
        label=gettext_lazy("reason for the correction"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"size": 40}),
        help_text=CORRECTION_HELP,
    )

    class Meta:
        model = FinancingLine
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin's fieldsets choose the fields

    def _post_clean(self):
        """A new state needs a reason, judged as ``financing_line_edit`` will judge it when saving
        (the line as filled in against the stored one), so the form and the service never disagree."""
        super()._post_clean()
        line = self.instance
        if line.pk and not self.has_error("reason") and not (self.cleaned_data.get("reason") or "").strip():
            if financing_line_state_changed(line):
                self.add_error("reason", CORRECTION_REQUIRED)

    def clean(self):
        cleaned = super().clean()
        line = self.instance
        if line.pk and cleaned.get("as_of"):
            try:
                financing_change_date_validate(line, cleaned["as_of"])
            except ValidationError as exc:
                self.add_error("as_of" if "as_of" in self.fields else None, exc.message_dict["as_of"])
        status, replaced_by = cleaned.get("status"), cleaned.get("replaced_by")
        if "replaced_by" in self.fields:
            if status == FinancingStatus.SUPERSEDED and replaced_by is None:
                self.add_error("replaced_by", _("A superseded line names the line that replaced it."))
            elif status != FinancingStatus.SUPERSEDED and replaced_by is not None:
                self.add_error(
                    "replaced_by", _("Only a superseded line names a replacement: set its status to superseded.")
                )
        elif status == FinancingStatus.SUPERSEDED and line.status != FinancingStatus.SUPERSEDED:
            self.add_error("status", _("Supersede a line on its own page, where you name the line that replaced it."))
        return cleaned


class FinancingLineInline(SafeAutocompleteFields, admin.StackedInline):
    """A project's lines (on its page: ``cpec_site.admin``); a changed state is a correction
    (a decision's changes go on its page)."""

    model = FinancingLine
    form = FinancingLineForm
    formset = FinancingLineFormSet
    extra = 0
    can_delete = False
    fields = [
        ("lender", "instrument", "status", "as_of"),
        ("share_percent", "share_basis"),
        ("amount", "currency", "entered_pkr_per_usd", "amount_usd_display"),
        ("set_by", "note"),
        "reason",
    ]
    readonly_fields = ["amount_usd_display", "set_by"]
    autocomplete_fields = ["lender"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"recorded_by": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return lender_labels_in_full(field) if db_field.name == "lender" else field

    @admin.display(description=gettext_lazy("current state set by"))
    def set_by(self, obj):
        return set_by(obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("lender", "decision__meeting", "decision__project", "pkr_reference", "cny_reference")
        )

    @admin.display(description=gettext_lazy("normalized (USD)"))
    def amount_usd_display(self, obj):
        if obj.amount_usd is None:
            return "–"
        return format_html("USD {}<br><small>{}</small>", f"{obj.amount_usd:,.0f}", obj.rate_explanation)


def set_by(line) -> str:
    """What set a line's current state: "15th JCC, decision 2", "a correction", "a reported change"."""
    if line is None or line.pk is None:
        return "–"
    if line.kind == ChangeKind.EFFECT and line.decision_id:
        # Translators: "15th JCC, decision 2": the meeting's ordinal, then the decision's number in it.
        return _("%(meeting)s JCC, decision %(sequence)s") % {
            "meeting": line.decision.meeting.ordinal,
            "sequence": line.decision.sequence,
        }
    return _("a correction") if line.kind == ChangeKind.CORRECTION else _("a change reported by a source")


@admin.register(Lender)
class LenderAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "kind", "country", "line_count"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "short_name", "slug", "country"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_total=Count("financing_lines")).order_by("name")

    @admin.display(description=gettext_lazy("financing lines"), ordering="line_total")
    def line_count(self, obj):
        return obj.line_total


class FinancingChangeInline(admin.TabularInline):
    """The dated history of a line: read-only, since changes are never rewritten."""

    model = FinancingChange
    extra = 0
    can_delete = False
    fields = [
        "changed_on",
        "status",
        "instrument",
        "share_percent",
        "stated_amount",
        "recorded_as",
        "source",
        "note",
    ]
    readonly_fields = fields
    ordering = ["changed_on", "pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("decision__meeting", "decision__project", "source", "recorded_by")
        )

    @admin.display(description=gettext_lazy("amount"))
    def stated_amount(self, obj):
        return amount_text(obj.amount, obj.currency)

    @admin.display(description=gettext_lazy("recorded as"))
    def recorded_as(self, obj):
        return recorded_as(obj)


def recorded_as(change) -> str:
    """Why a change was made, and by whom: "15th JCC, decision 2", "correction by amna: …"."""
    if change.kind == ChangeKind.EFFECT and change.decision_id:
        text = _("%(meeting)s JCC, decision %(sequence)s") % {
            "meeting": change.decision.meeting.ordinal,
            "sequence": change.decision.sequence,
        }
    elif change.kind == ChangeKind.CORRECTION:
        text = _("correction: %(reason)s") % {"reason": change.reason}
    else:
        text = _("reported by a source")
    if change.recorded_by_id:
        # Translators: "correction: wrong amount (recorded by amna)": how a change was recorded, then by whom.
        text = _("%(recorded_as)s (recorded by %(user)s)") % {
            "recorded_as": text,
            "user": change.recorded_by.get_username(),
        }
    return text


class LoanTermsInline(SafeAutocompleteFields, admin.StackedInline):
    """A loan's terms on its line's page: only what a source states, each group with its source."""

    model = LoanTerms
    extra = 0
    max_num = 1
    can_delete = False
    autocomplete_fields = ["interest_source", "repayment_source", "fees_source"]
    fieldsets = [
        (
            gettext_lazy("Interest"),
            {
                "fields": [
                    "rate_kind",
                    "fixed_rate_percent",
                    ("benchmark", "margin_percent", "benchmark_assumed_percent"),
                    "interest_source",
                ]
            },
        ),
        (
            gettext_lazy("Tenor and repayment"),
            {"fields": [("tenor_months", "grace_months"), ("profile", "payments_per_year"), "repayment_source"]},
        ),
        (
            gettext_lazy("Fees"),
            {"fields": [("upfront_fee_percent", "commitment_fee_percent", "insurance_percent"), "fees_source"]},
        ),
        (None, {"fields": ["note"]}),
    ]


@admin.register(LoanTerms)
class LoanTermsAdmin(SpreadsheetAdminMixin, AuditedAdmin):
    """Loans' terms on their own list, with import (a dry-run preview first) and export as CSV or XLSX;
    a line's terms are also edited on its page (``LoanTermsInline``)."""

    resource_classes = [LoanTermsResource]
    list_display = ["line", "rate_kind", "rate", "tenor_months", "grace_months", "profile", "payments_per_year"]
    list_filter = ["rate_kind", "profile", "payments_per_year", "line__instrument", "line__lender"]
    list_select_related = ["line__project", "line__lender"]
    ordering = ["line__project__name", "line__lender__name", "pk"]
    search_fields = ["line__project__name", "line__project__slug", "line__lender__name", "benchmark", "note"]
    autocomplete_fields = ["line", "interest_source", "repayment_source", "fees_source"]
    fieldsets = [(None, {"fields": ["line"]}), *LoanTermsInline.fieldsets]

    # xgettext:no-python-format
    @admin.display(description=gettext_lazy("rate (% a year)"))
    def rate(self, obj):
        if obj.rate_kind == RateKind.FLOATING:
            margin = "?" if obj.margin_percent is None else f"{obj.margin_percent.normalize():f}"
            return f"{obj.benchmark or _('benchmark')} + {margin}"
        rate = obj.annual_rate_percent
        return "–" if rate is None else f"{rate.normalize():f}"


class FinancingLineAdminForm(FinancingLineForm):
    def clean(self):
        cleaned = super().clean()
        project = cleaned.get("project")
        share = cleaned.get("share_percent")
        share_valid = share is None or 0 <= share <= 100  # else the range constraint speaks
        if project is not None and share_valid and not self.errors:
            try:
                financing_shares_validate(
                    project_id=project.pk,
                    pending=[LineShare.of(self.instance.pk, cleaned)],
                    field="share_percent",
                )
            except ValidationError as exc:
                self.add_error("share_percent", exc.error_dict["share_percent"])
        return cleaned


@admin.register(FinancingLine)
class FinancingLineAdmin(SpreadsheetAdminMixin, NormalizationMessagesMixin, AuditedAdmin):
    resource_classes = [FinancingLineResource]
    form = FinancingLineAdminForm
    allow_revert = False  # a line changes only by a new dated change
    list_display = ["project", "lender", "instrument", "share", "stated_amount", "usd", "status", "as_of", "set_by"]
    list_filter = ["status", "kind", "instrument", "lender__kind", "lender"]
    list_select_related = ["project", "lender", "decision__meeting", "decision__project"]
    search_fields = ["project__name", "lender__name", "lender__short_name", "note"]
    autocomplete_fields = ["project", "lender", "participants", "decision", "replaced_by", "sources"]
    date_hierarchy = "as_of"
    readonly_fields = ["amount_usd", "amount_pkr", "rate_explanation", "set_by"]
    inlines = [LoanTermsInline, FinancingChangeInline]
    fieldsets = [
        (None, {"fields": ["project", "lender", "instrument"]}),
        (
            gettext_lazy("Current state"),
            {
                "fields": [
                    "status",
                    "as_of",
                    ("share_percent", "share_basis"),
                    ("amount", "currency"),
                    "replaced_by",
                    "set_by",
                    "reason",
                ]
            },
        ),
        (gettext_lazy("Syndicated or club loan"), {"fields": ["participants"], "classes": ["collapse"]}),
        (
            gettext_lazy("Normalization"),
            {
                "fields": [
                    ("entered_pkr_per_usd", "entered_cny_per_usd"),
                    ("amount_usd", "amount_pkr"),
                    "rate_explanation",
                ]
            },
        ),
        (gettext_lazy("About"), {"fields": ["note", "sources"]}),
    ]

    def get_queryset(self, request):
        # A queryset that already selects related rows makes the changelist ignore
        # list_select_related, so every relation the pages read is named here.
        return super().get_queryset(request).select_related(*self.list_select_related, "pkr_reference", "cny_reference")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            # A new line may be a decision's effect; an existing one changes by effects or corrections.
            state = [f for f in fieldsets[1][1]["fields"] if f not in ("set_by", "reason")] + ["decision"]
            fieldsets = [fieldsets[0], (_("Current state"), {"fields": state}), *fieldsets[2:]]
        return fieldsets

    def save_model(self, request, obj, form, change):
        # the form checked the shares
        financing_line_edit(
            obj, reason=form.cleaned_data.get("reason", ""), recorded_by=request.user, check_shares=False
        )
        self._announce(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return lender_labels_in_full(field) if db_field.name == "lender" else field

    @admin.display(description=gettext_lazy("current state set by"))
    def set_by(self, obj):
        return set_by(obj)

    @admin.display(description=gettext_lazy("share"), ordering="share_percent")
    def share(self, obj):
        return obj.share_display or "–"

    @admin.display(description=gettext_lazy("stated amount"), ordering="amount")
    def stated_amount(self, obj):
        return amount_text(obj.amount, obj.currency)

    @admin.display(description="USD", ordering="amount_usd")
    def usd(self, obj):
        return amount_text(obj.amount_usd)


class FinancingChangeForm(DefaultedChoicesForm):
    """Record a new state for a line; the service saves the line and the change together."""

    class Meta:
        model = FinancingChange
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin's fieldsets choose the fields

    def clean(self):
        cleaned = super().clean()
        line = cleaned.get("line")
        if self.instance.pk is None:
            if cleaned.get("status") == FinancingStatus.SUPERSEDED:
                self.add_error(
                    "status",
                    _("Supersede a line on its own page, or by a decision's effect that names its replacement."),
                )
            if cleaned.get("decision") is not None and (cleaned.get("reason") or "").strip():
                self.add_error(
                    "reason", _("A decision's effect needs no reason; a correction names no decision. Choose one.")
                )
            if (
                cleaned.get("decision") is not None
                and line is not None
                and cleaned["decision"].project_id
                not in (
                    None,
                    line.project_id,
                )
            ):
                self.add_error(
                    "decision",
                    _("This decision is about %(decision_project)s, not %(line_project)s.")
                    % {"decision_project": cleaned["decision"].project, "line_project": line.project},
                )
        if self.instance.pk is None and line is not None and cleaned.get("changed_on") and not self.errors:
            try:
                financing_change_date_validate(line, cleaned["changed_on"], field="changed_on")
                financing_shares_validate(
                    project_id=line.project_id,
                    pending=[LineShare.of(line.pk, cleaned)],
                    field="share_percent",
                )
            except ValidationError as exc:
                for name, errors in exc.error_dict.items():
                    self.add_error(name, errors)
        return cleaned


@admin.register(FinancingChange)
class FinancingChangeAdmin(AuditedAdmin):
    """Adding a change moves its line to that state; a recorded change's state stays as it was."""

    allow_revert = False

    form = FinancingChangeForm
    list_display = [
        "line",
        "changed_on",
        "status",
        "instrument",
        "share_percent",
        "stated_amount",
        "recorded_as",
        "source",
    ]
    list_filter = ["kind", "status", "instrument"]
    list_select_related = [
        "line__project",
        "line__lender",
        "decision__meeting",
        "decision__project",
        "source",
        "recorded_by",
    ]
    exclude = ["kind", "recorded_by"]
    search_fields = ["line__project__name", "line__lender__name", "note"]
    autocomplete_fields = ["line", "decision", "source"]
    date_hierarchy = "changed_on"
    state_fields = [
        "line",
        "changed_on",
        "status",
        "instrument",
        "share_percent",
        "share_basis",
        "amount",
        "currency",
        "entered_pkr_per_usd",
        "entered_cny_per_usd",
        "decision",
        "reason",
    ]

    def get_readonly_fields(self, request, obj=None):
        computed = ["amount_usd", "amount_pkr", "recorded_as"]
        return [*self.state_fields, *computed] if obj is not None else computed

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None and "reason" in form.base_fields:
            form.base_fields["reason"].help_text = _(
                "With a decision, this change is the decision's effect. Without one, it is a correction of the "
                "record if you give a reason here (what was wrong), else a change its source reported."
            )
        return form

    @admin.display(description=gettext_lazy("recorded as"))
    def recorded_as(self, obj):
        return recorded_as(obj) if obj is not None and obj.pk else "–"

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["source", "note"])
            return
        recorded = financing_line_record_change(
            line=obj.line,
            changed_on=obj.changed_on,
            status=obj.status,
            instrument=obj.instrument,
            share_percent=obj.share_percent,
            share_basis=obj.share_basis,
            amount=obj.amount,
            currency=obj.currency,
            entered_pkr_per_usd=obj.entered_pkr_per_usd,
            entered_cny_per_usd=obj.entered_cny_per_usd,
            decision=obj.decision,
            reason=obj.reason,
            recorded_by=request.user,
            source=obj.source,
            note=obj.note,
        )
        # None when the line was already in exactly this state: show that change.
        obj.pk = recorded.pk if recorded is not None else obj.line.changes.latest().pk
        obj.line.refresh_from_db()

    @admin.display(description=gettext_lazy("stated amount"), ordering="amount")
    def stated_amount(self, obj):
        return amount_text(obj.amount, obj.currency)
