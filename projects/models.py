"""The CPEC portfolio: projects, their phases and cost estimates, JCC meetings and
their decisions, the sources every figure comes from, and reference exchange rates.

Invariants are database constraints, named ``%(app_label)s_%(class)s_<rule>``, each
with a message Django admin shows as a form error. Money is ``Decimal``; every amount
keeps what the source said (amount, currency, date) plus its normalization to USD and
PKR with the rate used and where that rate came from (``NormalizedMoney``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, ExpressionWrapper, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf, Round
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .choices import (
    ESTIMATE_BASIS_PRECEDENCE,
    ApprovingForum,
    Currency,
    DatePrecision,
    DecisionKind,
    EstimateBasis,
    EstimateBound,
    ExchangeRateKind,
    FocusIndustry,
    MeetingStatus,
    PhaseStatus,
    ProjectKind,
    ProjectStatus,
    RateOrigin,
    Region,
    Sector,
    SourceTier,
    date_with_precision,
)
from .fields import ChoiceArrayField, money_field, rate_field, share_field, size_field

CENT = Decimal("0.01")
#: A money field holds 24 digits, 2 of them decimals: every normalized figure stays below this.
MONEY_LIMIT = Decimal(10) ** 22
ZERO, ONE, HUNDRED = Decimal("0"), Decimal("1"), Decimal("100")


def in_choices(field: str, choices, *, blank: bool = False) -> Q:
    """A CHECK condition limiting ``field`` to the values of ``choices``."""
    values = list(choices.values) + ([""] if blank else [])
    return Q(**{f"{field}__in": values})


def choice_constraint(field: str, choices, message: str, *, blank: bool = False, rule: str | None = None):
    """A CHECK constraint limiting ``field`` to its choice list."""
    return models.CheckConstraint(
        condition=in_choices(field, choices, blank=blank),
        name=f"%(app_label)s_%(class)s_{rule or field}_valid",
        violation_error_message=message,
    )


def dates_in_order_constraints() -> list:
    """planned_start ≤ planned_end and actual_start ≤ actual_end, when known."""
    return [
        models.CheckConstraint(
            condition=start_before_end(prefix),
            name=f"%(app_label)s_%(class)s_{prefix}_start_before_end",
            violation_error_message=f"The {prefix} start must not be after the {prefix} completion.",
        )
        for prefix in ("planned", "actual")
    ]


def start_before_end(prefix: str) -> Q:
    """``<prefix>_start <= <prefix>_end`` when both are known."""
    start, end = f"{prefix}_start", f"{prefix}_end"
    return Q(**{f"{start}__isnull": True}) | Q(**{f"{end}__isnull": True}) | Q(**{f"{start}__lte": F(end)})


# --------------------------------------------------------------------------- sources


class Source(models.Model):
    """A public document a figure or decision is taken from."""

    key = models.CharField(
        max_length=20,
        blank=True,
        help_text="Short citation key, e.g. S1. Optional; unique when given.",
    )
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    url = models.URLField("URL", max_length=500)
    published_on = models.DateField(null=True, blank=True, help_text="Empty when the source shows no date.")
    tier = models.CharField(max_length=1, choices=SourceTier.choices, default=SourceTier.B)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["key", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=~Q(key=""),
                name="%(app_label)s_%(class)s_unique_key",
                violation_error_message="Another source already uses this key.",
            ),
            choice_constraint("tier", SourceTier, "Choose a tier from the list."),
        ]

    def __str__(self) -> str:
        prefix = f"[{self.key}] " if self.key else ""
        return f"{prefix}{self.publisher}: {self.title}"


# --------------------------------------------------------------------- exchange rates


class ExchangeRate(models.Model):
    """A reference rate: units of PKR or CNY per US dollar on a date.

    Figures without a rate of their own are normalized with the nearest earlier
    reference rate; the rate used is copied onto the figure, so adding or correcting a
    reference rate later never silently changes history.
    """

    currency = models.CharField(max_length=3, choices=[(c, c) for c in (Currency.PKR, Currency.CNY)])
    date = models.DateField()
    per_usd = rate_field(help_text="Units of the currency per US dollar.")
    kind = models.CharField(max_length=20, choices=ExchangeRateKind.choices)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="exchange_rates")

    history = HistoricalRecords()

    class Meta:
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "date"],
                name="%(app_label)s_%(class)s_unique_currency_date",
                violation_error_message="There is already a rate for this currency on this date.",
            ),
            models.CheckConstraint(
                condition=Q(per_usd__gt=0),
                name="%(app_label)s_%(class)s_rate_positive",
                violation_error_message="An exchange rate must be greater than zero.",
            ),
            models.CheckConstraint(
                condition=Q(currency__in=[Currency.PKR, Currency.CNY]),
                name="%(app_label)s_%(class)s_currency_valid",
                violation_error_message="Reference rates are kept for PKR and CNY (per US dollar).",
            ),
            choice_constraint("kind", ExchangeRateKind, "Choose a kind of rate from the list."),
        ]

    def __str__(self) -> str:
        return f"{self.per_usd} {self.currency}/USD on {self.date:%d %b %Y} ({self.get_kind_display()})"

    @classmethod
    def reference_for(cls, currency: str, on: date) -> ExchangeRate | None:
        """The reference rate of ``currency`` on ``on``, or the nearest earlier one."""
        return cls.objects.select_related("source").filter(currency=currency, date__lte=on).order_by("-date").first()


@dataclass(frozen=True)
class Normalized:
    amount_usd: Decimal
    amount_pkr: Decimal
    pkr_per_usd: Decimal
    pkr_rate_origin: str
    pkr_reference: ExchangeRate | None
    cny_per_usd: Decimal | None
    cny_rate_origin: str
    cny_reference: ExchangeRate | None


def normalize_amount(
    amount: Decimal,
    currency: str,
    on: date,
    *,
    entered_pkr_per_usd: Decimal | None = None,
    entered_cny_per_usd: Decimal | None = None,
) -> Normalized:
    """Convert ``amount`` in ``currency`` to USD and PKR.

    A rate given with the figure wins; otherwise the reference rate of that date (or
    the nearest earlier one) is used. Raises ``ValidationError`` naming the missing
    rate when neither exists.
    """

    def rate(cur: str, entered: Decimal | None, field: str):
        if entered is not None:
            return entered, RateOrigin.ENTERED, None
        ref = ExchangeRate.reference_for(cur, on)
        if ref is None:
            raise ValidationError(
                {
                    field: (
                        f"No reference {cur} rate on or before {on:%d %b %Y}: "
                        f"enter the {cur} per USD rate the source used."
                    )
                }
            )
        return ref.per_usd, RateOrigin.REFERENCE, ref

    for field, entered in (("entered_pkr_per_usd", entered_pkr_per_usd), ("entered_cny_per_usd", entered_cny_per_usd)):
        if entered is not None and not entered > 0:
            raise ValidationError({field: "An exchange rate must be greater than zero."})
    pkr, pkr_origin, pkr_ref = rate(Currency.PKR, entered_pkr_per_usd, "entered_pkr_per_usd")
    cny, cny_origin, cny_ref = None, RateOrigin.NOT_NEEDED, None
    with localcontext(prec=60):  # exact enough for any amount a money field holds, at any rate
        if currency == Currency.USD:
            usd = amount
        elif currency == Currency.PKR:
            usd = amount / pkr
        elif currency == Currency.CNY:
            cny, cny_origin, cny_ref = rate(Currency.CNY, entered_cny_per_usd, "entered_cny_per_usd")
            usd = amount / cny
        else:  # pragma: no cover - the currency CHECK constraint rules this out
            raise ValidationError({"currency": f"Unknown currency {currency!r}."})
        pkr_amount = (amount if currency == Currency.PKR else usd * pkr).quantize(CENT, ROUND_HALF_EVEN)
        usd = usd.quantize(CENT, ROUND_HALF_EVEN)
    if max(abs(usd), abs(pkr_amount)) >= MONEY_LIMIT:
        raise ValidationError(
            {"amount": "At this exchange rate the amount comes to more than a money figure can hold: check both."}
        )
    return Normalized(
        amount_usd=usd,
        amount_pkr=pkr_amount,
        pkr_per_usd=pkr,
        pkr_rate_origin=pkr_origin,
        pkr_reference=pkr_ref,
        cny_per_usd=cny,
        cny_rate_origin=cny_origin,
        cny_reference=cny_ref,
    )


def money_constraints(*, amount_required: bool) -> list:
    """Constraints every ``NormalizedMoney`` model shares (spread into each ``Meta``)."""
    rules = [
        models.CheckConstraint(
            condition=Q(amount__gte=0) | Q(amount__isnull=True),
            name="%(app_label)s_%(class)s_amount_not_negative",
            violation_error_message="An amount cannot be negative.",
        ),
        models.CheckConstraint(
            condition=(Q(amount__isnull=True) & Q(currency="")) | Q(amount__isnull=False, currency__in=Currency.values),
            name="%(app_label)s_%(class)s_currency_with_amount",
            violation_error_message="Give a currency (PKR, USD or CNY) with the amount, and none without one.",
        ),
        models.CheckConstraint(
            condition=Q(amount__isnull=True) | Q(amount_usd__isnull=False, amount_pkr__isnull=False, pkr_per_usd__gt=0),
            name="%(app_label)s_%(class)s_normalized",
            violation_error_message="The amount has not been normalized to USD and PKR.",
        ),
        models.CheckConstraint(
            condition=(Q(entered_pkr_per_usd__isnull=True) | Q(entered_pkr_per_usd__gt=0))
            & (Q(entered_cny_per_usd__isnull=True) | Q(entered_cny_per_usd__gt=0)),
            name="%(app_label)s_%(class)s_entered_rate_positive",
            violation_error_message="An exchange rate must be greater than zero.",
        ),
    ]
    if amount_required:
        rules.append(
            models.CheckConstraint(
                condition=Q(amount__isnull=False),
                name="%(app_label)s_%(class)s_amount_required",
                violation_error_message="An amount is required.",
            )
        )
    return rules


class NormalizedMoney(models.Model):
    """An amount as the source stated it, plus its normalization to USD and PKR.

    Concrete models define ``amount``, ``currency`` and a ``money_date`` property (the
    date whose reference rate applies). Editors may give
    the rate the source used (``entered_*``); otherwise the reference rate of the date
    is used, and the rate and its origin are stored beside the normalized amounts.
    """

    entered_pkr_per_usd = rate_field(
        "PKR per USD (given)",
        null=True,
        blank=True,
        help_text="The rate the source used, if it gives one; empty uses the reference rate of the date.",
    )
    entered_cny_per_usd = rate_field(
        "CNY per USD (given)",
        null=True,
        blank=True,
        help_text="For CNY amounts: the rate the source used; empty uses the reference rate.",
    )
    amount_usd = money_field("amount in USD", null=True, blank=True, editable=False)
    amount_pkr = money_field("amount in PKR", null=True, blank=True, editable=False)
    pkr_per_usd = rate_field("PKR per USD used", null=True, blank=True, editable=False)
    pkr_rate_origin = models.CharField(max_length=12, choices=RateOrigin.choices, blank=True, editable=False)
    pkr_reference = models.ForeignKey(
        ExchangeRate, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    cny_per_usd = rate_field("CNY per USD used", null=True, blank=True, editable=False)
    cny_rate_origin = models.CharField(max_length=12, choices=RateOrigin.choices, blank=True, editable=False)
    cny_reference = models.ForeignKey(
        ExchangeRate, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self.normalize()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.amount is not None and self.currency in Currency.values and self.money_date is not None:
            self.normalize()

    def normalize(self) -> None:
        """Fill the normalized amounts from the stated amount (no-op without one)."""
        if self.amount is None or not self.currency or self.money_date is None:
            self.amount_usd = self.amount_pkr = self.pkr_per_usd = self.cny_per_usd = None
            self.pkr_rate_origin = self.cny_rate_origin = ""
            self.pkr_reference = self.cny_reference = None
            return
        result = normalize_amount(
            self.amount,
            self.currency,
            self.money_date,
            entered_pkr_per_usd=self.entered_pkr_per_usd,
            entered_cny_per_usd=self.entered_cny_per_usd if self.currency == Currency.CNY else None,
        )
        self.amount_usd = result.amount_usd
        self.amount_pkr = result.amount_pkr
        self.pkr_per_usd = result.pkr_per_usd
        self.pkr_rate_origin = result.pkr_rate_origin
        self.pkr_reference = result.pkr_reference
        self.cny_per_usd = result.cny_per_usd
        self.cny_rate_origin = result.cny_rate_origin
        self.cny_reference = result.cny_reference

    #: A reference rate more than this many days from the figure's date is marked on the pages.
    DISTANT_RATE_DAYS = 45

    @property
    def rate_is_distant(self) -> bool:
        """True when the reference rate that gave this figure's US$ value (PKR for a rupee figure,
        CNY for a yuan one) is an annual average or is dated more than ``DISTANT_RATE_DAYS`` from
        the figure: its US$ value is then approximate. A US$ figure needs no rate."""
        origin, reference = {
            Currency.PKR: (self.pkr_rate_origin, self.pkr_reference),
            Currency.CNY: (self.cny_rate_origin, self.cny_reference),
        }.get(self.currency, ("", None))
        if origin != RateOrigin.REFERENCE or reference is None:
            return False
        if reference.kind == ExchangeRateKind.ANNUAL_AVERAGE:
            return True
        return abs((self.money_date - reference.date).days) > self.DISTANT_RATE_DAYS

    @property
    def rate_explanation(self) -> str:
        """Which rates normalized this amount, in words (reads the reference rows)."""
        if self.amount_usd is None:
            return "Not normalized: no amount."
        parts = []
        if self.currency == Currency.CNY:
            parts.append(self._explain(Currency.CNY, self.cny_per_usd, self.cny_rate_origin, self.cny_reference))
        parts.append(self._explain(Currency.PKR, self.pkr_per_usd, self.pkr_rate_origin, self.pkr_reference))
        return "; ".join(parts)

    @staticmethod
    def _explain(currency, value, origin, reference) -> str:
        if origin == RateOrigin.REFERENCE and reference is not None:
            return (
                f"{value.normalize():f} {currency}/USD, reference rate of {reference.date:%d %b %Y} "
                f"({reference.get_kind_display().lower()})"
            )
        return f"{value.normalize():f} {currency}/USD, given with the figure"


# -------------------------------------------------------------------------- projects


def estimate_precedence() -> list:
    """The order that makes a project's cost estimate of record the first one.

    The latest date wins. On the same date: an estimate approved by a forum (ECNEC, CDWP…)
    before one that was not; then by basis (``ESTIMATE_BASIS_PRECEDENCE``: a PC-I before a
    contract, statements before press reports); then a stated amount before a bound
    ("over $2bn"). Only estimates identical in all of these fall back to the order of entry.
    """
    basis_rank = Case(
        *[When(basis=basis, then=Value(rank)) for basis, rank in ESTIMATE_BASIS_PRECEDENCE.items()],
        default=Value(9),
    )
    return [
        F("as_of").desc(),
        Case(When(approving_forum="", then=Value(1)), default=Value(0)),
        basis_rank,
        Case(When(bound=EstimateBound.EXACT, then=Value(0)), default=Value(1)),
        F("pk").desc(),
    ]


def cost_of_record(project_ref, *, as_of: date | None = None):
    """The full-scope estimates of ``project_ref`` (up to ``as_of``), the estimate of record first."""
    estimates = CostEstimate.objects.filter(project=project_ref, full_scope=True)
    if as_of is not None:
        estimates = estimates.filter(as_of__lte=as_of)
    return estimates.order_by(*estimate_precedence())


class ProjectQuerySet(models.QuerySet):
    def with_current_cost(self, *, as_of: date | None = None):
        """Annotate the current cost: the latest full-scope estimate, in USD and PKR.

        With ``as_of``, the cost as it was known on that date (estimates dated up to it).
        """
        latest = cost_of_record(OuterRef("pk"), as_of=as_of)
        return self.annotate(
            current_cost_usd=Subquery(latest.values("amount_usd")[:1]),
            current_cost_pkr=Subquery(latest.values("amount_pkr")[:1]),
            current_cost_as_of=Subquery(latest.values("as_of")[:1]),
            current_cost_bound=Subquery(latest.values("bound")[:1]),
        )

    def with_status(self, *, as_of: date | None = None):
        """Annotate ``status_then``: the status now, or as of a date.

        As of a date it is the latest dated status change up to that day; a project whose
        status history starts later (or was never recorded) shows its status as it is.
        """
        if as_of is None:
            return self.annotate(status_then=F("status"))
        latest = (
            ProjectStatusChange.objects.filter(project=OuterRef("pk"), changed_on__lte=as_of)
            .order_by("-changed_on", "-pk")
            .values("status")[:1]
        )
        return self.annotate(status_then=Coalesce(Subquery(latest), F("status")))

    def with_overruns(self, *, as_of: date | None = None):
        """Annotate the baseline (the first approved PC-I) and the original planned completion.

        Baseline: the earliest full-scope PC-I approved by a forum, else the earliest PC-I.
        ``overrun_usd_percent`` and ``overrun_pkr_percent`` compare the current cost
        (``with_current_cost`` first) with it in each currency, so a rise that is only
        the rupee's fall shows in PKR but not in US$. The original completion is the
        first planned completion ever recorded (from the audit history). With ``as_of``,
        only PC-Is dated up to that day can be the baseline.
        """
        pc_i = CostEstimate.objects.filter(project=OuterRef("pk"), basis=EstimateBasis.PC_I, full_scope=True)
        if as_of is not None:
            pc_i = pc_i.filter(as_of__lte=as_of)
        pc_i = pc_i.order_by(Case(When(approving_forum="", then=Value(1)), default=Value(0)), "as_of", "pk")
        first_plan = (
            Project.history.model.objects.filter(id=OuterRef("pk"), planned_end__isnull=False)
            .order_by("history_date")
            .values("planned_end")[:1]
        )
        percent = models.DecimalField(max_digits=12, decimal_places=1)
        return self.annotate(
            baseline_usd=Subquery(pc_i.values("amount_usd")[:1]),
            baseline_pkr=Subquery(pc_i.values("amount_pkr")[:1]),
            baseline_as_of=Subquery(pc_i.values("as_of")[:1]),
            baseline_forum=Subquery(pc_i.values("approving_forum")[:1]),
            original_planned_end=Subquery(first_plan),
        ).annotate(
            overrun_usd_percent=Round(
                ExpressionWrapper(
                    (F("current_cost_usd") / NullIf(F("baseline_usd"), Value(ZERO)) - Value(ONE)) * Value(HUNDRED),
                    output_field=percent,
                ),
                1,
                output_field=percent,
            ),
            overrun_pkr_percent=Round(
                ExpressionWrapper(
                    (F("current_cost_pkr") / NullIf(F("baseline_pkr"), Value(ZERO)) - Value(ONE)) * Value(HUNDRED),
                    output_field=percent,
                ),
                1,
                output_field=percent,
            ),
        )

    def construction(self):
        return self.filter(kind=ProjectKind.CONSTRUCTION)

    def initiatives(self):
        return self.filter(kind=ProjectKind.INITIATIVE)


class Project(models.Model):
    """A CPEC project, section of a project, or initiative discussed by the JCC."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=ProjectKind.choices, default=ProjectKind.CONSTRUCTION)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    subsector = models.CharField(max_length=100, blank=True, help_text="E.g. Road, Rail, Coal, Hydropower.")
    status = models.CharField(max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED)
    regions = ChoiceArrayField(
        models.CharField(max_length=20, choices=Region.choices),
        default=list,
        blank=True,
        help_text="Every province or region the project runs through.",
    )
    location = models.CharField(max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    length_km = size_field("length (km)")
    capacity_mw = size_field("capacity (MW)")
    area_acres = size_field("area (acres)")
    description = models.TextField(blank=True)
    implementing_agency = models.CharField(max_length=200, blank=True)
    sponsor = models.CharField(max_length=200, blank=True, help_text="Sponsor, developer or EPC contractor.")
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField("planned completion", null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField("actual completion", null=True, blank=True)
    focus_industries = ChoiceArrayField(
        models.CharField(max_length=20, choices=FocusIndustry.choices),
        default=list,
        blank=True,
        help_text="For economic zones.",
    )
    debt_percent = share_field(
        "debt (% of cost)",
        null=True,
        blank=True,
        help_text="The debt part of the cost in the project's financing structure (75 for 75:25 debt:equity); "
        "the equity is the rest. Empty when no source states it.",
    )
    financial_close_on = models.DateField(
        "financial close",
        null=True,
        blank=True,
        help_text="When the project's financing closed: all of its cost was then committed, whether or not "
        "the amounts are known.",
    )
    financial_close_precision = models.CharField(
        "financial close known to the",
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    financial_close_source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="financial close source"
    )
    financial_close_note = models.TextField("financial close note", blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sections",
        help_text="The larger project this is a section or realignment of.",
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="projects")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            choice_constraint("kind", ProjectKind, "Choose a kind from the list."),
            choice_constraint("sector", Sector, "Choose a sector from the list."),
            choice_constraint("status", ProjectStatus, "Choose a status from the list."),
            models.CheckConstraint(
                condition=Q(regions__contained_by=Region.values),
                name="%(app_label)s_%(class)s_regions_valid",
                violation_error_message="Regions must come from the list of provinces and regions.",
            ),
            models.CheckConstraint(
                condition=Q(focus_industries__contained_by=FocusIndustry.values),
                name="%(app_label)s_%(class)s_focus_industries_valid",
                violation_error_message="Focus industries must come from the list.",
            ),
            *dates_in_order_constraints(),
            models.CheckConstraint(
                condition=(Q(length_km__isnull=True) | Q(length_km__gte=0))
                & (Q(capacity_mw__isnull=True) | Q(capacity_mw__gte=0))
                & (Q(area_acres__isnull=True) | Q(area_acres__gte=0)),
                name="%(app_label)s_%(class)s_sizes_not_negative",
                violation_error_message="Length, capacity and area cannot be negative.",
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90))
                & (Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180)),
                name="%(app_label)s_%(class)s_coordinates_valid",
                violation_error_message="Latitude must be within ±90 and longitude within ±180.",
            ),
            models.CheckConstraint(
                condition=Q(debt_percent__isnull=True) | Q(debt_percent__gte=0, debt_percent__lte=100),
                name="%(app_label)s_%(class)s_debt_percent_in_range",
                violation_error_message="The debt part must be between 0%% and 100%% of the cost.",
            ),
            models.CheckConstraint(
                condition=Q(financial_close_on__isnull=False) | Q(financial_close_source__isnull=True),
                name="%(app_label)s_%(class)s_financial_close_source_needs_date",
                violation_error_message="Give the date of the financial close with its source.",
            ),
            choice_constraint(
                "financial_close_precision",
                DatePrecision,
                "Choose a date precision from the list.",
                rule="financial_close_precision",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
                violation_error_message="A project cannot be its own parent.",
            ),
        ]
        indexes = [
            models.Index(fields=["sector", "status"], name="projects_sector_status_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dashboard:project", args=[self.slug])

    @property
    def equity_percent(self):
        return None if self.debt_percent is None else HUNDRED - self.debt_percent

    @property
    def financial_close_display(self) -> str:
        return date_with_precision(self.financial_close_on, self.financial_close_precision)

    def get_regions_display(self) -> str:
        labels = dict(Region.choices)
        return ", ".join(labels.get(r, r) for r in self.regions)

    def get_focus_industries_display(self) -> str:
        labels = dict(FocusIndustry.choices)
        return ", ".join(labels.get(i, i) for i in self.focus_industries)


class Phase(models.Model):
    """An ordered part of a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases")
    order = models.PositiveSmallIntegerField(help_text="1 for the first phase, 2 for the next…")
    name = models.CharField(max_length=200)
    scope = models.TextField(blank=True)
    length_km = size_field("length (km)")
    status = models.CharField(max_length=20, choices=PhaseStatus.choices, default=PhaseStatus.PLANNED)
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField("planned completion", null=True, blank=True)
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField("actual completion", null=True, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="phases")

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "order"],
                name="%(app_label)s_%(class)s_unique_order",
                violation_error_message="This project already has a phase with this order number.",
            ),
            models.CheckConstraint(
                condition=Q(order__gte=1),
                name="%(app_label)s_%(class)s_order_positive",
                violation_error_message="Phase order starts at 1.",
            ),
            choice_constraint("status", PhaseStatus, "Choose a phase status from the list."),
            *dates_in_order_constraints(),
            models.CheckConstraint(
                condition=Q(length_km__isnull=True) | Q(length_km__gte=0),
                name="%(app_label)s_%(class)s_length_not_negative",
                violation_error_message="Length cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} – phase {self.order}: {self.name}"


class CostEstimate(NormalizedMoney):
    """A dated cost figure for a project, as one source stated it."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="cost_estimates")
    amount = money_field()
    currency = models.CharField(max_length=3, choices=Currency.choices)
    bound = models.CharField(
        max_length=5,
        choices=EstimateBound.choices,
        default=EstimateBound.EXACT,
        help_text='A figure given as "over …" is a lower bound, "up to …" an upper bound.',
    )
    as_of = models.DateField("as of", help_text="The date the figure refers to or was stated.")
    date_precision = models.CharField(
        "date known to the",
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text="A figure known only to the month or year is dated on its first day.",
    )
    basis = models.CharField(max_length=20, choices=EstimateBasis.choices)
    approving_forum = models.CharField(max_length=20, choices=ApprovingForum.choices, blank=True)
    full_scope = models.BooleanField(
        default=True,
        help_text="Untick for a figure that is not a costing of the whole project (land acquisition, a grid "
        "connection, spending to date, a round figure quoted in passing): it is kept but never taken as "
        "the project's cost.",
    )
    scope = models.CharField(max_length=200, blank=True, help_text="What a partial figure covers.")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="cost_estimates")
    decision = models.ForeignKey(
        "Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cost_estimates",
        help_text="The JCC decision that put this figure on record, if any.",
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "as_of", "pk"]
        constraints = [
            *money_constraints(amount_required=True),
            choice_constraint("basis", EstimateBasis, "Choose a basis from the list."),
            choice_constraint("bound", EstimateBound, "Choose whether the figure is exact or a bound."),
            choice_constraint("date_precision", DatePrecision, "Choose a date precision from the list."),
            choice_constraint(
                "approving_forum",
                ApprovingForum,
                "Choose an approving forum from the list, or leave it empty.",
                blank=True,
                rule="forum",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "-as_of"], name="projects_estimate_latest_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.project}: {self.bound_sign}{self.currency} {self.amount:,.0f} "
            f"({self.as_of:%b %Y}, {self.get_basis_display()})"
        )

    @property
    def bound_sign(self) -> str:
        """ "≥ " before a lower bound, "≤ " before an upper one."""
        return {EstimateBound.LOWER: "≥ ", EstimateBound.UPPER: "≤ "}.get(self.bound, "")

    @property
    def as_of_display(self) -> str:
        return date_with_precision(self.as_of, self.date_precision)

    @property
    def money_date(self) -> date:
        return self.as_of


