"""The federal PSDP's figures for each project and fiscal year, each as one source stated it.

A fiscal year produces, in order, an original allocation (budget day, June), a revised one (the
next budget), and figures of what was released and spent so far, reported during the year and
after. Each is a dated ``PsdpFigure`` with its source; a later figure of the same kind replaces
an earlier one on the pages as of its date (``budget.selectors``). Rupees only: the PSDP is in
rupees; a scheme's foreign-aid and rupee components are kept apart where the document splits them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.fields import money_field
from projects.models import Source, choice_constraint

from .choices import FIRST_FISCAL_YEAR, FISCAL_YEARS, LAST_FISCAL_YEAR, PsdpComponent, PsdpKind, fiscal_year_label

UNIQUE_FIGURE = models.UniqueConstraint(
    fields=["project", "fiscal_year", "scheme", "kind", "component", "as_of"],
    name="budget_psdpfigure_unique_figure",
    violation_error_message=_("This project already has this figure for this year, scheme, part and date."),
)


class PsdpFigure(models.Model):
    """One PSDP figure: an allocation, a release or spending, of one project in one fiscal year."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="psdp_figures", verbose_name=_("project")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), choices=FISCAL_YEARS, help_text=_("July to June."))
    scheme = models.CharField(
        _("scheme"),
        max_length=300,
        blank=True,
        help_text=_(
            "The PSDP scheme's name, where the project has several (ML-1's main scheme and its design "
            "study); empty for the project's only scheme."
        ),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PsdpKind.choices)
    component = models.CharField(
        _("component"),
        max_length=12,
        choices=PsdpComponent.choices,
        default=PsdpComponent.TOTAL,
        help_text=_("The total, or its foreign-aid or rupee part where the PSDP document splits them."),
    )
    amount_pkr = money_field(_("amount (Rs)"), help_text=_("In rupees: Rs 3,569.934 million is 3569934000."))
    stated = models.CharField(
        _("stated"),
        max_length=100,
        blank=True,
        help_text=_('The figure as the source wrote it, e.g. "Rs3569.934 million".'),
    )
    as_of = models.DateField(
        _("as of"),
        help_text=_("An allocation: the budget's day. Released or spent: the day the figure (so far) refers to."),
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="psdp_figures", verbose_name=_("source"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "-fiscal_year", "scheme", "kind", "component", "as_of"]
        verbose_name = _("PSDP figure")
        verbose_name_plural = _("PSDP figures")
        constraints = [
            UNIQUE_FIGURE,
            models.CheckConstraint(
                condition=Q(amount_pkr__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
                violation_error_message=_("A PSDP figure cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=FIRST_FISCAL_YEAR, fiscal_year__lte=LAST_FISCAL_YEAR),
                name="%(app_label)s_%(class)s_fiscal_year_in_range",
                violation_error_message=format_lazy(
                    _("Choose a fiscal year from {first} to {last}."),
                    first=fiscal_year_label(FIRST_FISCAL_YEAR),
                    last=fiscal_year_label(LAST_FISCAL_YEAR),
                ),
            ),
            models.CheckConstraint(
                # A budget is presented in June, before its year starts; nothing is known of a year
                # before the calendar year in which it starts.
                condition=Q(as_of__year__gte=F("fiscal_year")),
                name="%(app_label)s_%(class)s_dated_in_or_after_year",
                violation_error_message=_(
                    "A figure cannot be dated before the calendar year its fiscal year starts in."
                ),
            ),
            choice_constraint("kind", PsdpKind, _("Choose what the figure is from the list.")),
            choice_constraint("component", PsdpComponent, _("Choose the part of the allocation from the list.")),
        ]
        indexes = [models.Index(fields=["project", "fiscal_year"], name="budget_psdp_project_year_idx")]

    def __str__(self) -> str:
        part = "" if self.component == PsdpComponent.TOTAL else f" ({self.get_component_display().lower()})"
        return f"{self.project}: {self.get_kind_display()}{part} {self.fiscal_year_label}, Rs {self.amount_pkr:,.0f}"

    @property
    def fiscal_year_label(self) -> str:
        return fiscal_year_label(self.fiscal_year)
