"""Reads that combine projects with their financing: committed money and funding gaps.

Everything is computed by PostgreSQL in normalized US dollars (never by summing stated
amounts, which may be in different currencies).

Every read can be made *as of* a date: a project's cost is then its latest estimate
dated up to that day, and each financing line's state its latest dated change up to
that day (lines first recorded later did not exist yet). ``LineStates`` hides which
table holds the states: the lines themselves now, their changes as of a date. Both
have the same state fields (status, instrument, share_percent, amount, amount_usd…).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least, NullIf, Round

from projects.models import CostEstimate, Decision, Project, ProjectStatusChange, cost_of_record

from .choices import FinancingStatus, ShareBasis
from .models import (
    DatedLineFigures,
    DatedProjectFigures,
    FinancingChange,
    FinancingLine,
    LineFigures,
    funding_parts,
)

MONEY = DecimalField(max_digits=24, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)
HUNDRED = Value(Decimal("100"))
PERCENT = DecimalField(max_digits=9, decimal_places=2)


def share_of_cost(debt_ref) -> Case:
    """The fraction of the cost a line's share is a share of: 1 for the cost, the debt or
    equity part for those; unknown (NULL) when the project's debt:equity split is."""
    return Case(
        When(share_basis=ShareBasis.DEBT, then=debt_ref / HUNDRED),
        When(share_basis=ShareBasis.EQUITY, then=(HUNDRED - debt_ref) / HUNDRED),
        default=Value(Decimal("1")),
        output_field=DecimalField(max_digits=9, decimal_places=6),
    )


def line_value_usd(cost_ref, debt_ref) -> Coalesce:
    """A line's value in USD: its share of the project's cost, else its stated amount.

    A share of the debt or equity is read as a share of the cost through the project's
    debt:equity split (``share_of_cost``). NULL when neither is known: committed money of
    an undisclosed amount, never zero.
    """
    return Coalesce(
        Cast(F("share_percent") * share_of_cost(debt_ref) * cost_ref / HUNDRED, output_field=MONEY),
        F("amount_usd"),
        output_field=MONEY,
    )


def latest_change_filter(as_of: dt.date) -> Q:
    """Keeps each line's latest change dated on or before ``as_of``.

    Correlated on the line (an index lookup per change, on ``(line, -changed_on)``), so
    PostgreSQL never sorts every change of every line to answer for one project. Reads of
    the whole portfolio's lines as of a date use the read model instead (``line_figures``).
    """
    latest = (
        FinancingChange.objects.filter(line=OuterRef("line"), changed_on__lte=as_of)
        .order_by("-changed_on", "-pk")
        .values("pk")[:1]
    )
    return Q(changed_on__lte=as_of, pk=Subquery(latest))


class LineStates:
    """The state of every financing line: now (``as_of=None``) or as of a date.

    ``queryset()`` returns ``FinancingLine`` rows now, ``FinancingChange`` rows as of a
    date; relation paths are written from the line (``"project"``, ``"lender__kind"``) and
    ``path()`` prefixes them for changes. Both models expose ``lender``, ``project``,
    ``as_of``, ``is_committed`` to templates.
    """

    def __init__(self, as_of: dt.date | None = None):
        self.as_of = as_of
        self.prefix = "" if as_of is None else "line__"

    def path(self, name: str) -> str:
        return self.prefix + name

    def queryset(self, **line_filters) -> QuerySet:
        if self.as_of is None:
            qs = FinancingLine.objects.all()
        else:
            qs = FinancingChange.objects.filter(latest_change_filter(self.as_of))
        return qs.filter(**{self.path(name): value for name, value in line_filters.items()})

    def with_value(self, qs: QuerySet) -> QuerySet:
        """Annotate each state's project cost (as of the date, from the read model) and its value in USD."""
        if self.as_of is None:
            cost = F(self.path("project__figures__current_cost_usd"))
        else:
            figures = self.path("project__dated_figures")
            then = FilteredRelation(figures, condition=Q(**{f"{figures}__validity__contains": self.as_of}))
            qs = qs.annotate(project_then=then)
            cost = F("project_then__current_cost_usd")
        return qs.annotate(project_cost_usd=cost).annotate(
            value_usd=line_value_usd(F("project_cost_usd"), F(self.path("project__debt_percent")))
        )

    @property
    def line_pk(self) -> str:
        """The line's id, on state rows of either table."""
        return "pk" if self.as_of is None else "line_id"

    def syndicated(self) -> Exists:
        """True for a syndicated or club loan (a line with participating lenders)."""
        return Exists(FinancingLine.participants.through.objects.filter(financingline_id=OuterRef(self.line_pk)))

    def of_lender(self, lender) -> Q:
        """State rows of lines the lender leads or takes part in (reads its syndicates' ids: one query).

        The ids are read first so PostgreSQL can combine two index scans, instead of testing
        every line of the portfolio for membership.
        """
        joined = list(
            FinancingLine.participants.through.objects.filter(lender=lender).values_list("financingline_id", flat=True)
        )
        return Q(**{self.path("lender"): lender}) | Q(**{f"{self.line_pk}__in": joined})

    def related(self, *names: str) -> list[str]:
        """``select_related`` paths for the state rows."""
        base = [] if self.as_of is None else ["line"]
        return base + [self.path(n) for n in names]


