"""Spreadsheet import and export (django-import-export) of projects, cost estimates and decisions.

Rows name related records by their natural keys (project slug, source key, meeting
number) and are validated like an admin form (``full_clean``: constraints, choices,
reference rates). The admin's import previews a dry run listing every row — the valid
ones and each problem of the others, in plain words that name the column; a file with
any problem writes nothing (one transaction, at the preview and again at the confirm).
A file whose columns are wrong (unknown, duplicated, or without the columns that find
each row's record) is refused as a whole before any row is read.

``SpreadsheetAdminMixin`` adds the import/export buttons and downloadable templates to
an admin: the columns, one example row and (XLSX) an "Allowed values" sheet, the same
guide the import page shows for CSV files.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import Q, UniqueConstraint
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font

from .models import CostEstimate, Decision, JCCMeeting, Project, Source
from .spreadsheets import csv_text, neutralize, spreadsheet_response, workbook_bytes

#: A row whose free-text column starts with this is a template's example, refused on import.
EXAMPLE_MARK = "EXAMPLE ROW"
EXAMPLE_NOTE = f"{EXAMPLE_MARK} – delete or replace this row before importing. "
DATE_FORMAT = "%Y-%m-%d"


class PlainValueError(ValueError):
    """A cell the tracker cannot read, with a message written for the editor."""


class ImportFileError(Exception):
    """A problem with the file as a whole (its columns): no row is read."""


def shown(value, limit: int = 60) -> str:
    """A cell's value quoted for a message: ``'EUR'``, shortened when long."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def cell_text(value) -> str:
    """A cell as the preview shows it."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# ------------------------------------------------------------------------- widgets


class ListWidget(widgets.Widget):
    """A comma-separated cell for an array of choice values ("kp, gb")."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return []
        return [part.strip() for part in str(value).split(",") if part.strip()]

    def render(self, value, obj=None, **kwargs):
        return ", ".join(value or [])


class StrictForeignKeyWidget(widgets.ForeignKeyWidget):
    """A natural-key lookup whose miss is a clear row error ("unknown lender 'xyz'")."""

    def __init__(self, model, field, label, hint=""):
        super().__init__(model, field)
        self.label = label
        self.hint = hint

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a number cell of a spreadsheet (14.0 for meeting 14)
        try:
            with transaction.atomic():  # a failed lookup must not spoil the import's transaction
                return super().clean(value, row, **kwargs)
        except (self.model.DoesNotExist, self.model.MultipleObjectsReturned, ValueError, TypeError, DatabaseError):
            raise PlainValueError(
                # Translators: "unknown lender 'xyz': use the lender's slug, as in the address of its page…".
                _("unknown %(label)s %(value)s: use %(how)s")
                % {"label": self.label, "value": shown(value), "how": self.describe()}
            ) from None

    def describe(self) -> str:
        """How a cell names the related record: "the lender's slug, as in the address of its page…"."""
        # Translators: "the lender's slug": %(field)s is the key's name as the import calls it (slug, key, number).
        described = _("the %(label)s's %(field)s") % {"label": self.label, "field": self.field}
        if self.hint:
            # Translators: "the lender's slug, as in the address of its page (/lenders/adb/), e.g. adb".
            described = _("%(described)s, %(hint)s") % {"described": described, "hint": self.hint}
        return described


class PlainDateWidget(widgets.DateWidget):
    """A date written YYYY-MM-DD, or a spreadsheet's date cell; nothing else (03/04/2025 is ambiguous)."""

    def __init__(self, format=None, coerce_to_string=True):
        super().__init__(DATE_FORMAT, coerce_to_string)

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.datetime.strptime(value.strip(), DATE_FORMAT).date()
            except ValueError:
                pass
        raise PlainValueError(
            _("%(value)s is not a date: write dates as YYYY-MM-DD, e.g. 2025-09-26") % {"value": shown(value)}
        )


def read_number(value) -> Decimal:
    """A cell as a finite Decimal, or a ``PlainValueError`` saying how to write numbers."""
    how = _("write digits with a dot for decimals, e.g. 1250000.50")
    if isinstance(value, bool):
        raise PlainValueError(_("%(value)s is not a number: %(how)s") % {"value": shown(value), "how": how})
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value)) if value == value and abs(value) != float("inf") else Decimal("NaN")
    else:
        text = str(value).strip()
        if "," in text:
            raise PlainValueError(
                _(
                    "%(value)s is not a number: write it without thousands separators (1923264864000, "
                    "not 1,923,264,864,000) and with a dot for decimals"
                )
                % {"value": shown(value)}
            )
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            raise PlainValueError(
                _("%(value)s is not a number: %(how)s (no currency signs, %% or formulas)")
                % {"value": shown(value), "how": how}
            ) from None
    if not number.is_finite():
        raise PlainValueError(_("%(value)s is not a number: %(how)s") % {"value": shown(value), "how": how})
    return number


