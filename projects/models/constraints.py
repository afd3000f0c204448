"""Constraint helpers shared by the models of both apps.

Every invariant is a database constraint named ``%(app_label)s_%(class)s_<rule>``, with a
message Django admin shows as a form error (``full_clean()`` checks it before PostgreSQL does).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

#: The message of each ``dates_in_order_constraints`` rule.
_DATES_IN_ORDER_MESSAGES = {
    "planned": _("The planned start must not be after the planned completion."),
    "actual": _("The actual start must not be after the actual completion."),
}


def in_choices(field: str, choices, *, blank: bool = False) -> Q:
    """A CHECK condition limiting ``field`` to the values of ``choices``."""
    values = list(choices.values) + ([""] if blank else [])
    return Q(**{f"{field}__in": values})


def choice_constraint(field: str, choices, message: str, *, blank: bool = False, rule: str | None = None):
    """A CHECK constraint limiting ``field`` to its choice list."""
    return models.CheckConstraint(
        condition=in_choices(field, choices, blank=blank),
        name=f"%(app_label)s_%(class)s_{rule or field}_valid",
        violation_error_message=message,
    )


def dates_in_order_constraints() -> list:
    """planned_start ≤ planned_end and actual_start ≤ actual_end, when known."""
    return [
        models.CheckConstraint(
            condition=start_before_end(prefix),
            name=f"%(app_label)s_%(class)s_{prefix}_start_before_end",
            violation_error_message=_DATES_IN_ORDER_MESSAGES[prefix],
        )
        for prefix in ("planned", "actual")
    ]


def start_before_end(prefix: str) -> Q:
    """``<prefix>_start <= <prefix>_end`` when both are known."""
    start, end = f"{prefix}_start", f"{prefix}_end"
    return Q(**{f"{start}__isnull": True}) | Q(**{f"{end}__isnull": True}) | Q(**{f"{start}__lte": F(end)})
