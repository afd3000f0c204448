"""Admin widgets every app's admin uses: autocomplete boxes that survive garbage input.

Here, in the lowest app, so that the domain apps' admins never import the site above them
(the site, ``cpec_tracker.admin_site``, sits above them).
"""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import connection


class SafeAutocompleteMixin:
    """Re-render a form whose autocomplete box holds garbage ("abc", "1e99") without a 500.

    Django's widget looks the submitted ids up to label them; an id the key field cannot read
    raises there. Such values are dropped (the field already reports its own error).
    """

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        key = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        low, high = connection.ops.integer_field_range(key.get_internal_type())
        readable = []
        for item in value:
            try:
                parsed = key.to_python(item)
            except (ValidationError, ValueError, TypeError):
                continue
            if isinstance(parsed, int) and not ((low is None or parsed >= low) and (high is None or parsed <= high)):
                continue
            readable.append(item)
        return super().optgroups(name, readable, attr)


class SafeAutocompleteSelect(SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteFields:
    """For ModelAdmins and inlines: autocomplete fields that survive garbage input."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and type(field.widget) is AutocompleteSelect:
            field.widget = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and type(field.widget) is AutocompleteSelectMultiple:
            field.widget = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return field
