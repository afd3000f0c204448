"""Model fields shared by both apps."""

from django import forms
from django.contrib.postgres.fields import ArrayField
from django.db import models


def money_field(*args, **kwargs):
    """A money amount: wide enough for PKR trillions (ML-1 is Rs1.9 trillion)."""
    return models.DecimalField(*args, max_digits=24, decimal_places=2, **kwargs)


def rate_field(*args, **kwargs):
    """Units of a currency per US dollar."""
    return models.DecimalField(*args, max_digits=14, decimal_places=4, **kwargs)


def share_field(*args, **kwargs):
    """A share of a project's cost, in percent."""
    return models.DecimalField(*args, max_digits=5, decimal_places=2, **kwargs)


def size_field(verbose_name, **kwargs):
    """A physical size (km, MW, acres): unknown stays empty."""
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, null=True, blank=True, **kwargs)


class ChoiceArrayField(ArrayField):
    """An array of choice values, edited as a list of checkboxes.

    PostgreSQL keeps the array; a CHECK constraint with ``contained_by`` on the model
    keeps its members inside the choice list.
    """

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.base_field.choices,
            "coerce": self.base_field.to_python,
            "widget": forms.CheckboxSelectMultiple,
        }
        defaults.update(kwargs)
        # Skip ArrayField.formfield, which would force SimpleArrayField.
        return super(ArrayField, self).formfield(**defaults)
