"""The PSDP page: the federal budget's money for a filtered portfolio, per fiscal year, and the laggards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from budget.selectors import LAGGING_BELOW_PERCENT, lagging_projects, portfolio_psdp_years
from projects.models import Project

#: The PSDP page lists at most this many lagging project-years.
LAGGING_ROWS = 20


@dataclass(frozen=True)
class PsdpPage:
    """``years``: the portfolio's PSDP figures per fiscal year (``portfolio_psdp_years``; no flags: a
    year's sums mix schemes whose releases are reported with schemes whose spending is, so a
    contradiction is flagged on the project's page, per scheme, not here);
    ``lagging``: the project-years whose spending is below ``lagging_below`` percent of their allocation,
    lowest first (at most ``LAGGING_ROWS``)."""

    years: list[dict]
    lagging: list[dict]
    lagging_below: Decimal


def psdp_page(*, projects: QuerySet[Project], as_of: dt.date | None = None) -> PsdpPage:
    """The PSDP page of ``projects`` (a portfolio queryset, filtered) as of ``as_of``. Two queries."""
    return PsdpPage(
        years=portfolio_psdp_years(projects=projects, as_of=as_of),
        lagging=lagging_projects(projects=projects, as_of=as_of, limit=LAGGING_ROWS),
        lagging_below=LAGGING_BELOW_PERCENT,
    )
