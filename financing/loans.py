"""The loans of the portfolio and what they will cost to repay, from their recorded terms.

A loan is a financing line whose instrument is a loan (concessional, interest-free or
commercial). Its schedule (``financing.debt.schedule``) needs its amount, its terms
(``schedule_needs`` names what is not known) and a disbursement assumption, which the pages
state:

- the loan's life starts at the project's financial close where one is recorded (on or before the
  date viewed), else on the first date the line was recorded as agreed or signed (committed); a loan
  not yet agreed (shown on its project's page only) starts on the date of its current status;
- it is drawn either in full on that day, or in equal parts on that day and on each instalment
  date of the grace period after it (``Disbursement``).

Amounts are the lines' US$ values (``financing.selectors.line_value_usd``: the share of the
cost, else the stated amount at the line's own rate), so a schedule is in US$; the pages convert
it to rupees at one stated rate. Nothing is guessed: a loan whose amount, terms or start is
unknown gets no schedule and is listed with what is missing.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from projects.choices import label_of

from . import debt
from .choices import FinancingStatus, Instrument, LenderKind
from .debt import ZERO, Instalment, Terms, by_fiscal_year, disbursements, fiscal_year, schedule
from .models import FinancingChange, LoanSchedule, RateKind, RepaymentProfile
from .schedules import GROUPS, INPUTS, KNOWN_SQL, Computed, fill, group_sums, key_sql, schedule_inputs
from .schedules import assumed as assumed_q
from .selectors import LineStates

LOAN_INSTRUMENTS = (Instrument.CONCESSIONAL_LOAN, Instrument.INTEREST_FREE_LOAN, Instrument.COMMERCIAL_LOAN)


class Disbursement(models.TextChoices):
    AT_START = debt.AT_START, gettext_lazy("In full when the loan starts")
    OVER_GRACE = debt.OVER_GRACE, gettext_lazy("In equal parts over the grace period")


DISBURSEMENT_WORDS = {
    # Translators: completes "… and is %(disbursement)s." in the debt page's assumption.
    Disbursement.AT_START: gettext_lazy("drawn in full when it starts"),
    Disbursement.OVER_GRACE: gettext_lazy(
        "drawn in equal parts when it starts and on each instalment date of its grace period"
    ),
}

#: How the pages state the assumption (with the chosen disbursement's words).
ASSUMPTION = gettext_lazy(
    "Each loan starts at its project's financial close where one is recorded, else on the day it was first "
    "recorded as agreed or signed (a loan not yet agreed: the date of its status), and is %(disbursement)s. "
    "Instalments fall as often as the terms say (twice a year unless stated); interest accrues on what is drawn; "
    "only interest is paid during the grace period. A floating rate is the benchmark level the terms assume plus "
    "the margin. Fees not stated count as none."
)


PROFILE_WORDS = {
    RepaymentProfile.EQUAL_PRINCIPAL: gettext_lazy("repayment in equal parts of principal"),
    RepaymentProfile.ANNUITY: gettext_lazy("repayment in equal instalments (annuity)"),
}


@dataclass(frozen=True)
class Assumptions:
    """What a schedule assumes beyond the recorded terms, stated on the page that shows it.

    ``disbursement``: how every loan is drawn. ``profile`` and ``benchmark_percent`` fill only what a
    loan's terms leave empty, and only when a reader asks for them: its repayment profile, and the level
    of a floating rate's benchmark. Each loan says which it used (``Loan.assumed``); without them such a
    loan is not scheduled and is listed with what it lacks.
    """

    disbursement: str = Disbursement.AT_START
    profile: str = ""
    benchmark_percent: Decimal | None = None

    @property
    def text(self) -> str:
        words = ASSUMPTION % {"disbursement": DISBURSEMENT_WORDS[Disbursement(self.disbursement)]}
        if self.profile:
            words += " " + _("Where the terms do not state the repayment, %(profile)s is assumed.") % {
                "profile": PROFILE_WORDS[self.profile]
            }
        if self.benchmark_percent is not None:
            words += " " + _("Where a floating rate's benchmark level is not recorded, %(rate)s a year is assumed.") % {
                "rate": _pct(self.benchmark_percent)
            }
        return words


@dataclass
class Loan:
    """One loan: what the pages show of it, its schedule (empty when ``missing`` says why)."""

    line_id: int
    project_name: str
    project_slug: str
    lender_name: str
    lender_slug: str
    lender_kind: str
    lender_kind_label: str
    status: str
    status_label: str
    instrument_label: str
    principal_usd: Decimal | None
    terms: object | None  # LoanTerms
    start: dt.date | None
    start_basis: str
    missing: list[str] = field(default_factory=list)
    #: The page's assumptions this loan's schedule used, in words.
    assumed: list[str] = field(default_factory=list)
    #: The rate its schedule uses (% a year), stated or assumed.
    rate_percent: Decimal | None = None
    instalments: list[Instalment] = field(default_factory=list)
    #: Its schedule's summary, read from the stored schedule (``financing.schedules``) where the
    #: instalments were not computed here (the debt page's list).
    summary: Computed | None = None

    @property
    def rate_text(self) -> str:
        """The interest in words: "5.2% fixed", "6-month LIBOR + 4.75% (LIBOR taken at 0.41326%: 5.16326%)"."""
        terms = self.terms
        if terms is None or not terms.rate_kind:
            return ""
        if terms.rate_kind == RateKind.FIXED:
            if terms.fixed_rate_percent is None:
                return ""
            return _("%(rate)s fixed") % {"rate": _pct(terms.fixed_rate_percent)}
        margin = _("a margin not known") if terms.margin_percent is None else _pct(terms.margin_percent)
        text = f"{terms.benchmark or _('a benchmark')} + {margin}"
        if terms.benchmark_assumed_percent is not None and self.rate_percent is not None:
            text += " " + _("(benchmark taken at %(level)s: %(rate)s)") % {
                "level": _pct(terms.benchmark_assumed_percent),
                "rate": _pct(self.rate_percent),
            }
        elif self.rate_percent is not None:
            text += " " + _("(benchmark assumed: %(rate)s)") % {"rate": _pct(self.rate_percent)}
        return text

    @property
    def period_text(self) -> str:
        """Tenor and grace in words: "20 years, 5 of grace"; months where they are not whole years."""
        terms = self.terms
        if terms is None or terms.tenor_months is None:
            return ""
        text = _period(terms.tenor_months)
        if terms.grace_months is not None:
            # Translators: tenor and grace: "20 years, 5 years of grace".
            text = _("%(tenor)s, %(grace)s of grace") % {"tenor": text, "grace": _period(terms.grace_months)}
        return text

    @property
    def scheduled(self) -> bool:
        return bool(self.instalments) or self.summary is not None

    @property
    def committed(self) -> bool:
        return self.status in FinancingStatus.committed()

    @property
    def years(self) -> list[dict]:
        """Per fiscal year: principal, interest, fees, their total and what is owed at the year's end."""
        rows = []
        outstanding = {}
        for row in self.instalments:
            outstanding[fiscal_year(row.due)] = row.outstanding
        for year, sums in by_fiscal_year(self.instalments).items():
            total = sums["principal"] + sums["interest"] + sums["fees"]
            rows.append({"fiscal_year": year, **sums, "total": total, "outstanding": outstanding[year]})
        return rows

    @property
    def interest_total(self) -> Decimal:
        if self.summary is not None:
            return self.summary.interest
        return sum((row.interest for row in self.instalments), ZERO)

    @property
    def fees_total(self) -> Decimal:
        if self.summary is not None:
            return self.summary.fees
        return sum((row.fees for row in self.instalments), ZERO)

    @property
    def first_due(self) -> dt.date | None:
        if self.summary is not None:
            return self.summary.first_due
        return self.instalments[0].due if self.instalments else None

    @property
    def last_due(self) -> dt.date | None:
        if self.summary is not None:
            return self.summary.last_due
        return self.instalments[-1].due if self.instalments else None


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _period(months: int) -> str:
    if months % 12:
        return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}
    years = months // 12
    return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}


