"""Money in words and figures: the one set of formatters for the pages, the admin and the services.

- ``compact_money``: as a brief writes it, in any currency (US$ 1.5bn, US$ 621m, Rs 74bn);
- ``usd_text`` and ``pkr_text``: the pages' US$ and rupee figures (US$ 2.00bn, Rs 576.0bn);
- ``amount_text``: a stated amount in full, in its own currency (PKR 24,957,000,000);
- ``percent_text``: a percentage (85%).

Each writes "–" for a missing value, except ``compact_money`` (an empty string, for a phrase).
"""

from __future__ import annotations

from decimal import Decimal

MILLION = Decimal("1000000")
BILLION = Decimal("1000000000")
TRILLION = Decimal("1000000000000")
#: Shown for a missing value.
MISSING = "–"

#: How a brief writes each currency.
SYMBOLS = {"USD": "US$", "PKR": "Rs", "CNY": "RMB"}


def compact_money(amount: Decimal | None, currency: str) -> str:
    """An amount as a brief would write it: US$ 1.5bn, US$ 621m, Rs 74bn."""
    if amount is None:
        return ""
    symbol = SYMBOLS.get(currency, currency)
    for size, unit in ((TRILLION, "tn"), (BILLION, "bn"), (MILLION, "m")):
        if amount >= size:
            value = (amount / size).quantize(Decimal("0.01")).normalize()
            return f"{symbol} {value:,f}{unit}"
    return f"{symbol} {amount:,.0f}"


def _missing(value) -> bool:
    return value is None or value == ""


def usd_text(value) -> str:
    """US$ 2.00bn / US$ 350.0m / –."""
    if _missing(value):
        return MISSING
    value = Decimal(value)
    if abs(value) >= BILLION:
        return f"US$ {value / BILLION:,.2f}bn"
    return f"US$ {value / MILLION:,.1f}m"


def pkr_text(value) -> str:
    """Rs 1.92tn / Rs 576.0bn / Rs 24,957m / –."""
    if _missing(value):
        return MISSING
    value = Decimal(value)
    if abs(value) >= TRILLION:
        return f"Rs {value / TRILLION:,.2f}tn"
    if abs(value) >= BILLION:
        return f"Rs {value / BILLION:,.1f}bn"
    return f"Rs {value / MILLION:,.0f}m"


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
