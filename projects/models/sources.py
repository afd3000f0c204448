"""The public documents every figure and decision is taken from."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..choices import SourceTier
from .constraints import choice_constraint


class Source(models.Model):
    """A public document a figure or decision is taken from."""

    key = models.CharField(
        max_length=20,
        blank=True,
        help_text="Short citation key, e.g. S1. Optional; unique when given.",
    )
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    url = models.URLField("URL", max_length=500)
    published_on = models.DateField(null=True, blank=True, help_text="Empty when the source shows no date.")
    tier = models.CharField(max_length=1, choices=SourceTier.choices, default=SourceTier.B)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["key", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=~Q(key=""),
                name="%(app_label)s_%(class)s_unique_key",
                violation_error_message="Another source already uses this key.",
            ),
            choice_constraint("tier", SourceTier, "Choose a tier from the list."),
        ]

    def __str__(self) -> str:
        prefix = f"[{self.key}] " if self.key else ""
        return f"{prefix}{self.publisher}: {self.title}"
