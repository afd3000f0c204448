"""The portfolio as an OC4IDS 0.9 project package (Open Contracting for Infrastructure Data Standard).

``project_package(records, ...)`` maps the records ``opendata.selectors.package_records`` read
into a package; it reads no database. docs/oc4ids.md is the mapping, field by field, with what
is left out and why; the codes used come from the standard's codelists (``opendata/schema/``, a
verbatim copy of release 0.9.4, checked against ../shared/data/oc4ids/ by the tests).

What OC4IDS has no home for goes under one extra property named ``cpecTracker`` (on the
project, its finance entries, cost measurements and milestones): our own status, kind and
sector, the negotiation status and share of each line, the amounts normalized to US$ with the
rate used, the four parts of the cost, and the financing history. Money is ``Decimal`` to the
end: ``dumps`` writes exact JSON numbers (simplejson), never through float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import simplejson
from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify

from financing.choices import FinancingStatus, Instrument, LenderKind, ShareBasis
from financing.models import FinancingChange, RateKind
from projects.choices import (
    ApprovingForum,
    DecisionKind,
    EstimateBasis,
    MeetingStatus,
    PhaseStatus,
    ProjectKind,
    ProjectStatus,
    RateOrigin,
    Region,
    Sector,
)

#: The OC4IDS schema version the package follows (major.minor, as ``version`` wants it).
VERSION = "0.9"
#: The release the schema files in opendata/schema/ come from.
RELEASE = "0.9.4"
#: The name of the extra property holding what OC4IDS has no field for.
EXTENSION = "cpecTracker"

#: Our project statuses in the closed projectStatus codelist. "Suspended" has no code (a
#: suspended project may resume: it is neither cancelled nor in any one phase), so its
#: ``status`` is left out; ``cpecTracker.status`` says "suspended".
PROJECT_STATUS = {
    ProjectStatus.PROPOSED: "identification",
    ProjectStatus.UNDER_STUDY: "preparation",
    ProjectStatus.APPROVED: "preparation",
    ProjectStatus.FINANCING: "preparation",
    ProjectStatus.UNDER_CONSTRUCTION: "implementation",
    ProjectStatus.OPERATIONAL: "maintenance",
    ProjectStatus.CANCELLED: "cancelled",
}

#: Lender kinds in the closed financingPartyType codelist. Pakistan's own budgets (federal PSDP,
#: provincial) are neither bilateral (a government's agency investing abroad) nor any other
#: kind listed: "other".
FINANCING_PARTY_TYPE = {
    LenderKind.CHINESE_GOVERNMENT: "bilateral",
    LenderKind.OTHER_GOVERNMENT: "bilateral",
    LenderKind.MULTILATERAL: "multilateral",
    LenderKind.COMMERCIAL_BANK: "institutional",
    LenderKind.FUND: "institutional",
    LenderKind.PRIVATE_SPONSOR: "commercial",
    LenderKind.PAKISTAN_BUDGET: "other",
    LenderKind.PROVINCIAL: "other",
}

#: Instruments in the closed financingArrangementType codelist, and whether they are
#: concessional. A budget allocation and an instrument not yet decided have no code: ``type``
#: is left out (``cpecTracker.instrument`` says which).
ARRANGEMENT = {
    Instrument.CONCESSIONAL_LOAN: ("loan", True),
    Instrument.INTEREST_FREE_LOAN: ("loan", True),
    Instrument.COMMERCIAL_LOAN: ("loan", False),
    Instrument.GRANT: ("grant", True),
    Instrument.EQUITY: ("shares.unlisted", False),
}

#: Subsectors (matched by these words, in this order, in our free-text subsector) in the
#: projectSector codelist, as the sector and its subsector code.
SUBSECTOR_CODES = (
    (("solar",), ("energy", "energy.solar")),
    (("wind",), ("energy", "energy.wind")),
    (("hydro",), ("energy", "energy.hydropower")),
    (("biomass", "bagasse"), ("energy", "energy.biomass")),
    (("coal", "transmission", "lng", "power", "grid"), ("energy",)),
    (("urban rail", "mass transit", "metro", "bus rapid"), ("transport", "transport.rail", "transport.urban")),
    (("rail",), ("transport", "transport.rail")),
    (("aviation", "airport"), ("transport", "transport.air")),
    (("dry port",), ("transport",)),
    (("port", "harbour", "shipping"), ("transport", "transport.water")),
    (("road", "motorway", "highway", "expressway", "bridge", "tunnel"), ("transport", "transport.road")),
    (("hospital", "health"), ("health",)),
    (("school", "education", "university", "vocational", "training"), ("education",)),
    (("water", "desalination", "sanitation", "waste"), ("waterAndWaste",)),
    (("economic zone", "industrial", "fund", "trade"), ("economy",)),
)
#: Our sectors in the projectSector codelist when the subsector says nothing more. Gwadar and
#: social projects span several OC4IDS sectors: without a subsector that names one, none.
SECTOR_CODES = {
    Sector.TRANSPORT: ("transport",),
    Sector.ENERGY: ("energy",),
    Sector.INDUSTRIAL: ("economy",),
    Sector.TRADE_FINANCE: ("economy",),
    Sector.GWADAR: (),
    Sector.SOCIAL: (),
}

#: JCC decisions as milestones: their milestoneType, and the milestoneCode where one fits.
DECISION_MILESTONES = {
    DecisionKind.FINANCING_AGREED: ("financing", None),
    DecisionKind.FINANCING_DECLINED: ("financing", None),
    DecisionKind.FINANCING_PROPOSED: ("financing", None),
    DecisionKind.APPROVED: ("approval", "projectApproval"),
    DecisionKind.PHASE_LAUNCHED: ("delivery", None),
    DecisionKind.PROPOSAL_MADE: ("preProcurement", None),
    DecisionKind.REVIEWED: ("assessment", None),
    DecisionKind.DEFERRED: ("assessment", None),
}


#: Labels of our choices, looked up once (a model's ``get_…_display`` rebuilds its choices each call).
FINANCING_STATUS_LABELS = dict(FinancingStatus.choices)
INSTRUMENT_LABELS = dict(Instrument.choices)
SHARE_BASIS_LABELS = dict(ShareBasis.choices)
BASIS_LABELS = dict(EstimateBasis.choices)
FORUM_LABELS = dict(ApprovingForum.choices)
DECISION_LABELS = dict(DecisionKind.choices)


# ------------------------------------------------------------------ small pieces


def when(day: dt.date | None) -> str | None:
    """A date as OC4IDS dates are written (RFC 3339 date-time): midnight in Pakistan."""
    return None if day is None else f"{day.isoformat()}T00:00:00+05:00"


def value(amount: Decimal | None, currency: str | None) -> dict | None:
    """An OC4IDS Value: an amount with its currency; None when the amount is not known (never 0)."""
    if amount is None or not currency:
        return None
    return {"amount": amount, "currency": currency}


_EMPTIABLE = (str, list, dict)


def _clean(data: dict) -> dict:
    """``data`` without its empty entries: OC4IDS wants no empty strings, lists or objects.
    Zero and False stay: they are values."""
    return {k: v for k, v in data.items() if v is not None and (v or type(v) not in _EMPTIABLE)}


def _percent(share: Decimal | None) -> Decimal | None:
    return None if share is None else share.normalize()


def sector_codes(sector: str, subsector: str) -> list[str]:
    words = subsector.lower()
    for keys, codes in SUBSECTOR_CODES:
        if any(key in words for key in keys):
            return list(codes)
    return list(SECTOR_CODES.get(sector, ()))


def project_id(project) -> str:
    """The project's OC4IDS identifier: the publisher's prefix and our project number.

    The number never changes; the slug (in ``identifiers``) can be edited."""
    return f"{settings.OC4IDS_PREFIX}-{project.pk}"


def lender_id(lender) -> str:
    return f"lender-{lender.slug}"


def authority_id(name: str) -> str:
    return f"authority-{slugify(name)[:80] or 'unnamed'}"


def site_link(path: str, as_of_query: str = "") -> str:
    url = settings.SITE_URL + path
    return f"{url}?{as_of_query}" if as_of_query else url


def _getter(record):
    """Reads a field of a model instance or of a ``values()`` row alike."""
    return record.get if isinstance(record, dict) else lambda name: getattr(record, name)


def normalized(record) -> dict:
    """An amount normalized to US$ and PKR, with the rates used and where they came from."""
    get = _getter(record)
    rates = []
    for currency, rate, origin, reference in (
        ("PKR", get("pkr_per_usd"), get("pkr_rate_origin"), get("pkr_reference_id")),
        ("CNY", get("cny_per_usd"), get("cny_rate_origin"), get("cny_reference_id")),
    ):
        if rate is not None and origin != RateOrigin.NOT_NEEDED:
            rates.append(_clean({"currency": currency, "perUSD": rate, "origin": origin, "referenceRateId": reference}))
    return _clean({"amountUSD": get("amount_usd"), "amountPKR": get("amount_pkr"), "exchangeRates": rates})


# ------------------------------------------------------------------ one project


def _parties(project, lines: list, participants: dict) -> list[dict]:
    parties: dict[str, dict] = {}
    if project.implementing_agency:
        parties[authority_id(project.implementing_agency)] = {
            "id": authority_id(project.implementing_agency),
            "name": project.implementing_agency,
            "roles": ["publicAuthority"],
        }
    for line in lines:
        if line.status in FinancingStatus.dead():
            continue
        for lender in [line.lender, *participants.get(line.line_pk, [])]:
            party = parties.setdefault(
                lender_id(lender),
                _clean(
                    {
                        "id": lender_id(lender),
                        "name": lender.name,
                        "roles": ["funder"],
                        "address": _clean({"countryName": lender.country}),
                        EXTENSION: {"lenderKind": lender.kind, "shortName": lender.short_name or None},
                    }
                ),
            )
            if "funder" not in party["roles"]:
                party["roles"].append("funder")
    return list(parties.values())


def _finance(line, participants: dict) -> dict:
    arrangement, concessional = ARRANGEMENT.get(line.instrument, (None, None))
    members = participants.get(line.line_pk, [])
    title = f"{line.lender.name}: {_instrument_words(line)}"
    if members:
        title += " (syndicated, with " + ", ".join(m.name for m in members) + ")"
    return _clean(
        {
            "id": f"line-{line.line_pk}",
            "title": title,
            "value": value(line.amount, line.currency),
            "financingParty": {"id": lender_id(line.lender), "name": line.lender.name},
            "financingPartyType": FINANCING_PARTY_TYPE.get(line.lender.kind),
            "type": arrangement,
            "concessional": concessional,
            "interestRate": interest_rate(_terms(line)),
            EXTENSION: _clean(
                {
                    "negotiationStatus": line.status,
                    "negotiationStatusLabel": FINANCING_STATUS_LABELS[line.status],
                    "statusDate": when(line.as_of),
                    "instrument": line.instrument,
                    "sharePercent": _percent(line.share_percent),
                    "shareOf": line.share_basis if line.share_percent is not None else None,
                    # What the pages count: the share of the cost, else the stated amount, in US$.
                    "valueUSD": line.value_usd,
                    "normalizedAmount": normalized(line) if line.amount is not None else None,
                    "participants": [{"id": lender_id(m), "name": m.name} for m in members],
                    "decision": _decision_ref(line),
                    "replacedBy": f"line-{line.replaced_by_key}" if line.status == FinancingStatus.SUPERSEDED else None,
                    "loanTerms": loan_terms(_terms(line)),
                }
            ),
        }
    )


def _terms(line):
    """The loan terms of a line's state (a line now, a change as of a date), or None."""
    return getattr(line.line if isinstance(line, FinancingChange) else line, "terms", None)


