"""Writes that span financing lines and their dated changes.

A financing line's status, share and amount are never edited in place without a trace:
every write goes through ``financing_line_record_change`` (or ``financing_line_save``,
for a line an admin form has already filled), which stores a dated
``FinancingChange`` in the same transaction, saying why the state changed: a JCC
decision's effect, a correction (with the editor's reason, no decision) or a change a
source reported. A line replaced by another is closed with ``financing_line_supersede``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from projects.models import Project
from projects.money import compact_money
from projects.services import phase_status_record_change, project_status_record_change

from .choices import ChangeKind, FinancingStatus, ShareBasis
from .models import FinancingChange, FinancingLine

HUNDRED = Decimal("100")
#: "Read the project's stored debt:equity split" (a form may pass the one being saved instead).
STORED = object()

#: The fields of a line that make up its state; a change records all of them.
STATE_FIELDS = (
    "status",
    "instrument",
    "share_percent",
    "share_basis",
    "amount",
    "currency",
    "entered_pkr_per_usd",
    "entered_cny_per_usd",
)


@dataclass(frozen=True)
class LineShare:
    """A line's share as a form or import is about to save it."""

    pk: int | None
    share_percent: Decimal | None
    status: str
    share_basis: str = ShareBasis.COST

    @classmethod
    def of(cls, pk: int | None, data: dict) -> LineShare:
        """A line's share from a form's or a row's cleaned data."""
        return cls(pk, data.get("share_percent"), data.get("status"), data.get("share_basis") or ShareBasis.COST)


@dataclass(frozen=True)
class ShareTotals:
    """A project's live shares, summed per basis, and what they come to as a share of cost."""

    cost: Decimal
    debt: Decimal
    equity: Decimal
    debt_percent: Decimal | None

    @property
    def of_cost(self) -> Decimal | None:
        """The live shares as a percentage of the cost; None when a debt or equity share
        cannot be converted because the project's debt:equity split is unknown."""
        if self.debt_percent is None:
            return self.cost if not (self.debt or self.equity) else None
        return (
            self.cost + self.debt * self.debt_percent / HUNDRED + self.equity * (HUNDRED - self.debt_percent) / HUNDRED
        )

    def problem(self, project) -> str | None:
        """Why these shares break the 100% rule, in words, or None."""
        total = self.of_cost
        if total is not None:
            if total > HUNDRED:
                return _(
                    "The live financing shares of %(project)s would add up to %(total)s of its cost; "
                    "they cannot exceed 100%%. Lower a share, or mark a line declined or withdrawn."
                ) % {"project": project, "total": _pct(total)}
            return None
        messages = {
            "cost": _(
                "The live shares of the cost of %(project)s would add up to %(total)s; they cannot exceed 100%%."
            ),
            "debt": _(
                "The live shares of the debt of %(project)s would add up to %(total)s; they cannot exceed 100%%."
            ),
            "equity": _(
                "The live shares of the equity of %(project)s would add up to %(total)s; they cannot exceed 100%%."
            ),
        }
        for label, value in (("cost", self.cost), ("debt", self.debt), ("equity", self.equity)):
            if value > HUNDRED:
                return messages[label] % {"project": project, "total": _pct(value)}
        return None


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')).normalize():f}%"


def financing_live_shares(
    *, project_id: int | None, pending: Iterable[LineShare] = (), debt_percent=STORED
) -> ShareTotals:
    """A project's live shares per basis once ``pending`` lines are saved (one query).

    Lines in ``pending`` replace their stored versions; new ones (pk None) are added; the
    project's split is its stored one unless ``debt_percent`` gives the one being saved. The
    one place the 100% rule is computed in Python: admin forms, imports and the effects
    service all call it (PostgreSQL's trigger ``financing_check_live_shares`` is the backstop).
    """
    pending = list(pending)
    replaced = [p.pk for p in pending if p.pk is not None]
    rows = (
        FinancingLine.objects.filter(project_id=project_id) if project_id is not None else FinancingLine.objects.none()
    )
    rows = (
        rows.live()
        .exclude(pk__in=replaced)
        .order_by()
        .values("share_basis")
        .annotate(total=Sum("share_percent", default=Decimal("0")))
    )
    totals = {basis: Decimal("0") for basis in ShareBasis.values}
    for row in rows:
        totals[row["share_basis"]] += row["total"] or Decimal("0")
    for p in pending:
        if p.share_percent is not None and p.status not in FinancingStatus.dead():
            totals[p.share_basis or ShareBasis.COST] += p.share_percent
    if debt_percent is STORED:
        debt_percent = (
            None
            if project_id is None
            else Project.objects.filter(pk=project_id).values_list("debt_percent", flat=True).first()
        )
    return ShareTotals(
        cost=totals[ShareBasis.COST],
        debt=totals[ShareBasis.DEBT],
        equity=totals[ShareBasis.EQUITY],
        debt_percent=debt_percent,
    )