def first_committed_on(line_ref, as_of: dt.date | None) -> Subquery:
    """The first day the line was recorded as committed (on or before ``as_of``)."""
    changes = FinancingChange.objects.filter(line=line_ref, status__in=FinancingStatus.committed())
    if as_of is not None:
        changes = changes.filter(changed_on__lte=as_of)
    return Subquery(changes.order_by("changed_on", "pk").values("changed_on")[:1])


def loan_states(as_of: dt.date | None = None) -> tuple[LineStates, QuerySet]:
    """Every loan's state now or as of a date, with its US$ value, project, lender, terms and first
    committed day (``first_committed``). No query until read."""
    states = LineStates(as_of)
    qs = (
        states.with_value(states.queryset().filter(instrument__in=LOAN_INSTRUMENTS))
        .annotate(first_committed=first_committed_on(OuterRef(states.line_pk), as_of))
        .select_related(*states.related("project", "lender", "terms"))
    )
    return states, qs


class Needs(NamedTuple):
    """What a schedule of some terms would use (``rate`` in % a year, ``profile``), what it lacks in
    words (``missing``: [] when it can be computed), and which assumptions it used (``assumed``)."""

    rate: Decimal | None
    profile: str
    missing: list[str]
    assumed: list[str]


def schedule_needs(terms, assumptions: Assumptions) -> Needs:
    """The one definition of what a schedule of ``terms`` (a ``LoanTerms``, or None) needs and lacks:
    ``LoanTerms.missing()``, the pages and, in SQL, ``schedulable`` all say it."""
    if terms is None:
        return Needs(None, "", [_("every term")], [])
    missing, assumed = [], []
    rate = terms.annual_rate_percent
    floating = terms.rate_kind == RateKind.FLOATING
    if rate is None and floating and terms.margin_percent is not None and assumptions.benchmark_percent is not None:
        rate = assumptions.benchmark_percent + terms.margin_percent
        assumed.append(
            _("%(benchmark)s at %(level)s")
            % {"benchmark": terms.benchmark or _("the benchmark"), "level": _pct(assumptions.benchmark_percent)}
        )
    if rate is None:
        unknown_level = floating and terms.margin_percent is not None and terms.benchmark_assumed_percent is None
        if unknown_level:
            missing.append(_("the level of %(benchmark)s") % {"benchmark": terms.benchmark or _("the benchmark")})
        else:
            missing.append(_("the interest rate"))
    if terms.tenor_months is None:
        missing.append(_("the tenor"))
    if terms.grace_months is None:
        missing.append(_("the grace period"))
    profile = terms.profile or assumptions.profile
    if not profile:
        missing.append(_("the repayment profile"))
    elif not terms.profile:
        assumed.append(str(PROFILE_WORDS[profile]))
    return Needs(rate, profile, missing, assumed)


