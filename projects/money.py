"""Money in words and figures: the one set of formatters for the pages, the admin and the services.

- ``compact_money``: as a brief writes it, in any currency (US$ 1.5bn, US$ 621m, Rs 74bn);
- ``usd_text`` and ``pkr_text``: the pages' US$ and rupee figures (US$ 2.00bn, Rs 576.0bn);
- ``amount_text``: a stated amount in full, in its own currency (PKR 24,957,000,000);
- ``percent_text``: a percentage (85%).

Each writes "–" for a missing value, except ``compact_money`` (an empty string, for a phrase).

Figures are written in Western digits in both languages, in the reader's style: ``SHORT``
(billions and millions, as above) or ``LAKH`` (rupees in crore and lakh: Rs 57,600 crore; other
currencies stay in millions and billions, as the ministry's briefs write them). The style is the
request's (``use_style``: dashboard.preferences reads the viewer's choice); the words (bn, crore,
the currency) are the active language's, through the translation catalogue: in Urdu "576.0 ارب روپے".
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

MILLION = Decimal("1000000")
BILLION = Decimal("1000000000")
TRILLION = Decimal("1000000000000")
#: Shown for a missing value.
MISSING = "–"

LAKH_ = Decimal("100000")
CRORE = Decimal("10000000")

#: The figures' styles: billions and millions, or (rupees) lakh and crore.
SHORT, LAKH = "short", "lakh"
STYLES = (SHORT, LAKH)
_style: ContextVar[str] = ContextVar("cpec_number_style", default=SHORT)


def use_style(style: str):
    """Write this request's figures in ``style`` (a token for ``reset_style``)."""
    return _style.set(style if style in STYLES else SHORT)


def reset_style(token) -> None:
    _style.reset(token)


def current_style() -> str:
    return _style.get()


@functools.cache
def _words(language: str) -> dict[str, str]:
    """The words and orders figures are written with in ``language``, looked up once per language:
    a page writes hundreds of figures, and each lookup walks the translation catalogues."""
    with translation.override(language):
        return {
            # Translators: a currency as a figure writes it ("US$", "Rs", "RMB"); Urdu: ڈالر, روپے, یوآن.
            "USD": pgettext("currency in a figure", "US$"),
            "PKR": pgettext("currency in a figure", "Rs"),
            "CNY": pgettext("currency in a figure", "RMB"),
            # The charts' hover texts name rupees "PKR" (dashboard.charts).
            "PKR code": pgettext("currency in a figure", "PKR"),
            # Translators: the short units of a figure: US$ 2.00bn, Rs 1.92tn, US$ 350.0m; Urdu ارب، ٹریلین، ملین.
            "tn": pgettext("figure unit", "tn"),
            "bn": pgettext("figure unit", "bn"),
            "m": pgettext("figure unit", "m"),
            "crore": pgettext("figure unit", "crore"),
            "lakh": pgettext("figure unit", "lakh"),
            # Translators: a figure with a word unit: "Rs 57,600 crore"; Urdu "%(amount)s %(unit)s %(symbol)s".
            "word unit": pgettext("figure with a word unit", "%(symbol)s %(amount)s %(unit)s"),
            # Translators: a figure with a short unit: "US$ 2.00bn"; Urdu "%(amount)s %(unit)s %(symbol)s".
            "short unit": pgettext("figure with a short unit", "%(symbol)s %(amount)s%(unit)s"),
            # Translators: a figure without a unit: "Rs 5,000"; Urdu "%(amount)s %(symbol)s".
            "no unit": pgettext("figure without a unit", "%(symbol)s %(amount)s"),
        }


def figure_words() -> dict[str, str]:
    """The active language's words for figures (currencies, units, orders): see ``_words``."""
    return _words(translation.get_language() or settings.LANGUAGE_CODE)


def _figure(currency: str, amount: str, unit: str) -> str:
    """``currency amount+unit`` ("US$ 2.00bn", "Rs 57,600 crore", "EUR 5,000") in the active language's
    words and order; a currency without a word of its own is written by its code."""
    words = figure_words()
    pattern = words["word unit" if unit in ("crore", "lakh") else "short unit" if unit else "no unit"]
    return pattern % {
        "symbol": words.get(currency, currency),
        "amount": amount,
        "unit": words[unit] if unit else "",
    }


def _lakh_crore(value: Decimal) -> tuple[str, str]:
    """A rupee amount in crore (no decimals from 1,000 crore, else one) or lakh: ("57,600", "crore")."""
    if abs(value) >= CRORE:
        crore = value / CRORE
        return (f"{crore:,.0f}" if abs(crore) >= 1000 else f"{crore:,.1f}"), "crore"
    return f"{value / LAKH_:,.1f}", "lakh"


def compact_money(amount: Decimal | None, currency: str) -> str:
    """An amount as a brief would write it: US$ 1.5bn, US$ 621m, Rs 74bn."""
    if amount is None:
        return ""
    if currency == "PKR" and current_style() == LAKH and amount >= LAKH_:
        number, unit = _lakh_crore(amount)
        return _figure(currency, number, unit)
    for size, unit in ((TRILLION, "tn"), (BILLION, "bn"), (MILLION, "m")):
        if amount >= size:
            value = (amount / size).quantize(Decimal("0.01")).normalize()
            return _figure(currency, f"{value:,f}", unit)
    return _figure(currency, f"{amount:,.0f}", "")


def _missing(value) -> bool:
    return value is None or value == ""


def usd_text(value) -> str:
    """US$ 2.00bn / US$ 350.0m / –."""
    if _missing(value):
        return MISSING
    value = Decimal(value)
    if abs(value) >= BILLION:
        return _figure("USD", f"{value / BILLION:,.2f}", "bn")
    return _figure("USD", f"{value / MILLION:,.1f}", "m")


def pkr_text(value) -> str:
    """Rs 1.92tn / Rs 576.0bn / Rs 24,957m / –; in lakh / crore: Rs 57,600 crore / Rs 2.5 lakh."""
    if _missing(value):
        return MISSING
    value = Decimal(value)
    if current_style() == LAKH and abs(value) >= LAKH_:
        number, unit = _lakh_crore(value)
        return _figure("PKR", number, unit)
    if abs(value) >= TRILLION:
        return _figure("PKR", f"{value / TRILLION:,.2f}", "tn")
    if abs(value) >= BILLION:
        return _figure("PKR", f"{value / BILLION:,.1f}", "bn")
    return _figure("PKR", f"{value / MILLION:,.0f}", "m")


def amount_text(value, currency: str = "") -> str:
    """A stated amount in full, in its own currency: "PKR 24,957,000,000", "1,200" / –."""
    if _missing(value):
        return MISSING
    return f"{currency} {Decimal(value):,.0f}".strip()


def percent_text(value, places=0) -> str:
    """85% / 12.5% (with ``places``) / –."""
    if _missing(value):
        return MISSING
    return f"{Decimal(value):,.{int(places)}f}%"