def _fraction(percent: Decimal | None) -> Decimal | None:
    """A percent as OC4IDS writes rates, a decimal fraction: 5.2 → 0.052 (exactly)."""
    return None if percent is None else (percent / 100).normalize()


def interest_rate(terms) -> dict | None:
    """OC4IDS ``interestRate`` from the terms a source states: a fixed rate as the margin, fixed;
    a floating one as its named benchmark (the base) and margin. The level a schedule takes the
    benchmark at is ours, not the lender's: it goes in the notes."""
    if terms is None or not terms.rate_kind:
        return None
    if terms.rate_kind == RateKind.FIXED:
        return _clean({"margin": _fraction(terms.fixed_rate_percent), "fixed": True})
    notes = None
    if terms.benchmark_assumed_percent is not None:
        notes = f"Schedules take the benchmark at {terms.benchmark_assumed_percent.normalize():f}% a year."
    return _clean(
        {"base": terms.benchmark or None, "margin": _fraction(terms.margin_percent), "fixed": False, "notes": notes}
    )


def loan_terms(terms) -> dict | None:
    """The terms OC4IDS has no field for (``cpecTracker.loanTerms``): tenor and grace in months, the
    repayment profile and instalments a year, fees in percent, and each group's source."""
    if terms is None:
        return None
    return _clean(
        {
            "rateKind": terms.rate_kind or None,
            "fixedRatePercent": _percent(terms.fixed_rate_percent),
            "benchmark": terms.benchmark or None,
            "marginPercent": _percent(terms.margin_percent),
            "benchmarkAssumedPercent": _percent(terms.benchmark_assumed_percent),
            "tenorMonths": terms.tenor_months,
            "graceMonths": terms.grace_months,
            "repayment": terms.profile or None,
            "paymentsPerYear": terms.payments_per_year if terms.profile or terms.tenor_months else None,
            "upfrontFeePercent": _percent(terms.upfront_fee_percent),
            "commitmentFeePercent": _percent(terms.commitment_fee_percent),
            "insurancePercent": _percent(terms.insurance_percent),
            # Each is one of the project's ``documents``.
            "interestSource": _source_id(terms.interest_source) if terms.interest_source else None,
            "repaymentSource": _source_id(terms.repayment_source) if terms.repayment_source else None,
            "feesSource": _source_id(terms.fees_source) if terms.fees_source else None,
        }
    )


