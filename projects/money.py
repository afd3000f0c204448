"""Money in words, as a brief writes it: one formatter for the pages, the admin and the services."""

from __future__ import annotations

from decimal import Decimal

#: How a brief writes each currency.
SYMBOLS = {"USD": "US$", "PKR": "Rs", "CNY": "RMB"}


def compact_money(amount: Decimal | None, currency: str) -> str:
    """An amount as a brief would write it: US$ 1.5bn, US$ 621m, Rs 74bn."""
    if amount is None:
        return ""
    symbol = SYMBOLS.get(currency, currency)
    for size, unit in ((Decimal("1e12"), "tn"), (Decimal("1e9"), "bn"), (Decimal("1e6"), "m")):
        if amount >= size:
            value = (amount / size).quantize(Decimal("0.01")).normalize()
            return f"{symbol} {value:,f}{unit}"
    return f"{symbol} {amount:,.0f}"
