"""The site's admin: the domain apps' admins, composed.

``projects`` and ``financing`` each register the admins of their own models. What spans both
is put together here, in the app listed last, once both have registered:

- a project's page also shows its financing lines (``financing.admin.FinancingLineInline``);
- a JCC decision's page records what the decision changed (new financing states, cost
  estimates, project and phase statuses), applied by ``financing.services.decision_record_effects``.

Both replace the domain app's registration of the model with a subclass of its admin.
"""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budget.admin import PsdpFigureInline, PsdpWarningsMixin
from financing.admin import FinancingLineInline, LenderChoiceField
from financing.choices import FinancingStatus, Instrument, ShareBasis
from financing.models import FinancingChange, FinancingLine, Lender
from financing.services import FinancingEffect, decision_effects_check, decision_record_effects, line_label
from projects.admin import DecisionAdmin, DefaultedChoicesForm, ProjectAdmin
from projects.admin_widgets import SafeAutocompleteFields, SafeAutocompleteSelect
from projects.models import (
    CostEstimate,
    Decision,
    PhaseStatusChange,
    Project,
    ProjectStatusChange,
    normalize_amount,
)
from projects.money import amount_text


class ProjectWithFinancingAdmin(PsdpWarningsMixin, ProjectAdmin):
    """A project with its phases, cost estimates, financing lines and PSDP figures."""

    inlines = [*ProjectAdmin.inlines, FinancingLineInline, PsdpFigureInline]


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
CONFIRM_LABEL = gettext_lazy("I have checked the warnings")


