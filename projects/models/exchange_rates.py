"""Reference exchange rates: what a figure without a rate of its own is normalized with."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
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

    currency = models.CharField(_("currency"), max_length=3, choices=[(c, c) for c in (Currency.PKR, Currency.CNY)])
    date = models.DateField(_("date"))
    per_usd = rate_field(_("per usd"), help_text=_("Units of the currency per US dollar."))
    kind = models.CharField(_("kind"), max_length=20, choices=ExchangeRateKind.choices)
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="exchange_rates", verbose_name=_("source")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["currency", "-date"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "date"],
                name="%(app_label)s_%(class)s_unique_currency_date",
                violation_error_message=_("There is already a rate for this currency on this date."),
            ),
            models.CheckConstraint(
                condition=Q(per_usd__gt=0),
                name="%(app_label)s_%(class)s_rate_positive",
                violation_error_message=_("An exchange rate must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(currency__in=[Currency.PKR, Currency.CNY]),
                name="%(app_label)s_%(class)s_currency_valid",
                violation_error_message=_("Reference rates are kept for PKR and CNY (per US dollar)."),
            ),
            choice_constraint("kind", ExchangeRateKind, _("Choose a kind of rate from the list.")),
        ]

    def __str__(self) -> str:
        return gettext("%(rate)s %(currency)s/USD on %(date)s (%(kind)s)") % {
            "rate": self.per_usd,
            "currency": self.currency,
            "date": date_format(self.date, "d M Y"),
            "kind": self.get_kind_display(),
        }

    @classmethod
    def reference_for(cls, currency: str, on: date) -> ExchangeRate | None:
        """The reference rate of ``currency`` on ``on``, or the nearest earlier one."""
        return cls.objects.select_related("source").filter(currency=currency, date__lte=on).order_by("-date").first()
