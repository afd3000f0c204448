"""Data entry for lenders and financing lines.

Financing lines are written through ``financing.services`` only, whether from the
project page's inline or from their own page: each save records a dated change linked
to its decision, and the 100% rule on live shares is checked across the whole formset
(so an editor can lower one share and raise another in one save).
"""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from cpec_tracker.admin_site import SafeAutocompleteFields, SafeAutocompleteSelect
from projects.admin import (
    AuditedAdmin,
    DecisionAdmin,
    DefaultedChoicesForm,
    NormalizationMessagesMixin,
    ProjectAdmin,
    money,
)
from projects.models import (
    CostEstimate,
    Decision,
    PhaseStatusChange,
    Project,
    ProjectStatusChange,
    normalize_amount,
)
from projects.resources import SpreadsheetAdminMixin

from .choices import ChangeKind, FinancingStatus, Instrument, ShareBasis
from .models import FinancingChange, FinancingLine, Lender
from .resources import FinancingLineResource
from .services import (
    STATE_FIELDS,
    FinancingEffect,
    LineShare,
    decision_effects_check,
    decision_record_effects,
    financing_change_date_validate,
    financing_line_edit,
    financing_line_record_change,
    financing_shares_validate,
    line_label,
)

#: Why a change made on a line's own form is a correction, and where a decision's changes go.
CORRECTION_HELP = (
    "Changing an existing line's status, date, share or amount here corrects the record: it is "
    "listed on the project page as a correction, never as a JCC meeting's change. Say what was "
    "wrong. A JCC decision's changes are entered on the decision's page, as its effects."
)
CORRECTION_REQUIRED = "You changed this line's state: say what was wrong in the record (this is a correction)."


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
        label="reason for the correction",
        required=False,
        max_length=1000,
        widget=forms.TextInput(attrs={"size": 40}),
        help_text=CORRECTION_HELP,
    )

    class Meta:
        model = FinancingLine
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin's fieldsets choose the fields

    def state_changed(self) -> bool:
        return bool({*STATE_FIELDS, "as_of", "replaced_by"} & set(self.changed_data))

    def clean(self):
        cleaned = super().clean()
        line = self.instance
        if line.pk and cleaned.get("as_of"):
            try:
                financing_change_date_validate(line, cleaned["as_of"])
            except ValidationError as exc:
                self.add_error("as_of" if "as_of" in self.fields else None, exc.message_dict["as_of"])
        if line.pk and self.state_changed() and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", CORRECTION_REQUIRED)
        status, replaced_by = cleaned.get("status"), cleaned.get("replaced_by")
        if "replaced_by" in self.fields:
            if status == FinancingStatus.SUPERSEDED and replaced_by is None:
                self.add_error("replaced_by", "A superseded line names the line that replaced it.")
            elif status != FinancingStatus.SUPERSEDED and replaced_by is not None:
                self.add_error(
                    "replaced_by", "Only a superseded line names a replacement: set its status to superseded."
                )
        elif status == FinancingStatus.SUPERSEDED and line.status != FinancingStatus.SUPERSEDED:
            self.add_error("status", "Supersede a line on its own page, where you name the line that replaced it.")
        return cleaned


class FinancingLineInline(SafeAutocompleteFields, admin.StackedInline):
    """A project's lines; a changed state is a correction (a decision's changes go on its page)."""

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

    @admin.display(description="current state set by")
    def set_by(self, obj):
        return set_by(obj)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("lender", "decision__meeting", "decision__project", "pkr_reference", "cny_reference")
        )

    @admin.display(description="normalized (USD)")
    def amount_usd_display(self, obj):
        if obj.amount_usd is None:
            return "–"
        return format_html("USD {}<br><small>{}</small>", f"{obj.amount_usd:,.0f}", obj.rate_explanation)


# The project page shows its financing lines too. Adding the inline here keeps the
# dependency one way: financing knows projects, projects never import financing.
ProjectAdmin.inlines = [*ProjectAdmin.inlines, FinancingLineInline]


def set_by(line) -> str:
    """What set a line's current state: "15th JCC, decision 2", "a correction", "a reported change"."""
    if line is None or line.pk is None:
        return "–"
    if line.kind == ChangeKind.EFFECT and line.decision_id:
        return f"{line.decision.meeting.ordinal} JCC, decision {line.decision.sequence}"
    return "a correction" if line.kind == ChangeKind.CORRECTION else "a change reported by a source"