def financing_shares_validate(
    *,
    project_id: int | None,
    pending: Iterable[LineShare],
    field: str | None = None,
    debt_percent=STORED,
) -> None:
    """Raise ``ValidationError`` when the project's live shares would exceed 100%."""
    totals = financing_live_shares(project_id=project_id, pending=pending, debt_percent=debt_percent)
    # Translators: fills %(project)s in "The live financing shares of %(project)s would add up to …".
    problem = totals.problem(_("this project"))
    if problem:
        message = problem[0].upper() + problem[1:]
        raise ValidationError({field: message} if field else message)


def financing_line_latest_change(line: FinancingLine) -> FinancingChange | None:
    if line.pk is None:
        return None
    return line.changes.order_by("-changed_on", "-pk").first()


def financing_change_date_validate(line: FinancingLine, changed_on: date, *, field: str = "as_of") -> None:
    """A change may not be dated before the line's previous change."""
    latest = financing_line_latest_change(line)
    if latest is not None and changed_on < latest.changed_on:
        raise ValidationError(
            {
                field: _("This line's last recorded change is dated %(date)s; a new change cannot be dated before it.")
                % {"date": date_format(latest.changed_on, "d M Y")}
            }
        )


def _state_differs(line: FinancingLine, change: FinancingChange | None) -> bool:
    if change is None:
        return True
    if change.changed_on != line.as_of or change.decision_id != line.decision_id or change.kind != line.kind:
        return True
    return any(getattr(line, f) != getattr(change, f) for f in STATE_FIELDS)


def _line_write(line: FinancingLine) -> None:
    """Save the line, its amount normalized (no lookup when the form or ``full_clean()`` just did it)."""
    line.normalize_if_changed()
    line.save()


@transaction.atomic
def financing_line_save(
    line: FinancingLine,
    *,
    kind: str | None = None,
    reason: str = "",
    recorded_by=None,
    source=None,
    note: str = "",
    check_shares: bool = True,
) -> FinancingChange | None:
    """Save ``line`` in its new state and record that state as a dated change.

    Used by admin forms (which already filled and cleaned the line) and by
    ``financing_line_record_change``. The change says why the state changed (``kind``): the
    effect of ``line.decision``; a correction, with the editor's ``reason`` and no decision;
    or a change a source reported. Left out, it is an effect when the line names a decision,
    else a reported change. Returns the new change, or None when the state did not change
    (e.g. only the note was edited).
    """
    kind = kind or (ChangeKind.EFFECT if line.decision_id else ChangeKind.REPORTED)
    if kind != ChangeKind.EFFECT:
        line.decision = None
    elif line.decision_id is None:
        raise ValidationError(_("A decision's effect names its decision."))
    if kind == ChangeKind.CORRECTION and not reason.strip():
        raise ValidationError({"reason": _("A correction says what was wrong: give a reason.")})
    line.kind = kind
    if line.status != FinancingStatus.SUPERSEDED:
        line.replaced_by = None
    financing_change_date_validate(line, line.as_of)
    if check_shares:
        financing_shares_validate(
            project_id=line.project_id,
            pending=[LineShare(line.pk, line.share_percent, line.status, line.share_basis)],
            field="share_percent",
        )
    latest = financing_line_latest_change(line)
    _line_write(line)
    if not _state_differs(line, latest):
        return None
    if source is None and latest is None:
        source = line.sources.first() if line.pk else None
    change = FinancingChange(
        line=line,
        changed_on=line.as_of,
        decision=line.decision,
        kind=kind,
        reason=reason.strip(),
        recorded_by=recorded_by,
        source=source,
        note=note,
        **{f: getattr(line, f) for f in STATE_FIELDS},
    )
    change.full_clean(exclude=["line", "recorded_by"])
    change.save()
    return change