class PlainDecimalWidget(widgets.DecimalWidget):
    """A number that fits its column (digits before and after the point), or a plain error."""

    def __init__(self, max_digits=None, decimal_places=None, coerce_to_string=True):
        super().__init__(coerce_to_string=coerce_to_string)
        self.max_digits = max_digits
        self.decimal_places = decimal_places

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        number = read_number(value)
        if self.max_digits is None or self.decimal_places is None:
            return number
        whole = self.max_digits - self.decimal_places
        if number and number.adjusted() >= whole:
            raise PlainValueError(
                _("%(value)s is too large: at most %(whole)s digits before the decimal point")
                % {"value": shown(value), "whole": whole}
            )
        step = Decimal(1).scaleb(-self.decimal_places)
        rounded = number.quantize(step)
        if rounded != number:
            raise PlainValueError(
                _("%(value)s has more than %(places)s digits after the decimal point")
                % {"value": shown(value), "places": self.decimal_places}
            )
        return rounded


class PlainIntegerWidget(widgets.IntegerWidget):
    """A whole number (``1.5`` is refused, not cut to 1)."""

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        number = read_number(value)
        if number != number.to_integral_value():
            raise PlainValueError(_("%(value)s is not a whole number") % {"value": shown(value)})
        if number.adjusted() >= 18:
            raise PlainValueError(_("%(value)s is too large") % {"value": shown(value)})
        return int(number)


class PlainBooleanWidget(widgets.BooleanWidget):
    """1/0, TRUE/FALSE or yes/no; anything else is an error (never silently "no")."""

    TRUE_TEXT = {"1", "true", "yes", "y"}
    FALSE_TEXT = {"0", "false", "no", "n"}

    def clean(self, value, row=None, **kwargs):
        if is_empty(value):
            return None
        if isinstance(value, (bool, int, float)) and value in (0, 1):
            return bool(value)
        text = str(value).strip().casefold()
        if text in self.TRUE_TEXT:
            return True
        if text in self.FALSE_TEXT:
            return False
        raise PlainValueError(_("%(value)s is not yes or no: write 1 for yes or 0 for no") % {"value": shown(value)})


def fk(column, model, field, label, hint=""):
    widget = StrictForeignKeyWidget(model, field, label, hint)
    return fields.Field(attribute=column, column_name=column, widget=widget)


# ------------------------------------------------------------------- column guide


@dataclass(frozen=True)
class ColumnGuide:
    """What one column of an import file takes, for the template's second sheet and the import page."""

    column: str
    required: str
    accepts: str
    codes: tuple[tuple[str, str], ...]
    example: str

    @property
    def codes_text(self) -> str:
        return "\n".join(f"{code} = {label}" for code, label in self.codes)


def _choices(model_field) -> tuple[tuple[str, str], ...]:
    if isinstance(model_field, ArrayField):
        model_field = model_field.base_field
    return tuple((str(code), str(label)) for code, label in (model_field.choices or ()) if code != "")


