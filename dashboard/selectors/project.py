"""The project page: one project as of a date, and how it is financed in words."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from budget.selectors import portfolio_psdp_years, project_psdp_years, psdp_flags
from financing.choices import ChangeKind, FinancingStatus, ShareBasis
from financing.loans import LOAN_INSTRUMENTS, Assumptions, Loan, first_committed_on, loan_from_state
from financing.models import FinancingChange, FinancingLine
from financing.selectors import LineStates, projects_with_funding
from projects.choices import EstimateBasis, ProjectStatus
from projects.models import Project, cost_of_record
from projects.money import compact_money

from .common import PIPELINE, OverrunFlag, overrun_flags, phase_timeline_row

#: Statuses that say the project is not finished: a passed planned completion contradicts them.
NOT_FINISHED = {
    ProjectStatus.PROPOSED,
    ProjectStatus.UNDER_STUDY,
    ProjectStatus.APPROVED,
    ProjectStatus.FINANCING,
    ProjectStatus.UNDER_CONSTRUCTION,
}
#: A current cost dated more than this many years before the day viewed is flagged.
STALE_COST_YEARS = 3


@dataclass(frozen=True)
class StaleFlag:
    """A figure on the page that may no longer hold, as data (the template words it).

    ``"old_cost"``: the current cost dates from ``date``, ``years`` full years before ``on``
    (the day viewed). ``"late_completion"``: the planned completion ``date`` passed before
    ``on`` while the status is still ``status`` (a ``ProjectStatus`` value).
    """

    kind: str
    date: dt.date
    on: dt.date
    years: int | None = None
    status: str = ""

    @property
    def status_label(self) -> str:
        return ProjectStatus(self.status).label if self.status else ""


@dataclass(frozen=True)
class RupeeOverrun:
    """How much a project's rupee cost rose over its first approved PC-I, and the part of that rise
    the exchange rate explains: the PC-I's foreign part (its foreign-exchange component where
    recorded, ``basis`` "fec"; else its whole cost, ``basis`` "whole") valued at the current
    estimate's rate instead of the PC-I's. Rupees; rates in PKR per US$."""

    overrun_pkr: Decimal
    explained_pkr: Decimal
    basis: str
    foreign_usd: Decimal
    fec_pkr: Decimal | None
    rate_then: Decimal
    rate_now: Decimal

    @property
    def explained_percent(self) -> Decimal:
        return (self.explained_pkr * 100 / self.overrun_pkr).quantize(Decimal("0.1"))


def rupee_overrun(baseline, current) -> RupeeOverrun | None:
    """The rupee overrun of ``current`` (an estimate) over ``baseline`` (the first approved PC-I) and
    the part of it the exchange rate explains; None when the cost did not rise in rupees or a rate
    is not known. No query."""
    if baseline is None or current is None or baseline.pk == current.pk:
        return None
    rate_then, rate_now = baseline.pkr_per_usd, current.pkr_per_usd
    if None in (rate_then, rate_now, baseline.amount_pkr, current.amount_pkr, baseline.amount_usd):
        return None
    overrun = current.amount_pkr - baseline.amount_pkr
    if overrun <= 0:
        return None
    fec = baseline.foreign_exchange_component
    fec_pkr = None
    if fec is None:
        foreign_usd, basis = baseline.amount_usd, "whole"
    else:
        basis = "fec"
        if baseline.currency == "USD":
            foreign_usd = fec
        elif baseline.currency == "CNY" and baseline.cny_per_usd:
            foreign_usd = fec / baseline.cny_per_usd
        else:
            foreign_usd = fec / rate_then
        fec_pkr = (foreign_usd * rate_then).quantize(Decimal("0.01"))
    explained = (foreign_usd * (rate_now - rate_then)).quantize(Decimal("0.01"))
    return RupeeOverrun(overrun, explained, basis, foreign_usd.quantize(Decimal("0.01")), fec_pkr, rate_then, rate_now)


def _baseline_estimate(project, estimates: list):
    """The estimate the read model took as the overrun baseline (its date, basis and US$ amount)."""
    return next(
        (
            e
            for e in estimates
            if e.full_scope
            and e.basis == EstimateBasis.PC_I
            and e.as_of == project.baseline_as_of
            and e.amount_usd == project.baseline_usd
        ),
        None,
    )


@dataclass(frozen=True)
class ProjectPage:
    """Everything one project's page shows, as of its date.

    ``project`` is annotated by ``projects_with_funding`` (with its overrun baseline and the
    overruns stored against it: ``OVERRUNS``); ``lines`` are its financing states (``value_usd``), ``committed``
    those committed with a value. The charts' rows: ``history`` (``charts.cost_history``),
    ``donut_rows`` and ``donut_parts`` (``charts.financing_donut``), ``timeline``
    (``charts.phase_timeline``; every phase, dated or not, in order).
    """

    project: Project
    estimates: list
    #: The estimate the current cost comes from (its basis and source), or None.
    current_estimate: object | None
    lines: list
    phases: list
    decisions: list
    changes: list
    corrections: list
    sources: list
    sections: list[dict]
    committed: list
    #: The other members of each syndicated line, by line id.
    participants: dict[int, list]
    financing_summary: list[str]
    overrun_flags: list[OverrunFlag]
    stale_flags: list[StaleFlag]
    history: list[dict]
    donut_rows: list[dict]
    donut_parts: dict
    timeline: list[dict]
    has_phase_dates: bool
    #: The PSDP's figures per fiscal year and scheme (``budget.selectors.project_psdp_years``, with
    #: ``flags``), and per fiscal year, the schemes added up (the chart's rows; a printed brief shows
    #: the latest year's only).
    psdp: list[dict]
    psdp_years: list[dict]
    #: The rupee overrun over the first approved PC-I and the exchange rate's part of it, or None.
    rupee_overrun: RupeeOverrun | None
    #: Its loans, committed or not yet (not declined, withdrawn or superseded), each with its schedule
    #: drawn in full when it starts (``financing.loans``), or what it lacks.
    loans: list[Loan]
    loan_assumption: str


def project_page(*, slug: str, as_of: dt.date | None = None) -> ProjectPage | None:
    """The project ``slug`` as recorded on ``as_of`` (now without it), or None when there is none.

    Eleven queries: the project, its estimates, financing lines, phases, decisions, financing
    changes, sources, sections, the members of its syndicated lines, and its PSDP figures per
    fiscal year and scheme and per fiscal year.
    """
    try:
        project = (
            projects_with_funding(Project.objects.filter(slug=slug), as_of=as_of)
            .select_related("parent", "financial_close_source", "location_source")
            .get()
        )
    except Project.DoesNotExist:
        return None
    of_record = cost_of_record(OuterRef("project_id"), as_of=as_of).values("pk")[:1]
    estimates = (
        project.cost_estimates.select_related("source", "pkr_reference", "cny_reference")
        .annotate(of_record=ExpressionWrapper(Q(pk=Subquery(of_record)), output_field=BooleanField()))
        .order_by("as_of", "pk")
    )
    if as_of is not None:
        estimates = estimates.filter(as_of__lte=as_of)
    estimates = list(estimates)
    states = LineStates(as_of)
    lines = list(
        states.with_value(states.queryset(project=project))
        .annotate(first_committed=first_committed_on(OuterRef(states.line_pk), as_of))
        .select_related(
            *states.related(
                "lender",
                "replaced_by__lender",
                "terms__interest_source",
                "terms__repayment_source",
                "terms__fees_source",
            ),
            "decision__meeting",
            "pkr_reference",
            "cny_reference",
        )
        .order_by("-status", states.path("lender__name"))
    )
    phases = list(project.phases.order_by("order"))
    decisions = project.decisions.select_related("meeting", "source").order_by("-meeting__number", "sequence")
    changes = FinancingChange.objects.filter(line__project=project)
    if as_of is not None:
        decisions = decisions.filter(meeting__date__lte=as_of)
        changes = changes.filter(changed_on__lte=as_of)
    decisions = list(decisions)
    changes = list(
        changes.select_related("line__lender", "decision__meeting", "source", "recorded_by").order_by(
            "-changed_on", "-pk"
        )
    )
    sources = sorted(project.sources.all(), key=lambda s: (*source_key_order(s.key), s.title))
    sections = list(project.sections.order_by("name").values("name", "slug"))
    committed = [line for line in lines if line.is_committed and line.value_usd]
    current_estimate = next((e for e in estimates if e.of_record), None)
    participants = syndicate_members([line.line_pk for line in lines])
    psdp = [{**row, "flags": psdp_flags(row)} for row in project_psdp_years(project=project, as_of=as_of)]
    psdp_years = portfolio_psdp_years(projects=Project.objects.filter(pk=project.pk), as_of=as_of)
    timeline = [
        phase_timeline_row(
            project=project.name,
            slug=project.slug,
            phase=p.name,
            status=p.status,
            start=p.actual_start or p.planned_start,
            end=p.actual_end or p.planned_end,
        )
        for p in phases
    ]
    return ProjectPage(
        project=project,
        estimates=estimates,
        current_estimate=current_estimate,
        lines=lines,
        phases=phases,
        decisions=decisions,
        changes=changes,
        corrections=[change for change in changes if change.kind == ChangeKind.CORRECTION],
        sources=sources,
        sections=sections,
        committed=committed,
        participants=participants,
        financing_summary=project_financing_summary(project, lines, participants),
        overrun_flags=overrun_flags(project),
        stale_flags=project_stale_flags(project, current_estimate, on=as_of or timezone.localdate()),
        history=[_estimate_row(e) for e in estimates],
        # Committed lines, then the proposed, planned or negotiated ones (drawn striped; with no
        # amount stated, a legend entry only). Declined and withdrawn lines stay out.
        donut_rows=[_donut_row(line, participants) for line in committed]
        + [_donut_row(line, participants, pipeline=True) for line in lines if line.status in PIPELINE],
        donut_parts={
            "gap_usd": project.funding_gap_usd,
            "undisclosed_usd": project.committed_unknown_usd,
            "pipeline_usd": project.pipeline_part_usd,
        },
        timeline=timeline,
        has_phase_dates=any(row["start"] and row["end"] for row in timeline),
        psdp=psdp,
        psdp_years=psdp_years,
        rupee_overrun=rupee_overrun(_baseline_estimate(project, estimates), current_estimate),
        loans=[
            loan_from_state(line, as_of=as_of, assumptions=Assumptions(), project=project)
            for line in lines
            if line.instrument in LOAN_INSTRUMENTS and line.status not in FinancingStatus.dead()
        ],
        loan_assumption=Assumptions().text,
    )


def _donut_row(line, participants: dict, *, pipeline: bool = False) -> dict:
    """A financing line as a slice of the project's donut (``charts.financing_donut``)."""
    row = {
        "label": _("%(lender)s-led syndicate") % {"lender": line.lender}
        if line.line_pk in participants
        else str(line.lender),
        "kind": line.lender.kind,
        "kind_label": line.lender.get_kind_display(),
        "key": line.lender.slug,  # the lender's colour survives a renaming
        "value_usd": line.value_usd,
    }
    return {**row, "pipeline": True} if pipeline else row