def line_figures(as_of: dt.date | None = None) -> QuerySet:
    """Every financing line's status and US$ value (``value_usd``) with its project and lender, now
    or as of a date, from the read model (``LineFigures``, ``DatedLineFigures``): what
    ``LineStates.with_value`` computes, stored. Lines not yet recorded on ``as_of`` have no row."""
    if as_of is None:
        return LineFigures.objects.all()
    return DatedLineFigures.objects.filter(validity__contains=as_of)


#: What the read model keeps per project (``financing.models.FigureColumns``), as
#: ``figure_source`` computes it and ``projects_with_funding`` reads it.
FIGURES = (
    "current_cost_usd",
    "current_cost_pkr",
    "current_cost_as_of",
    "current_cost_bound",
    "committed_usd",
    "pipeline_usd",
    "financing_closed",
    "has_undisclosed",
    "counted_in_totals",
    "baseline_usd",
    "baseline_pkr",
    "baseline_as_of",
    "baseline_forum",
    "original_planned_end",
)


#: The parts of a project's cost, generated by PostgreSQL from ``FIGURES``
#: (``financing.models.funding_parts``).
PARTS = tuple(funding_parts())
#: The overruns against the baseline and their flag, generated by PostgreSQL (``FigureColumns``).
OVERRUNS = ("overrun_usd_percent", "overrun_pkr_percent", "overrun_flagged")


def figure_source(projects: QuerySet[Project] | None = None, *, as_of: dt.date | None = None) -> QuerySet[Project]:
    """Each project's figures (``FIGURES``, ``status_then`` and, as of a date, ``first_known_on``)
    computed from the dated records: the definition of what the read model stores.

    ``committed_usd`` is the known value of its committed lines (agreed, signed, disbursing,
    completed) and ``pipeline_usd`` of the proposed, planned and negotiated ones, as stated;
    ``financing_closed`` says financing has closed (by ``as_of``); ``has_undisclosed`` that a
    committed line has no known value; ``counted_in_totals`` is false for a section whose parent
    has a cost of its own; the overrun baseline and original completion are ``with_baseline``'s.
    Correlated subqueries per project: the pages never run this
    (``financing.figures`` stores it; ``projects_with_funding`` reads what it stored).
    """
    projects = projects if projects is not None else Project.objects.all()
    base = projects.with_current_cost(as_of=as_of)
    states = LineStates(as_of)
    of_project = states.queryset().filter(**{states.path("project"): OuterRef("pk")})
    fraction = share_of_cost(OuterRef("debt_percent"))

    def total(statuses):
        # Each line's value is rounded to the cent as the lender pages and charts round it, so
        # the two always add up to the same money.
        value = line_value_usd(OuterRef("current_cost_usd"), OuterRef("debt_percent"))
        lines = of_project.filter(status__in=statuses).order_by().values(states.path("project"))
        return Coalesce(Subquery(lines.annotate(total=Sum(value)).values("total"), output_field=MONEY), ZERO)

    undisclosed = (
        of_project.filter(status__in=FinancingStatus.committed(), amount_usd__isnull=True)
        .annotate(fraction=fraction)
        .filter(Q(share_percent__isnull=True) | Q(fraction__isnull=True))
    )
    closed = Q(financial_close_on__isnull=False) & (Q(financial_close_on__lte=as_of) if as_of else Q())
    parent_costed = cost_of_record(OuterRef("parent_id"), as_of=as_of)
    base = (
        base.annotate(
            committed_usd=total(FinancingStatus.committed()),
            pipeline_usd=total(FinancingStatus.pipeline()),
            financing_closed=Case(When(closed, then=Value(True)), default=Value(False), output_field=BooleanField()),
            has_undisclosed=Exists(undisclosed),
            counted_in_totals=Case(
                When(parent__isnull=False, then=~Exists(parent_costed)),
                default=Value(True),
                output_field=BooleanField(),
            ),
        )
        .with_status(as_of=as_of)
        .with_baseline(as_of=as_of)
    )
    if as_of is not None:
        base = base.annotate(first_known_on=first_known_on())
    return base