def schedule_terms(terms, assumptions: Assumptions) -> Terms | None:
    """``terms`` as ``financing.debt.Terms`` on ``assumptions``, or None while something is missing.
    Fees not stated count as none."""
    needs = schedule_needs(terms, assumptions)
    if needs.missing:
        return None
    return Terms(
        annual_rate_percent=needs.rate,
        tenor_months=terms.tenor_months,
        grace_months=terms.grace_months,
        profile=needs.profile,
        payments_per_year=terms.payments_per_year,
        upfront_fee_percent=terms.upfront_fee_percent or ZERO,
        insurance_percent=terms.insurance_percent or ZERO,
        commitment_fee_percent=terms.commitment_fee_percent or ZERO,
    )


def loan_from_state(
    state, *, as_of: dt.date | None, assumptions: Assumptions, project=None, summary: Computed | None = None
) -> Loan:
    """A ``Loan`` from a state row of ``loan_states`` (or of one ``project``'s lines, annotated the
    same way: ``value_usd``, ``first_committed``, the lender and terms selected), with its schedule
    when everything it needs is known or assumed: its instalments computed here, or ``summary``, the
    stored schedule's, where given."""
    line = state.line if isinstance(state, FinancingChange) else state
    project, lender = project or line.project, line.lender
    terms = getattr(line, "terms", None)
    close = project.financial_close_on
    if close is not None and (as_of is None or close <= as_of):
        start, basis = close, _("financial close")
    elif getattr(state, "first_committed", None) is not None:
        start, basis = state.first_committed, _("first recorded as agreed or signed")
    elif state.status not in FinancingStatus.committed():
        start, basis = state.as_of, _("the date of its status: not yet agreed")
    else:
        start, basis = None, ""
    missing = []
    if state.value_usd is None or state.value_usd <= 0:
        missing.append(_("the amount"))
    needs = schedule_needs(terms, assumptions)
    missing += needs.missing
    if start is None:
        missing.append(_("the day it was agreed"))
    loan = Loan(
        line_id=line.pk,
        project_name=project.name,
        project_slug=project.slug,
        lender_name=lender.name,
        lender_slug=lender.slug,
        lender_kind=lender.kind,
        lender_kind_label=label_of(LenderKind, lender.kind),
        status=state.status,
        status_label=label_of(FinancingStatus, state.status),
        instrument_label=label_of(Instrument, state.instrument),
        principal_usd=state.value_usd,
        terms=terms,
        start=start,
        start_basis=basis,
        missing=missing,
        assumed=[] if missing else needs.assumed,
        rate_percent=needs.rate,
    )
    if not missing and summary is not None:
        loan.summary = summary
    elif not missing:
        terms_used = schedule_terms(terms, assumptions)
        draws = disbursements(state.value_usd, terms_used, start, assumptions.disbursement)
        loan.instalments = schedule(state.value_usd, terms_used, draws)
    return loan


