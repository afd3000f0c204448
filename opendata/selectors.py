"""What the OC4IDS package is built from: the portfolio's records as of a moment, in eleven queries.

``package_records`` reads the projects (annotated as the pages annotate them, by
``dashboard.selectors.portfolio_projects``) and then everything about them by project id, one
query per kind of record, so a package of 35 projects and one of 10,000 take the same queries.
``opendata.oc4ids`` turns the records into the package and reads no database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, OuterRef, QuerySet, Subquery

from dashboard.selectors import portfolio_in_order
from dashboard.selectors.common import data_version
from dashboard.selectors.project import syndicate_members
from financing.models import FinancingChange
from financing.selectors import LineStates
from projects.choices import EstimateBasis
from projects.models import CostEstimate, Decision, NormalizedMoney, Phase, Project, Source, cost_of_record

#: The JCC decision behind a line's state, an estimate or a change, as ``opendata.oc4ids`` cites it.
DECISION = {
    "decision_meeting": F("decision__meeting__number"),
    "decision_sequence": F("decision__sequence"),
    "decision_kind": F("decision__kind"),
}
#: What the package says of each dated change of a financing line (read as plain rows: a large
#: portfolio has hundreds of thousands).
CHANGE_FIELDS = (
    "of_project",
    "line_id",
    "lender_name",
    "changed_on",
    "kind",
    "status",
    "instrument",
    "share_percent",
    "share_basis",
    "amount",
    "currency",
    *NormalizedMoney.NORMALIZED_FIELDS,
    "source_id",
    "reason",
    *DECISION,
)


@dataclass(frozen=True)
class PackageRecords:
    """The projects of a package and their records, each list keyed by project id.

    ``projects`` are annotated by ``projects_with_funding`` (as of ``as_of``) and with
    ``of_record_id`` (the estimate the current cost comes from), ``approved_on`` (the latest
    PC-I a forum approved) and ``first_planned_start`` (the first planned start recorded).
    ``lines`` are the financing states as of the moment (``value_usd``, the value the pages show);
    ``changes`` every dated change of them up to it (``CHANGE_FIELDS``).
    """

    as_of: dt.date | None
    projects: list[Project]
    estimates: dict[int, list[CostEstimate]]
    lines: dict[int, list]
    participants: dict[int, list]
    changes: dict[int, list[dict]]
    phases: dict[int, list[Phase]]
    decisions: dict[int, list[Decision]]
    sources: dict[int, list]
    sections: dict[int, list[dict]]
    #: The sources the changes cite, by id (the changes are ``values()`` rows: there are many).
    change_sources: dict[int, Source]
    #: When the data last changed: the package's ``publishedDate``.
    changed_at: dt.datetime | None


def _by_project(rows, key: str = "project_id") -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row[key] if isinstance(row, dict) else getattr(row, key)].append(row)
    return dict(grouped)


def package_records(*, projects: QuerySet[Project], as_of: dt.date | None = None) -> PackageRecords:
    """The records of ``projects`` (a portfolio queryset: ``portfolio_projects`` as of ``as_of``,
    perhaps filtered) as known on ``as_of`` (now without it). Eleven queries at any size."""
    of_record = cost_of_record(OuterRef("pk"), as_of=as_of).values("pk")[:1]
    approved = CostEstimate.objects.filter(
        project=OuterRef("pk"), basis__in=[EstimateBasis.PC_I, EstimateBasis.REVISED_PC_I], full_scope=True
    ).exclude(approving_forum="")
    if as_of is not None:
        approved = approved.filter(as_of__lte=as_of)
    first_start = (
        Project.history.model.objects.filter(id=OuterRef("pk"), planned_start__isnull=False)
        .order_by("history_date")
        .values("planned_start")[:1]
    )
    rows = list(
        portfolio_in_order(projects)
        .select_related("parent", "financial_close_source")
        .annotate(
            of_record_id=Subquery(of_record),
            approved_on=Subquery(approved.order_by("-as_of", "-pk").values("as_of")[:1]),
            first_planned_start=Subquery(first_start),
        )
    )
    ids = [p.pk for p in rows]

    estimates = CostEstimate.objects.filter(project_id__in=ids).select_related("source").annotate(**DECISION)
    decisions = Decision.objects.filter(project_id__in=ids).select_related("meeting", "source")
    changes = FinancingChange.objects.filter(line__project_id__in=ids)
    cited = changes.filter(source__isnull=False)
    if as_of is not None:
        estimates = estimates.filter(as_of__lte=as_of)
        decisions = decisions.filter(meeting__date__lte=as_of)
        changes = changes.filter(changed_on__lte=as_of)

    states = LineStates(as_of)
    lines = list(
        states.with_value(states.queryset().filter(**{f"{states.path('project')}__in": ids}))
        .select_related(
            *states.related("lender", "terms__interest_source", "terms__repayment_source", "terms__fees_source")
        )
        .annotate(
            **DECISION,
            of_project=F(states.path("project")),
            replaced_by_key=F(states.path("replaced_by")),
        )
        .order_by(states.path("project"), states.path("lender__name"), states.line_pk)
    )
    changes = list(
        changes.annotate(**DECISION, of_project=F("line__project_id"), lender_name=F("line__lender__name"))
        .order_by("line__project_id", "changed_on", "pk")
        .values(*CHANGE_FIELDS)
    )
    through = Project.sources.through
    sources = through.objects.filter(project_id__in=ids).select_related("source").order_by("source__key", "source_id")
    sections = Project.objects.filter(parent_id__in=ids).order_by("name").values("parent_id", "pk", "name", "slug")
    return PackageRecords(
        as_of=as_of,
        projects=rows,
        estimates=_by_project(estimates.order_by("project_id", "as_of", "pk")),
        lines=_by_project(lines, "of_project"),
        participants=syndicate_members([getattr(line, states.line_pk) for line in lines]),
        changes=_by_project(changes, "of_project"),
        # A subquery, not the ids read above: one query even when no change cites a source.
        change_sources={s.pk: s for s in Source.objects.filter(pk__in=cited.values("source_id"))},
        phases=_by_project(Phase.objects.filter(project_id__in=ids).order_by("project_id", "order")),
        decisions=_by_project(decisions.order_by("project_id", "meeting__number", "sequence")),
        sources={pid: [row.source for row in rows_] for pid, rows_ in _by_project(sources).items()},
        sections=_by_project(sections, "parent_id"),
        changed_at=data_version()[1],
    )
