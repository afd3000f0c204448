"""Data entry of the PSDP's figures: inline on a project's page (``cpec_site.admin``) and on their own list.

Negative figures and impossible years are refused by the database's constraints, shown as form
errors. Figures that contradict each other (more released or spent than allocated) are allowed —
supplementary grants happen, and a source may be wrong — but flagged to the editor on saving.
"""

from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.admin import AuditedAdmin
from projects.admin_widgets import SafeAutocompleteFields
from projects.resources import SpreadsheetAdminMixin

from .models import UNIQUE_FIGURE, PsdpFigure
from .resources import PsdpFigureResource
from .selectors import project_psdp_years, psdp_flags

FLAG_WORDS = {
    "released_over_allocation": gettext_lazy("more was released (%(released)s) than allocated (%(allocation)s)"),
    "spent_over_allocation": gettext_lazy("more was spent (%(spent)s) than allocated (%(allocation)s)"),
    "spent_over_released": gettext_lazy("more was spent (%(spent)s) than released (%(released)s)"),
}


def rupees(value) -> str:
    return f"Rs {value:,.0f}"


def psdp_warnings(project) -> list[str]:
    """The contradictions in a project's PSDP figures, in words (one query)."""
    warnings = []
    for row in project_psdp_years(project=project):
        amounts = {k: rupees(row[k]) for k in ("allocation", "released", "spent") if row.get(k) is not None}
        for flag in psdp_flags(row):
            scheme = f" ({row['scheme']})" if row["scheme"] else ""
            warnings.append(
                # Translators: "PSDP 2023-24 (scheme): more was spent (Rs 5) than released (Rs 4). Check the sources."
                _("PSDP %(year)s%(scheme)s: %(problem)s. Check the sources.")
                % {"year": row["year"], "scheme": scheme, "problem": FLAG_WORDS[flag] % amounts}
            )
    return warnings


class PsdpWarningsMixin:
    """Warn the editor, after saving a project, of PSDP figures that contradict each other."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for warning in psdp_warnings(form.instance):
            messages.warning(request, warning)


class PsdpFigureFormSet(BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        """The constraint's own words for a figure entered twice on the page, not Django's field names."""
        return UNIQUE_FIGURE.violation_error_message


class PsdpFigureInline(SafeAutocompleteFields, admin.TabularInline):
    model = PsdpFigure
    formset = PsdpFigureFormSet
    extra = 0
    fields = ["fiscal_year", "scheme", "kind", "component", "amount_pkr", "stated", "as_of", "source", "note"]
    autocomplete_fields = ["source"]
    verbose_name_plural = gettext_lazy("PSDP figures (federal budget, in rupees)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


@admin.register(PsdpFigure)
class PsdpFigureAdmin(SpreadsheetAdminMixin, AuditedAdmin):
    """PSDP figures, with import (a dry-run preview first) and export as CSV or XLSX."""

    resource_classes = [PsdpFigureResource]
    list_display = ["project", "fiscal_year", "scheme", "kind", "component", "amount", "as_of", "source"]
    list_filter = ["fiscal_year", "kind", "component"]
    list_select_related = ["project", "source"]
    search_fields = ["project__name", "scheme", "stated", "note"]
    autocomplete_fields = ["project", "source"]

    @admin.display(description=gettext_lazy("amount"), ordering="amount_pkr")
    def amount(self, obj):
        return rupees(obj.amount_pkr)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in psdp_warnings(obj.project):
            messages.warning(request, warning)