def _terms_sources(lines: list) -> list:
    """The sources the lines' loan terms cite."""
    cited = []
    for line in lines:
        terms = _terms(line)
        if terms is not None:
            cited += [s for s in (terms.interest_source, terms.repayment_source, terms.fees_source) if s is not None]
    return cited


def _instrument_words(line) -> str:
    """ "concessional loan"; "instrument not yet decided" for a line whose instrument is not."""
    if line.instrument == Instrument.UNDECIDED:
        return "instrument not yet decided"
    return INSTRUMENT_LABELS[line.instrument].lower()


def _share_words(line) -> str:
    """ "85% of the cost", "75% of the debt"."""
    share = f"{line.share_percent.normalize():f}%"
    of = "of the cost" if line.share_basis == ShareBasis.COST else SHARE_BASIS_LABELS[line.share_basis]
    return f"{share} {of}"


def _decision_ref(record) -> dict | None:
    """The JCC decision behind a record (``opendata.selectors`` annotates ``decision_meeting``,
    ``decision_sequence`` and ``decision_kind``), or None."""
    get = _getter(record)
    if get("decision_meeting") is None:
        return None
    return {"jccMeeting": get("decision_meeting"), "sequence": get("decision_sequence"), "kind": get("decision_kind")}


def _budget(project, estimates: list, lines: list, participants: dict) -> dict | None:
    current = next((e for e in estimates if e.pk == project.of_record_id), None)
    live = [line for line in lines if line.status not in FinancingStatus.dead()]
    breakdown = [
        _clean(
            {
                "id": f"line-{line.line_pk}",
                "description": ", ".join(
                    [f"{line.lender.name}: {FINANCING_STATUS_LABELS[line.status].lower()}", _instrument_words(line)]
                    + ([_share_words(line)] if line.share_percent is not None else [])
                ),
                "amount": value(line.amount, line.currency),
                "sourceParty": {"id": lender_id(line.lender), "name": line.lender.name},
            }
        )
        for line in live
    ]
    budget = _clean(
        {
            "description": _budget_description(current),
            "amount": value(current.amount, current.currency) if current else None,
            "approvalDate": when(project.approved_on),
            "budgetBreakdowns": [
                {
                    "id": "financing-sources",
                    "description": "The financing lines, by lender, in the currency each was stated in; "
                    "amounts not disclosed are left out.",
                    "budgetBreakdown": breakdown,
                }
            ]
            if breakdown
            else None,
            "finance": [_finance(line, participants) for line in live],
        }
    )
    return budget or None