def source_key_order(key: str) -> tuple:
    """Sorts source keys naturally: S1, S2, S10, S13, S130, then T1; keyless sources last."""
    prefix = key.rstrip("0123456789")
    number = key[len(prefix) :]
    return (not key, prefix, int(number) if number else -1, key)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def project_stale_flags(project, current_estimate, *, on: dt.date) -> list[StaleFlag]:
    """What on the page may no longer hold on the day ``on`` (no query).

    Only while the status (``status_then``) says the project is not finished and no actual
    completion is recorded by ``on`` (a finished project's last cost is its final one): the current
    cost dated more than three years before ``on``; a planned completion before ``on``.
    """
    finished = project.actual_end is not None and project.actual_end <= on
    if finished or project.status_then not in NOT_FINISHED:
        return []
    flags = []
    cost_date = current_estimate.as_of if current_estimate is not None else None
    if cost_date and cost_date < _years_before(on, STALE_COST_YEARS):
        years = on.year - cost_date.year - ((on.month, on.day) < (cost_date.month, cost_date.day))
        flags.append(StaleFlag("old_cost", date=cost_date, on=on, years=years))
    if project.planned_end and project.planned_end < on:
        flags.append(StaleFlag("late_completion", date=project.planned_end, on=on, status=project.status_then))
    return flags