class CleanResource(resources.ModelResource):
    """Validate rows like admin forms; report every problem of a row in plain words naming its column.

    Cells are read strictly (dates YYYY-MM-DD, numbers that fit their column, 1/0 for yes/no,
    choice codes — or their labels, in any case); a cell that cannot be read is that row's
    problem, never a silent empty or truncated value. Exports neutralize cells a spreadsheet
    would run as formulas, and imports drop that apostrophe again, so an exported file
    imports unchanged. Subclasses give ``example`` (the template's example row, its
    ``example_column`` holding ``EXAMPLE_NOTE``).
    """

    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "DecimalField": "get_decimal_widget",
        "DateField": PlainDateWidget,
        "IntegerField": PlainIntegerWidget,
        "PositiveIntegerField": PlainIntegerWidget,
        "PositiveSmallIntegerField": PlainIntegerWidget,
        "SmallIntegerField": PlainIntegerWidget,
        "BigIntegerField": PlainIntegerWidget,
        "BooleanField": PlainBooleanWidget,
        "TextField": widgets.CharWidget,  # an empty cell is "", never NULL
    }

    example: dict = {}
    example_column = "note"

    @classmethod
    def get_decimal_widget(cls, field):
        return functools.partial(PlainDecimalWidget, max_digits=field.max_digits, decimal_places=field.decimal_places)

    class Meta:
        abstract = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True  # unchanged rows are listed in the preview too
        store_row_values = True

    # ------------------------------------------------------------- model metadata
    @classmethod
    def model_field(cls, field):
        try:
            return cls._meta.model._meta.get_field(field.attribute)
        except Exception:
            return None

    @classmethod
    def importable(cls, field) -> bool:
        model_field = cls.model_field(field)
        return bool(field.attribute) and (model_field is None or model_field.editable)

    def column_names(self) -> list[str]:
        return [field.column_name for field in self.get_import_fields()]

    @functools.cached_property
    def _columns_by_attribute(self) -> dict[str, str]:
        return {field.attribute: field.column_name for field in self.get_import_fields() if self.importable(field)}

    @functools.cached_property
    def _constraint_columns(self) -> dict[str, tuple[list[str], str]]:
        """Each constraint's message → (the columns it checks, its name)."""

        def names(node):
            for child in node.children:
                if isinstance(child, Q):
                    yield from names(child)
                elif isinstance(child, tuple):
                    yield child[0].split("__")[0]

        found = {}
        for constraint in self._meta.model._meta.constraints:
            if isinstance(constraint, UniqueConstraint):
                referenced = list(constraint.fields)
            elif isinstance(getattr(constraint, "condition", None), Q):
                referenced = list(names(constraint.condition))
            else:
                referenced = []
            columns = list(dict.fromkeys(c for f in referenced if (c := self._columns_by_attribute.get(f))))
            found[str(constraint.get_violation_error_message())] = (columns, constraint.name)
        return found

    # ------------------------------------------------------------------- export
    def export_field(self, field, instance, **kwargs):
        return neutralize(super().export_field(field, instance, **kwargs))

    # ------------------------------------------------------------------- import
    def import_data_inner(self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs):
        problems = self.check_columns(dataset)
        if problems:
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.total_rows = len(dataset)
            result.file_headers = []
            for problem in problems:
                result.append_base_error(self.get_error_result_class()(ImportFileError(problem)))
            return result
        self._file_headers = [h for h in dataset.headers or [] if h]
        result = super().import_data_inner(
            dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
        )
        result.file_headers = self._file_headers
        return result

    def check_columns(self, dataset) -> list[str]:
        """Tidy the header row (spaces, case, a stray BOM); the problems with the file's columns."""
        known = self.column_names()
        by_folded = {name.casefold(): name for name in known}
        headers = []
        for header in dataset.headers or []:
            text = "" if header is None else str(header).replace("\ufeff", "").strip()
            headers.append(by_folded.get(text.casefold(), text))
        if dataset.headers:
            dataset.headers = headers
        problems = []
        expected = ", ".join(known)
        for position, header in enumerate(headers):
            if not header and any(not is_empty(row[position]) for row in dataset):
                problems.append(
                    _(
                        "Column %(position)s has values but no name in the header row: "
                        "name it (the columns are %(expected)s) or delete it."
                    )
                    % {"position": position + 1, "expected": expected}
                )
        seen = set()
        for header in headers:
            if header and header in seen:
                problems.append(
                    _("The column %(column)s appears more than once: keep one of them.") % {"column": shown(header)}
                )
            seen.add(header)
        unknown = [h for h in dict.fromkeys(headers) if h and h not in known]
        if unknown:
            problems.append(
                ngettext(
                    "Unknown column %(columns)s: the columns are %(expected)s. Rename or delete the others.",
                    "Unknown columns %(columns)s: the columns are %(expected)s. Rename or delete the others.",
                    len(unknown),
                )
                % {"columns": ", ".join(shown(h) for h in unknown), "expected": expected}
            )
        for field in self.get_import_id_fields():
            column = self.fields[field].column_name if field in self.fields else field
            if column not in headers:
                ids = [self.fields[f].column_name for f in self.get_import_id_fields() if f in self.fields]
                if len(ids) > 1:
                    problem = _(
                        "The file has no %(column)s column: every row needs it "
                        "(with %(others)s, it finds the record the row creates or updates)."
                    )
                else:
                    problem = _(
                        "The file has no %(column)s column: every row needs it "
                        "(it finds the record the row creates or updates)."
                    )
                problems.append(problem % {"column": shown(column), "others": ", ".join(c for c in ids if c != column)})
        return problems

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        problems = {}
        for column, value in list(row.items()):
            if not isinstance(value, str):
                continue
            if "\x00" in value:
                problems[column] = _(
                    "contains a NUL character (the file may have been saved in another encoding): remove it"
                )
                continue
            if value.startswith(EXAMPLE_MARK):
                problems[column] = _(
                    "this is the template's example row: delete it, or replace it with your own data "
                    "(and remove the text %(mark)s)"
                ) % {"mark": repr(EXAMPLE_MARK)}
            elif value.startswith("'") and neutralize(value[1:]) == value:
                row[column] = value = value[1:]
            row[column] = self.tidy_cell(column, value)
        if problems:
            raise ValidationError(problems)

    @functools.cached_property
    def _tidy_rules(self) -> dict[str, dict[str, str] | None]:
        """For each column that takes codes or keys: its codes by folded code and label (None: keys)."""
        rules = {}
        for field in self.get_import_fields():
            model_field = self.model_field(field)
            codes = _choices(model_field) if model_field is not None else ()
            if codes:
                folded = {label.casefold(): code for code, label in codes}
                folded.update({code.casefold(): code for code, _ in codes})
                rules[field.column_name] = folded
            elif (
                isinstance(field.widget, StrictForeignKeyWidget)
                or isinstance(model_field, models.SlugField)
                or not isinstance(model_field, (models.CharField, models.TextField))
            ):
                rules[field.column_name] = None  # a key, number, date or yes/no: surrounding spaces go
        return rules

    def tidy_cell(self, column, value: str) -> str:
        """Choice codes in any case or as their label; keys, numbers and dates without spaces around."""
        if column not in self._tidy_rules:
            return value  # free text stays exactly as written
        folded = self._tidy_rules[column]
        if folded is None:
            return value.strip()
        if isinstance(self.model_field(self.fields[column]) if column in self.fields else None, ArrayField):
            parts = [part.strip() for part in value.split(",")]
            return ", ".join(folded.get(part.casefold(), part) for part in parts if part)
        return folded.get(value.strip().casefold(), value.strip())

    def get_instance(self, instance_loader, row):
        model = self._meta.model
        try:
            with transaction.atomic():
                return super().get_instance(instance_loader, row)
        except model.MultipleObjectsReturned:
            ids = [self.fields[f].column_name for f in self.get_import_id_fields() if f in self.fields]
            raise ValidationError(
                {
                    ", ".join(ids): (
                        _(
                            "more than one %(record)s has these values, so the import cannot tell "
                            "which to update: change it in Data entry instead"
                        )
                        % {"record": model._meta.verbose_name}
                    )
                }
            ) from None
        except (ValueError, TypeError, ArithmeticError, KeyError, DatabaseError, ValidationError):
            return None  # an unreadable key: the field's own validation reports it for this row

    #: Exchange rates: a rate of zero would divide by zero when the amount is normalized.
    POSITIVE_COLUMNS = ("entered_pkr_per_usd", "entered_cny_per_usd")

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if not self.importable(field):
            return  # computed by the tracker (amount_usd…): exported, ignored on import
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except PlainValueError:
            raise
        except (ValueError, TypeError, ArithmeticError, ValidationError) as exc:
            raise PlainValueError(
                _("%(value)s could not be read") % {"value": shown(row.get(field.column_name))}
            ) from exc
        if field.column_name in self.POSITIVE_COLUMNS:
            value = getattr(instance, field.attribute, None)
            if value is not None and value <= 0:
                setattr(instance, field.attribute, None)  # never divide by it
                raise PlainValueError(
                    _(
                        "%(value)s is not a rate: give the units of the currency per "
                        "US dollar the source used (more than zero, e.g. 278.55), or leave it empty"
                    )
                    % {"value": shown(row.get(field.column_name))}
                )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ArithmeticError:  # normalizing an amount the cells made impossible
            errors = dict(import_validation_errors or {})
            errors.setdefault("amount", []).append(
                _("could not be converted to US dollars and rupees: check the amount, its currency and the rates")
            )
            raise ValidationError(errors) from None

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        number = kwargs.get("row_number")
        row_result.number = number
        row_result.line = number + 1 if number is not None else None  # the header is line 1
        headers = getattr(self, "_file_headers", None) or list(row)
        row_result.cells = [cell_text(row.get(header)) for header in headers]
        problems = []
        if row_result.validation_error is not None:
            plain = self.plain_errors(row_result.validation_error, row)
            row_result.validation_error = ValidationError(plain)
            problems = [
                f"{column}: {message}" if column != NON_FIELD_ERRORS else message
                for column, messages in plain.items()
                for message in messages
            ]
        for error in row_result.errors:
            problems.append(
                _("this row could not be saved (%(error)s: %(detail)s)")
                % {"error": type(error.error).__name__, "detail": cell_text(error.error)}
            )
        row_result.problems = problems
        return row_result

    # ------------------------------------------------------------ plain messages
    MONEY_COLUMNS = ("amount", "currency", "as_of", "entered_pkr_per_usd", "entered_cny_per_usd")

    def plain_errors(self, error: ValidationError, row) -> dict[str, list[str]]:
        """A row's errors by column name, in words an editor acts on."""
        by_key = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.error_list}
        plain: dict[str, list[str]] = {}
        normalization = []
        for key, errors in by_key.items():
            for one in errors:
                for item in one.error_list if hasattr(one, "error_list") else [one]:
                    if key == NON_FIELD_ERRORS:
                        message = str(next(iter(item)))
                        columns, name = self._constraint_columns.get(message, ([], ""))
                        if name.endswith("_normalized"):
                            normalization.append(columns)
                            continue
                        column = ", ".join(columns) if columns else NON_FIELD_ERRORS
                        text = message
                    else:
                        column = self._columns_by_attribute.get(key, key)
                        text = self.plain_message(column, item, row)
                    if text not in plain.setdefault(column, []):
                        plain[column].append(text)
        flagged = {column for key in plain for column in key.split(", ")}
        if normalization and not flagged.intersection(self.MONEY_COLUMNS):
            plain.setdefault("amount", []).append(
                _(
                    "could not be converted to US dollars and rupees: give its currency (USD, PKR or CNY) and "
                    "date, and the rate the source used if the tracker has no reference rate for that date"
                )
            )
        return plain

    def plain_message(self, column, error: ValidationError, row) -> str:
        code, params = error.code, error.params or {}
        field = self.fields.get(column)
        model_field = self.model_field(field) if field is not None else None
        codes = _choices(model_field) if model_field is not None else ()
        if code in ("invalid_choice", "item_invalid") and "value" in params and codes:
            value = params["value"]
            if column == "currency":
                names = sorted((c for c, _label in codes), key=lambda c: (c != "USD", c != "PKR"))
                # Translators: the end of a list: "USD, PKR or CNY".
                allowed = _("%(list)s or %(last)s") % {"list": ", ".join(names[:-1]), "last": names[-1]}
                return _("%(value)s is not a currency the tracker normalizes (use %(allowed)s)") % {
                    "value": shown(value),
                    "allowed": allowed,
                }
            return _("%(value)s is not an allowed code: use one of %(codes)s") % {
                "value": shown(value),
                "codes": ", ".join(c for c, _label in codes),
            }
        if code in ("blank", "null"):
            if column not in row:
                return _("required, and the file has no %(column)s column") % {"column": shown(column)}
            return _("required: this cell is empty")
        if code == "max_digits":
            return _("too many digits: at most %(max)s in all") % {"max": params.get("max")}
        if code == "max_decimal_places":
            return _("at most %(max)s digits after the decimal point") % {"max": params.get("max")}
        if code == "max_whole_digits":
            return _("too large: at most %(max)s digits before the decimal point") % {"max": params.get("max")}
        if code == "max_length":
            return _("too long: at most %(limit)s characters (this has %(length)s)") % {
                "limit": params.get("limit_value"),
                "length": params.get("show_value"),
            }
        if code == "max_value":
            return _("must be at most %(limit)s") % {"limit": params.get("limit_value")}
        if code == "min_value":
            return _("must be at least %(limit)s") % {"limit": params.get("limit_value")}
        return str(next(iter(error)))

    # ------------------------------------------------------------- column guide
    @classmethod
    def column_guide(cls) -> list[ColumnGuide]:
        resource = cls()
        ids = [resource.fields[f].column_name for f in resource.get_import_id_fields() if f in resource.fields]
        guide = []
        for field in resource.get_import_fields():
            guide.append(cls._guide_one(field, ids))
        return guide

    @classmethod
    def _guide_one(cls, field, ids) -> ColumnGuide:
        column = field.column_name
        model_field = cls.model_field(field)
        codes = _choices(model_field) if model_field is not None else ()
        example = cell_text(cls.example.get(column, ""))
        if column == cls.example_column:
            example = ""
        if not cls.importable(field):
            return ColumnGuide(column, "no", "Filled in by the tracker (exports show it); ignored on import.", (), "")
        widget = field.widget
        if isinstance(widget, StrictForeignKeyWidget):
            accepts = widget.describe()[0].upper() + widget.describe()[1:] + "."
        elif isinstance(model_field, ArrayField) and codes:
            accepts = "Codes from the list, separated by commas (e.g. sindh, punjab); empty for none."
        elif codes:
            accepts = "One code from the list (its label, in any case, works too)."
        elif isinstance(model_field, models.DateField):
            accepts = "A date as YYYY-MM-DD (e.g. 2025-09-26), or an Excel date cell."
        elif isinstance(model_field, models.DecimalField):
            whole = model_field.max_digits - model_field.decimal_places
            accepts = (
                f"A number, up to {whole} digits before the decimal point and {model_field.decimal_places} after; "
                "a dot for decimals, no thousands separators, currency signs or %."
            )
        elif isinstance(model_field, models.IntegerField):
            accepts = "A whole number."
        elif isinstance(model_field, models.BooleanField):
            accepts = "1 for yes, 0 for no (TRUE/FALSE and yes/no work too)."
        elif isinstance(model_field, models.SlugField):
            accepts = f"Lowercase letters, digits and hyphens, up to {model_field.max_length} characters (e.g. ml-1)."
        elif getattr(model_field, "max_length", None):
            accepts = f"Text, up to {model_field.max_length} characters."
        else:
            accepts = "Text."
        if column == "currency" and model_field.blank:
            accepts += " Required with an amount, empty without one."
        help_text = str(getattr(model_field, "help_text", "") or "")
        if help_text:
            accepts += f" {help_text}"
        if column in ids:
            others = [c for c in ids if c != column]
            if others:
                together = ", ".join(others[:-1]) + (" and " if len(others) > 1 else "") + others[-1]
                required = f"yes: with {together} it finds the record to update"
            else:
                required = "yes: it finds the record to update"
        elif model_field is None or model_field.blank:
            required = "no"
        elif model_field.has_default():
            default = model_field.get_default()
            if isinstance(default, bool):
                default = "1 (yes)" if default else "0 (no)"
            required = f"no: empty means {cell_text(default)}"
        else:
            required = "yes"
        return ColumnGuide(column, required, accepts, codes, example)