@transaction.atomic
def financing_line_record_change(
    *,
    line: FinancingLine,
    changed_on: date,
    status: str,
    share_percent: Decimal | None = None,
    share_basis: str = ShareBasis.COST,
    amount: Decimal | None = None,
    currency: str = "",
    instrument: str | None = None,
    entered_pkr_per_usd: Decimal | None = None,
    entered_cny_per_usd: Decimal | None = None,
    decision=None,
    replaced_by: FinancingLine | None = None,
    reason: str = "",
    recorded_by=None,
    source=None,
    note: str = "",
) -> FinancingChange | None:
    """Move ``line`` to a new state on ``changed_on``, keeping the previous one readable.

    With a ``decision``, the change is that decision's effect; with a ``reason`` and no
    decision, a correction; with neither, a change its ``source`` reported. A superseded
    line names the line that ``replaced_by`` it. All or nothing: the line and its change are
    saved together, or neither is.
    """
    line.as_of = changed_on
    line.status = status
    line.share_percent = share_percent
    line.share_basis = share_basis or ShareBasis.COST
    line.amount = amount
    line.currency = currency or ""
    if instrument is not None:
        line.instrument = instrument
    line.entered_pkr_per_usd = entered_pkr_per_usd
    line.entered_cny_per_usd = entered_cny_per_usd
    line.decision = decision
    line.replaced_by = replaced_by if status == FinancingStatus.SUPERSEDED else None
    kind = ChangeKind.EFFECT if decision is not None else ChangeKind.CORRECTION if reason.strip() else None
    line.kind = kind or ChangeKind.REPORTED
    line.full_clean()
    return financing_line_save(line, kind=kind, reason=reason, recorded_by=recorded_by, source=source, note=note)


def financing_line_state_changed(line: FinancingLine) -> bool:
    """Whether an edited line's state (or status date, or replacement) differs from the stored one."""
    if line.pk is None:
        return True
    stored = FinancingLine.objects.filter(pk=line.pk).values(*STATE_FIELDS, "as_of", "replaced_by_id").first()
    if stored is None:
        return True
    return any(getattr(line, name) != value for name, value in stored.items())


@transaction.atomic
def financing_line_edit(
    line: FinancingLine, *, reason: str = "", recorded_by=None, check_shares: bool = True
) -> FinancingChange | None:
    """Save a line edited on its own admin form, saying why its state changed.

    A new line is its decision's effect, or a change its sources reported. On an existing
    line, a new state is a correction: dated, with the editor's ``reason`` and no decision,
    so it never shows among a meeting's changes. Edits that leave the state as it was (the
    note, the sources, the syndicate) record no change.
    """
    if line.pk is None:
        return financing_line_save(line, recorded_by=recorded_by, check_shares=check_shares)
    if not financing_line_state_changed(line):
        _line_write(line)
        return None
    return financing_line_save(
        line, kind=ChangeKind.CORRECTION, reason=reason, recorded_by=recorded_by, check_shares=check_shares
    )


@transaction.atomic
def financing_line_supersede(
    line: FinancingLine,
    *,
    by: FinancingLine,
    changed_on: date,
    decision=None,
    reason: str = "",
    recorded_by=None,
    source=None,
    note: str = "",
) -> FinancingChange | None:
    """Close ``line``: it is replaced by ``by`` from ``changed_on``; its share stops counting.

    The line keeps its last terms (instrument, share, amount) for the record; its status
    becomes superseded and it names its replacement.
    """
    if by.pk is None or by.pk == line.pk or by.project_id != line.project_id:
        raise ValidationError(
            _("%(line)s can only be replaced by another line of the same project.") % {"line": line_label(line)}
        )
    if not note:
        # Stored in the record, so in the site's own words whatever language the editor reads.
        with translation.override(None):
            note = f"Replaced by {line_label(by)}."
    return financing_line_record_change(
        line=line,
        changed_on=changed_on,
        status=FinancingStatus.SUPERSEDED,
        share_percent=line.share_percent,
        share_basis=line.share_basis,
        amount=line.amount,
        currency=line.currency,
        entered_pkr_per_usd=line.entered_pkr_per_usd,
        entered_cny_per_usd=line.entered_cny_per_usd,
        decision=decision,
        replaced_by=by,
        reason=reason,
        recorded_by=recorded_by,
        source=source,
        note=note,
    )


@dataclass
class FinancingEffect:
    """A decision's effect on one lender's financing of the decision's project."""

    lender: object
    status: str
    changed_on: date
    instrument: str | None = None
    share_percent: Decimal | None = None
    amount: Decimal | None = None
    currency: str = ""
    entered_pkr_per_usd: Decimal | None = None
    entered_cny_per_usd: Decimal | None = None
    source: object = None
    note: str = ""
    share_basis: str = ShareBasis.COST
    #: The line the effect moves, when the editor chose one; ``new_line`` asks for a new one.
    line: FinancingLine | None = None
    new_line: bool = False
    #: A line of the project the effect's line replaces: it is closed (superseded) on the same date.
    replaces: FinancingLine | None = None