def _estimate_row(e) -> dict:
    """A cost estimate as the cost-history chart reads it."""
    return {
        "as_of": e.as_of,
        "amount_usd": e.amount_usd,
        "amount_pkr": e.amount_pkr,
        "basis": e.get_basis_display(),
        "forum": e.get_approving_forum_display() if e.approving_forum else "",
        "source": f"{e.source.publisher} [{e.source.key}]" if e.source.key else e.source.publisher,
        "stated": f"{e.currency} {e.amount:,.0f}",
        "full_scope": e.full_scope,
    }


def syndicate_members(line_ids: list[int]) -> dict[int, list]:
    """The other members of each syndicated line, by line id (one query)."""
    members: dict[int, list] = defaultdict(list)
    through = FinancingLine.participants.through
    for row in through.objects.filter(financingline_id__in=line_ids).select_related("lender").order_by("lender__name"):
        members[row.financingline_id].append(row.lender)
    return dict(members)


# ------------------------------------------------------------------ financing in words

_INSTRUMENT_WORDS = {
    "grant": "grant",
    "budget_allocation": "budget allocation",
    "equity": "equity investment",
    "undecided": "commitment",
}
#: A line of a stated amount in words, by its kind (``_INSTRUMENT_WORDS``, or "loan").
_AMOUNT_WORDS = {
    # Translators: a financing line in a sentence: "a US$ 1.5bn China Development Bank grant".
    "grant": gettext_lazy("a %(amount)s %(lender)s grant"),
    "budget allocation": gettext_lazy("a %(amount)s %(lender)s budget allocation"),
    "equity investment": gettext_lazy("a %(amount)s %(lender)s equity investment"),
    "commitment": gettext_lazy("a %(amount)s %(lender)s commitment"),
    "loan": gettext_lazy("a %(amount)s %(lender)s loan"),
}