def _budget_description(estimate) -> str | None:
    if estimate is None:
        return None
    bound = {"lower": "at least ", "upper": "at most "}.get(estimate.bound, "")
    forum = f", approved by {FORUM_LABELS[estimate.approving_forum]}" if estimate.approving_forum else ""
    return (
        f"The current cost estimate ({bound}{estimate.currency} {estimate.amount:,.0f}): "
        f"{BASIS_LABELS[estimate.basis]}{forum}, as of {estimate.as_of_display}."
    )


def _cost_measurement(estimate) -> dict:
    return {
        "id": f"estimate-{estimate.pk}",
        "date": when(estimate.as_of),
        "costGroups": [
            {
                "id": "1",
                "costs": [
                    _clean(
                        {
                            "id": "1",
                            "classification": {"id": estimate.basis, "description": BASIS_LABELS[estimate.basis]},
                            "value": value(estimate.amount, estimate.currency),
                        }
                    )
                ],
            }
        ],
        EXTENSION: _clean(
            {
                "basis": estimate.basis,
                "approvingForum": estimate.approving_forum,
                "bound": estimate.bound,
                "datePrecision": estimate.date_precision,
                "fullScope": estimate.full_scope,
                "scope": estimate.scope,
                "foreignExchangeComponent": estimate.foreign_exchange_component,
                "normalizedAmount": normalized(estimate),
                "source": _source_id(estimate.source),
                "decision": _decision_ref(estimate),
            }
        ),
    }