# ------------------------------------------------------------------------ resources

PROJECT_HINT = gettext_lazy("as in the address of its page (/projects/ml-1/), e.g. ml-1")
SOURCE_HINT = gettext_lazy("as in Data entry → Sources, e.g. S16")


class ProjectResource(CleanResource):
    regions = fields.Field(attribute="regions", column_name="regions", widget=ListWidget())
    focus_industries = fields.Field(attribute="focus_industries", column_name="focus_industries", widget=ListWidget())
    parent = fk("parent", Project, "slug", gettext_lazy("parent project"), PROJECT_HINT)

    example_column = "description"
    example = {
        "slug": "ml-1",
        "name": "ML-1 railway upgrade (Karachi–Peshawar)",
        "kind": "construction",
        "sector": "transport",
        "subsector": "Rail",
        "status": "financing",
        "regions": "sindh, punjab, kp",
        "location": "Main Line-1, Karachi–Multan–Peshawar",
        "length_km": "1726",
        "planned_start": "2023-01-01",
        "planned_end": "2031-06-01",
        "financial_close_precision": "day",
        "description": EXAMPLE_NOTE + "Upgrade of the Main Line-1 railway from Karachi to Peshawar.",
    }

    class Meta(CleanResource.Meta):
        model = Project
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "kind",
            "sector",
            "subsector",
            "status",
            "regions",
            "location",
            "length_km",
            "capacity_mw",
            "area_acres",
            "implementing_agency",
            "sponsor",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "focus_industries",
            "parent",
            "debt_percent",
            "financial_close_on",
            "financial_close_precision",
            "description",
        ]


