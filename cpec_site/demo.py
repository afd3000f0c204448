"""Load the demonstration portfolio from the YAML files in ``data/demo/``.

Idempotent: every record is found by its natural key (source key, lender and project
slug, meeting number, decision number, phase order, an estimate's project + date +
basis + amount, a financing line's project + lender + first change, a loan's terms by
their line) and updated in place, so a second run adds nothing. Financing lines are replayed
through ``financing.services`` in date order across each project, so their dated changes, and the
100% share rule at every date (shares of the debt or equity counted through the project's
debt:equity split), are exactly as in production.
The whole load is one transaction: it lands completely or not at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from budget.choices import PsdpComponent
from budget.models import PsdpFigure
from financing.figures import figures_paused
from financing.models import LOAN_TERMS_PERCENTS, FinancingLine, Lender, LoanTerms
from financing.services import decision_record_effects, financing_line_record_change
from projects.models import (
    CostEstimate,
    Decision,
    ExchangeRate,
    JCCMeeting,
    Phase,
    PhaseStatusChange,
    Project,
    ProjectStatusChange,
    Source,
)

DEMO_DIR = settings.BASE_DIR / "data" / "demo"


class DemoDataError(Exception):
    """The demo files are inconsistent; the message says where."""


#: A decision reference to a meeting left out of the load: what it decided is left out too.
LEFT_OUT = object()


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value).replace("_", ""))


def _read(directory: Path, name: str) -> list[dict]:
    path = directory / name
    with path.open(encoding="utf-8") as fh:
        rows = yaml.safe_load(fh) or []
    if not isinstance(rows, list):
        raise DemoDataError(f"{path}: expected a list of records")
    return rows


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    def count(self, model, created: bool) -> None:
        (self.created if created else self.updated)[model._meta.verbose_name_plural] += 1


class DemoLoader:
    """Loads the demo files.

    ``without_meetings``: JCC meeting numbers to leave out, with their decisions and every
    record those decisions made (financing changes, estimates, statuses, phase approvals),
    so that a meeting can be rehearsed through the admin on an otherwise complete portfolio.
    """

    def __init__(self, directory: Path = DEMO_DIR, *, without_meetings=()):
        self.directory = Path(directory)
        self.without_meetings = {int(n) for n in without_meetings}
        self.report = LoadReport()
        self.sources: dict[str, Source] = {}
        self.lenders: dict[str, Lender] = {}
        self.projects: dict[str, Project] = {}
        self.decisions: dict[str, Decision] = {}
        # A decision's estimates, statuses and phase changes, applied through the service.
        self.effects: dict[str, dict[str, list]] = {}

    # ------------------------------------------------------------------ lookups
    def source(self, key, where: str) -> Source | None:
        if key in (None, ""):
            return None
        try:
            return self.sources[key]
        except KeyError:
            raise DemoDataError(f"{where}: unknown source {key!r}") from None

    def sources_of(self, keys, where: str) -> list[Source]:
        return [self.source(k, where) for k in keys or []]

    def decision(self, ref, where: str):
        """The decision ``"meeting/sequence"`` refers to, None for none, or LEFT_OUT."""
        if ref in (None, ""):
            return None
        ref = str(ref)
        try:
            return self.decisions[ref]
        except KeyError:
            meeting = ref.partition("/")[0]
            if meeting.isdigit() and int(meeting) in self.without_meetings:
                return LEFT_OUT
            raise DemoDataError(f"{where}: unknown decision {ref!r} (expected 'meeting/sequence')") from None

    def included(self, rows, where: str) -> list[dict]:
        """The dated records whose decision (if any) is not left out."""
        return [row for row in rows or [] if self.decision(row.get("decision"), where) is not LEFT_OUT]

    def add_effect(self, ref, kind: str, record) -> None:
        effects = self.effects.setdefault(str(ref), {"estimates": [], "statuses": [], "phases": []})
        effects[kind].append(record)

    def _upsert(self, model, lookup: dict, values: dict, where: str, *, validate_constraints: bool = False):
        obj = model.objects.filter(**lookup).first()
        created = obj is None
        if created:
            obj = model(**lookup)
        for name, value in values.items():
            setattr(obj, name, value)
        try:
            # Field validation here; the constraints are checked by PostgreSQL on save
            # (validating each CHECK in Python first would cost one query apiece), unless
            # `validate_constraints` asks for their own messages (a few rows, many rules).
            obj.full_clean(validate_unique=False, validate_constraints=validate_constraints)
            obj.save()
        except ValidationError as exc:
            raise DemoDataError(f"{where}: {exc}") from exc
        except IntegrityError as exc:
            raise DemoDataError(f"{where}: {exc}".strip()) from exc
        self.report.count(model, created)
        return obj

    # ------------------------------------------------------------------- loading
    @transaction.atomic
    def load(self) -> LoadReport:
        # The read model's triggers would refresh a project after every row written for it:
        # paused while loading, each project written is refreshed once at the end (financing.figures).
        with figures_paused():
            self._load()
        return self.report

    def _load(self) -> None:
        self.load_sources()
        self.load_rates()
        self.load_lenders()
        project_rows = _read(self.directory, "projects.yaml")
        self.load_projects(project_rows)
        self.load_meetings()
        for row in project_rows:
            project = self.projects[row["slug"]]
            self.load_phases(project, row)
            self.load_estimates(project, row)
            self.load_statuses(project, row)
            self.load_financing(project, row)
        self.apply_effects()
        self.load_psdp()
        self.load_loan_terms()  # once every financing line exists

    def load_psdp(self) -> None:
        for row in _read(self.directory, "psdp.yaml"):
            where = f"psdp.yaml {row.get('project')} {row.get('fiscal_year')} {row.get('kind')} {row.get('as_of')}"
            project = self.projects.get(row["project"])
            if project is None:
                raise DemoDataError(f"{where}: unknown project {row['project']!r}")
            lookup = {
                "project": project,
                "fiscal_year": row["fiscal_year"],
                "scheme": row.get("scheme", ""),
                "kind": row["kind"],
                "component": row.get("component", PsdpComponent.TOTAL),
                "as_of": row["as_of"],
            }
            values = {
                "amount_pkr": _dec(row["amount"]),
                "stated": row.get("stated", ""),
                "source": self.source(row["source"], where),
                "note": row.get("note", ""),
            }
            self._upsert(PsdpFigure, lookup, values, where)

    #: The keys of a loan_terms.yaml record: the line's key and the model's fields.
    LOAN_TERMS_LINE_KEYS = ("project", "lender", "opened", "amount")
    LOAN_TERMS_PERCENTS = LOAN_TERMS_PERCENTS
    LOAN_TERMS_SOURCES = ("interest_source", "repayment_source", "fees_source")
    LOAN_TERMS_OTHER = (
        "rate_kind",
        "benchmark",
        "tenor_months",
        "grace_months",
        "profile",
        "payments_per_year",
        "note",
    )

    def load_loan_terms(self) -> None:
        """The terms of the demo's loans (data/demo/loan_terms.yaml), one record per financing line,
        checked against every rule of ``LoanTerms`` (a source for each group of terms, a grace
        period shorter than the tenor, whole periods between instalments...)."""
        known = set(
            self.LOAN_TERMS_LINE_KEYS + self.LOAN_TERMS_PERCENTS + self.LOAN_TERMS_SOURCES + self.LOAN_TERMS_OTHER
        )
        seen: dict[int, str] = {}
        for index, row in enumerate(_read(self.directory, "loan_terms.yaml"), start=1):
            if not isinstance(row, dict):
                raise DemoDataError(f"loan_terms.yaml record {index}: expected a mapping")
            where = f"loan_terms.yaml record {index} ({row.get('project')}, {row.get('lender')})"
            unknown = sorted(set(row) - known)
            if unknown:
                raise DemoDataError(f"{where}: unknown keys {', '.join(unknown)}")
            line = self.terms_line(row, where)
            if line.pk in seen:
                raise DemoDataError(f"{where}: the same financing line already has terms in {seen[line.pk]}")
            seen[line.pk] = where
            values = {
                "rate_kind": row.get("rate_kind") or "",
                "benchmark": row.get("benchmark") or "",
                "tenor_months": row.get("tenor_months"),
                "grace_months": row.get("grace_months"),
                "profile": row.get("profile") or "",
                "payments_per_year": 2 if row.get("payments_per_year") is None else row["payments_per_year"],
                "note": row.get("note") or "",
            }
            for name in self.LOAN_TERMS_PERCENTS:
                try:
                    values[name] = _dec(row.get(name))
                except InvalidOperation:
                    raise DemoDataError(f"{where}: {name} {row[name]!r} is not a number") from None
            for name in self.LOAN_TERMS_SOURCES:
                values[name] = self.source(row.get(name), f"{where} {name}")
            self._upsert(LoanTerms, {"line": line}, values, where, validate_constraints=True)

    def terms_line(self, row: dict, where: str) -> FinancingLine:
        """The financing line a loan_terms.yaml record names: its project and lender, and where
        that lender has several lines there, the date (``opened``) and amount of the line's first change."""
        project = self.projects.get(row.get("project"))
        if project is None:
            raise DemoDataError(f"{where}: unknown project {row.get('project')!r}")
        lender = self.lenders.get(row.get("lender"))
        if lender is None:
            raise DemoDataError(f"{where}: unknown lender {row.get('lender')!r}")
        try:
            amount = _dec(row.get("amount"))
        except InvalidOperation:
            raise DemoDataError(f"{where}: amount {row['amount']!r} is not a number") from None
        opened = row.get("opened")
        lines = []
        for line in FinancingLine.objects.filter(project=project, lender=lender).order_by("pk"):
            first = line.changes.order_by("changed_on", "pk").first()
            if opened is not None and (first is None or first.changed_on != opened):
                continue
            if amount is not None and (first is None or first.amount != amount):
                continue
            lines.append(line)
        described = f"lender {lender.slug!r} in project {project.slug!r}"
        if opened is not None or amount is not None:
            described += f" opened on {opened} with amount {row.get('amount')}"
        if not lines:
            raise DemoDataError(f"{where}: no financing line of {described} in projects.yaml")
        if len(lines) > 1:
            raise DemoDataError(
                f"{where}: {len(lines)} financing lines of {described}; "
                "tell them apart with the date (opened) and amount of the line's first change"
            )
        return lines[0]

    def load_sources(self) -> None:
        for row in _read(self.directory, "sources.yaml"):
            where = f"sources.yaml {row.get('key')}"
            self.sources[row["key"]] = self._upsert(
                Source,
                {"key": row["key"]},
                {
                    "title": row["title"],
                    "publisher": row["publisher"],
                    "url": row["url"],
                    "published_on": row.get("published_on"),
                    "tier": row.get("tier", "B"),
                    "notes": row.get("notes", ""),
                },
                where,
            )

    def load_rates(self) -> None:
        for row in _read(self.directory, "exchange_rates.yaml"):
            where = f"exchange_rates.yaml {row.get('currency')} {row.get('on')}"
            self._upsert(
                ExchangeRate,
                {"currency": row["currency"], "date": row["on"]},
                {"per_usd": _dec(row["per_usd"]), "kind": row["kind"], "source": self.source(row["source"], where)},
                where,
            )

    def load_lenders(self) -> None:
        for row in _read(self.directory, "lenders.yaml"):
            self.lenders[row["slug"]] = self._upsert(
                Lender,
                {"slug": row["slug"]},
                {
                    "name": row["name"],
                    "short_name": row.get("short_name", ""),
                    "kind": row["kind"],
                    "country": row["country"],
                    "notes": row.get("notes", ""),
                },
                f"lenders.yaml {row['slug']}",
            )

    def load_projects(self, rows: list[dict]) -> None:
        for row in rows:
            where = f"projects.yaml {row['slug']}"
            values = {
                name: row.get(name, default)
                for name, default in (
                    ("name", None),
                    ("kind", "construction"),
                    ("sector", None),
                    ("subsector", ""),
                    ("status", "proposed"),
                    ("regions", []),
                    ("location", ""),
                    ("description", ""),
                    ("implementing_agency", ""),
                    ("sponsor", ""),
                    ("planned_start", None),
                    ("planned_end", None),
                    ("actual_start", None),
                    ("actual_end", None),
                    ("focus_industries", []),
                )
            }
            for name in ("latitude", "longitude", "length_km", "capacity_mw", "area_acres"):
                values[name] = _dec(row.get(name))
            for name in ("subsector", "location", "description", "implementing_agency", "sponsor"):
                values[name] = values[name] or ""
            values["regions"] = values["regions"] or []
            values["focus_industries"] = values["focus_industries"] or []
            values["debt_percent"] = _dec(row.get("debt_percent"))
            values.update(self.location(row, where))
            values.update(self.financial_close(row.get("financial_close"), where))
            project = self._upsert(Project, {"slug": row["slug"]}, values, where)
            project.sources.set(self.sources_of(row.get("sources"), where))
            self.projects[row["slug"]] = project
        for row in rows:  # parents once every project exists
            parent_slug = row.get("parent")
            project = self.projects[row["slug"]]
            parent = self.projects.get(parent_slug) if parent_slug else None
            if parent_slug and parent is None:
                raise DemoDataError(f"projects.yaml {row['slug']}: unknown parent {parent_slug!r}")
            if project.parent_id != (parent.pk if parent else None):
                project.parent = parent
                project.save(update_fields=["parent"])

    def location(self, row, where: str) -> dict:
        """A project's route (a GeoJSON LineString from its list of [longitude, latitude] pairs), the
        source of its point or route, and the note saying what they are."""
        route = row.get("route")
        source_key = row.get("location_source")
        source = self.sources_of([source_key], where)[0] if source_key else None
        return {
            "route": {"type": "LineString", "coordinates": route} if route else None,
            "location_source": source,
            "location_note": row.get("location_note") or "",
        }

    def financial_close(self, close, where: str) -> dict:
        """The four financial-close fields of a project from its ``financial_close`` mapping."""
        if not close:
            return {
                "financial_close_on": None,
                "financial_close_precision": "day",
                "financial_close_source": None,
                "financial_close_note": "",
            }
        if not isinstance(close, dict) or not close.get("on"):
            raise DemoDataError(f'{where}: financial_close needs a mapping with a date under "on"')
        return {
            "financial_close_on": close["on"],
            "financial_close_precision": close.get("precision") or "day",
            "financial_close_source": self.source(close.get("source"), f"{where} financial_close"),
            "financial_close_note": close.get("note") or "",
        }

    def load_meetings(self) -> None:
        for row in _read(self.directory, "meetings.yaml"):
            if int(row["number"]) in self.without_meetings:
                continue
            where = f"meetings.yaml {row['number']}"
            meeting = self._upsert(
                JCCMeeting,
                {"number": row["number"]},
                {
                    "date": row["date"],
                    "date_precision": row.get("date_precision", "day"),
                    "status": row.get("status", "held"),
                    "city": row.get("city") or "",
                    "is_virtual": bool(row.get("is_virtual")),
                    "is_special": bool(row.get("is_special")),
                    "pakistan_cochair": row.get("pakistan_cochair") or "",
                    "china_cochair": row.get("china_cochair") or "",
                    "summary": row.get("summary") or "",
                },
                where,
            )
            meeting.sources.set(self.sources_of(row.get("sources"), where))
            for d in row.get("decisions") or []:
                dwhere = f"{where}/{d['sequence']}"
                project = None
                if d.get("project"):
                    project = self.projects.get(d["project"])
                    if project is None:
                        raise DemoDataError(f"{dwhere}: unknown project {d['project']!r}")
                decision = self._upsert(
                    Decision,
                    {"meeting": meeting, "sequence": d["sequence"]},
                    {
                        "project": project,
                        "kind": d["kind"],
                        "text": d["text"],
                        "source": self.source(d["source"], dwhere),
                    },
                    dwhere,
                )
                self.decisions[f"{meeting.number}/{decision.sequence}"] = decision

    def load_phases(self, project: Project, row: dict) -> None:
        for p in row.get("phases") or []:
            where = f"projects.yaml {project.slug} phase {p['order']}"
            changes = self.included(p.get("status_changes"), where)
            # `status` is the phase's status before its dated changes; after them it is the last one's.
            status = changes[-1]["status"] if changes else p.get("status", "planned")
            phase = self._upsert(
                Phase,
                {"project": project, "order": p["order"]},
                {
                    "name": p["name"],
                    "scope": p.get("scope") or "",
                    "length_km": _dec(p.get("length_km")),
                    "status": status,
                    "planned_start": p.get("planned_start"),
                    "planned_end": p.get("planned_end"),
                    "actual_start": p.get("actual_start"),
                    "actual_end": p.get("actual_end"),
                },
                where,
            )
            phase.sources.set(self.sources_of(p.get("sources"), where))
            for change in changes:
                record = PhaseStatusChange(
                    phase=phase,
                    status=change["status"],
                    changed_on=change["on"],
                    source=self.source(change.get("source"), where),
                    note=change.get("note") or "",
                )
                self.record_status(record, change, PhaseStatusChange.objects.filter(phase=phase), "phases", where)

    def load_statuses(self, project: Project, row: dict) -> None:
        """A project's dated statuses (its ``status`` field is the current one)."""
        where = f"projects.yaml {project.slug} status"
        for change in self.included(row.get("status_changes"), where):
            record = ProjectStatusChange(
                project=project,
                status=change["status"],
                changed_on=change["on"],
                source=self.source(change.get("source"), where),
                note=change.get("note") or "",
            )
            self.record_status(record, change, ProjectStatusChange.objects.filter(project=project), "statuses", where)

    def record_status(self, record, change: dict, existing, kind: str, where: str) -> None:
        if existing.filter(changed_on=record.changed_on, status=record.status).exists():
            self.report.count(record, created=False)
            return
        if not change.get("decision"):
            raise DemoDataError(f"{where}: a dated status needs the decision that set it")
        self.decision(change["decision"], where)  # unknown references fail here
        self.add_effect(change["decision"], kind, record)

    def load_estimates(self, project: Project, row: dict) -> None:
        """Estimates; one put on record by a JCC decision is applied as that decision's effect."""
        for e in self.included(row.get("cost_estimates"), f"projects.yaml {project.slug} estimates"):
            where = f"projects.yaml {project.slug} estimate {e.get('as_of')}"
            lookup = {
                "project": project,
                "as_of": e["as_of"],
                "basis": e["basis"],
                "currency": e["currency"],
                "amount": _dec(e["amount"]),
            }
            values = {
                "approving_forum": e.get("forum") or "",
                "bound": e.get("bound") or "exact",
                "date_precision": e.get("date_precision") or "day",
                "full_scope": e.get("full_scope", True),
                "scope": e.get("scope") or "",
                "source": self.source(e["source"], where),
                "note": e.get("note") or "",
                "entered_pkr_per_usd": _dec(e.get("pkr_per_usd")),
                "entered_cny_per_usd": _dec(e.get("cny_per_usd")),
                "foreign_exchange_component": _dec(e.get("fec")),
            }
            if not e.get("decision"):
                self._upsert(CostEstimate, lookup, values, where)
            elif CostEstimate.objects.filter(**lookup).exists():
                self.report.count(CostEstimate, created=False)
            else:
                self.add_effect(e["decision"], "estimates", CostEstimate(**lookup, **values))

    def load_financing(self, project: Project, row: dict) -> None:
        """Replay every line's changes in date order across the project."""
        events: list[tuple[date, int, int, dict, dict]] = []
        lines: dict[int, FinancingLine] = {}
        sourced: set[int] = set()
        claimed: set[int] = set()  # stored lines already matched to a line of the file
        for index, line_row in enumerate(row.get("financing_lines") or []):
            lwhere = f"projects.yaml {project.slug} line {index + 1} ({line_row.get('lender')})"
            if not line_row.get("changes"):
                raise DemoDataError(f"projects.yaml {project.slug}: financing line {index + 1} has no changes")
            self.check_shares(project, line_row, lwhere)
            changes = self.included(line_row["changes"], lwhere)
            if not changes:
                continue  # opened by a meeting that is left out
            lender = self.lenders.get(line_row["lender"])
            if lender is None:
                raise DemoDataError(f"projects.yaml {project.slug}: unknown lender {line_row['lender']!r}")
            participants = self.participants_of(line_row, lender, lwhere)
            line = self.stored_line(project, lender, changes[0], claimed)
            if line is not None:  # loaded by an earlier run: add only the changes it left out
                claimed.add(line.pk)
                self.report.updated["financing lines"] += 1
                lines[index] = line
                sourced.add(index)
                line.participants.set(participants)
                known = set(line.changes.values_list("changed_on", "status"))
                changes = [c for c in changes if (c["on"], c["status"]) not in known]
            for order, change in enumerate(changes):
                events.append((change["on"], order, index, line_row, change))
        for on, _order, index, line_row, change in sorted(events, key=lambda e: (e[0], e[2], e[1])):
            where = f"projects.yaml {project.slug} line {line_row['lender']} change {on}"
            line = lines.get(index)
            if line is None:
                line = FinancingLine(
                    project=project,
                    lender=self.lenders[line_row["lender"]],
                    instrument=line_row.get("instrument", "undecided"),
                    note=line_row.get("note") or "",
                    as_of=on,
                )
                lines[index] = line
                self.report.created["financing lines"] += 1
            try:
                financing_line_record_change(
                    line=line,
                    changed_on=on,
                    status=change["status"],
                    share_percent=_dec(change.get("share")),
                    share_basis=change.get("share_of") or "cost",
                    amount=_dec(change.get("amount")),
                    currency=change.get("currency") or "",
                    instrument=change.get("instrument"),
                    entered_pkr_per_usd=_dec(change.get("pkr_per_usd")),
                    entered_cny_per_usd=_dec(change.get("cny_per_usd")),
                    decision=self.decision(change.get("decision"), where),
                    source=self.source(change.get("source"), where),
                    note=change.get("note") or "",
                )
            except ValidationError as exc:
                raise DemoDataError(f"{where}: {exc}") from exc
            self.report.created["financing changes"] += 1
            if index not in sourced:  # the line's first change is recorded: it has a key now
                line.sources.set(self.sources_of(line_row.get("sources"), where))
                line.participants.set(self.participants_of(line_row, line.lender, where))
                sourced.add(index)

    def check_shares(self, project: Project, line_row: dict, where: str) -> None:
        """A share of the debt or equity needs the project's debt:equity split."""
        for change in line_row.get("changes") or []:
            basis = change.get("share_of") or "cost"
            if basis not in ("cost", "debt", "equity"):
                raise DemoDataError(f"{where} change {change.get('on')}: share_of must be cost, debt or equity")
            if basis != "cost" and change.get("share") not in (None, "") and project.debt_percent is None:
                raise DemoDataError(
                    f"{where} change {change.get('on')}: a share of the {basis} needs the project's debt_percent; "
                    "leave the share empty and give the stake in the note"
                )

    def participants_of(self, line_row: dict, lender: Lender, where: str) -> list[Lender]:
        """The other lenders of a syndicated or club facility."""
        members = []
        for slug in line_row.get("participants") or []:
            member = self.lenders.get(slug)
            if member is None:
                raise DemoDataError(f"{where}: unknown participant {slug!r}")
            if member == lender:
                raise DemoDataError(f"{where}: the line's lender {slug!r} is also listed as a participant")
            members.append(member)
        return members

    @staticmethod
    def stored_line(project: Project, lender: Lender, first: dict, claimed: set[int]) -> FinancingLine | None:
        """The line an earlier run stored for this line of the file: same project and lender, and
        a first change on the same date with the same status and amount (a lender may have
        several lines in one project, even from the same day: Engro's two local facilities)."""
        amount = _dec(first.get("amount"))
        candidates = FinancingLine.objects.filter(project=project, lender=lender).exclude(pk__in=claimed)
        for line in candidates.order_by("pk"):
            earliest = line.changes.order_by("changed_on", "pk").first()
            if earliest is None or earliest.changed_on != first["on"] or earliest.status != first["status"]:
                continue
            if (earliest.amount is None) != (amount is None) or (amount is not None and earliest.amount != amount):
                continue
            return line
        return None

    def apply_effects(self) -> None:
        """Each decision's estimates, statuses and phase changes, through the service the admin uses."""
        # In the order an editor goes through a meeting's decisions.
        for ref, effects in sorted(self.effects.items(), key=lambda item: tuple(map(int, item[0].split("/")))):
            decision = self.decisions[ref]
            try:
                counts = decision_record_effects(decision, **effects)
            except ValidationError as exc:
                raise DemoDataError(f"decision {ref}: {exc}") from exc
            self.report.created["cost estimates"] += counts["estimates"]
            self.report.created["project status changes"] += counts["statuses"]
            self.report.created["phase status changes"] += counts["phases"]
