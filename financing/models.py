"""Who finances which share of which project, on what terms, and how that changed.

A ``FinancingLine`` is one source's part in one project; its status, share and amount
are its *current* state. Every change of that state is kept as a dated
``FinancingChange`` linked to the JCC decision that made it, so the state as of any
date is the latest change on or before it. ``financing.services`` is the only writer
of both, which keeps the line equal to its latest change.

The sum of a project's live shares (lines not declined or withdrawn) is at most 100%:
checked by the services (form errors in admin) and enforced by a deferred PostgreSQL
constraint trigger (migration 0002), since a CHECK constraint sees one row only.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Greatest, Least, Mod
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from projects.choices import Currency
from projects.fields import money_field, share_field
from projects.models import (
    OVERRUN_PERCENT,
    NormalizedMoney,
    choice_constraint,
    money_constraints,
    overrun_flagged,
    overrun_percent,
)

from .choices import ChangeKind, FinancingStatus, Instrument, LenderKind, ShareBasis

LIVE_SHARES_CONSTRAINT = "financing_financingline_live_shares_max_100"


def share_in_range(field: str = "share_percent") -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0, f"{field}__lte": 100})


class Lender(models.Model):
    """A lender or other financing source: a bank, a government budget, a sponsor."""

    name = models.CharField(
        _("name"),
        max_length=200,
        unique=True,
        error_messages={"unique": _("A lender with this name already exists.")},
    )
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=LenderKind.choices)
    country = models.CharField(
        _("country"),
        max_length=100,
        blank=True,
        help_text=_('"International" for multilateral banks; empty when not known.'),
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("lender")
        verbose_name_plural = _("lenders")
        constraints = [
            choice_constraint("kind", LenderKind, _("Choose a kind of lender from the list.")),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("dashboard:lender", args=[self.slug])

    @property
    def choice_label(self) -> str:
        """How an editor picks the lender from a list: "Asian Development Bank (ADB)"."""
        return f"{self.name} ({self.short_name})" if self.short_name and self.short_name != self.name else self.name


class FinancingLineQuerySet(models.QuerySet):
    def live(self):
        """Lines whose share still counts (not declined or withdrawn)."""
        return self.exclude(status__in=FinancingStatus.dead())

    def committed(self):
        """Lines that are agreed, signed, disbursing or completed."""
        return self.filter(status__in=FinancingStatus.committed())


class FinancingState(NormalizedMoney):
    """The state of a financing line, declared once for the line and its dated changes.

    A share is a percentage of what ``share_basis`` names: the project's total cost, or its
    debt or equity part (``Project.debt_percent``), as the sources state it ("CPIH 74% of the
    25% equity"); ``financing.selectors`` reads every share as a share of cost.
    """

    status = models.CharField(
        _("status"), max_length=20, choices=FinancingStatus.choices, default=FinancingStatus.PROPOSED
    )
    instrument = models.CharField(
        _("instrument"), max_length=20, choices=Instrument.choices, default=Instrument.UNDECIDED
    )
    share_percent = share_field(_("share (%)"), null=True, blank=True)
    share_basis = models.CharField(
        _("share of"),
        max_length=6,
        choices=ShareBasis.choices,
        default=ShareBasis.COST,
        help_text=_("What the share is a share of: the total cost, or the debt or equity part of it."),
    )
    amount = money_field(_("amount"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, blank=True)
    kind = models.CharField(
        _("recorded as"),
        max_length=10,
        choices=ChangeKind.choices,
        default=ChangeKind.REPORTED,
        help_text=_("Why the state changed: a JCC decision's effect, a change a source reported, or a correction."),
    )

    class Meta:
        abstract = True

    @staticmethod
    def state_constraints() -> list:
        return [
            *money_constraints(amount_required=False),
            models.CheckConstraint(
                condition=share_in_range(),
                name="%(app_label)s_%(class)s_share_in_range",
                violation_error_message=_("A share must be between 0%% and 100%%."),
            ),
            choice_constraint("instrument", Instrument, _("Choose an instrument from the list.")),
            choice_constraint("status", FinancingStatus, _("Choose a financing status from the list.")),
            choice_constraint("share_basis", ShareBasis, _("Choose what the share is a share of.")),
            choice_constraint("kind", ChangeKind, _("Choose why the state changed.")),
            models.CheckConstraint(
                condition=Q(kind=ChangeKind.EFFECT, decision__isnull=False)
                | (~Q(kind=ChangeKind.EFFECT) & Q(decision__isnull=True)),
                name="%(app_label)s_%(class)s_effect_has_decision",
                violation_error_message=_(
                    "A decision's effect names its decision; a correction or a reported change names none."
                ),
            ),
        ]

    @property
    def is_committed(self) -> bool:
        return self.status in FinancingStatus.committed()

    @property
    def share_display(self) -> str:
        """ "75% of the debt", "26% of the equity", "85%"."""
        if self.share_percent is None:
            return ""
        share = f"{self.share_percent.normalize():f}%"
        return share if self.share_basis == ShareBasis.COST else f"{share} {self.get_share_basis_display()}"


class FinancingLine(FinancingState):
    """One financing source's part in one project, in its current state.

    A syndicated or club loan is one line: its ``lender`` is the lead arranger (or the
    first-named lender) and ``participants`` the other members; the amount is the
    facility's, never split among them unless a source gives the split.
    """

    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="financing_lines", verbose_name=_("project")
    )
    lender = models.ForeignKey(
        Lender, on_delete=models.PROTECT, related_name="financing_lines", verbose_name=_("lender")
    )
    participants = models.ManyToManyField(
        Lender,
        blank=True,
        related_name="facilities_joined",
        verbose_name=_("participants"),
        help_text=_(
            "For a syndicated or club loan: the other lenders in it (the lender above leads or is named "
            "first). Their split is not recorded unless a source gives it, as separate lines."
        ),
    )
    as_of = models.DateField(_("status date"), help_text=_("The date of the current status, share and amount."))
    decision = models.ForeignKey(
        "projects.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="financing_lines",
        verbose_name=_("decision"),
        help_text=_("The JCC decision that set the current state, if any."),
    )
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
        help_text=_("For a superseded line: the line that replaced it."),
    )
    note = models.TextField(_("note"), blank=True)
    sources = models.ManyToManyField(
        "projects.Source", blank=True, related_name="financing_lines", verbose_name=_("sources")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = FinancingLineQuerySet.as_manager()

    class Meta:
        ordering = ["project", "lender__name", "pk"]
        verbose_name = _("financing line")
        verbose_name_plural = _("financing lines")
        constraints = [
            *FinancingState.state_constraints(),
            models.CheckConstraint(
                condition=Q(status=FinancingStatus.SUPERSEDED, replaced_by__isnull=False)
                | (~Q(status=FinancingStatus.SUPERSEDED) & Q(replaced_by__isnull=True)),
                name="financing_financingline_superseded_names_replacement",
                violation_error_message=_(
                    "A superseded line names the line that replaced it, and only a superseded line does."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(replaced_by=models.F("pk")),
                name="financing_financingline_not_replaced_by_itself",
                violation_error_message=_("A line cannot replace itself."),
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status"], name="financing_line_project_idx"),
            models.Index(fields=["lender", "status"], name="financing_line_lender_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.lender} → {self.project} ({self.get_status_display()})"

    def clean(self):
        super().clean()
        if self.replaced_by_id is not None and self.project_id is not None:
            if self.replaced_by_id == self.pk:
                raise ValidationError({"replaced_by": gettext("A line cannot replace itself.")})
            if self.replaced_by.project_id != self.project_id:
                raise ValidationError(
                    {"replaced_by": gettext("A line can only be replaced by a line of the same project.")}
                )

    @property
    def money_date(self) -> date:
        return self.as_of

    @property
    def line_pk(self) -> int | None:
        return self.pk


class FinancingChange(FinancingState):
    """A dated state of a financing line: what changed, when, and which decision did it."""

    #: PROTECT: the history of money is never deleted with its line.
    line = models.ForeignKey(FinancingLine, on_delete=models.PROTECT, related_name="changes", verbose_name=_("line"))
    changed_on = models.DateField(_("changed on"))
    decision = models.ForeignKey(
        "projects.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="financing_changes",
        verbose_name=_("decision"),
    )
    source = models.ForeignKey(
        "projects.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="financing_changes",
        verbose_name=_("source"),
    )
    reason = models.TextField(
        _("reason"),
        blank=True,
        help_text=_("For a correction: what was wrong in the record, in the editor's words."),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("The editor who recorded the change (empty for loaded demo data and imports run from the shell)."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["line", "changed_on", "pk"]
        get_latest_by = ["changed_on", "pk"]
        verbose_name = _("financing change")
        verbose_name_plural = _("financing changes")
        constraints = [
            *FinancingState.state_constraints(),
            models.CheckConstraint(
                condition=~Q(kind=ChangeKind.CORRECTION) | ~Q(reason=""),
                name="financing_financingchange_correction_has_reason",
                violation_error_message=_("A correction says what was wrong: give a reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["line", "-changed_on"], name="financing_change_latest_idx"),
            # The first day each loan was committed, read in order (``financing.loans.first_committed_on``).
            models.Index(
                fields=["line", "changed_on", "id"],
                condition=Q(status__in=FinancingStatus.committed()),
                name="financing_change_committed_idx",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(lender)s → %(project)s: %(status)s on %(date)s") % {
            "lender": self.line.lender,
            "project": self.line.project,
            "status": self.get_status_display(),
            "date": date_format(self.changed_on, "d M Y"),
        }

    @property
    def money_date(self) -> date:
        return self.changed_on

    # The same reading interface as FinancingLine, for pages showing states as of a date.
    @property
    def lender(self):
        return self.line.lender

    @property
    def project(self):
        return self.line.project

    @property
    def as_of(self) -> date:
        return self.changed_on

    @property
    def line_pk(self) -> int:
        return self.line_id

    @property
    def replaced_by(self):
        """The line that replaced this one, for a superseded state."""
        return self.line.replaced_by if self.status == FinancingStatus.SUPERSEDED else None


# ------------------------------------------------------------------ the read model


def funding_parts() -> dict[str, models.Expression]:
    """The parts a project's cost falls into, from its stored figures; they add up to the cost.

    - ``committed_part_usd``: committed money of known value, up to the cost;
    - ``committed_unknown_usd``: committed money whose amount is not disclosed — the rest of
      the cost once financing has closed (``financing_closed``), or what neither known
      commitments nor the pipeline cover when a committed line has no known value
      (``has_undisclosed``);
    - ``pipeline_part_usd``: proposed, planned or negotiated money, up to what is left;
    - ``funding_gap_usd``: not identified — what is left of the cost, never below zero;
    - ``uncommitted_usd``: the pipeline part plus the gap.

    All are NULL when the cost is unknown. Expressions over the columns of ``FigureColumns``
    (a generated column cannot read another, so each part is written out in full).
    """
    money = money_field()
    zero = Value(Decimal("0"), output_field=money)
    cost, committed, pipeline = F("current_cost_usd"), F("committed_usd"), F("pipeline_usd")

    def known_cost(expression):
        # PostgreSQL's GREATEST and LEAST skip NULLs, so an unknown cost stays unknown explicitly.
        return Case(When(current_cost_usd__isnull=True, then=Value(None)), default=expression, output_field=money)

    uncovered = Greatest(cost - committed, zero, output_field=money)  # the cost less known commitments
    pipeline_part = Case(When(financing_closed=True, then=zero), default=Least(pipeline, uncovered), output_field=money)
    unknown_part = Case(
        When(financing_closed=True, then=uncovered),
        When(has_undisclosed=True, then=Greatest(cost - committed - pipeline, zero)),
        default=zero,
        output_field=money,
    )
    gap = Case(
        When(Q(financing_closed=True) | Q(has_undisclosed=True), then=zero),
        default=Greatest(cost - committed - pipeline, zero),
        output_field=money,
    )
    return {
        "committed_part_usd": known_cost(Least(committed, cost)),
        "committed_unknown_usd": known_cost(unknown_part),
        "pipeline_part_usd": known_cost(pipeline_part),
        "funding_gap_usd": known_cost(gap),
        "uncommitted_usd": known_cost(pipeline_part + gap),
    }


def _part(name: str) -> models.GeneratedField:
    return models.GeneratedField(expression=funding_parts()[name], output_field=money_field(null=True), db_persist=True)


class FigureColumns(models.Model):
    """What the pages aggregate per project, as ``financing.selectors.figure_source`` computes it.

    Written only by PostgreSQL (``financing.figures``): triggers on every table these
    figures are computed from refresh a project's rows in the statement that changed it.
    The parts of the cost (``funding_parts``) are generated columns PostgreSQL computes from
    the stored figures, so the portfolio's sums and its largest gaps read stored values.
    """

    current_cost_usd = money_field(null=True)
    current_cost_pkr = money_field(null=True)
    current_cost_as_of = models.DateField(null=True)
    # NULL, as the estimate's bound reads when the project has no estimate (never an empty string).
    current_cost_bound = models.CharField(max_length=5, blank=True, null=True)  # noqa: DJ001
    committed_usd = money_field()
    pipeline_usd = money_field()
    financing_closed = models.BooleanField()
    has_undisclosed = models.BooleanField()
    counted_in_totals = models.BooleanField()
    # The overrun baseline (``ProjectQuerySet.with_baseline``).
    baseline_usd = money_field(null=True)
    baseline_pkr = money_field(null=True)
    baseline_as_of = models.DateField(null=True)
    baseline_forum = models.CharField(max_length=20, blank=True, null=True)  # noqa: DJ001 (NULL: no PC-I)
    original_planned_end = models.DateField(null=True)
    # What the portfolio's sums are grouped by (``PortfolioSums``): stored with the figures so
    # that the sums can take a project's old row out under the sector and status it was counted in.
    sector = models.CharField(max_length=20)
    status_then = models.CharField(max_length=20)
    # The project's planned completion (now, as its overrun flag compares it).
    planned_end = models.DateField(null=True)
    # The parts of the cost (``funding_parts``), kept by PostgreSQL.
    committed_part_usd = _part("committed_part_usd")
    committed_unknown_usd = _part("committed_unknown_usd")
    pipeline_part_usd = _part("pipeline_part_usd")
    funding_gap_usd = _part("funding_gap_usd")
    uncommitted_usd = _part("uncommitted_usd")
    # The overruns against the baseline, and whether they are flagged (``ProjectQuerySet.with_overrun_percent``).
    overrun_usd_percent = models.GeneratedField(
        expression=overrun_percent("current_cost_usd", "baseline_usd"), output_field=OVERRUN_PERCENT, db_persist=True
    )
    overrun_pkr_percent = models.GeneratedField(
        expression=overrun_percent("current_cost_pkr", "baseline_pkr"), output_field=OVERRUN_PERCENT, db_persist=True
    )
    overrun_flagged = models.GeneratedField(
        expression=overrun_flagged(), output_field=models.BooleanField(), db_persist=True
    )

    class Meta:
        abstract = True


class ProjectFigures(FigureColumns):
    """A project's figures now: one row per project."""

    # DO_NOTHING: a deleted project's rows are removed by its refresh (``financing.figures``), which
    # first takes their part out of the portfolio's sums; the constraint is checked at commit.
    project = models.OneToOneField(
        "projects.Project", on_delete=models.DO_NOTHING, primary_key=True, related_name="figures"
    )

    class Meta:
        verbose_name_plural = _("project figures")
        # The dashboard's largest gaps: read in order, never sorted.
        indexes = [
            models.Index(
                F("funding_gap_usd").desc(),
                F("uncommitted_usd").desc(),
                condition=Q(counted_in_totals=True, uncommitted_usd__gt=0),
                name="financing_figures_gaps",
            ),
            # The dashboard's largest overruns, likewise.
            models.Index(
                F("overrun_usd_percent").desc(nulls_last=True),
                condition=Q(overrun_flagged=True),
                name="financing_figures_late",
            ),
        ]

    def __str__(self) -> str:
        return f"Figures of project {self.project_id}"


class DatedProjectFigures(FigureColumns):
    """A project's figures as known on each day of ``validity``.

    One row per project and date on which any record its figures are computed from is dated
    (an estimate, a financing change, a status change, the financial close, its parent's
    estimates, the first JCC decision about it), from 1 January of year 1: the figures as of
    a date are the one row whose validity contains it (an exclusion constraint keeps the
    ranges of a project from overlapping). ``known`` is false before the project's first
    dated record (``financing.selectors.known_by``).
    """

    project = models.ForeignKey("projects.Project", on_delete=models.DO_NOTHING, related_name="dated_figures")
    validity = DateRangeField()
    known = models.BooleanField()

    class Meta:
        verbose_name_plural = _("dated project figures")
        # Every project's row as of a date (``validity @> date``), for the portfolio as of it: the
        # exclusion constraint's index leads with the project, so it serves one project's lookups.
        indexes = [
            GistIndex(fields=["validity"], name="financing_datedfigures_validity"),
            # The largest gaps as of a date: read in order until enough rows of that date are found.
            models.Index(
                F("funding_gap_usd").desc(),
                F("uncommitted_usd").desc(),
                condition=Q(known=True, counted_in_totals=True, uncommitted_usd__gt=0),
                name="financing_datedfigures_gaps",
            ),
            models.Index(
                F("overrun_usd_percent").desc(nulls_last=True),
                condition=Q(known=True, overrun_flagged=True),
                name="financing_datedfigures_late",
            ),
        ]
        constraints = [
            ExclusionConstraint(
                name="financing_datedfigures_no_overlap",
                expressions=[("project", RangeOperators.EQUAL), ("validity", RangeOperators.OVERLAPS)],
            ),
        ]

    def __str__(self) -> str:
        return f"Figures of project {self.project_id} for {self.validity}"


class LineFigureColumns(models.Model):
    """What the lender charts and pages sum per financing line: its status and its value in US$
    (``financing.selectors.line_value_usd``: its share of the project's cost of record, else its
    stated amount; NULL when neither is known), with the line's project and lender.

    Written only by PostgreSQL, with the project's figures (``financing.figures``).
    """

    project = models.ForeignKey("projects.Project", on_delete=models.DO_NOTHING, related_name="+")
    lender = models.ForeignKey(Lender, on_delete=models.DO_NOTHING, related_name="+")  # indexed: the lender pages
    status = models.CharField(max_length=20, choices=FinancingStatus.choices)
    value_usd = money_field(null=True)
    # A syndicated or club loan (the line has participating lenders): the syndicate's, never its lead's.
    syndicated = models.BooleanField()

    class Meta:
        abstract = True


class LineFigures(LineFigureColumns):
    """A financing line's value now: one row per line."""

    line = models.OneToOneField(FinancingLine, on_delete=models.DO_NOTHING, primary_key=True, related_name="figures")

    class Meta:
        verbose_name_plural = _("line figures")

    def __str__(self) -> str:
        return f"Figures of financing line {self.line_id}"


class DatedLineFigures(LineFigureColumns):
    """A financing line's state and value as known on each day of ``validity``.

    One row per stretch of days over which neither the line's state nor its project's cost
    changed; no row before the line's first change (it was not known yet).
    """

    line = models.ForeignKey(FinancingLine, on_delete=models.DO_NOTHING, related_name="dated_figures", db_index=False)
    validity = DateRangeField()

    class Meta:
        verbose_name_plural = _("dated line figures")
        indexes = [GistIndex(fields=["validity"], name="financing_datedlines_validity")]
        constraints = [
            ExclusionConstraint(
                name="financing_datedlines_no_overlap",
                expressions=[("line", RangeOperators.EQUAL), ("validity", RangeOperators.OVERLAPS)],
            ),
        ]

    def __str__(self) -> str:
        return f"Figures of financing line {self.line_id} for {self.validity}"


# ------------------------------------------------------------------ the portfolio's sums


class PortfolioMoment(models.Model):
    """A date the portfolio's sums are kept for besides now: every JCC meeting's date
    (``financing.figures``: a trigger on the meetings keeps this list and builds a new date's sums)."""

    date = models.DateField(primary_key=True)

    def __str__(self) -> str:
        return f"Portfolio sums as of {self.date}"


class PortfolioSums(models.Model):
    """The whole portfolio's counts and sums now (``moment`` empty) and as of each ``PortfolioMoment``:
    in all (``dimension`` "all"), per sector and per status (then), as ``dashboard.selectors.portfolio``
    computes them for a filtered portfolio.

    Written only by PostgreSQL: each refresh of a project's figures takes its old rows' part out
    and adds its new rows' part, in the same statement (``financing.figures``). The "all" row of a
    moment exists as soon as its sums are kept, with no project in it yet; a sector or status left
    with no project keeps its row, at zero.
    """

    class Dimension(models.TextChoices):
        ALL = "all"
        SECTOR = "sector"
        STATUS = "status"

    moment = models.DateField(null=True)
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    key = models.CharField(max_length=30, blank=True)
    # Counts: projects known then; counted in totals with a known cost; sections whose parent is
    # counted instead; of the costed, those with committed money of undisclosed amount, and those
    # with committed money above their cost; counted without a cost but with committed money.
    projects = models.IntegerField()
    costed = models.IntegerField()
    sections_in_parent = models.IntegerField()
    undisclosed = models.IntegerField()
    over_committed = models.IntegerField()
    uncosted_committed = models.IntegerField()
    # Projects whose overrun is flagged (``FigureColumns.overrun_flagged``).
    overruns = models.IntegerField()
    # Sums (US$ unless named): the cost of the counted projects; the parts of the costed ones'
    # cost; committed money above their cost; committed money of counted projects without a cost.
    cost_usd = money_field()
    cost_pkr = money_field()
    committed_usd = money_field()
    committed_unknown_usd = money_field()
    pipeline_usd = money_field()
    gap_usd = money_field()
    over_committed_usd = money_field()
    committed_uncosted_usd = money_field()

    class Meta:
        verbose_name_plural = _("portfolio sums")
        constraints = [
            models.UniqueConstraint(
                fields=["moment", "dimension", "key"], nulls_distinct=False, name="financing_portfoliosums_key"
            ),
        ]

    def __str__(self) -> str:
        return f"Portfolio sums {self.dimension} {self.key} as of {self.moment or 'now'}"


class LenderSums(models.Model):
    """The value of the portfolio's financing lines (of projects counted in totals) per lender and
    status, a syndicated line on its own (``syndicate_line``), now (``moment`` empty) and as of each
    ``PortfolioMoment``: what the lender mix sums. Written only by PostgreSQL, like ``PortfolioSums``.
    """

    moment = models.DateField(null=True)
    # No constraint: a row left at zero lines may outlive its lender (the readers skip such rows).
    lender = models.ForeignKey(
        Lender, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    status = models.CharField(max_length=20, choices=FinancingStatus.choices)
    syndicate_line = models.BigIntegerField(null=True)
    lines = models.IntegerField()
    value_usd = money_field()

    class Meta:
        verbose_name_plural = _("lender sums")
        constraints = [
            models.UniqueConstraint(
                fields=["moment", "lender", "status", "syndicate_line"],
                nulls_distinct=False,
                name="financing_lendersums_key",
            ),
        ]

    def __str__(self) -> str:
        return f"Lender sums of lender {self.lender_id} ({self.status}) as of {self.moment or 'now'}"


# ------------------------------------------------------------------ loan terms


class RateKind(models.TextChoices):
    FIXED = "fixed", _("Fixed rate")
    FLOATING = "floating", _("Benchmark plus a margin")


class RepaymentProfile(models.TextChoices):
    EQUAL_PRINCIPAL = "equal_principal", _("Equal principal instalments")
    ANNUITY = "annuity", _("Annuity (equal instalments)")


#: The months between two instalments (12 / instalments a year).
PERIOD_MONTHS = Value(12) / F("payments_per_year")


def _percent_field(verbose_name: str, help_text: str = ""):
    # Five decimals: a benchmark is quoted as such (6-month LIBOR at 0.41326%), and a premium
    # stated as an amount is kept to a thousandth of a basis point of the loan.
    return models.DecimalField(verbose_name, max_digits=8, decimal_places=5, null=True, blank=True, help_text=help_text)


def _source_field(verbose_name: str):
    return models.ForeignKey(
        "projects.Source",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


#: The terms given in percent (0 to 100), five decimals each.
LOAN_TERMS_PERCENTS = (
    "fixed_rate_percent",
    "margin_percent",
    "benchmark_assumed_percent",
    "upfront_fee_percent",
    "commitment_fee_percent",
    "insurance_percent",
)


class LoanTerms(models.Model):
    """What a loan costs: its interest, tenor, grace, repayment and fees, each group with its source.

    Only what a source states is entered; every other term stays empty and the loan's schedule
    is then not computed (``financing.debt``): it is counted and listed as a loan whose terms are
    not known, never guessed.
    """

    line = models.OneToOneField(FinancingLine, on_delete=models.PROTECT, related_name="terms", verbose_name=_("line"))
    rate_kind = models.CharField(_("interest"), max_length=10, choices=RateKind.choices, blank=True)
    # xgettext:no-python-format
    fixed_rate_percent = _percent_field(_("fixed rate (% a year)"))
    benchmark = models.CharField(_("benchmark"), max_length=50, blank=True, help_text=_("E.g. 6-month LIBOR, SOFR."))
    # xgettext:no-python-format
    margin_percent = _percent_field(_("margin over the benchmark (% a year)"))
    benchmark_assumed_percent = _percent_field(
        # xgettext:no-python-format
        _("benchmark assumed (% a year)"),
        _("The benchmark's level a schedule assumes for a floating rate; the pages state it."),
    )
    interest_source = _source_field(_("interest source"))
    tenor_months = models.PositiveSmallIntegerField(
        _("tenor (months)"), null=True, blank=True, help_text=_("The loan's whole life, grace period included.")
    )
    grace_months = models.PositiveSmallIntegerField(_("grace period (months)"), null=True, blank=True)
    profile = models.CharField(_("repayment"), max_length=20, choices=RepaymentProfile.choices, blank=True)
    payments_per_year = models.PositiveSmallIntegerField(
        _("instalments a year"), default=2, choices=[(1, "1"), (2, "2"), (4, "4"), (12, "12")]
    )
    repayment_source = _source_field(_("tenor and repayment source"))
    # xgettext:no-python-format
    upfront_fee_percent = _percent_field(_("upfront or management fee (% of the loan)"))
    # xgettext:no-python-format
    commitment_fee_percent = _percent_field(_("commitment fee (% a year of what is not drawn)"))
    # xgettext:no-python-format
    insurance_percent = _percent_field(_("insurance premium, e.g. Sinosure (% of the loan)"))
    fees_source = _source_field(_("fees source"))
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("loan terms")
        verbose_name_plural = _("loan terms")
        constraints = [
            choice_constraint("rate_kind", RateKind, _("Choose fixed or floating interest."), blank=True),
            choice_constraint("profile", RepaymentProfile, _("Choose a repayment profile."), blank=True),
            models.CheckConstraint(
                condition=Q(payments_per_year__in=[1, 2, 4, 12]),
                name="financing_loanterms_payments_per_year_valid",
                violation_error_message=_("Instalments are paid 1, 2, 4 or 12 times a year."),
            ),
            models.CheckConstraint(
                condition=Q(fixed_rate_percent__isnull=True) | Q(rate_kind=RateKind.FIXED),
                name="financing_loanterms_fixed_rate_is_fixed",
                violation_error_message=_("A fixed rate goes with fixed interest."),
            ),
            models.CheckConstraint(
                condition=(Q(margin_percent__isnull=True) & Q(benchmark="") & Q(benchmark_assumed_percent__isnull=True))
                | Q(rate_kind=RateKind.FLOATING),
                name="financing_loanterms_benchmark_is_floating",
                violation_error_message=_("A benchmark and a margin go with floating interest."),
            ),
            models.CheckConstraint(
                condition=Q(grace_months__isnull=True)
                | Q(tenor_months__isnull=True)
                | Q(grace_months__lt=F("tenor_months")),
                name="financing_loanterms_grace_within_tenor",
                violation_error_message=_("The grace period must be shorter than the tenor."),
            ),
            models.CheckConstraint(
                condition=Q(tenor_months__isnull=True) | Q(tenor_months__gt=0),
                name="financing_loanterms_tenor_positive",
                violation_error_message=_("The tenor must be at least a month."),
            ),
            models.CheckConstraint(
                condition=(Q(tenor_months__isnull=True) | Q(Exact(Mod("tenor_months", PERIOD_MONTHS), 0)))
                & (Q(grace_months__isnull=True) | Q(Exact(Mod("grace_months", PERIOD_MONTHS), 0))),
                name="financing_loanterms_whole_periods",
                violation_error_message=_(
                    "The tenor and grace period are whole numbers of the periods between "
                    "instalments (6 months when paid twice a year)."
                ),
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0, f"{name}__lte": 100}),
                    name=f"financing_loanterms_{name}_in_range",
                    violation_error_message=_("Rates and fees are between 0%% and 100%%."),
                )
                for name in LOAN_TERMS_PERCENTS
            ],
            # Each stated term names its source.
            models.CheckConstraint(
                condition=Q(interest_source__isnull=False)
                | (Q(rate_kind="") & Q(benchmark_assumed_percent__isnull=True)),
                name="financing_loanterms_interest_sourced",
                violation_error_message=_("Give the source of the interest terms."),
            ),
            models.CheckConstraint(
                condition=Q(repayment_source__isnull=False)
                | (Q(tenor_months__isnull=True) & Q(grace_months__isnull=True) & Q(profile="")),
                name="financing_loanterms_repayment_sourced",
                violation_error_message=_("Give the source of the tenor, grace period and repayment."),
            ),
            models.CheckConstraint(
                condition=Q(fees_source__isnull=False)
                | (
                    Q(upfront_fee_percent__isnull=True)
                    & Q(commitment_fee_percent__isnull=True)
                    & Q(insurance_percent__isnull=True)
                ),
                name="financing_loanterms_fees_sourced",
                violation_error_message=_("Give the source of the fees."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Terms of %(line)s") % {"line": self.line}

    @property
    def annual_rate_percent(self) -> Decimal | None:
        """The rate a schedule uses: the fixed rate, or the assumed benchmark plus the margin."""
        if self.rate_kind == RateKind.FIXED:
            return self.fixed_rate_percent
        if self.rate_kind == RateKind.FLOATING and None not in (self.margin_percent, self.benchmark_assumed_percent):
            return self.benchmark_assumed_percent + self.margin_percent
        return None

    def missing(self) -> list[str]:
        """What a schedule needs that is not known, in words ([] when one can be computed), with
        nothing assumed: the pages' own definition (``financing.loans.schedule_needs``)."""
        from .loans import Assumptions, schedule_needs

        return schedule_needs(self, Assumptions()).missing

    def schedule_terms(self):
        """The terms as ``financing.debt.Terms``, or None while ``missing()`` names something."""
        from .loans import Assumptions, schedule_terms

        return schedule_terms(self, Assumptions())


# ------------------------------------------------------------------ loan schedules, computed once


class DueColumns(models.Model):
    """What a schedule, or a part of one, has due: principal, interest and fees, in US$."""

    principal = money_field()
    interest = money_field()
    fees = money_field()

    class Meta:
        abstract = True


class LoanSchedule(DueColumns):
    """A loan's repayment schedule (``financing.debt.schedule``), computed once for its inputs and
    kept, so the debt-service page sums stored figures instead of computing every loan's
    instalments on each request (``financing.schedules``).

    ``key`` is a digest PostgreSQL computes of everything the schedule depends on (the principal,
    the rate, tenor, grace period, repayment profile, instalments a year, fees, the start and how
    the loan is drawn, and ``financing.schedules.SCHEDULE_VERSION``): a schedule is a pure function
    of them, so a row is never stale, only unused once a loan's inputs change. Rows are added by
    the pages that need them and removed by ``manage.py prune_loan_schedules``; no data version
    moves when they are written (they are not data anyone entered).
    """

    key = models.UUIDField(primary_key=True)
    first_due = models.DateField()
    last_due = models.DateField()
    computed_at = models.DateTimeField(db_index=True)

    #: Not a change of data: written during page reads (``cpec_tracker.db_routers``).
    computed_cache = True

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"Loan schedule {self.key}"


class LoanScheduleYear(DueColumns):
    """What a stored schedule (``LoanSchedule``) has due in one fiscal year (July to June, "2024-25")."""

    schedule = models.ForeignKey(LoanSchedule, on_delete=models.CASCADE, related_name="years", db_index=False)
    fiscal_year = models.CharField(max_length=7)

    computed_cache = True

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["schedule", "fiscal_year"], name="financing_loanscheduleyear_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} of loan schedule {self.schedule_id}"


class LoanScheduleGroup(models.Model):
    """What a group of loans' stored schedules (``LoanSchedule``) have due, summed per fiscal year and
    lender kind, so a page of thousands of loans adds up a few dozen groups' sums instead of every
    loan's years (``financing.schedules``).

    ``key`` is a digest of the group's loans: each one's schedule key and lender kind. Like a
    schedule, a group's sums are never stale: an edited loan changes its group's digest, and only
    that group is summed again.
    """

    key = models.UUIDField(primary_key=True)
    computed_at = models.DateTimeField(db_index=True)

    computed_cache = True

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"Loan schedule group {self.key}"


class LoanScheduleGroupYear(DueColumns):
    """What a group of loans (``LoanScheduleGroup``) has due in one fiscal year to one kind of lender."""

    group = models.ForeignKey(LoanScheduleGroup, on_delete=models.CASCADE, related_name="years", db_index=False)
    fiscal_year = models.CharField(max_length=7)
    lender_kind = models.CharField(max_length=30)

    computed_cache = True

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["group", "fiscal_year", "lender_kind"], name="financing_loanschedulegroupyear_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}, {self.lender_kind} of loan schedule group {self.group_id}"
