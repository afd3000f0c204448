"""The public documents every figure and decision is taken from."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import SourceTier
from .constraints import choice_constraint


class Source(models.Model):
    """A public document a figure or decision is taken from."""

    key = models.CharField(
        _("key"),
        max_length=20,
        blank=True,
        help_text=_("Short citation key, e.g. S1. Optional; unique when given."),
    )
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    url = models.URLField("URL", max_length=500)
    published_on = models.DateField(
        _("published on"), null=True, blank=True, help_text=_("Empty when the source shows no date.")
    )
    tier = models.CharField(_("tier"), max_length=1, choices=SourceTier.choices, default=SourceTier.B)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["key", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=~Q(key=""),
                name="%(app_label)s_%(class)s_unique_key",
                violation_error_message=_("Another source already uses this key."),
            ),
            choice_constraint("tier", SourceTier, _("Choose a tier from the list.")),
        ]

    def __str__(self) -> str:
        prefix = f"[{self.key}] " if self.key else ""
        return f"{prefix}{self.publisher}: {self.title}"