class CostEstimateResource(CleanResource):
    project = fk("project", Project, "slug", gettext_lazy("project"), PROJECT_HINT)
    source = fk("source", Source, "key", gettext_lazy("source"), SOURCE_HINT)

    example = {
        "project": "ml-1",
        "as_of": "2024-07-09",
        "date_precision": "day",
        "bound": "exact",
        "amount": "6678000000",
        "currency": "USD",
        "basis": "revised_pc_i",
        "approving_forum": "ecnec",
        "full_scope": "1",
        "source": "S16",
        "note": EXAMPLE_NOTE + "ECNEC approval: Phase I $3.32bn + Phase II $3.36bn, 1,726 km.",
    }

    class Meta(CleanResource.Meta):
        model = CostEstimate
        import_id_fields = ["project", "as_of", "basis", "currency", "amount"]
        fields = [
            "project",
            "as_of",
            "date_precision",
            "bound",
            "amount",
            "currency",
            "foreign_exchange_component",
            "entered_pkr_per_usd",
            "entered_cny_per_usd",
            "basis",
            "approving_forum",
            "full_scope",
            "scope",
            "source",
            "note",
            "amount_usd",
            "amount_pkr",
        ]
        export_order = fields


class DecisionResource(CleanResource):
    meeting = fk("meeting", JCCMeeting, "number", gettext_lazy("JCC meeting"), gettext_lazy("e.g. 14 for the 14th JCC"))
    project = fk("project", Project, "slug", gettext_lazy("project"), PROJECT_HINT)
    source = fk("source", Source, "key", gettext_lazy("source"), SOURCE_HINT)

    example_column = "text"
    example = {
        "meeting": "14",
        "sequence": "4",
        "project": "ml-1",
        "kind": "financing_proposed",
        "text": EXAMPLE_NOTE + "ML-1 to be financed by multilateral lenders, including ADB and AIIB.",
        "source": "S1",
    }

    class Meta(CleanResource.Meta):
        model = Decision
        import_id_fields = ["meeting", "sequence"]
        fields = ["meeting", "sequence", "project", "kind", "text", "source"]