# ------------------------------------------------------------------------------ JCC


class JCCMeeting(models.Model):
    """A meeting of the CPEC Joint Cooperation Committee."""

    number = models.PositiveSmallIntegerField(
        unique=True, error_messages={"unique": "A JCC meeting with this number already exists."}
    )
    date = models.DateField()
    date_precision = models.CharField(
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text="How precisely the sources give the date.",
    )
    status = models.CharField(max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.HELD)
    city = models.CharField(max_length=100, blank=True)
    is_virtual = models.BooleanField("virtual", default=False)
    is_special = models.BooleanField("special session", default=False)
    pakistan_cochair = models.CharField("Pakistani co-chair", max_length=200, blank=True)
    china_cochair = models.CharField("Chinese co-chair", max_length=200, blank=True)
    summary = models.TextField(blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="meetings")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = "JCC meeting"
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="%(app_label)s_%(class)s_number_positive",
                violation_error_message="Meeting numbers start at 1.",
            ),
            choice_constraint("status", MeetingStatus, "Choose a meeting status from the list."),
            choice_constraint("date_precision", DatePrecision, "Choose a date precision from the list."),
        ]

    def __str__(self) -> str:
        return f"{self.ordinal} JCC ({self.date_display})"

    @property
    def ordinal(self) -> str:
        n = self.number
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"

    @property
    def date_display(self) -> str:
        if self.date_precision == DatePrecision.YEAR:
            return f"{self.date:%Y}"
        if self.date_precision == DatePrecision.MONTH:
            return f"{self.date:%b %Y}"
        return f"{self.date:%d %b %Y}".lstrip("0")

    @property
    def place(self) -> str:
        return "virtual" if self.is_virtual else self.city