@dataclass(frozen=True)
class CommittedLoans:
    """The committed loans of a portfolio. ``years``: per fiscal year and lender kind, what every loan
    with a schedule has due (``(fiscal_year, lender_kind)`` → principal, interest, fees), ``scheduled_count``
    of them, ``assumed_count`` on the page's assumptions; ``scheduled``: the first ``limit`` of them,
    largest first. ``unknown``: the first ``limit`` of the loans without a schedule, largest first, of
    ``unknown_count``, ``unknown_usd`` of them of a known amount."""

    years: dict[tuple[str, str], dict[str, Decimal]]
    scheduled: list[Loan]
    scheduled_count: int
    assumed_count: int
    unknown: list[Loan]
    unknown_count: int
    unknown_usd: Decimal


#: One pass over the loans ("{loans}": the ORM's query, with their inputs), in steps so each input, the
#: start's subquery above all, is computed once per loan:
#:
#: - ``loans``: whether each can be scheduled (``KNOWN_SQL``), its schedule's key and its group;
#: - ``groups``: each group's digest, of its loans' schedule keys and lender kinds;
#: - ``listed``: the loans the page lists, largest first.
#:
#: It returns the stored groups' sums per fiscal year and lender kind; the counts; the groups not stored
#: and their loans; the inputs of the loans whose schedule is not stored and that a missing group or
#: the list needs; the listed loans' ids and keys.
SUMS_SQL = """
WITH base AS MATERIALIZED ({loans}),
loans AS MATERIALIZED (
    SELECT base.*, {known} AS can_schedule, CASE WHEN {known} THEN {key} END AS schedule_key,
           mod(l_project, {groups}) AS l_group
    FROM base
),
groups AS MATERIALIZED (
    SELECT l_group, md5(string_agg(schedule_key::text || ':' || l_kind, ',' ORDER BY schedule_key, l_kind))::uuid
           AS group_key
    FROM loans WHERE can_schedule GROUP BY l_group
),
missing AS MATERIALIZED (
    SELECT g.* FROM groups g
    WHERE NOT EXISTS (SELECT 1 FROM financing_loanschedulegroup s WHERE s.key = g.group_key)
),
listed AS MATERIALIZED (
    SELECT l_id, schedule_key, row_number() OVER (ORDER BY s_principal DESC NULLS LAST, l_name, l_id) AS n
    FROM loans WHERE can_schedule ORDER BY n {limit}
),
years AS (
    SELECT y.fiscal_year, y.lender_kind, sum(y.principal) AS principal, sum(y.interest) AS interest,
           sum(y.fees) AS fees
    FROM groups g JOIN financing_loanschedulegroupyear y ON y.group_id = g.group_key
    GROUP BY y.fiscal_year, y.lender_kind
)
SELECT
    (SELECT coalesce(json_agg(json_build_array(fiscal_year, lender_kind, principal::text, interest::text,
                                               fees::text) ORDER BY fiscal_year, lender_kind), '[]')
     FROM years)::text,
    count(*) FILTER (WHERE can_schedule),
    count(*) FILTER (WHERE can_schedule AND l_assumed),
    count(*) FILTER (WHERE NOT can_schedule),
    sum(s_principal) FILTER (WHERE NOT can_schedule),
    (SELECT coalesce(json_agg(json_build_array(m.group_key, l.schedule_key, l.l_kind)), '[]')
     FROM missing m JOIN loans l ON l.l_group = m.l_group AND l.can_schedule)::text,
    (SELECT coalesce(json_agg(json_build_object({inputs})), '[]') FROM (
        SELECT DISTINCT ON (schedule_key) * FROM loans l
        WHERE can_schedule
          AND (l_group IN (SELECT l_group FROM missing) OR l_id IN (SELECT l_id FROM listed))
          AND NOT EXISTS (SELECT 1 FROM financing_loanschedule s WHERE s.key = l.schedule_key)) u)::text,
    (SELECT array_agg(ARRAY[l_id::text, schedule_key::text] ORDER BY n) FROM listed),
    (SELECT array_agg(l_id ORDER BY n) FROM (
        SELECT l_id, row_number() OVER (ORDER BY s_principal DESC NULLS LAST, l_name, l_id) AS n
        FROM loans WHERE NOT can_schedule ORDER BY n {limit}) t)
FROM loans
"""