def _percent(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1')).normalize():f}%"


def _names(lenders) -> str:
    names = [str(lender) for lender in lenders]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    # Translators: the end of a list of names: "CDB, ICBC and China Exim" (names: "CDB, ICBC").
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def project_financing_summary(project, lines: list, participants: dict[int, list] | None = None) -> list[str]:
    """How a project is financed, in sentences a minister could read (no query).

    ``project`` is annotated by ``projects_with_funding``; ``lines`` are its financing
    states (as of the page's date), ``participants`` the other members of each syndicated
    line by line id. For Hub: "75% debt, led by a US$ 1.5bn China Development Bank loan;
    25% sponsors' equity, CPIH 74% and HUBCO 26%."
    """
    participants = participants or {}
    live = [line for line in lines if line.status not in FinancingStatus.dead()]
    sentences = []

    def words(line, *, debt: bool = False) -> str:
        """ "a US$ 1.5bn China Development Bank loan with China Exim", "China (government), 85% of the cost"."""
        members = participants.get(line.line_pk, [])
        kind = _INSTRUMENT_WORDS.get(line.instrument, "loan")
        if debt or (kind == "commitment" and (members or line.lender.kind == "commercial_bank")):
            kind = "loan"  # debt, a syndicate or a bank's money: a loan whatever its terms
        if line.amount:
            text = _AMOUNT_WORDS[kind] % {
                "amount": compact_money(line.amount, line.currency),
                "lender": line.lender.name,
            }
        elif line.share_percent is not None and line.share_basis == ShareBasis.COST:
            text = _("%(lender)s, %(percent)s of the cost") % {
                "lender": line.lender,
                "percent": _percent(line.share_percent),
            }
        else:
            text = str(line.lender)
        if members:
            # Translators: a syndicated line and its other members: "a US$ 1bn CDB loan with ICBC and CCB".
            text = _("%(financing)s with %(lenders)s") % {"financing": text, "lenders": _names(members)}
        return text

    if project.debt_percent is not None:
        debt_lines = [
            line
            for line in live
            if line.share_basis == ShareBasis.DEBT
            or (line.amount and line.share_basis != ShareBasis.EQUITY and line.instrument != "equity")
        ]
        equity_lines = sorted(
            (line for line in live if line.share_basis == ShareBasis.EQUITY and line.share_percent is not None),
            key=lambda line: (-line.share_percent, str(line.lender)),
        )
        debt = _("%(percent)s debt") % {"percent": _percent(project.debt_percent)}
        if debt_lines:
            lead = max(debt_lines, key=lambda line: line.amount_usd or Decimal("0"))
            # Translators: "75% debt, led by a US$ 1.5bn China Development Bank loan".
            debt = _("%(debt)s, led by %(financing)s") % {"debt": debt, "financing": words(lead, debt=True)}
        equity = _percent(project.equity_percent)
        if equity_lines:
            sponsors = _names(f"{line.lender} {_percent(line.share_percent)}" for line in equity_lines)
            # Translators: "25% sponsors' equity, CPIH 74% and HUBCO 26%".
            equity = _("%(percent)s sponsors' equity, %(sponsors)s") % {"percent": equity, "sponsors": sponsors}
        else:
            equity = _("%(percent)s sponsors' equity") % {"percent": equity}
        # Translators: a project's debt and its equity, one sentence: "75% debt, led by …; 25% sponsors' equity."
        sentences.append(_("%(debt)s; %(equity)s.") % {"debt": debt, "equity": equity})
    else:
        known = [words(line) for line in live if line.is_committed and line.value_usd is not None]
        if known:
            sentences.append(_("Committed: %(financing)s.") % {"financing": "; ".join(known)})
    if project.current_cost_usd is None:
        sentences.append(_("No cost estimate is recorded, so the funding gap is unknown."))
        return sentences
    if project.financing_closed:
        close = project.financial_close_display
        if project.committed_unknown_usd:
            sentences.append(
                _(
                    "Fully financed at financial close (%(date)s); %(amount)s of it from financiers whose amounts "
                    "are not disclosed: no funding gap."
                )
                % {"date": close, "amount": _money_usd(project.committed_unknown_usd)}
            )
        else:
            sentences.append(_("Fully financed at financial close (%(date)s): no funding gap.") % {"date": close})
    elif project.has_undisclosed:
        names = sorted({line.lender.name for line in live if line.is_committed and line.value_usd is None})
        sentences.append(
            ngettext(
                "Committed by %(lenders)s, amount not disclosed: the remaining %(amount)s of the cost is counted "
                "as committed of undisclosed amount, so no funding gap can be stated.",
                "Committed by %(lenders)s, amounts not disclosed: the remaining %(amount)s of the cost is counted "
                "as committed of undisclosed amount, so no funding gap can be stated.",
                max(len(names), 1),
            )
            % {"lenders": _names(names), "amount": _money_usd(project.committed_unknown_usd)}
        )
    elif project.funding_gap_usd:
        sentences.append(
            _("%(percent)s of the cost (%(amount)s) has no financier identified.")
            % {"percent": _percent(project.funding_gap_percent), "amount": _money_usd(project.funding_gap_usd)}
        )
    elif project.pipeline_part_usd:
        sentences.append(_("The whole cost is covered by committed or proposed financing: no funding gap."))
    else:
        sentences.append(_("The whole cost is committed: no funding gap."))
    if project.pipeline_part_usd:
        sentences.append(
            _("%(amount)s is proposed, planned or under negotiation, not committed.")
            % {"amount": _money_usd(project.pipeline_part_usd)}
        )
    if project.committed_usd > project.current_cost_usd:
        sentences.append(
            _(
                "Committed money (%(committed)s) exceeds the current cost (%(cost)s): the cost estimate may "
                "predate the commitments, or the figures were converted to US$ at different dates' rates; the gap "
                "is counted as zero."
            )
            % {"committed": _money_usd(project.committed_usd), "cost": _money_usd(project.current_cost_usd)}
        )
    return sentences


def _money_usd(value: Decimal | None) -> str:
    return compact_money(value, "USD") if value is not None else "–"