def line_label(line: FinancingLine) -> str:
    """A line as an editor recognises it: "ADB — concessional loan — under negotiation, US$ 2bn since 18 Feb 2026"."""
    state = line.get_status_display().lower()
    if line.share_percent is not None:
        state += f", {line.share_display}"
    if line.amount is not None:
        state += f", {compact_money(line.amount, line.currency)}"
    since = date_format(line.as_of, "j M Y")
    # Translators: "ADB — concessional loan — under negotiation, US$ 2bn since 18 Feb 2026".
    return _("%(lender)s — %(instrument)s — %(state)s since %(since)s") % {
        "lender": line.lender,
        "instrument": line.get_instrument_display().lower(),
        "state": state,
        "since": since,
    }


def _target_line(project, effect: FinancingEffect) -> tuple[FinancingLine | None, str | None]:
    """The line an effect moves, or why it cannot be told.

    The line the editor chose; a new line when asked for; otherwise the lender's one live
    line (or, with several, the one of the effect's instrument). Several live lines and
    nothing to tell them apart is an error that asks the editor to choose, never a silent
    new line beside the old one.
    """
    if effect.line is not None:
        if effect.line.project_id != project.pk:
            return None, _("The chosen line (%(line)s) is not a line of %(project)s.") % {
                "line": line_label(effect.line),
                "project": project,
            }
        if effect.line.lender_id != effect.lender.pk:
            return None, _("The chosen line is %(line_lender)s's, not %(lender)s's.") % {
                "line_lender": effect.line.lender,
                "lender": effect.lender,
            }
        return effect.line, None
    new = FinancingLine(project=project, lender=effect.lender, instrument=effect.instrument or "undecided")
    if effect.new_line:
        return new, None
    lines = list(FinancingLine.objects.filter(project=project, lender=effect.lender).order_by("-as_of", "-pk"))
    live = [line for line in lines if line.status not in FinancingStatus.dead()]
    if effect.instrument:
        same = [line for line in live if line.instrument == effect.instrument]
        if len(same) == 1:
            return same[0], None
        if not same and not live:
            same = [line for line in lines if line.instrument == effect.instrument]
            if same:
                return same[0], None
    if len(live) > 1:
        return None, _(
            "%(lender)s has %(count)s live lines on %(project)s: choose the line this effect moves, or “a new line”."
        ) % {"lender": effect.lender, "count": len(live), "project": project}
    if len(live) == 1:
        return live[0], None  # the effect may set its instrument
    if not live and len(lines) == 1 and not effect.instrument:
        return lines[0], None
    return new, None


def _replacement_problem(project, line: FinancingLine, effect: FinancingEffect, old: FinancingLine) -> str | None:
    """Why ``old`` cannot be replaced by the line ``effect`` moves, or None."""
    if old.project_id != project.pk:
        return _("The replaced line (%(line)s) is not a line of %(project)s.") % {
            "line": line_label(old),
            "project": project,
        }
    if line.pk == old.pk:
        return _("A line cannot replace itself (%(line)s): choose “a new line” or another line.") % {
            "line": line_label(old)
        }
    if old.status in FinancingStatus.dead():
        return _("%(line)s no longer counts (%(status)s): there is nothing to replace.") % {
            "line": line_label(old),
            "status": old.get_status_display().lower(),
        }
    if effect.status in FinancingStatus.dead():
        # Translators: %(status)s is the status's code: declined, withdrawn or superseded.
        return _("A %(status)s line cannot replace %(line)s: record the decline or withdrawal on that line itself.") % {
            "status": effect.status,
            "line": line_label(old),
        }
    latest = financing_line_latest_change(old)
    if latest is not None and effect.changed_on < latest.changed_on:
        return _("%(line)s last changed on %(last)s; it cannot be replaced on %(on)s, before that.") % {
            "line": line_label(old),
            "last": date_format(latest.changed_on, "d M Y"),
            "on": date_format(effect.changed_on, "d M Y"),
        }
    return None


