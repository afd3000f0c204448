"""The API's reads that no staff page makes. Every other endpoint calls the pages' selectors.

Exchange rates are shown on no page of their own (each figure shows the rate it was converted
at); the API lists the reference rates, as known on a date.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from projects.models import ExchangeRate


def exchange_rate_list(*, as_of: dt.date | None = None, currency: str | None = None) -> QuerySet[ExchangeRate]:
    """The reference rates (of ``currency``, PKR or CNY, or both) dated up to ``as_of``, newest first,
    each with its source. No query until read."""
    rates = ExchangeRate.objects.select_related("source").order_by("-date", "currency", "pk")
    if as_of is not None:
        rates = rates.filter(date__lte=as_of)
    if currency:
        rates = rates.filter(currency=currency)
    return rates
