"""Reference exchange rates: what a figure without a rate of its own is normalized with."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..choices import Currency, ExchangeRateKind
from ..fields import rate_field
from .constraints import choice_constraint
from .sources import Source


class ExchangeRate(models.Model):
    """A reference rate: units of PKR or CNY per US dollar on a date.

    Figures without a rate of their own are normalized with the nearest earlier
    reference rate; the rate used is copied onto the figure, so adding or correcting a
    reference rate later never silently changes history.
    """

    currency = models.CharField(max_length=3, choices=[(c, c) for c in (Currency.PKR, Currency.CNY)])
    date = models.DateField()
    per_usd = rate_field(help_text="Units of the currency per US dollar.")
    kind = models.CharField(max_length=20, choices=ExchangeRateKind.choices)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="exchange_rates")

    history = HistoricalRecords()

    class Meta:
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "date"],
                name="%(app_label)s_%(class)s_unique_currency_date",
                violation_error_message="There is already a rate for this currency on this date.",
            ),
            models.CheckConstraint(
                condition=Q(per_usd__gt=0),
                name="%(app_label)s_%(class)s_rate_positive",
                violation_error_message="An exchange rate must be greater than zero.",
            ),
            models.CheckConstraint(
                condition=Q(currency__in=[Currency.PKR, Currency.CNY]),
                name="%(app_label)s_%(class)s_currency_valid",
                violation_error_message="Reference rates are kept for PKR and CNY (per US dollar).",
            ),
            choice_constraint("kind", ExchangeRateKind, "Choose a kind of rate from the list."),
        ]

    def __str__(self) -> str:
        return f"{self.per_usd} {self.currency}/USD on {self.date:%d %b %Y} ({self.get_kind_display()})"

    @classmethod
    def reference_for(cls, currency: str, on: date) -> ExchangeRate | None:
        """The reference rate of ``currency`` on ``on``, or the nearest earlier one."""
        return cls.objects.select_related("source").filter(currency=currency, date__lte=on).order_by("-date").first()
