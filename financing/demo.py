"""Load the demonstration portfolio from the YAML files in ``data/demo/``.

Idempotent: every record is found by its natural key (source key, lender and project
slug, meeting number, decision number, phase order, an estimate's project + date +
basis + amount) and updated in place, so a second run adds nothing. Financing lines are
replayed through ``financing.services`` in date order across each project, so their
dated changes, and the 100% share rule at every date, are exactly as in production.
The whole load is one transaction: it lands completely or not at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from projects.models import CostEstimate, Decision, ExchangeRate, JCCMeeting, Phase, Project, Source

from .models import FinancingLine, Lender
from .services import financing_line_record_change

DEMO_DIR = settings.BASE_DIR / "data" / "demo"


class DemoDataError(Exception):
    """The demo files are inconsistent; the message says where."""


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
    def __init__(self, directory: Path = DEMO_DIR):
        self.directory = Path(directory)
        self.report = LoadReport()
        self.sources: dict[str, Source] = {}
        self.lenders: dict[str, Lender] = {}
        self.projects: dict[str, Project] = {}
        self.decisions: dict[str, Decision] = {}

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

    def decision(self, ref, where: str) -> Decision | None:
        if ref in (None, ""):
            return None
        try:
            return self.decisions[str(ref)]
        except KeyError:
            raise DemoDataError(f"{where}: unknown decision {ref!r} (expected 'meeting/sequence')") from None

    def _upsert(self, model, lookup: dict, values: dict, where: str):
        obj = model.objects.filter(**lookup).first()
        created = obj is None
        if created:
            obj = model(**lookup)
        for name, value in values.items():
            setattr(obj, name, value)
        try:
            # Field validation here; the constraints are checked by PostgreSQL on save
            # (validating each CHECK in Python first would cost one query apiece).
            obj.full_clean(validate_unique=False, validate_constraints=False)
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
            self.load_financing(project, row)
        return self.report

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

    def load_meetings(self) -> None:
        for row in _read(self.directory, "meetings.yaml"):
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
            phase = self._upsert(
                Phase,
                {"project": project, "order": p["order"]},
                {
                    "name": p["name"],
                    "scope": p.get("scope") or "",
                    "length_km": _dec(p.get("length_km")),
                    "status": p.get("status", "planned"),
                    "planned_start": p.get("planned_start"),
                    "planned_end": p.get("planned_end"),
                    "actual_start": p.get("actual_start"),
                    "actual_end": p.get("actual_end"),
                },
                where,
            )
            phase.sources.set(self.sources_of(p.get("sources"), where))

    def load_estimates(self, project: Project, row: dict) -> None:
        for e in row.get("cost_estimates") or []:
            where = f"projects.yaml {project.slug} estimate {e.get('as_of')}"
            self._upsert(
                CostEstimate,
                {
                    "project": project,
                    "as_of": e["as_of"],
                    "basis": e["basis"],
                    "currency": e["currency"],
                    "amount": _dec(e["amount"]),
                },
                {
                    "approving_forum": e.get("forum") or "",
                    "full_scope": e.get("full_scope", True),
                    "scope": e.get("scope") or "",
                    "source": self.source(e["source"], where),
                    "note": e.get("note") or "",
                    "entered_pkr_per_usd": _dec(e.get("pkr_per_usd")),
                    "entered_cny_per_usd": _dec(e.get("cny_per_usd")),
                },
                where,
            )

    def load_financing(self, project: Project, row: dict) -> None:
        """Replay every line's changes in date order across the project."""
        events: list[tuple[date, int, int, dict, dict]] = []
        for index, line_row in enumerate(row.get("financing_lines") or []):
            changes = line_row.get("changes") or []
            if not changes:
                raise DemoDataError(f"projects.yaml {project.slug}: financing line {index + 1} has no changes")
            lender = self.lenders.get(line_row["lender"])
            if lender is None:
                raise DemoDataError(f"projects.yaml {project.slug}: unknown lender {line_row['lender']!r}")
            first = changes[0]["on"]
            if FinancingLine.objects.filter(project=project, lender=lender, changes__changed_on=first).exists():
                self.report.updated["financing lines"] += 1
                continue  # loaded by an earlier run, changes included
            for order, change in enumerate(changes):
                events.append((change["on"], order, index, line_row, change))
        lines: dict[int, FinancingLine] = {}
        sourced: set[int] = set()
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
            if index not in sourced:
                line.sources.set(self.sources_of(line_row.get("sources"), where))
                sourced.add(index)