def _inputs_json() -> str:
    """``json_build_object``'s arguments for a loan's key and inputs, every value as text (exact numbers)."""
    return ", ".join(f"'{name}', {name}::text" for name in ("schedule_key", *INPUTS))


def _input_row(row: dict) -> dict:
    """A loan's key and inputs from their JSON text (``_inputs_json``), as PostgreSQL's own types read them."""
    ints = {"s_tenor", "s_grace", "s_ppy"}
    out = {"schedule_key": uuid.UUID(row["schedule_key"]), "s_profile": row["s_profile"]}
    for name in INPUTS:
        if name in ints:
            out[name] = int(row[name])
        elif name == "s_start":
            out[name] = dt.date.fromisoformat(row[name])
        elif name != "s_profile":
            out[name] = Decimal(row[name])
    return out


def committed_loans(
    *, projects: QuerySet, as_of: dt.date | None, assumptions: Assumptions, limit: int | None = None
) -> CommittedLoans:
    """The committed loans of ``projects`` (a portfolio queryset) counted in the portfolio's totals
    (a section whose parent has a cost of its own counts in its parent: ``counted_in_totals``): what
    those with a schedule have due per fiscal year, summed by PostgreSQL from the stored schedules
    (``financing.schedules``), and the ``limit`` largest of each kind (all without it), each with its
    schedule's summary or what it lacks.

    PostgreSQL computes every loan's inputs (``schedule_inputs``), picks those it can schedule (every
    input known: ``KNOWN_SQL``) and adds up the stored sums of their groups (``SUMS_SQL``). Three
    queries: that pass over the loans, the listed loans, and their stored schedules. Where a group's
    sums are not stored yet (an edit changed one of its loans, or the assumptions are new), the
    schedules it lacks are computed and stored (``fill``: two queries) and the group is summed and
    stored (``group_sums``: three)."""
    states, qs = loan_states(as_of)
    counted = projects.filter(counted_in_totals=True).order_by().values("pk")
    qs = qs.filter(Q(status__in=FinancingStatus.committed()) & Q(**{states.path("project__in"): counted}))
    qs = qs.annotate(**schedule_inputs(states, as_of, assumptions))
    try:
        base_sql, params = (
            qs.order_by()
            .annotate(
                l_id=models.F(states.line_pk),
                l_project=models.F(states.path("project_id")),
                l_kind=models.F(states.path("lender__kind")),
                l_name=models.F(states.path("project__name")),
                l_assumed=models.Case(
                    models.When(assumed_q(states), then=models.Value(True)),
                    default=models.Value(False),
                    output_field=models.BooleanField(),
                ),
            )
            .values("l_id", "l_project", "l_kind", "l_name", "l_assumed", *INPUTS)
            .query.sql_with_params()
        )
    except EmptyResultSet:  # no project can match (an empty portfolio queryset): no loan, no query
        return CommittedLoans({}, [], 0, 0, [], 0, ZERO)
    query = SUMS_SQL.format(
        loans=base_sql,
        known=KNOWN_SQL,
        key=key_sql(assumptions.disbursement),
        groups=GROUPS,
        inputs=_inputs_json(),
        limit="" if limit is None else f"LIMIT {int(limit)}",
    )
    with connections[qs.db].cursor() as cursor:
        cursor.execute(query, params)
        row = cursor.fetchone()
    years_json, scheduled_count, assumed_count, unknown_count, unknown_usd, missing_json, unstored_json = row[:7]
    listed = [(int(pk), uuid.UUID(key)) for pk, key in row[7] or []]
    unlisted = row[8] or []
    years = {
        (year, kind): {"principal": Decimal(p), "interest": Decimal(i), "fees": Decimal(f)}
        for year, kind, p, i, f in json.loads(years_json)
    }
    # Schedules not stored yet that a group or the list needs: computed from the inputs PostgreSQL read.
    computed = fill([_input_row(r) for r in json.loads(unstored_json)], assumptions.disbursement)
    missing: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {}
    for group, key, kind in json.loads(missing_json):
        missing.setdefault(uuid.UUID(group), []).append((uuid.UUID(key), kind))
    if missing:  # groups not summed yet (an edit changed them, or new assumptions): summed, stored, added
        for name, parts in group_sums(missing, computed, using=qs.db).items():
            total = years.setdefault(name, dict.fromkeys(parts, ZERO))
            for part, value in parts.items():
                total[part] += value
    rows = {}
    if listed or unlisted:
        shown = qs.filter(**{f"{states.line_pk}__in": [pk for pk, _ in listed] + unlisted})
        rows = {getattr(row, states.line_pk): row for row in shown}
    stored = {}
    if listed:  # read even where just computed: the same number of queries whatever was stored
        stored = {
            row.key: Computed(row.first_due, row.last_due, row.principal, row.interest, row.fees, years={})
            for row in LoanSchedule.objects.using(qs.db).filter(key__in=[key for _, key in listed])
        }

    def loan(pk, summary=None):
        return loan_from_state(rows[pk], as_of=as_of, assumptions=assumptions, summary=summary)

    return CommittedLoans(
        years=dict(sorted(years.items())),
        # A schedule removed meanwhile (pruned) is computed here for its loan: never a missing row.
        scheduled=[loan(pk, stored.get(key) or computed.get(key)) for pk, key in listed],
        scheduled_count=scheduled_count,
        assumed_count=assumed_count,
        unknown=[loan(pk) for pk in unlisted],
        unknown_count=unknown_count,
        unknown_usd=unknown_usd or ZERO,
    )