class NewFinancingEffectForm(DefaultedChoicesForm):
    lender = LenderChoiceField(
        queryset=Lender.objects.order_by("name"),
        widget=SafeAutocompleteSelect(FinancingLine._meta.get_field("lender"), admin.site),
    )
    target = forms.ChoiceField(
        label=gettext_lazy("line"),
        required=False,
        help_text=gettext_lazy(
            "Which of the project's lines this effect moves. Left automatic: the lender's one live line "
            "(or the one of the instrument given), else a new line; with several, you are asked to choose."
        ),
    )
    replaces = forms.ChoiceField(
        label=gettext_lazy("replaces"),
        required=False,
        help_text=gettext_lazy(
            "A line of this project that the effect's line replaces: it is closed (superseded) on the "
            "effect's date and stops counting. Leave empty when nothing is replaced."
        ),
    )

    def __init__(self, *args, lines=(), meeting_date=None, cost_usd=None, confirmed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {str(line.pk): line for line in lines}
        self.meeting_date, self.cost_usd, self.confirmed = meeting_date, cost_usd, confirmed
        labels = [(pk, line_label(line)) for pk, line in self.lines.items()]
        self.fields["target"].choices = [("", _("Automatic")), (NEW_LINE, _("A new line")), *labels]
        live = [(pk, line_label(line)) for pk, line in self.lines.items() if line.status not in FinancingStatus.dead()]
        self.fields["replaces"].choices = [("", _("Nothing")), *live]
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
        instrument.choices = [("", _("(the line's)")), *Instrument.choices]
        instrument.initial = ""
        instrument.help_text = _("Left empty: the line's instrument as it is (undecided for a new line).")

    def clean(self):
        cleaned = super().clean()
        line = self.lines.get(cleaned.get("target") or "")
        if line is not None and cleaned.get("lender") is not None and line.lender_id != cleaned["lender"].pk:
            self.add_error(
                "target",
                _("This line is %(line_lender)s's; choose %(lender)s's line or a new line.")
                % {"line_lender": line.lender, "lender": cleaned["lender"]},
            )
        replaced = cleaned.get("replaces") or ""
        if replaced and replaced == (cleaned.get("target") or ""):
            self.add_error("replaces", _("A line cannot replace itself: choose “A new line” as the line, or another."))
        return cleaned

    def warnings(self, cleaned) -> list[str]:
        """What is allowed but usually a mistake: saved only once the editor confirms it."""
        found = []
        on, meeting = cleaned.get("changed_on"), self.meeting_date
        if on and meeting and not meeting <= on <= meeting + dt.timedelta(days=EFFECT_DAYS_AFTER):
            dates = {"on": date_format(on, "d M Y"), "meeting": date_format(meeting, "d M Y")}
            if on < meeting:
                found.append(
                    _("this effect is dated %(on)s, %(days)s days before the meeting (%(meeting)s).")
                    % {**dates, "days": (meeting - on).days}
                )
            else:
                found.append(
                    _("this effect is dated %(on)s, %(days)s days after the meeting (%(meeting)s).")
                    % {**dates, "days": (on - meeting).days}
                )
        usd = self._amount_usd(cleaned)
        if usd is not None and self.cost_usd is not None and cleaned.get("status") in FinancingStatus.committed():
            if usd > self.cost_usd:
                found.append(
                    _("US$ %(committed)s committed is more than the project's current cost (US$ %(cost)s).")
                    % {"committed": f"{usd:,.0f}", "cost": f"{self.cost_usd:,.0f}"}
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
                found.append(
                    _("%(lender)s already has a live line of this instrument (%(line)s).")
                    % {"lender": lender, "line": line_label(twins[0])}
                )
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
                        _("Check: %(warning)s If it is right, tick “%(confirm)s” at the top and save again.")
                        % {"warning": warning, "confirm": CONFIRM_LABEL}
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
            fields["source"].help_text = _("Left empty: the decision's source.")
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
    verbose_name = gettext_lazy("new financing effect")
    verbose_name_plural = gettext_lazy(
        "New financing effects (set or change a lender's line for this decision's project)"
    )


class RecordedFinancingInline(admin.TabularInline):
    model = FinancingChange
    fk_name = "decision"
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("Financing changes made by this decision")
    fields = ["line", "changed_on", "status", "instrument", "share", "stated_amount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("line__project", "line__lender")

    @admin.display(description=gettext_lazy("share"))
    def share(self, obj):
        return obj.share_display or "–"

    @admin.display(description=gettext_lazy("amount"))
    def stated_amount(self, obj):
        return amount_text(obj.amount, obj.currency)


class NewEstimateFormSet(EffectFormSet):
    effect_kind = "estimates"


class NewEstimateInline(NewEffectInline):
    model = CostEstimate
    form = DefaultedChoicesForm
    formset = NewEstimateFormSet
    extra = 0
    date_field = "as_of"
    verbose_name = gettext_lazy("new cost estimate")
    verbose_name_plural = gettext_lazy("New cost estimates put on record by this decision")
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
    verbose_name_plural = gettext_lazy("Cost estimates recorded by this decision")
    fields = ["as_of", "stated_amount", "usd", "basis", "approving_forum"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("amount"))
    def stated_amount(self, obj):
        return amount_text(obj.amount, obj.currency)

    @admin.display(description="USD")
    def usd(self, obj):
        return amount_text(obj.amount_usd, "USD")

    def has_add_permission(self, request, obj=None):
        return False


class NewStatusFormSet(EffectFormSet):
    effect_kind = "statuses"


class NewStatusInline(NewEffectInline):
    model = ProjectStatusChange
    formset = NewStatusFormSet
    extra = 0
    verbose_name = gettext_lazy("new project status")
    verbose_name_plural = gettext_lazy("New project status set by this decision")
    fields = ["status", "changed_on", "note"]


class NewPhaseFormSet(EffectFormSet):
    effect_kind = "phases"


class NewPhaseInline(NewEffectInline):
    model = PhaseStatusChange
    formset = NewPhaseFormSet
    extra = 0
    verbose_name = gettext_lazy("phase approval or launch")
    verbose_name_plural = gettext_lazy("Phases approved or launched by this decision")
    fields = ["phase", "status", "changed_on", "note"]
    autocomplete_fields = ["phase"]


class RecordedStatusInline(admin.TabularInline):
    model = ProjectStatusChange
    fk_name = "decision"
    extra = 0
    can_delete = False
    verbose_name_plural = gettext_lazy("Project statuses set by this decision")
    fields = ["project", "status", "changed_on", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DecisionWithEffectsForm(forms.ModelForm):
    confirm_warnings = forms.BooleanField(
        label=CONFIRM_LABEL,
        required=False,
        help_text=gettext_lazy(
            "Effects dated outside the meeting, committed amounts above the project's cost and a second live "
            "line of one lender and instrument are saved only once confirmed here."
        ),
    )

    class Meta:
        model = Decision
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin shows every field of a decision


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
                _(
                    "Applied: %(financing)s financing change(s), %(estimates)s cost estimate(s), "
                    "%(statuses)s project status change(s), %(phases)s phase change(s)."
                )
                % counts
            )
            if counts["superseded"]:
                message += " " + _("%(superseded)s line(s) superseded by their replacements.") % counts
            messages.success(request, message)


admin.site.unregister([Project, Decision])
admin.site.register(Project, ProjectWithFinancingAdmin)
admin.site.register(Decision, DecisionWithEffectsAdmin)