def first_known_on():
    """The date a project was first known: its earliest dated record (a cost estimate, a status
    change, a financing change or a JCC decision about it); NULL when it has none."""

    def earliest(queryset, field: str):
        return Subquery(queryset.order_by(field).values(field)[:1])

    return Least(
        earliest(CostEstimate.objects.filter(project=OuterRef("pk")), "as_of"),
        earliest(ProjectStatusChange.objects.filter(project=OuterRef("pk")), "changed_on"),
        earliest(FinancingChange.objects.filter(line__project=OuterRef("pk")), "changed_on"),
        earliest(Decision.objects.filter(project=OuterRef("pk")), "meeting__date"),
    )


def with_figures(projects: QuerySet[Project], *, as_of: dt.date | None = None) -> QuerySet[Project]:
    """Annotate ``FIGURES``, ``PARTS``, ``OVERRUNS``, ``status_then`` and ``known_then`` from the read
    model: one join per project (``financing.models.ProjectFigures`` now, ``DatedProjectFigures`` as
    of a date).

    Filter on the annotations (``known_then=True``), never through ``figures_then__``: a filter
    across the relation would join the dated figures a second time.
    """
    if as_of is None:
        return projects.annotate(
            **{name: F(f"figures__{name}") for name in (*FIGURES, *PARTS, *OVERRUNS)},
            status_then=F("status"),
            known_then=Value(True),
        )
    then = FilteredRelation("dated_figures", condition=Q(dated_figures__validity__contains=as_of))
    return projects.annotate(figures_then=then).annotate(
        **{name: F(f"figures_then__{name}") for name in (*FIGURES, *PARTS, *OVERRUNS, "status_then")},
        known_then=F("figures_then__known"),
    )


def projects_with_funding(
    projects: QuerySet[Project] | None = None, *, as_of: dt.date | None = None
) -> QuerySet[Project]:
    """Annotate each project's cost and how it is financed, in four parts that add up to it.

    The figures each part is made of (``FIGURES``: cost, committed, pipeline, the flags; see
    ``figure_source``) and the parts themselves (``PARTS``, generated columns: see
    ``financing.models.funding_parts``) are read from the read model (``with_figures``).
    With the cost known, the cost falls into ``committed_part_usd`` (committed money of known
    value, up to the cost), ``committed_unknown_usd`` (committed money whose amount is not
    disclosed), ``pipeline_part_usd`` (proposed, planned or negotiated money, up to what is
    left) and ``funding_gap_usd`` (not identified, never below zero).

    ``uncommitted_usd`` is the pipeline part plus the gap. Percentages are of the cost; all
    parts are empty when the cost is unknown. ``counted_in_totals`` is false for a section
    whose parent has a cost of its own (the parent's estimate stands for the whole), so
    portfolio sums never count both. With ``as_of``, all of it as known on that date.
    """
    projects = with_figures(projects if projects is not None else Project.objects.all(), as_of=as_of)
    return projects.annotate(
        funding_gap_percent=_percent_of_cost("funding_gap_usd"),
        uncommitted_percent=_percent_of_cost("uncommitted_usd"),
    )


def _percent_of_cost(name: str) -> Round:
    return Round(F(name) * HUNDRED / NullIf(F("current_cost_usd"), ZERO), 2, output_field=PERCENT)


def known_by(projects: QuerySet[Project], as_of: dt.date | None) -> QuerySet[Project]:
    """The projects already known on ``as_of`` (all of them when it is None).

    A project is first known on the date of its earliest dated record (``first_known_on``).
    A project with no dated record at all is kept, since nothing says when it became known.
    Read from the read model: one indexed lookup per project.
    """
    if as_of is None:
        return projects
    return projects.filter(
        Exists(DatedProjectFigures.objects.filter(project=OuterRef("pk"), validity__contains=as_of, known=True))
    )
