"""Spreadsheet import and export of financing lines (see projects/resources.py).

Each row is a line's state, named by project and lender slugs; it is saved through the
services, so an imported state is a dated change, and the 100% rule is checked row by
row against everything before it in the file (the dry run saves inside a transaction).
Its problems are reported in the same plain words as the other imports (``CleanResource``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from projects.models import Project
from projects.resources import EXAMPLE_NOTE, PROJECT_HINT, CleanResource, fk

from .choices import ChangeKind
from .models import FinancingLine, Lender
from .services import (
    LineShare,
    financing_change_date_validate,
    financing_line_save,
    financing_line_state_changed,
    financing_live_shares,
)


class FinancingLineResource(CleanResource):
    """One row per line state: new lines are opened, existing ones get a dated change."""

    project = fk("project", Project, "slug", "project", PROJECT_HINT)
    lender = fk("lender", Lender, "slug", "lender", "as in the address of its page (/lenders/adb/), e.g. adb")

    example = {
        "project": "ml-1",
        "lender": "government-of-china",
        "instrument": "undecided",
        "status": "agreed",
        "as_of": "2024-07-09",
        "share_basis": "cost",
        "amount": "1100000000",
        "currency": "USD",
        "note": EXAMPLE_NOTE + "$1.1bn agreed for Karachi–Hyderabad, part of Phase I.",
    }

    class Meta(CleanResource.Meta):
        model = FinancingLine
        import_id_fields = ["project", "lender", "instrument"]
        fields = [
            "project",
            "lender",
            "instrument",
            "status",
            "as_of",
            "share_percent",
            "share_basis",
            "amount",
            "currency",
            "entered_pkr_per_usd",
            "entered_cny_per_usd",
            "note",
            "amount_usd",
        ]
        skip_unchanged = False

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            super().validate_instance(instance, errors, validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
        if not errors and instance.project_id:
            try:
                if instance.pk:
                    financing_change_date_validate(instance, instance.as_of)
                problem = financing_live_shares(
                    project_id=instance.project_id,
                    pending=[LineShare(instance.pk, instance.share_percent, instance.status, instance.share_basis)],
                ).problem(str(instance.project))
                if problem:
                    errors["share_percent"] = [problem]
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.recorded_by = kwargs.get("user")

    def do_instance_save(self, instance, is_create):
        """A row is a state a source reported: never credited to the decision the line carried last."""
        if not is_create and not financing_line_state_changed(instance):
            instance.save()  # the note only: no new state
            return
        financing_line_save(
            instance,
            kind=ChangeKind.REPORTED,
            recorded_by=getattr(self, "recorded_by", None),
            check_shares=False,  # validate_instance checked them
        )