# ------------------------------------------------------------------------ templates

GUIDE_HEADER = ["column", "required", "what to write", "allowed codes (code = label)", "example"]


def template_notes(resource_class) -> list[str]:
    opts = resource_class._meta.model._meta
    return [
        f"How to fill in the {opts.verbose_name_plural} import template",
        f"Line 2 of the first sheet is an example: delete it or replace it with your own rows. Its "
        f"{resource_class.example_column!r} starts with {EXAMPLE_MARK!r}, and a row that does is refused on import.",
        "Related records are named by their keys: project and lender slugs, source keys, JCC meeting numbers.",
        "The preview lists every row's problems; a file with any problem imports nothing.",
    ]


def template_response(resource_class, fmt: str):
    """A spreadsheet with the resource's columns and one example row; XLSX adds an "Allowed values" sheet."""
    headers = resource_class().get_export_headers()
    example = [cell_text(resource_class.example.get(header, "")) for header in headers]
    name = resource_class._meta.model._meta.model_name
    filename = f"{name}-import-template"
    if fmt == "csv":
        return spreadsheet_response(csv_text([headers, example]), fmt=fmt, filename=filename)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = name
    sheet.append(headers)
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="808080")
        cell.number_format = "@"  # text as written: a code or date stays as in the example
    sheet["A2"].comment = Comment(f"{EXAMPLE_MARK}: delete or replace this row before importing.", "CPEC Tracker")
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Allowed values")
    for note in template_notes(resource_class):
        guide.append([note])
    guide["A1"].font = Font(bold=True, size=12)
    guide.append([])
    guide.append(GUIDE_HEADER)
    for cell in guide[guide.max_row]:
        cell.font = Font(bold=True)
    for item in resource_class.column_guide():
        guide.append([item.column, item.required, item.accepts, item.codes_text, item.example])
        for cell in guide[guide.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (26, 24, 60, 48, 30), strict=True):
        guide.column_dimensions[letter].width = width
    return spreadsheet_response(workbook_bytes(workbook), fmt=fmt, filename=filename)


