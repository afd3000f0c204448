"""The data-entry site: Django's admin, with autocomplete results that name records in full.

An autocomplete box lists ``str(obj)``, which for a lender is its short name ("ADB"); a
model may give a fuller ``choice_label`` ("Asian Development Bank (ADB)") for an editor
choosing among records.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(obj, "choice_label", None)
        if label:
            result["text"] = str(label)
        return result


class CpecAdminSite(admin.AdminSite):
    def autocomplete_view(self, request):
        return LabelledAutocompleteJsonView.as_view(admin_site=self)(request)


class CpecAdminConfig(AdminConfig):
    default_site = "cpec_tracker.admin_site.CpecAdminSite"