class Decision(models.Model):
    """One outcome of a JCC meeting, about a project or initiative (or CPEC as a whole)."""

    meeting = models.ForeignKey(JCCMeeting, on_delete=models.PROTECT, related_name="decisions")
    sequence = models.PositiveSmallIntegerField(help_text="Its number within the meeting: 1, 2, 3…")
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="Empty for a decision about CPEC as a whole.",
    )
    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    text = models.TextField(help_text="What was decided, in the editor's words.")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="decisions")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting__number", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "sequence"],
                name="%(app_label)s_%(class)s_unique_sequence",
                violation_error_message="This meeting already has a decision with this number.",
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1),
                name="%(app_label)s_%(class)s_sequence_positive",
                violation_error_message="Decision numbers start at 1.",
            ),
            choice_constraint("kind", DecisionKind, "Choose a kind of decision from the list."),
        ]

    def __str__(self) -> str:
        about = self.project.name if self.project_id else "CPEC"
        return f"JCC {self.meeting.number}/{self.sequence}: {self.get_kind_display()} – {about}"


class StatusChange(models.Model):
    """A dated status of a project or phase, and the decision that set it."""

    changed_on = models.DateField()
    source = models.ForeignKey(Source, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class ProjectStatusChange(StatusChange):
    """A project's status from a date on; the project's ``status`` is its latest one."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=20, choices=ProjectStatus.choices)
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="status_changes"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "changed_on", "pk"]
        constraints = [choice_constraint("status", ProjectStatus, "Choose a status from the list.")]
        indexes = [models.Index(fields=["project", "-changed_on"], name="projects_status_latest_idx")]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_status_display()} from {self.changed_on:%d %b %Y}"


class PhaseStatusChange(StatusChange):
    """A phase's status from a date on (approved, launched…); the phase's ``status`` is its latest one."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=20, choices=PhaseStatus.choices)
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="phase_changes"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["phase", "changed_on", "pk"]
        constraints = [choice_constraint("status", PhaseStatus, "Choose a phase status from the list.")]

    def __str__(self) -> str:
        return f"{self.phase}: {self.get_status_display()} from {self.changed_on:%d %b %Y}"