@admin.register(Lender)
class LenderAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "kind", "country", "line_count"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "short_name", "slug", "country"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_total=Count("financing_lines")).order_by("name")

    @admin.display(description="financing lines", ordering="line_total")
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

    @admin.display(description="amount")
    def stated_amount(self, obj):
        return money(obj.amount, obj.currency)

    @admin.display(description="recorded as")
    def recorded_as(self, obj):
        return recorded_as(obj)


def recorded_as(change) -> str:
    """Why a change was made, and by whom: "15th JCC, decision 2", "correction by amna: …"."""
    if change.kind == ChangeKind.EFFECT and change.decision_id:
        text = f"{change.decision.meeting.ordinal} JCC, decision {change.decision.sequence}"
    elif change.kind == ChangeKind.CORRECTION:
        text = f"correction: {change.reason}"
    else:
        text = "reported by a source"
    if change.recorded_by_id:
        text += f" (recorded by {change.recorded_by.get_username()})"
    return text


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
    inlines = [FinancingChangeInline]
    fieldsets = [
        (None, {"fields": ["project", "lender", "instrument"]}),
        (
            "Current state",
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
        ("Syndicated or club loan", {"fields": ["participants"], "classes": ["collapse"]}),
        (
            "Normalization",
            {
                "fields": [
                    ("entered_pkr_per_usd", "entered_cny_per_usd"),
                    ("amount_usd", "amount_pkr"),
                    "rate_explanation",
                ]
            },
        ),
        ("About", {"fields": ["note", "sources"]}),
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
            fieldsets = [fieldsets[0], ("Current state", {"fields": state}), *fieldsets[2:]]
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

    @admin.display(description="current state set by")
    def set_by(self, obj):
        return set_by(obj)

    @admin.display(description="share", ordering="share_percent")
    def share(self, obj):
        return obj.share_display or "–"

    @admin.display(description="stated amount", ordering="amount")
    def stated_amount(self, obj):
        return money(obj.amount, obj.currency)

    @admin.display(description="USD", ordering="amount_usd")
    def usd(self, obj):
        return money(obj.amount_usd)


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
                    "status", "Supersede a line on its own page, or by a decision's effect that names its replacement."
                )
            if cleaned.get("decision") is not None and (cleaned.get("reason") or "").strip():
                self.add_error(
                    "reason", "A decision's effect needs no reason; a correction names no decision. Choose one."
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
                self.add_error("decision", f"This decision is about {cleaned['decision'].project}, not {line.project}.")
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
            form.base_fields["reason"].help_text = (
                "With a decision, this change is the decision's effect. Without one, it is a correction of the "
                "record if you give a reason here (what was wrong), else a change its source reported."
            )
        return form

    @admin.display(description="recorded as")
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

    @admin.display(description="stated amount", ordering="amount")
    def stated_amount(self, obj):
        return money(obj.amount, obj.currency)


# ------------------------------------------------------------------ decision effects
# A decision's page records what it changed: new financing states, cost estimates,
# project and phase statuses. New effects are entered in "add" inlines and applied by
# financing.services.decision_record_effects in the admin's transaction (all or none);
# recorded effects are listed read-only, since effects never overwrite.


class EffectFormSet(BaseInlineFormSet):
    """An add-only inline: no existing rows; the decision admin hands new rows to the service."""

    effect_kind = ""

    def get_queryset(self):
        return self.model.objects.none()

    def effect_forms(self):
        return [f for f in self.forms if f.has_changed() and not (self.can_delete and self._should_delete_form(f))]

    def clean(self):
        super().clean()
        if any(self.errors) or not self.effect_forms():
            return
        needs_project = self.effect_kind != "phases"
        phases = [f.instance for f in self.effect_forms()] if self.effect_kind == "phases" else []
        errors, _plans = decision_effects_check(self.instance, phases=phases, needs_project=needs_project)
        if errors:
            raise ValidationError(errors)


#: The "line" choice of an effect that asks for a new line (the empty choice lets the service decide).
NEW_LINE = "new"
#: An effect dated before its meeting, or more than this many days after, needs the editor's confirmation.
EFFECT_DAYS_AFTER = 30
CONFIRM_LABEL = "I have checked the warnings"


class NewFinancingEffectForm(DefaultedChoicesForm):
    lender = LenderChoiceField(
        queryset=Lender.objects.order_by("name"),
        widget=SafeAutocompleteSelect(FinancingLine._meta.get_field("lender"), admin.site),
    )
    target = forms.ChoiceField(
        label="line",
        required=False,
        help_text="Which of the project's lines this effect moves. Left automatic: the lender's one live line "
        "(or the one of the instrument given), else a new line; with several, you are asked to choose.",
    )
    replaces = forms.ChoiceField(
        label="replaces",
        required=False,
        help_text="A line of this project that the effect's line replaces: it is closed (superseded) on the "
        "effect's date and stops counting. Leave empty when nothing is replaced.",
    )

    def __init__(self, *args, lines=(), meeting_date=None, cost_usd=None, confirmed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {str(line.pk): line for line in lines}
        self.meeting_date, self.cost_usd, self.confirmed = meeting_date, cost_usd, confirmed
        labels = [(pk, line_label(line)) for pk, line in self.lines.items()]
        self.fields["target"].choices = [("", "Automatic"), (NEW_LINE, "A new line"), *labels]
        live = [(pk, line_label(line)) for pk, line in self.lines.items() if line.status not in FinancingStatus.dead()]
        self.fields["replaces"].choices = [("", "Nothing"), *live]
        self._instrument_optional()

    class Meta:
        model = FinancingChange
        fields = [
            "lender",
            "target",
            "replaces",
            "instrument",
            "status",
            "changed_on",
            "share_percent",
            "share_basis",
            "amount",
            "currency",
            "entered_pkr_per_usd",
            "note",
        ]
        widgets = {"note": forms.TextInput(attrs={"size": 30})}

    def _instrument_optional(self):
        instrument = self.fields["instrument"]
        instrument.required = False
        instrument.choices = [("", "(the line's)"), *Instrument.choices]
        instrument.initial = ""
        instrument.help_text = "Left empty: the line's instrument as it is (undecided for a new line)."

    def clean(self):
        cleaned = super().clean()
        line = self.lines.get(cleaned.get("target") or "")
        if line is not None and cleaned.get("lender") is not None and line.lender_id != cleaned["lender"].pk:
            self.add_error("target", f"This line is {line.lender}'s; choose {cleaned['lender']}'s line or a new line.")
        replaced = cleaned.get("replaces") or ""
        if replaced and replaced == (cleaned.get("target") or ""):
            self.add_error("replaces", "A line cannot replace itself: choose “A new line” as the line, or another.")
        return cleaned

    def warnings(self, cleaned) -> list[str]:
        """What is allowed but usually a mistake: saved only once the editor confirms it."""
        found = []
        on, meeting = cleaned.get("changed_on"), self.meeting_date
        if on and meeting and not meeting <= on <= meeting + dt.timedelta(days=EFFECT_DAYS_AFTER):
            when = f"{(meeting - on).days} days before" if on < meeting else f"{(on - meeting).days} days after"
            found.append(f"this effect is dated {on:%d %b %Y}, {when} the meeting ({meeting:%d %b %Y}).")
        usd = self._amount_usd(cleaned)
        if usd is not None and self.cost_usd is not None and cleaned.get("status") in FinancingStatus.committed():
            if usd > self.cost_usd:
                found.append(
                    f"US$ {usd:,.0f} committed is more than the project's current cost (US$ {self.cost_usd:,.0f})."
                )
        lender, instrument = cleaned.get("lender"), cleaned.get("instrument") or "undecided"
        if cleaned.get("target") == NEW_LINE and lender is not None:
            twins = [
                line
                for line in self.lines.values()
                if line.lender_id == lender.pk
                and line.instrument == instrument
                and line.status not in FinancingStatus.dead()
            ]
            if twins:
                found.append(f"{lender} already has a live line of this instrument ({line_label(twins[0])}).")
        return found

    @staticmethod
    def _amount_usd(cleaned):
        amount, currency = cleaned.get("amount"), cleaned.get("currency")
        if amount is None or not currency or not cleaned.get("changed_on"):
            return None
        try:
            return normalize_amount(
                amount, currency, cleaned["changed_on"], entered_pkr_per_usd=cleaned.get("entered_pkr_per_usd")
            ).amount_usd
        except ValidationError:
            return None  # the missing rate is reported when the effect is saved

    def to_effect(self) -> FinancingEffect:
        data = self.cleaned_data
        target = data.get("target") or ""
        return FinancingEffect(
            line=self.lines.get(target),
            new_line=target == NEW_LINE,
            replaces=self.lines.get(data.get("replaces") or ""),
            lender=data["lender"],
            status=data["status"],
            changed_on=data["changed_on"],
            instrument=data.get("instrument") or None,
            share_percent=data.get("share_percent"),
            share_basis=data.get("share_basis") or ShareBasis.COST,
            amount=data.get("amount"),
            currency=data.get("currency") or "",
            entered_pkr_per_usd=data.get("entered_pkr_per_usd"),
            note=data.get("note") or "",
        )


class NewFinancingEffectFormSet(EffectFormSet):
    effect_kind = "financing"

    def get_form_kwargs(self, index):
        """Every row (and the blank one "Add another" copies) offers the decision's project's lines."""
        if not hasattr(self, "_lines"):
            project_id = getattr(self.instance, "project_id", None)
            self._lines = list(
                FinancingLine.objects.filter(project_id=project_id)
                .select_related("lender")
                .order_by("lender__name", "pk")
                if project_id
                else []
            )
            decision = self.instance
            self._meeting_date = decision.meeting.date if getattr(decision, "meeting_id", None) else None
            cost = (
                Project.objects.with_current_cost().filter(pk=project_id).values_list("current_cost_usd", flat=True)
                if project_id
                else []
            )
            self._cost_usd = next(iter(cost), None)
        return {
            **super().get_form_kwargs(index),
            "lines": self._lines,
            "meeting_date": self._meeting_date,
            "cost_usd": self._cost_usd,
        }

    def clean(self):
        forms.formsets.BaseFormSet.clean(self)
        if any(self.errors):
            return
        effects = [f.to_effect() for f in self.effect_forms()]
        if not effects:
            return
        errors, _plans = decision_effects_check(self.instance, financing=effects)
        if errors:
            raise ValidationError(errors)
        # Allowed but usually a mistake: shown once the effects are otherwise valid, saved once confirmed.
        if not self.form_kwargs.get("confirmed"):
            warnings = [warning for form in self.effect_forms() for warning in form.warnings(form.cleaned_data)]
            if warnings:
                raise ValidationError(
                    [
                        f"Check: {warning} If it is right, tick “{CONFIRM_LABEL}” at the top and save again."
                        for warning in warnings
                    ]
                )


class NewEffectInline(SafeAutocompleteFields, admin.TabularInline):
    """An add-only effect inline: its date starts at the meeting's, its source at the decision's."""

    fk_name = "decision"
    can_delete = False
    date_field = "changed_on"
    formfield_overrides = {models.TextField: {"widget": forms.TextInput(attrs={"size": 30})}}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        fields = formset.form.base_fields
        if obj is not None and obj.meeting_id:
            fields[self.date_field].initial = obj.meeting.date
        if "source" in fields:
            fields["source"].required = False
            fields["source"].help_text = "Left empty: the decision's source."
        return formset


class NewFinancingEffectInline(NewEffectInline):
    """One stacked block per effect, so the row fits a 1280 px screen with no sideways scroll."""

    model = FinancingChange
    form = NewFinancingEffectForm
    formset = NewFinancingEffectFormSet
    template = "admin/edit_inline/stacked.html"
    extra = 1
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("lender", "target"),
                    "replaces",
                    ("status", "instrument", "changed_on"),
                    ("share_percent", "share_basis"),
                    ("amount", "currency", "entered_pkr_per_usd"),
                    "note",
                ]
            },
        )
    ]
    verbose_name = "new financing effect"
    verbose_name_plural = "New financing effects (set or change a lender's line for this decision's project)"


