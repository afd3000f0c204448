"""Choice lists of the PSDP figures."""

from django.db import models

#: The fiscal years an editor may choose (July to June, by their first calendar year).
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 1990, 2040


def fiscal_year_label(first: int) -> str:
    """ "2024-25" for the fiscal year from July 2024 to June 2025."""
    return f"{first}-{(first + 1) % 100:02d}"


FISCAL_YEARS = [(year, fiscal_year_label(year)) for year in range(LAST_FISCAL_YEAR, FIRST_FISCAL_YEAR - 1, -1)]


class PsdpKind(models.TextChoices):
    """What a PSDP figure is, in the order a fiscal year produces them."""

    ORIGINAL = "original", "Original allocation"
    REVISED = "revised", "Revised allocation"
    RELEASED = "released", "Released (so far)"
    SPENT = "spent", "Expenditure (so far)"


class PsdpComponent(models.TextChoices):
    """Which part of the allocation: the PSDP splits a scheme's money into foreign aid and rupees."""

    TOTAL = "total", "Total"
    FOREIGN_AID = "foreign_aid", "Foreign aid"
    RUPEE = "rupee", "Rupee (local) component"