# ---------------------------------------------------------------------------- admin

#: The session key listing the uploaded files this session previewed and may confirm.
PREVIEWED_FILES = "import_previewed_files"


class SpreadsheetAdminMixin(ImportExportMixin):
    """Import (with a dry-run preview) and export as CSV/XLSX, plus templates to fill in.

    The confirm step only imports a file this session previewed, refuses a file that went
    wrong since (nothing written: the whole import is rolled back) and shows why.
    """

    import_template_name = "admin/import_export/import_with_template.html"

    def get_urls(self):
        opts = self.model._meta
        urls = [
            path(
                "import-template/<str:fmt>/",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{opts.app_label}_{opts.model_name}_import_template",
            )
        ]
        return urls + super().get_urls()

    def import_template_view(self, request, fmt):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if fmt not in ("csv", "xlsx"):
            raise Http404("Templates come as csv or xlsx.")
        return template_response(self.resource_classes[0], fmt)

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        resource_class = self.resource_classes[0]
        context["column_guide"] = resource_class.column_guide()
        context["template_notes"] = template_notes(resource_class)[1:2]
        return context

    # --------------------------------------------------------------- the preview
    def add_data_read_fail_error_to_form(self, form, e):
        try:
            title = str(self.get_import_formats()[int(form.cleaned_data["format"])]().get_title()).upper()
        except (KeyError, ValueError, IndexError, TypeError):
            title = _("the chosen format")
        save_as = _("In Excel choose File → Save as → “CSV UTF-8 (comma delimited)”, or upload the XLSX file instead.")
        if isinstance(e, UnicodeError):
            message = _("The file is not UTF-8 text, so it cannot be read as %(format)s. %(save_as)s") % {
                "format": title,
                "save_as": save_as,
            }
        elif "NUL" in str(e):
            message = _(
                "The file holds NUL characters, which a %(format)s file cannot: it may be UTF-16 text. %(save_as)s"
            ) % {"format": title, "save_as": save_as}
        elif isinstance(e, StopIteration):
            message = _("The file's first sheet is empty: put the column names in its first row and the rows below.")
        else:
            message = _(
                "The file could not be read as %(format)s: check that the format chosen matches the file "
                "(CSV or XLSX) and that its first row holds the column names."
            ) % {"format": title}
        form.add_error("import_file", message)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        upload = request.FILES.get("import_file") if request.method == "POST" else None
        stored = getattr(upload, "tmp_storage_name", None)
        context = getattr(response, "context_data", None) or {}
        if stored and not context.get("confirm_form"):
            self._remove_stored(os.path.basename(stored))  # nothing to confirm: don't keep the upload
        return response

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            previewed = request.session.get(PREVIEWED_FILES, [])
            previewed = [*previewed, os.path.basename(initial["import_file_name"])][-20:]
            request.session[PREVIEWED_FILES] = previewed
        return initial

    def _stored_file(self, name, input_format=None):
        encoding = None if input_format is None or input_format.is_binary() else self.from_encoding
        read_mode = input_format.get_read_mode() if input_format is not None else "r"
        return self.get_tmp_storage_class()(
            name=name, encoding=encoding, read_mode=read_mode, **self.get_tmp_storage_class_kwargs()
        )

    def _remove_stored(self, name):
        try:
            self._stored_file(name).remove()
        except OSError:
            pass

    # --------------------------------------------------------------- the confirm
    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            return self._import_page(request, problem=_("The confirmation was incomplete: upload the file again."))
        name = confirm_form.cleaned_data["import_file_name"]
        previewed = request.session.get(PREVIEWED_FILES, [])
        if name not in previewed:
            return self._import_page(
                request,
                problem=_("This file was imported already, or its preview is not from this session: upload it again."),
            )
        request.session[PREVIEWED_FILES] = [n for n in previewed if n != name]
        formats = self.get_import_formats()
        try:
            index = int(confirm_form.cleaned_data["format"])
            if not 0 <= index < len(formats):
                raise IndexError(index)
            input_format = formats[index](encoding=self.from_encoding)
        except (ValueError, IndexError):
            self._remove_stored(name)
            return self._import_page(request, problem=_("The file's format was not recognized: upload it again."))
        stored = self._stored_file(name, input_format)
        try:
            dataset = input_format.create_dataset(stored.read())
        except Exception:
            self._remove_stored(name)
            return self._import_page(request, problem=_("The file could not be read any more: upload it again."))
        try:
            result = self.process_dataset(dataset, confirm_form, request, rollback_on_validation_errors=True, **kwargs)
        except DatabaseError as exc:
            return self._import_page(
                request, problem=_("The rows could not be saved together (%(error)s).") % {"error": cell_text(exc)}
            )
        finally:
            self._remove_stored(name)
        if result.has_errors() or result.has_validation_errors():
            return self._import_page(
                request,
                result=result,
                problem=_("The data changed since the preview: the rows below are not all valid any more."),
            )
        return self.process_result(result, request)

    def choose_import_resource_class(self, form, request):
        classes = self.get_import_resource_classes(request)
        index = self.get_resource_index(form)
        return classes[index] if 0 <= index < len(classes) else classes[0]

    def _import_page(self, request, *, problem, result=None):
        """The import page with an empty form, the reason nothing was imported and the rows' problems."""
        classes = self.get_import_resource_classes(request)
        form = self.get_import_form_class(request)(
            self.get_import_formats(), classes, initial=self.get_import_form_initial(request)
        )
        resource_list = [
            resource_class(**self.get_import_resource_kwargs(request, form=form)) for resource_class in classes
        ]
        context = self.get_import_context_data()
        context.update(self.admin_site.each_context(request))
        context.update(
            {
                "title": _("Import"),
                "form": form,
                "opts": self.model._meta,
                "media": self.media + form.media,
                "fields_list": [
                    (resource.get_display_name(), [f.column_name for f in resource.get_user_visible_fields()])
                    for resource in resource_list
                ],
                "import_error_display": self.import_error_display,
                "import_problem": problem,
                "result": result,
            }
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)