class RecordedFinancingInline(admin.TabularInline):
    model = FinancingChange
    fk_name = "decision"
    extra = 0
    can_delete = False
    verbose_name_plural = "Financing changes made by this decision"
    fields = ["line", "changed_on", "status", "instrument", "share", "stated_amount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("line__project", "line__lender")

    @admin.display(description="share")
    def share(self, obj):
        return obj.share_display or "–"

    @admin.display(description="amount")
    def stated_amount(self, obj):
        return money(obj.amount, obj.currency)


class NewEstimateFormSet(EffectFormSet):
    effect_kind = "estimates"


class NewEstimateInline(NewEffectInline):
    model = CostEstimate
    form = DefaultedChoicesForm
    formset = NewEstimateFormSet
    extra = 0
    date_field = "as_of"
    verbose_name = "new cost estimate"
    verbose_name_plural = "New cost estimates put on record by this decision"
    template = "admin/edit_inline/stacked.html"  # stacked, to fit a 1280 px screen
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("as_of", "bound"),
                    ("amount", "currency", "entered_pkr_per_usd"),
                    ("basis", "approving_forum", "full_scope"),
                    "source",
                    "note",
                ]
            },
        )
    ]
    autocomplete_fields = ["source"]


class RecordedEstimateInline(admin.TabularInline):
    model = CostEstimate
    fk_name = "decision"
    extra = 0
    can_delete = False
    verbose_name_plural = "Cost estimates recorded by this decision"
    fields = ["as_of", "stated_amount", "usd", "basis", "approving_forum"]
    readonly_fields = fields

    @admin.display(description="amount")
    def stated_amount(self, obj):
        return money(obj.amount, obj.currency)

    @admin.display(description="USD")
    def usd(self, obj):
        return money(obj.amount_usd, "USD")

    def has_add_permission(self, request, obj=None):
        return False