def _milestones(project, decisions: list, phases: list, as_of: dt.date | None) -> list[dict]:
    milestones = []
    for d in decisions:
        kind, code = DECISION_MILESTONES.get(d.kind, ("assessment", None))
        held = d.meeting.status == MeetingStatus.HELD
        milestones.append(
            _clean(
                {
                    "id": f"jcc-{d.meeting.number}-{d.sequence}",
                    "title": f"{d.meeting.ordinal} JCC: {DECISION_LABELS[d.kind]}",
                    "type": kind,
                    "code": code,
                    "description": d.text,
                    # A meeting not confirmed held (planned, postponed): its date is only due.
                    "dateMet": when(d.meeting.date) if held else None,
                    "dueDate": None if held else when(d.meeting.date),
                    "status": "met" if held else "scheduled",
                    EXTENSION: {"jccMeeting": d.meeting.number, "decisionKind": d.kind, "source": _source_id(d.source)},
                }
            )
        )
    if project.financial_close_on and (as_of is None or project.financial_close_on <= as_of):
        milestones.append(
            {
                "id": "financial-close",
                "title": "Financial close",
                "type": "financing",
                "code": "financialClose",
                "dateMet": when(project.financial_close_on),
                "status": "met",
            }
        )
    for phase in phases:
        ended = phase.actual_end is not None and (as_of is None or phase.actual_end <= as_of)
        milestones.append(
            _clean(
                {
                    "id": f"phase-{phase.order}",
                    "title": f"Phase {phase.order}: {phase.name}",
                    "type": "delivery",
                    "code": "completion",
                    "description": phase.scope,
                    "dueDate": when(phase.planned_end),
                    "dateMet": when(phase.actual_end) if ended else None,
                    "status": _phase_milestone_status(phase, ended, as_of),
                    EXTENSION: {"phaseStatus": phase.status, "phaseOrder": phase.order},
                }
            )
        )
    return milestones


def _phase_milestone_status(phase, ended: bool, as_of: dt.date | None) -> str | None:
    """met when the phase ended; notMet when its planned end passed without it; scheduled while
    it is still due; none (left out) for a phase with no planned end, or one cancelled or suspended."""
    if ended or (as_of is None and phase.status == PhaseStatus.COMPLETED):
        return "met"
    if phase.status in (PhaseStatus.CANCELLED, PhaseStatus.SUSPENDED) or phase.planned_end is None:
        return None
    return "notMet" if phase.planned_end < (as_of or timezone.localdate()) else "scheduled"


def _cited_sources(project, records) -> list:
    """The project's sources, then every other source its estimates, decisions and changes cite."""
    pk = project.pk
    cited = [
        *records.sources.get(pk, []),
        *(e.source for e in records.estimates.get(pk, [])),
        *(d.source for d in records.decisions.get(pk, [])),
        *(records.change_sources[c["source_id"]] for c in records.changes.get(pk, []) if c["source_id"]),
    ]
    if project.financial_close_source is not None:
        cited.append(project.financial_close_source)
    cited += _terms_sources(records.lines.get(pk, []))
    first: dict[int, object] = {}
    for source in cited:
        first.setdefault(source.pk, source)
    return list(first.values())


def _source_id(source) -> str:
    return f"source-{source.key or source.pk}"


def _document(source) -> dict:
    return _clean(
        {
            "id": _source_id(source),
            "title": source.title,
            "url": source.url,
            "datePublished": when(source.published_on),
            "author": source.publisher,
            "language": None,
            EXTENSION: {"tier": source.tier},
        }
    )


