"""Cost estimates: dated cost figures of a project, each as one source stated it."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import (
    ESTIMATE_BASIS_PRECEDENCE,
    ApprovingForum,
    Currency,
    DatePrecision,
    EstimateBasis,
    EstimateBound,
    date_with_precision,
)
from ..fields import money_field
from .constraints import choice_constraint
from .normalized_money import NormalizedMoney, money_constraints
from .sources import Source


def estimate_precedence() -> list:
    """The order that makes a project's cost estimate of record the first one.

    The latest date wins. On the same date: an estimate approved by a forum (ECNEC, CDWP…)
    before one that was not; then by basis (``ESTIMATE_BASIS_PRECEDENCE``: a PC-I before a
    contract, statements before press reports); then a stated amount before a bound
    ("over $2bn"). Only estimates identical in all of these fall back to the order of entry.
    """
    basis_rank = Case(
        *[When(basis=basis, then=Value(rank)) for basis, rank in ESTIMATE_BASIS_PRECEDENCE.items()],
        default=Value(9),
    )
    return [
        F("as_of").desc(),
        Case(When(approving_forum="", then=Value(1)), default=Value(0)),
        basis_rank,
        Case(When(bound=EstimateBound.EXACT, then=Value(0)), default=Value(1)),
        F("pk").desc(),
    ]


def cost_of_record(project_ref, *, as_of: date | None = None):
    """The full-scope estimates of ``project_ref`` (up to ``as_of``), the estimate of record first."""
    estimates = CostEstimate.objects.filter(project=project_ref, full_scope=True)
    if as_of is not None:
        estimates = estimates.filter(as_of__lte=as_of)
    return estimates.order_by(*estimate_precedence())


class CostEstimate(NormalizedMoney):
    """A dated cost figure for a project, as one source stated it."""

    project = models.ForeignKey(
        "Project", on_delete=models.PROTECT, related_name="cost_estimates", verbose_name=_("project")
    )
    amount = money_field(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    bound = models.CharField(
        _("bound"),
        max_length=5,
        choices=EstimateBound.choices,
        default=EstimateBound.EXACT,
        help_text=_('A figure given as "over …" is a lower bound, "up to …" an upper bound.'),
    )
    as_of = models.DateField(_("as of"), help_text=_("The date the figure refers to or was stated."))
    date_precision = models.CharField(
        # Translators: followed by the choice "Exact day", "Month only" or "Year only".
        _("date known to the"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("A figure known only to the month or year is dated on its first day."),
    )
    basis = models.CharField(_("basis"), max_length=20, choices=EstimateBasis.choices)
    approving_forum = models.CharField(_("approving forum"), max_length=20, choices=ApprovingForum.choices, blank=True)
    full_scope = models.BooleanField(
        _("full scope"),
        default=True,
        help_text=_(
            "Untick for a figure that is not a costing of the whole project (land acquisition, a grid "
            "connection, spending to date, a round figure quoted in passing): it is kept but never taken as "
            "the project's cost."
        ),
    )
    scope = models.CharField(_("scope"), max_length=200, blank=True, help_text=_("What a partial figure covers."))
    foreign_exchange_component = money_field(
        _("foreign-exchange component"),
        null=True,
        blank=True,
        help_text=_(
            "The part of the amount to be paid in foreign currency (a PC-I's FEC), in the same currency "
            "as the amount; empty when the source does not split it."
        ),
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="cost_estimates", verbose_name=_("source")
    )
    decision = models.ForeignKey(
        "Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cost_estimates",
        verbose_name=_("decision"),
        help_text=_("The JCC decision that put this figure on record, if any."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "as_of", "pk"]
        verbose_name = _("cost estimate")
        verbose_name_plural = _("cost estimates")
        constraints = [
            *money_constraints(amount_required=True),
            models.CheckConstraint(
                condition=Q(foreign_exchange_component__isnull=True)
                | Q(foreign_exchange_component__gte=0, foreign_exchange_component__lte=F("amount")),
                name="%(app_label)s_%(class)s_fec_within_amount",
                violation_error_message=_("The foreign-exchange component must be between zero and the amount."),
            ),
            choice_constraint("basis", EstimateBasis, _("Choose a basis from the list.")),
            choice_constraint("bound", EstimateBound, _("Choose whether the figure is exact or a bound.")),
            choice_constraint("date_precision", DatePrecision, _("Choose a date precision from the list.")),
            choice_constraint(
                "approving_forum",
                ApprovingForum,
                _("Choose an approving forum from the list, or leave it empty."),
                blank=True,
                rule="forum",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "-as_of"], name="projects_estimate_latest_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.project}: {self.bound_sign}{self.currency} {self.amount:,.0f} "
            f"({date_format(self.as_of, 'M Y')}, {self.get_basis_display()})"
        )

    @property
    def bound_sign(self) -> str:
        """ "≥ " before a lower bound, "≤ " before an upper one."""
        return {EstimateBound.LOWER: "≥ ", EstimateBound.UPPER: "≤ "}.get(self.bound, "")

    @property
    def as_of_display(self) -> str:
        return date_with_precision(self.as_of, self.date_precision)

    @property
    def money_date(self) -> date:
        return self.as_of