def decision_effects_check(
    decision, *, financing=(), phases=(), needs_project: bool = True
) -> tuple[list[str], list[tuple[FinancingLine, FinancingEffect]]]:
    """Every problem with a decision's effects, in words, and the line each financing effect changes.

    Used by the service before it writes and by the admin to show form errors.
    """
    errors: list[str] = []
    plans = []
    project = decision.project
    if needs_project and project is None:
        return [_("This decision concerns CPEC as a whole: choose its project before adding effects.")], []
    pending: list[LineShare] = []
    moved: set[int] = set()
    for effect in financing:
        line, problem = _target_line(project, effect)
        if problem:
            errors.append(problem)
            continue
        latest = financing_line_latest_change(line)
        if latest is not None and effect.changed_on < latest.changed_on:
            errors.append(
                _("%(lender)s: the line's last change is dated %(last)s; a change on %(on)s cannot come before it.")
                % {
                    "lender": effect.lender,
                    "last": date_format(latest.changed_on, "d M Y"),
                    "on": date_format(effect.changed_on, "d M Y"),
                }
            )
        if line.pk is not None:
            if line.pk in moved:
                errors.append(
                    _("Two effects move the same line (%(line)s): record one state per line.")
                    % {"line": line_label(line)}
                )
            moved.add(line.pk)
        pending.append(LineShare(line.pk, effect.share_percent, effect.status, effect.share_basis))
        plans.append((line, effect))
    for line, effect in plans:
        old = effect.replaces
        if old is None:
            continue
        problem = _replacement_problem(project, line, effect, old)
        if old.pk in moved:
            problem = problem or _("%(line)s is both moved and replaced by this decision's effects.") % {
                "line": line_label(old)
            }
        if problem:
            errors.append(problem)
            continue
        moved.add(old.pk)
        pending.append(LineShare(old.pk, None, FinancingStatus.SUPERSEDED))
    if financing:
        problem = financing_live_shares(project_id=project.pk, pending=pending).problem(str(project))
        if problem:
            errors.append(problem)
    for phase_change in phases:
        if project is not None and phase_change.phase.project_id != project.pk:
            errors.append(
                _("%(phase)s is not a phase of %(project)s.") % {"phase": phase_change.phase, "project": project}
            )
    return errors, plans


@transaction.atomic
def decision_record_effects(
    decision,
    *,
    financing: list[FinancingEffect] = (),
    estimates: list = (),
    statuses: list = (),
    phases: list = (),
    recorded_by=None,
) -> dict[str, int]:
    """Apply a JCC decision's effects: all of them, or none.

    Each effect is stored as a dated record linked to the decision (a financing change,
    a cost estimate, a project or phase status change); nothing earlier is overwritten.
    A record given without a source takes the decision's. Raises ``ValidationError``
    (with every problem found) and writes nothing when any effect is invalid: shares
    over 100% for the project, a change dated before the line's previous one, an
    effect on a decision that names no project.
    """
    errors, plans = decision_effects_check(
        decision, financing=financing, phases=phases, needs_project=bool(financing or estimates or statuses)
    )
    if errors:
        raise ValidationError(errors)
    project = decision.project

    counts = {"financing": 0, "estimates": 0, "statuses": 0, "phases": 0, "superseded": 0}
    for line, effect in plans:
        financing_line_record_change(
            line=line,
            changed_on=effect.changed_on,
            status=effect.status,
            instrument=effect.instrument or line.instrument,
            share_percent=effect.share_percent,
            share_basis=effect.share_basis or ShareBasis.COST,
            amount=effect.amount,
            currency=effect.currency,
            entered_pkr_per_usd=effect.entered_pkr_per_usd,
            entered_cny_per_usd=effect.entered_cny_per_usd,
            decision=decision,
            recorded_by=recorded_by,
            source=effect.source or decision.source,
            note=effect.note,
        )
        counts["financing"] += 1
        if effect.replaces is not None:
            financing_line_supersede(
                effect.replaces,
                by=line,
                changed_on=effect.changed_on,
                decision=decision,
                recorded_by=recorded_by,
                source=effect.source or decision.source,
            )
            counts["superseded"] += 1
    for estimate in estimates:
        estimate.project = project
        estimate.decision = decision
        if estimate.source_id is None:
            estimate.source = decision.source
        estimate.full_clean()
        estimate.save()
        counts["estimates"] += 1
    for status in statuses:
        status.project = project
        status.decision = decision
        status.source = status.source or decision.source
        project_status_record_change(status)
        counts["statuses"] += 1
    for phase_change in phases:
        phase_change.decision = decision
        phase_change.source = phase_change.source or decision.source
        phase_status_record_change(phase_change)
        counts["phases"] += 1
    return counts