def _locations(project) -> list[dict]:
    labels = dict(Region.choices)
    locations = [
        {"id": f"region-{region}", "description": f"{labels.get(region, region)}, Pakistan"}
        for region in project.regions
    ]
    if project.location:
        locations.append({"id": "site", "description": project.location})
    if project.latitude is not None and project.longitude is not None:
        locations.append(
            {
                "id": "point",
                "description": project.location or project.name,
                "geometry": {"type": "Point", "coordinates": [project.longitude, project.latitude]},
            }
        )
    if project.route:
        locations.append(
            {
                "id": "route",
                "description": f"Route of {project.name}",
                "geometry": {"type": "LineString", "coordinates": project.route["coordinates"]},
            }
        )
    return locations


def _related(project, sections: list[dict]) -> list[dict]:
    related = []
    if project.parent is not None:
        related.append(
            {
                "id": f"parent-{project.parent.pk}",
                "scheme": "oc4ids",
                "identifier": project_id(project.parent),
                "title": project.parent.name,
                EXTENSION: {"relation": "parent", "note": "This project is a section or realignment of it."},
            }
        )
    for section in sections:
        related.append(
            {
                "id": f"section-{section['pk']}",
                "scheme": "oc4ids",
                "identifier": f"{settings.OC4IDS_PREFIX}-{section['pk']}",
                "title": section["name"],
                EXTENSION: {"relation": "section", "note": "A section or realignment of this project."},
            }
        )
    return related


def _completion(project, as_of: dt.date | None, current) -> dict | None:
    if project.actual_end is None or (as_of is not None and project.actual_end > as_of):
        return None
    details = None
    if project.original_planned_end and project.original_planned_end != project.actual_end:
        details = f"First planned for completion on {project.original_planned_end:%d %b %Y}."
    final = None
    if current is not None and project.status_then == ProjectStatus.OPERATIONAL:
        final = value(current.amount, current.currency)
    return _clean({"endDate": when(project.actual_end), "endDateDetails": details, "finalValue": final})


def project_release(project, records, as_of_query: str) -> dict:
    """One project (or initiative) as an OC4IDS project."""
    pk, as_of = project.pk, records.as_of
    estimates = records.estimates.get(pk, [])
    lines = records.lines.get(pk, [])
    current = next((e for e in estimates if e.pk == project.of_record_id), None)
    sources = _cited_sources(project, records)
    authority = project.implementing_agency
    return _clean(
        {
            "id": project_id(project),
            "updated": None if as_of else project.updated_at.isoformat(),
            "language": "en",
            "identifiers": [{"id": project.slug, "scheme": "CPEC Tracker"}],
            "title": project.name,
            "description": project.description,
            "status": PROJECT_STATUS.get(project.status_then),
            # An initiative has no code in the closed projectType codelist: left out.
            "type": "construction" if project.kind == ProjectKind.CONSTRUCTION else None,
            "sector": sector_codes(project.sector, project.subsector),
            "publicAuthority": {"id": authority_id(authority), "name": authority} if authority else None,
            "parties": _parties(project, lines, records.participants),
            "budget": _budget(project, estimates, lines, records.participants),
            "period": _clean(
                {"startDate": when(project.first_planned_start), "endDate": when(project.original_planned_end)}
            ),
            "implementationPeriod": _clean(
                {
                    "startDate": when(project.actual_start or project.planned_start),
                    "endDate": when(project.planned_end),
                }
            ),
            "locations": _locations(project),
            "completion": _completion(project, as_of, current),
            "milestones": _milestones(project, records.decisions.get(pk, []), records.phases.get(pk, []), as_of),
            "costMeasurements": [_cost_measurement(e) for e in estimates],
            "relatedProjects": _related(project, records.sections.get(pk, [])),
            "documents": [_document(s) for s in sources],
            EXTENSION: _project_extension(project, records, current, as_of_query),
        }
    )