class NewStatusFormSet(EffectFormSet):
    effect_kind = "statuses"


class NewStatusInline(NewEffectInline):
    model = ProjectStatusChange
    formset = NewStatusFormSet
    extra = 0
    verbose_name = "new project status"
    verbose_name_plural = "New project status set by this decision"
    fields = ["status", "changed_on", "note"]


class NewPhaseFormSet(EffectFormSet):
    effect_kind = "phases"


class NewPhaseInline(NewEffectInline):
    model = PhaseStatusChange
    formset = NewPhaseFormSet
    extra = 0
    verbose_name = "phase approval or launch"
    verbose_name_plural = "Phases approved or launched by this decision"
    fields = ["phase", "status", "changed_on", "note"]
    autocomplete_fields = ["phase"]


class RecordedStatusInline(admin.TabularInline):
    model = ProjectStatusChange
    fk_name = "decision"
    extra = 0
    can_delete = False
    verbose_name_plural = "Project statuses set by this decision"
    fields = ["project", "status", "changed_on", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


admin.site.unregister(Decision)


class DecisionWithEffectsForm(forms.ModelForm):
    confirm_warnings = forms.BooleanField(
        label=CONFIRM_LABEL,
        required=False,
        help_text="Effects dated outside the meeting, committed amounts above the project's cost and a second live "
        "line of one lender and instrument are saved only once confirmed here.",
    )

    class Meta:
        model = Decision
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin shows every field of a decision


@admin.register(Decision)
class DecisionWithEffectsAdmin(DecisionAdmin):
    """A decision and what it changed, applied through decision_record_effects."""

    form = DecisionWithEffectsForm

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, NewFinancingEffectInline):
            confirmed = request.method == "POST" and request.POST.get("confirm_warnings") == "on"
            kwargs["form_kwargs"] = {**kwargs.get("form_kwargs", {}), "confirmed": confirmed}
        return kwargs

    # New effects first (they take the plain formset prefixes), then what is recorded.
    inlines = [
        NewFinancingEffectInline,
        NewEstimateInline,
        NewStatusInline,
        NewPhaseInline,
        RecordedFinancingInline,
        RecordedEstimateInline,
        RecordedStatusInline,
    ]

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        effects = {"financing": [], "estimates": [], "statuses": [], "phases": []}
        for formset in formsets:
            if isinstance(formset, EffectFormSet):
                # Saved by the service below; the admin's change message reads these.
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
                forms_ = formset.effect_forms()
                if formset.effect_kind == "financing":
                    effects["financing"] += [f.to_effect() for f in forms_]
                else:
                    effects[formset.effect_kind] += [f.save(commit=False) for f in forms_]
            else:
                self.save_formset(request, form, formset, change=change)
        counts = decision_record_effects(form.instance, **effects, recorded_by=request.user)
        if any(counts.values()):
            message = (
                "Applied: {financing} financing change(s), {estimates} cost estimate(s), "
                "{statuses} project status change(s), {phases} phase change(s).".format(**counts)
            )
            if counts["superseded"]:
                message += " {superseded} line(s) superseded by their replacements.".format(**counts)
            messages.success(request, message)
