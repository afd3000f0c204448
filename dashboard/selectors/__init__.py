"""The reads of the staff pages, one module per page.

Each page has one selector returning everything it shows, final rows already labelled and
sorted for the tables and charts: ``dashboard_page`` and ``project_list_page``
(:mod:`.portfolio`), ``project_page`` (:mod:`.project`), ``lender_totals`` and
``lender_page`` (:mod:`.lender`), ``meeting_list_page`` and ``meeting_page``
(:mod:`.meeting`), ``compare_page`` (:mod:`.compare`). The figures they are made of stay importable from here.
"""

from .common import (
    ACTIVE_STATUSES,
    COUNTED,
    OVERRUN_THRESHOLD,
    PIPELINE,
    ZERO,
    OverrunFlag,
    data_version,
    overrun_flags,
    site_last_updated,
)
from .compare import COMPARED_FIGURES, ComparePage, compare_page
from .debt import LISTED_ROWS, DebtPage, debt_page
from .lender import EMPTY_TOTALS, LenderPage, lender_page, lender_totals
from .map import MAP_ROWS, REGIONS, MapPage, map_page, project_place
from .meeting import (
    MeetingListPage,
    MeetingPage,
    changes_between,
    meeting_changes,
    meeting_decision_counts,
    meeting_list_page,
    meeting_page,
)
from .portfolio import (
    MIXED_SYNDICATE,
    OVERRUN_ROWS,
    TIMELINE_ROWS,
    DashboardPage,
    dashboard_page,
    latest_meeting_decisions,
    lender_mix_reconciliation,
    portfolio_cost_by_sector,
    portfolio_funding_gaps,
    portfolio_in_order,
    portfolio_kpis,
    portfolio_lender_mix,
    portfolio_lender_mixes,
    portfolio_none,
    portfolio_overruns,
    portfolio_phase_timeline,
    portfolio_projects,
    portfolio_status_breakdown,
    project_list_page,
)
from .project import ProjectPage, project_financing_summary, project_page, syndicate_members
from .psdp import LAGGING_ROWS, PsdpPage, psdp_page

__all__ = [
    "MAP_ROWS",
    "REGIONS",
    "MapPage",
    "map_page",
    "project_place",
    "LISTED_ROWS",
    "DebtPage",
    "debt_page",
    "LAGGING_ROWS",
    "PsdpPage",
    "psdp_page",
    "ACTIVE_STATUSES",
    "COMPARED_FIGURES",
    "ComparePage",
    "changes_between",
    "compare_page",
    "COUNTED",
    "EMPTY_TOTALS",
    "MIXED_SYNDICATE",
    "OVERRUN_ROWS",
    "OVERRUN_THRESHOLD",
    "PIPELINE",
    "TIMELINE_ROWS",
    "ZERO",
    "DashboardPage",
    "LenderPage",
    "MeetingListPage",
    "MeetingPage",
    "OverrunFlag",
    "ProjectPage",
    "dashboard_page",
    "data_version",
    "latest_meeting_decisions",
    "lender_mix_reconciliation",
    "lender_page",
    "lender_totals",
    "meeting_changes",
    "meeting_decision_counts",
    "meeting_list_page",
    "meeting_page",
    "overrun_flags",
    "portfolio_cost_by_sector",
    "portfolio_funding_gaps",
    "portfolio_in_order",
    "portfolio_kpis",
    "portfolio_lender_mix",
    "portfolio_lender_mixes",
    "portfolio_none",
    "portfolio_overruns",
    "portfolio_phase_timeline",
    "portfolio_projects",
    "portfolio_status_breakdown",
    "project_financing_summary",
    "project_list_page",
    "project_page",
    "site_last_updated",
    "syndicate_members",
]
