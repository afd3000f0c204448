"""Spreadsheet import and export of PSDP figures (see projects/resources.py): one row per figure.

A row is found by its project, fiscal year, scheme, kind, part and date, so a file of a year's
figures imported twice adds nothing, and a corrected amount updates its row. The fiscal year is
written as the PSDP writes it ("2024-25"), or by its first year ("2024").
"""

from __future__ import annotations

from import_export import fields

from projects.models import Project, Source
from projects.resources import EXAMPLE_NOTE, PROJECT_HINT, SOURCE_HINT, CleanResource, PlainIntegerWidget, fk

from .choices import fiscal_year_label
from .models import PsdpFigure


class FiscalYearWidget(PlainIntegerWidget):
    """A fiscal year: read from its first year (the resource turns "2024-25" into 2024), written as "2024-25"."""

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else fiscal_year_label(value)


class PsdpFigureResource(CleanResource):
    project = fk("project", Project, "slug", "project", PROJECT_HINT)
    source = fk("source", Source, "key", "source", SOURCE_HINT)
    fiscal_year = fields.Field(attribute="fiscal_year", column_name="fiscal_year", widget=FiscalYearWidget())

    example = {
        "project": "ml-1",
        "fiscal_year": "2019-20",
        "scheme": "Preliminary design and design-vetting consultants",
        "kind": "released",
        "component": "total",
        "amount_pkr": "360000000",
        "stated": "Rs 360 million",
        "as_of": "2019-09-03",
        "source": "P3",
        "note": EXAMPLE_NOTE + "Released so far under PSDP 2019-20.",
    }

    class Meta(CleanResource.Meta):
        model = PsdpFigure
        import_id_fields = ["project", "fiscal_year", "scheme", "kind", "component", "as_of"]
        fields = [
            "project",
            "fiscal_year",
            "scheme",
            "kind",
            "component",
            "amount_pkr",
            "stated",
            "as_of",
            "source",
            "note",
        ]
        export_order = fields
