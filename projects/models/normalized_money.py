"""Money as the source stated it, normalized to USD and PKR.

Every amount keeps what the source said (amount, currency, date) plus its normalization
with the rate used and where that rate came from (``NormalizedMoney``). Normalizing reads
the reference rates, so it happens in ``clean()`` (forms, imports, ``full_clean()``) or in
the service that writes the row, once; ``save()`` only writes what is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..choices import Currency, ExchangeRateKind, RateOrigin
from ..fields import money_field, rate_field
from .exchange_rates import ExchangeRate

CENT = Decimal("0.01")
#: A money field holds 24 digits, 2 of them decimals: every normalized figure stays below this.
MONEY_LIMIT = Decimal(10) ** 22


@dataclass(frozen=True)
class Normalized:
    amount_usd: Decimal
    amount_pkr: Decimal
    pkr_per_usd: Decimal
    pkr_rate_origin: str
    pkr_reference: ExchangeRate | None
    cny_per_usd: Decimal | None
    cny_rate_origin: str
    cny_reference: ExchangeRate | None


def normalize_amount(
    amount: Decimal,
    currency: str,
    on: date,
    *,
    entered_pkr_per_usd: Decimal | None = None,
    entered_cny_per_usd: Decimal | None = None,
) -> Normalized:
    """Convert ``amount`` in ``currency`` to USD and PKR.

    A rate given with the figure wins; otherwise the reference rate of that date (or
    the nearest earlier one) is used. Raises ``ValidationError`` naming the missing
    rate when neither exists.
    """

    def rate(cur: str, entered: Decimal | None, field: str):
        if entered is not None:
            return entered, RateOrigin.ENTERED, None
        ref = ExchangeRate.reference_for(cur, on)
        if ref is None:
            raise ValidationError(
                {
                    field: gettext(
                        "No reference %(currency)s rate on or before %(date)s: "
                        "enter the %(currency)s per USD rate the source used."
                    )
                    % {"currency": cur, "date": date_format(on, "d M Y")}
                }
            )
        return ref.per_usd, RateOrigin.REFERENCE, ref

    for field, entered in (("entered_pkr_per_usd", entered_pkr_per_usd), ("entered_cny_per_usd", entered_cny_per_usd)):
        if entered is not None and not entered > 0:
            raise ValidationError({field: gettext("An exchange rate must be greater than zero.")})
    pkr, pkr_origin, pkr_ref = rate(Currency.PKR, entered_pkr_per_usd, "entered_pkr_per_usd")
    cny, cny_origin, cny_ref = None, RateOrigin.NOT_NEEDED, None
    with localcontext(prec=60):  # exact enough for any amount a money field holds, at any rate
        if currency == Currency.USD:
            usd = amount
        elif currency == Currency.PKR:
            usd = amount / pkr
        elif currency == Currency.CNY:
            cny, cny_origin, cny_ref = rate(Currency.CNY, entered_cny_per_usd, "entered_cny_per_usd")
            usd = amount / cny
        else:  # pragma: no cover - the currency CHECK constraint rules this out
            raise ValidationError({"currency": gettext("Unknown currency %(currency)r.") % {"currency": currency}})
        pkr_amount = (amount if currency == Currency.PKR else usd * pkr).quantize(CENT, ROUND_HALF_EVEN)
        usd = usd.quantize(CENT, ROUND_HALF_EVEN)
    if max(abs(usd), abs(pkr_amount)) >= MONEY_LIMIT:
        raise ValidationError(
            {
                "amount": gettext(
                    "At this exchange rate the amount comes to more than a money figure can hold: check both."
                )
            }
        )
    return Normalized(
        amount_usd=usd,
        amount_pkr=pkr_amount,
        pkr_per_usd=pkr,
        pkr_rate_origin=pkr_origin,
        pkr_reference=pkr_ref,
        cny_per_usd=cny,
        cny_rate_origin=cny_origin,
        cny_reference=cny_ref,
    )


def money_constraints(*, amount_required: bool) -> list:
    """Constraints every ``NormalizedMoney`` model shares (spread into each ``Meta``)."""
    rules = [
        models.CheckConstraint(
            condition=Q(amount__gte=0) | Q(amount__isnull=True),
            name="%(app_label)s_%(class)s_amount_not_negative",
            violation_error_message=_("An amount cannot be negative."),
        ),
        models.CheckConstraint(
            condition=(Q(amount__isnull=True) & Q(currency="")) | Q(amount__isnull=False, currency__in=Currency.values),
            name="%(app_label)s_%(class)s_currency_with_amount",
            violation_error_message=_("Give a currency (PKR, USD or CNY) with the amount, and none without one."),
        ),
        models.CheckConstraint(
            condition=Q(amount__isnull=True) | Q(amount_usd__isnull=False, amount_pkr__isnull=False, pkr_per_usd__gt=0),
            name="%(app_label)s_%(class)s_normalized",
            violation_error_message=_("The amount has not been normalized to USD and PKR."),
        ),
        models.CheckConstraint(
            condition=(Q(entered_pkr_per_usd__isnull=True) | Q(entered_pkr_per_usd__gt=0))
            & (Q(entered_cny_per_usd__isnull=True) | Q(entered_cny_per_usd__gt=0)),
            name="%(app_label)s_%(class)s_entered_rate_positive",
            violation_error_message=_("An exchange rate must be greater than zero."),
        ),
    ]
    if amount_required:
        rules.append(
            models.CheckConstraint(
                condition=Q(amount__isnull=False),
                name="%(app_label)s_%(class)s_amount_required",
                violation_error_message=_("An amount is required."),
            )
        )
    return rules


class NormalizedMoney(models.Model):
    """An amount as the source stated it, plus its normalization to USD and PKR.

    Concrete models define ``amount``, ``currency`` and a ``money_date`` property (the
    date whose reference rate applies). Editors may give
    the rate the source used (``entered_*``); otherwise the reference rate of the date
    is used, and the rate and its origin are stored beside the normalized amounts.

    ``save()`` writes the fields as they are: ``clean()`` normalizes (forms, imports,
    ``full_clean()``), and a service saving a row it did not clean calls ``normalize_if_changed()``.
    """

    entered_pkr_per_usd = rate_field(
        _("PKR per USD (given)"),
        null=True,
        blank=True,
        help_text=_("The rate the source used, if it gives one; empty uses the reference rate of the date."),
    )
    entered_cny_per_usd = rate_field(
        _("CNY per USD (given)"),
        null=True,
        blank=True,
        help_text=_("For CNY amounts: the rate the source used; empty uses the reference rate."),
    )
    amount_usd = money_field(_("amount in USD"), null=True, blank=True, editable=False)
    amount_pkr = money_field(_("amount in PKR"), null=True, blank=True, editable=False)
    pkr_per_usd = rate_field(_("PKR per USD used"), null=True, blank=True, editable=False)
    pkr_rate_origin = models.CharField(
        _("pkr rate origin"), max_length=12, choices=RateOrigin.choices, blank=True, editable=False
    )
    pkr_reference = models.ForeignKey(
        ExchangeRate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("pkr reference"),
    )
    cny_per_usd = rate_field(_("CNY per USD used"), null=True, blank=True, editable=False)
    cny_rate_origin = models.CharField(
        _("cny rate origin"), max_length=12, choices=RateOrigin.choices, blank=True, editable=False
    )
    cny_reference = models.ForeignKey(
        ExchangeRate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("cny reference"),
    )

    #: What normalizing writes: the amounts in US$ and PKR, and each rate used with its origin.
    NORMALIZED_FIELDS = (
        "amount_usd",
        "amount_pkr",
        "pkr_per_usd",
        "pkr_rate_origin",
        "pkr_reference_id",
        "cny_per_usd",
        "cny_rate_origin",
        "cny_reference_id",
    )

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.amount is None or (self.currency in Currency.values and self.money_date is not None):
            self.normalize()

    def normalize(self) -> None:
        """Fill the normalized amounts from the stated amount, reading the reference rates it needs.

        Without an amount (or its currency or date) the normalized fields are emptied. Runs in
        ``clean()``; a service that writes a row without cleaning it calls ``normalize_if_changed()``.
        """
        if self.amount is None or not self.currency or self.money_date is None:
            self.amount_usd = self.amount_pkr = self.pkr_per_usd = self.cny_per_usd = None
            self.pkr_rate_origin = self.cny_rate_origin = ""
            self.pkr_reference = self.cny_reference = None
            self._normalized_from = self._money_inputs()
            return
        result = normalize_amount(
            self.amount,
            self.currency,
            self.money_date,
            entered_pkr_per_usd=self.entered_pkr_per_usd,
            entered_cny_per_usd=self.entered_cny_per_usd if self.currency == Currency.CNY else None,
        )
        self.amount_usd = result.amount_usd
        self.amount_pkr = result.amount_pkr
        self.pkr_per_usd = result.pkr_per_usd
        self.pkr_rate_origin = result.pkr_rate_origin
        self.pkr_reference = result.pkr_reference
        self.cny_per_usd = result.cny_per_usd
        self.cny_rate_origin = result.cny_rate_origin
        self.cny_reference = result.cny_reference
        self._normalized_from = self._money_inputs()

    def normalize_if_changed(self) -> None:
        """Normalize, unless this instance was normalized from its amount, currency, date and
        given rates as they are now (by ``clean()``: a form, an import or ``full_clean()``)."""
        if getattr(self, "_normalized_from", None) != self._money_inputs():
            self.normalize()

    def _money_inputs(self) -> tuple:
        return (self.amount, self.currency, self.money_date, self.entered_pkr_per_usd, self.entered_cny_per_usd)

    #: A reference rate more than this many days from the figure's date is marked on the pages.
    DISTANT_RATE_DAYS = 45

    @property
    def rate_is_distant(self) -> bool:
        """True when the reference rate that gave this figure's US$ value (PKR for a rupee figure,
        CNY for a yuan one) is an annual average or is dated more than ``DISTANT_RATE_DAYS`` from
        the figure: its US$ value is then approximate. A US$ figure needs no rate."""
        origin, reference = {
            Currency.PKR: (self.pkr_rate_origin, self.pkr_reference),
            Currency.CNY: (self.cny_rate_origin, self.cny_reference),
        }.get(self.currency, ("", None))
        if origin != RateOrigin.REFERENCE or reference is None:
            return False
        if reference.kind == ExchangeRateKind.ANNUAL_AVERAGE:
            return True
        return abs((self.money_date - reference.date).days) > self.DISTANT_RATE_DAYS

    def _rate_explanation(self) -> str:
        """Which rates normalized this amount, in words (reads the reference rows)."""
        if self.amount_usd is None:
            return gettext("Not normalized: no amount.")
        parts = []
        if self.currency == Currency.CNY:
            parts.append(self._explain(Currency.CNY, self.cny_per_usd, self.cny_rate_origin, self.cny_reference))
        parts.append(self._explain(Currency.PKR, self.pkr_per_usd, self.pkr_rate_origin, self.pkr_reference))
        return "; ".join(parts)

    _rate_explanation.short_description = _("rate explanation")  # its field title in admin
    rate_explanation = property(_rate_explanation)

    @staticmethod
    def _explain(currency, value, origin, reference) -> str:
        if origin == RateOrigin.REFERENCE and reference is not None:
            return gettext("%(rate)s %(currency)s/USD, reference rate of %(date)s (%(kind)s)") % {
                "rate": f"{value.normalize():f}",
                "currency": currency,
                "date": date_format(reference.date, "d M Y"),
                "kind": reference.get_kind_display().lower(),
            }
        return gettext("%(rate)s %(currency)s/USD, given with the figure") % {
            "rate": f"{value.normalize():f}",
            "currency": currency,
        }