def _project_extension(project, records, current, as_of_query: str) -> dict:
    changes = records.changes.get(project.pk, [])
    return _clean(
        {
            "page": site_link(project.get_absolute_url(), as_of_query),
            "kind": project.kind,
            "status": project.status_then,
            "statusLabel": ProjectStatus(project.status_then).label,
            "sector": project.sector,
            "subsector": project.subsector,
            "regions": list(project.regions),
            "sponsor": project.sponsor,
            "lengthKm": project.length_km,
            "capacityMW": project.capacity_mw,
            "areaAcres": project.area_acres,
            "debtPercent": project.debt_percent,
            "financialClose": _clean(
                {
                    "date": when(project.financial_close_on),
                    "precision": project.financial_close_precision if project.financial_close_on else None,
                    "closedByThen": project.financing_closed,
                }
            ),
            "currentCost": _clean(
                {
                    "estimate": f"estimate-{current.pk}" if current else None,
                    "bound": project.current_cost_bound,
                    "asOf": when(project.current_cost_as_of),
                    "amountUSD": project.current_cost_usd,
                    "amountPKR": project.current_cost_pkr,
                }
            ),
            # In US$, as the pages show them: the known value of the committed and of the proposed or
            # planned lines, then the four parts of the cost (they add up to the cost; empty when it is unknown).
            "fundingUSD": _clean(
                {
                    "committedKnown": project.committed_usd,
                    "pipelineKnown": project.pipeline_usd,
                    "committedPart": project.committed_part_usd,
                    "committedUndisclosedPart": project.committed_unknown_usd,
                    "pipelinePart": project.pipeline_part_usd,
                    "gap": project.funding_gap_usd,
                    "gapPercentOfCost": project.funding_gap_percent,
                    "uncommitted": project.uncommitted_usd,
                    "countedInPortfolioTotals": project.counted_in_totals,
                }
            ),
            "overrun": _clean(
                {
                    "baselineEstimateDate": when(project.baseline_as_of),
                    "baselineUSD": project.baseline_usd,
                    "baselinePKR": project.baseline_pkr,
                    "percentUSD": project.overrun_usd_percent,
                    "percentPKR": project.overrun_pkr_percent,
                    "flagged": project.overrun_flagged,
                }
            ),
            # The financing lines no longer counted (declined, withdrawn, superseded), and every dated change.
            "closedFinancing": [
                _finance(line, records.participants)
                for line in records.lines.get(project.pk, [])
                if line.status in FinancingStatus.dead()
            ],
            "financingHistory": [_change(c, records.change_sources) for c in changes],
        }
    )


def _change(change: dict, sources: dict) -> dict:
    """A dated change of a financing line (a ``values()`` row of ``opendata.selectors.CHANGE_FIELDS``)."""
    return _clean(
        {
            "line": f"line-{change['line_id']}",
            "lender": change["lender_name"],
            "date": when(change["changed_on"]),
            "recordedAs": change["kind"],
            "status": change["status"],
            "instrument": change["instrument"],
            "sharePercent": _percent(change["share_percent"]),
            "shareOf": change["share_basis"] if change["share_percent"] is not None else None,
            "amount": value(change["amount"], change["currency"]),
            "normalizedAmount": normalized(change) if change["amount"] is not None else None,
            "decision": _decision_ref(change),
            "source": _source_id(sources[change["source_id"]]) if change["source_id"] else None,
            "reason": change["reason"],
        }
    )


# ------------------------------------------------------------------ the package


def project_package(records, *, uri: str, as_of_query: str = "", moment_label: str = "") -> dict:
    """The package of ``records``' projects, identified by ``uri`` (where it can be downloaded)."""
    published = records.changed_at or dt.datetime.now(dt.UTC)
    return _clean(
        {
            "uri": uri,
            "publishedDate": published.isoformat(),
            "version": VERSION,
            "publisher": _clean({"name": settings.OC4IDS_PUBLISHER, "uri": settings.OC4IDS_PUBLISHER_URI or None}),
            "license": settings.OC4IDS_LICENSE or None,
            "publicationPolicy": settings.OC4IDS_PUBLICATION_POLICY or None,
            "projects": [project_release(p, records, as_of_query) for p in records.projects],
            EXTENSION: _clean(
                {
                    "asOf": when(records.as_of),
                    "moment": moment_label,
                    "schemaRelease": RELEASE,
                    "note": "Extra properties named cpecTracker hold what OC4IDS has no field for: see "
                    "docs/oc4ids.md. Money in cpecTracker is normalized to US$ at the rate given beside it.",
                }
            ),
        }
    )


def dumps(package: dict[str, Any], *, indent: int | None = 1) -> str:
    """The package as JSON text: Decimals as exact numbers, text as it was entered; a label that is a
    lazy translation in the active language (the callers choose English)."""
    return simplejson.dumps(package, use_decimal=True, ensure_ascii=False, indent=indent, default=_lazy_text)


def _lazy_text(value):
    if isinstance(value, Promise):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
