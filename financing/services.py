"""Writes that span financing lines and their dated changes.

A financing line's status, share and amount are never edited in place without a trace:
every write goes through ``financing_line_record_change`` (or ``financing_line_save``,
for a line an admin form has already filled), which stores a dated
``FinancingChange`` linked to the decision that made it, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from .choices import FinancingStatus
from .models import FinancingChange, FinancingLine

HUNDRED = Decimal("100")

#: The fields of a line that make up its state; a change records all of them.
STATE_FIELDS = (
    "status",
    "instrument",
    "share_percent",
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


def financing_live_share_total(*, project_id: int, pending: Iterable[LineShare] = ()) -> Decimal:
    """The sum of live shares of a project once ``pending`` lines are saved.

    Lines in ``pending`` replace their stored versions; new ones (pk None) are added.
    One query.
    """
    pending = list(pending)
    replaced = [p.pk for p in pending if p.pk is not None]
    stored = (
        FinancingLine.objects.filter(project_id=project_id)
        .live()
        .exclude(pk__in=replaced)
        .aggregate(total=Sum("share_percent", default=Decimal("0")))["total"]
    )
    added = sum(
        (p.share_percent for p in pending if p.share_percent is not None and p.status not in FinancingStatus.dead()),
        Decimal("0"),
    )
    return stored + added


def financing_shares_validate(*, project_id: int, pending: Iterable[LineShare], field: str | None = None) -> None:
    """Raise ``ValidationError`` when the project's live shares would exceed 100%."""
    total = financing_live_share_total(project_id=project_id, pending=pending)
    if total > HUNDRED:
        message = (
            f"The live financing shares of this project would add up to {total.normalize():f}%; "
            "they cannot exceed 100%. Lower a share, or mark a line declined or withdrawn."
        )
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
                field: (
                    f"This line's last recorded change is dated {latest.changed_on:%d %b %Y}; "
                    "a new change cannot be dated before it."
                )
            }
        )


def _state_differs(line: FinancingLine, change: FinancingChange | None) -> bool:
    if change is None:
        return True
    if change.changed_on != line.as_of or change.decision_id != line.decision_id:
        return True
    return any(getattr(line, f) != getattr(change, f) for f in STATE_FIELDS)


@transaction.atomic
def financing_line_save(
    line: FinancingLine,
    *,
    source=None,
    note: str = "",
    check_shares: bool = True,
) -> FinancingChange | None:
    """Save ``line`` in its new state and record that state as a dated change.

    Used by admin forms (which already filled and cleaned the line) and by
    ``financing_line_record_change``. Returns the new change, or None when the state
    did not change (e.g. only the note was edited).
    """
    financing_change_date_validate(line, line.as_of)
    if check_shares:
        financing_shares_validate(
            project_id=line.project_id,
            pending=[LineShare(line.pk, line.share_percent, line.status)],
            field="share_percent",
        )
    latest = financing_line_latest_change(line)
    line.save()
    if not _state_differs(line, latest):
        return None
    if source is None and latest is None:
        source = line.sources.first() if line.pk else None
    change = FinancingChange(
        line=line,
        changed_on=line.as_of,
        decision=line.decision,
        source=source,
        note=note,
        **{f: getattr(line, f) for f in STATE_FIELDS},
    )
    change.full_clean(exclude=["line"])
    change.save()
    return change


@transaction.atomic
def financing_line_record_change(
    *,
    line: FinancingLine,
    changed_on: date,
    status: str,
    share_percent: Decimal | None = None,
    amount: Decimal | None = None,
    currency: str = "",
    instrument: str | None = None,
    entered_pkr_per_usd: Decimal | None = None,
    entered_cny_per_usd: Decimal | None = None,
    decision=None,
    source=None,
    note: str = "",
) -> FinancingChange | None:
    """Move ``line`` to a new state on ``changed_on``, keeping the previous one readable.

    All or nothing: the line and its change are saved together, or neither is.
    """
    line.as_of = changed_on
    line.status = status
    line.share_percent = share_percent
    line.amount = amount
    line.currency = currency or ""
    if instrument is not None:
        line.instrument = instrument
    line.entered_pkr_per_usd = entered_pkr_per_usd
    line.entered_cny_per_usd = entered_cny_per_usd
    line.decision = decision
    line.full_clean()
    return financing_line_save(line, source=source, note=note)
