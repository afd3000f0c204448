"""Spreadsheet import and export (django-import-export) of projects, cost estimates and decisions.

Rows name related records by their natural keys (project slug, source key, meeting
number) and are validated like an admin form (``full_clean``: constraints, choices,
reference rates). The admin's import previews a dry run listing each row's errors;
a file with any error writes nothing (one transaction). ``SpreadsheetAdminMixin``
adds the import/export buttons and downloadable empty templates to an admin.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from django.http import HttpResponse
from django.urls import path
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from openpyxl import Workbook

from .models import CostEstimate, Decision, JCCMeeting, Project, Source


class ListWidget(widgets.Widget):
    """A comma-separated cell for an array of choice values ("kp, gb")."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return []
        return [part.strip() for part in str(value).split(",") if part.strip()]

    def render(self, value, obj=None, **kwargs):
        return ", ".join(value or [])


class StrictForeignKeyWidget(widgets.ForeignKeyWidget):
    """A natural-key lookup whose miss is a clear row error ("unknown lender 'xyz'")."""

    def __init__(self, model, field, label):
        super().__init__(model, field)
        self.label = label

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"unknown {self.label} {value!r}") from None


def fk(column, model, field, label):
    return fields.Field(attribute=column, column_name=column, widget=StrictForeignKeyWidget(model, field, label))


#: A spreadsheet takes a cell starting with one of these for a formula (as dashboard/exports.py).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value):
    """Keep an exported text cell text: ``=HYPERLINK(…)`` becomes ``'=HYPERLINK(…)``.

    Numbers stay as they are (``-5.00`` is no formula).
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    try:
        if Decimal(value).is_finite():
            return value
    except InvalidOperation:
        pass
    return "'" + value


class CleanResource(resources.ModelResource):
    """Validate rows like admin forms; report a bad key as that row's field error.

    Exports neutralize cells a spreadsheet would run as formulas, and imports drop that
    apostrophe again, so an exported file imports unchanged.
    """

    def export_field(self, field, instance, **kwargs):
        return neutralize(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        for column, value in list(row.items()):
            if isinstance(value, str) and value.startswith("'") and neutralize(value[1:]) == value:
                row[column] = value[1:]

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None  # an unknown key: the field's own validation reports it for this row

    class Meta:
        abstract = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False


class ProjectResource(CleanResource):
    regions = fields.Field(attribute="regions", column_name="regions", widget=ListWidget())
    focus_industries = fields.Field(attribute="focus_industries", column_name="focus_industries", widget=ListWidget())
    parent = fk("parent", Project, "slug", "parent project")

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
    project = fk("project", Project, "slug", "project")
    source = fk("source", Source, "key", "source")

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
    meeting = fk("meeting", JCCMeeting, "number", "JCC meeting")
    project = fk("project", Project, "slug", "project")
    source = fk("source", Source, "key", "source")

    class Meta(CleanResource.Meta):
        model = Decision
        import_id_fields = ["meeting", "sequence"]
        fields = ["meeting", "sequence", "project", "kind", "text", "source"]


def template_response(resource_class, fmt: str):
    """An empty spreadsheet with the resource's columns, for editors to fill in."""
    headers = resource_class().get_export_headers()
    name = resource_class._meta.model._meta.model_name
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerow(headers)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook()
        workbook.active.title = name
        workbook.active.append(headers)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}-import-template.{fmt}"'
    return response


class SpreadsheetAdminMixin(ImportExportMixin):
    """Import (with a dry-run preview) and export as CSV/XLSX, plus empty templates to fill in."""

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
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        if not self.has_import_permission(request):
            raise PermissionDenied
        if fmt not in ("csv", "xlsx"):
            raise Http404("Templates come as csv or xlsx.")
        return template_response(self.resource_classes[0], fmt)
