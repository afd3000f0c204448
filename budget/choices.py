"""Choice lists of the PSDP figures."""

from django.db import models
from django.utils.translation import gettext_lazy as _

#: The fiscal years an editor may choose (July to June, by their first calendar year).
FIRST_FISCAL_YEAR, LAST_FISCAL_YEAR = 1990, 2040


def fiscal_year_label(first: int) -> str:
    """ "2024-25" for the fiscal year from July 2024 to June 2025."""
    return f"{first}-{(first + 1) % 100:02d}"


FISCAL_YEARS = [(year, fiscal_year_label(year)) for year in range(LAST_FISCAL_YEAR, FIRST_FISCAL_YEAR - 1, -1)]


class PsdpKind(models.TextChoices):
    """What a PSDP figure is, in the order a fiscal year produces them."""

    ORIGINAL = "original", _("Original allocation")
    REVISED = "revised", _("Revised allocation")
    RELEASED = "released", _("Released (so far)")
    SPENT = "spent", _("Expenditure (so far)")


class PsdpComponent(models.TextChoices):
    """Which part of the allocation: the PSDP splits a scheme's money into foreign aid and rupees."""

    TOTAL = "total", _("Total")
    FOREIGN_AID = "foreign_aid", _("Foreign aid")
    RUPEE = "rupee", _("Rupee (local) component")
