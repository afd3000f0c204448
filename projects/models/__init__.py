"""The CPEC portfolio: projects, their phases and cost estimates, JCC meetings and
their decisions, the sources every figure comes from, and reference exchange rates.

One module per concern; every name is importable from ``projects.models``:

- ``constraints`` — the CHECK-constraint helpers both apps' models use;
- ``sources`` — ``Source``;
- ``exchange_rates`` — ``ExchangeRate``, the reference rates;
- ``normalized_money`` — ``NormalizedMoney`` and ``normalize_amount``: an amount as the source
  stated it, normalized to USD and PKR with the rate used;
- ``estimates`` — ``CostEstimate`` and the order that picks a project's estimate of record;
- ``project`` — ``Project`` (with ``ProjectQuerySet``) and ``Phase``;
- ``meetings`` — ``JCCMeeting`` and ``Decision``;
- ``statuses`` — the dated ``ProjectStatusChange`` and ``PhaseStatusChange``.

Invariants are database constraints, named ``%(app_label)s_%(class)s_<rule>``, each with a
message Django admin shows as a form error. Money is ``Decimal``.
"""

from .constraints import choice_constraint, dates_in_order_constraints, in_choices, start_before_end
from .estimates import CostEstimate, cost_of_record, estimate_precedence
from .exchange_rates import ExchangeRate
from .meetings import Decision, JCCMeeting
from .normalized_money import CENT, MONEY_LIMIT, Normalized, NormalizedMoney, money_constraints, normalize_amount
from .project import (
    HUNDRED,
    ONE,
    OVERRUN_PERCENT,
    OVERRUN_THRESHOLD,
    ZERO,
    Phase,
    Project,
    ProjectQuerySet,
    overrun_flagged,
    overrun_percent,
)
from .sources import Source
from .statuses import PhaseStatusChange, ProjectStatusChange, StatusChange

__all__ = [
    "CENT",
    "HUNDRED",
    "MONEY_LIMIT",
    "ONE",
    "OVERRUN_PERCENT",
    "OVERRUN_THRESHOLD",
    "ZERO",
    "CostEstimate",
    "Decision",
    "ExchangeRate",
    "JCCMeeting",
    "Normalized",
    "NormalizedMoney",
    "Phase",
    "PhaseStatusChange",
    "Project",
    "ProjectQuerySet",
    "ProjectStatusChange",
    "Source",
    "StatusChange",
    "choice_constraint",
    "cost_of_record",
    "dates_in_order_constraints",
    "estimate_precedence",
    "in_choices",
    "money_constraints",
    "normalize_amount",
    "overrun_flagged",
    "overrun_percent",
    "start_before_end",
]
