"""Spreadsheet import and export of financing lines and loan terms (see projects/resources.py).

Each row is a line's state, named by project and lender slugs; it is saved through the
services, so an imported state is a dated change, and the 100% rule is checked row by
row against everything before it in the file (the dry run saves inside a transaction).
Its problems are reported in the same plain words as the other imports (``CleanResource``).

A loan's terms are one row per line, the line named by the same three columns as the lines'
import (project, lender, instrument); a line's terms are found and updated, never duplicated.
"""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from projects.models import Project, Source
from projects.resources import (
    EXAMPLE_NOTE,
    PROJECT_HINT,
    SOURCE_HINT,
    CleanResource,
    PlainValueError,
    StrictForeignKeyWidget,
    fk,
    is_empty,
    shown,
)

from .choices import ChangeKind, Instrument
from .models import LOAN_TERMS_PERCENTS, FinancingLine, Lender, LoanTerms
from .services import (
    LineShare,
    financing_change_date_validate,
    financing_line_save,
    financing_line_state_changed,
    financing_live_shares,
)

LENDER_HINT = gettext_lazy("as in the address of its page (/lenders/adb/), e.g. adb")


class FinancingLineResource(CleanResource):
    """One row per line state: new lines are opened, existing ones get a dated change."""

    project = fk("project", Project, "slug", gettext_lazy("project"), PROJECT_HINT)
    lender = fk("lender", Lender, "slug", gettext_lazy("lender"), LENDER_HINT)

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


# ------------------------------------------------------------------ loan terms

LINE_COLUMNS = ("project", "lender", "instrument")
PERCENT_COLUMNS = LOAN_TERMS_PERCENTS


def line_field(column, widget):
    """A column naming the line whose terms a row holds: read to find the line, never written to it."""
    return fields.Field(attribute=f"line__{column}", column_name=column, widget=widget)


class LoanTermsResource(CleanResource):
    """One row per loan: its line named as in the financing lines' import (project, lender and
    instrument), then its terms. A line's terms are one record, so a row for a line that has terms
    updates them, and a file imported twice changes nothing. The database's constraints (a fixed
    rate only with fixed interest, the grace within the tenor, whole instalment periods, each
    stated group with its source…) are each row's problems, in their own words."""

    project = line_field("project", StrictForeignKeyWidget(Project, "slug", gettext_lazy("project"), PROJECT_HINT))
    lender = line_field("lender", StrictForeignKeyWidget(Lender, "slug", gettext_lazy("lender"), LENDER_HINT))
    instrument = line_field("instrument", widgets.CharWidget())
    interest_source = fk("interest_source", Source, "key", gettext_lazy("interest source"), SOURCE_HINT)
    repayment_source = fk("repayment_source", Source, "key", gettext_lazy("repayment source"), SOURCE_HINT)
    fees_source = fk("fees_source", Source, "key", gettext_lazy("fees source"), SOURCE_HINT)

    example = {
        "project": "orange-line-lahore",
        "lender": "china-exim",
        "instrument": "concessional_loan",
        "rate_kind": "fixed",
        "fixed_rate_percent": "5.2",
        "interest_source": "S56",
        "tenor_months": "240",
        "grace_months": "24",
        "profile": "equal_principal",
        "payments_per_year": "2",
        "repayment_source": "S56",
        "note": EXAMPLE_NOTE + "The buyer's credit as AidData records it.",
    }

    class Meta(CleanResource.Meta):
        model = LoanTerms
        import_id_fields = list(LINE_COLUMNS)
        fields = [
            *LINE_COLUMNS,
            "rate_kind",
            "fixed_rate_percent",
            "benchmark",
            "margin_percent",
            "benchmark_assumed_percent",
            "interest_source",
            "tenor_months",
            "grace_months",
            "profile",
            "payments_per_year",
            "repayment_source",
            "upfront_fee_percent",
            "commitment_fee_percent",
            "insurance_percent",
            "fees_source",
            "note",
        ]
        export_order = fields

    @classmethod
    def model_field(cls, field):
        """The line's own field for a column naming the line (its codes, its guide)."""
        if field.attribute and field.attribute.startswith("line__"):
            return FinancingLine._meta.get_field(field.attribute.removeprefix("line__"))
        return super().model_field(field)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("line__project", "line__lender", "interest_source", "repayment_source", "fees_source")
        )

    # ------------------------------------------------------------------- import
    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            instance.line = self.row_line(row)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def row_line(self, row) -> FinancingLine:
        """The financing line a row names, or a ``ValidationError`` naming the columns at fault."""
        values, errors = {}, {}
        for column in LINE_COLUMNS:
            field = self.fields[column]
            try:
                value = field.clean(row)
            except KeyError:
                value = None  # no such column: check_columns refused the file already
            except ValueError as exc:
                errors[field.attribute] = ValidationError(str(exc), code="invalid")
                continue
            if is_empty(value):
                errors[field.attribute] = ValidationError(_("required"), code="blank")
            elif column == "instrument" and value not in Instrument.values:
                errors[field.attribute] = ValidationError(_("invalid"), code="invalid_choice", params={"value": value})
            else:
                values[column] = value
        if errors:
            raise ValidationError(errors)
        project, lender, instrument = (values[c] for c in LINE_COLUMNS)
        lines = list(FinancingLine.objects.filter(project=project, lender=lender, instrument=instrument)[:2])
        if len(lines) == 1:
            return lines[0]
        named = {"project": shown(project.slug), "lender": shown(lender.slug), "instrument": shown(instrument)}
        if not lines:
            others = sorted(
                FinancingLine.objects.filter(project=project, lender=lender).values_list("instrument", flat=True)
            )
            if others:
                message = _(
                    "there is no financing line of %(project)s from %(lender)s as %(instrument)s: "
                    "this lender's lines on the project are %(others)s: use one of them"
                ) % {**named, "others": ", ".join(shown(i) for i in others)}
            else:
                message = (
                    _(
                        "there is no financing line of %(project)s from %(lender)s as %(instrument)s: "
                        "add the line first (Data entry → Financing lines, or their import), then its terms"
                    )
                    % named
                )
        else:
            message = (
                _(
                    "there is more than one financing line of %(project)s from %(lender)s as %(instrument)s: "
                    "enter these terms on the line's page instead"
                )
                % named
            )
        raise ValidationError({"line": ValidationError(message, code="no_line")})

    @functools.cached_property
    def _columns_by_attribute(self) -> dict[str, str]:
        """As ``CleanResource``'s, with the problems of finding the line put under its three columns."""
        columns = {field.attribute: field.column_name for field in self.get_import_fields() if self.importable(field)}
        return {**columns, "line": ", ".join(LINE_COLUMNS)}

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name in LINE_COLUMNS:
            return  # they find the line (row_line); the line itself is never changed here
        super().import_field(field, instance, row, is_m2m, **kwargs)
        if field.column_name in PERCENT_COLUMNS:
            value = getattr(instance, field.attribute, None)
            if value is not None and not 0 <= value <= 100:
                setattr(instance, field.attribute, None)
                raise PlainValueError(
                    _("%(value)s is not a rate: rates and fees are between 0%% and 100%% (write 5.2 for 5.2%%)")
                    % {"value": shown(row.get(field.column_name))}
                )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        exclude = set(errors)
        if instance.line_id is None:
            exclude.add("line")  # the line's columns said why already (row_line)
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
