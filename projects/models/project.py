"""Projects and initiatives, and their ordered phases.

``ProjectQuerySet`` annotates what the pages read: the current cost (the estimate of record),
the status as of a date, and the overrun against the first approved PC-I.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, ExpressionWrapper, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf, Round
from django.db.models.lookups import GreaterThan
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import geo
from ..choices import (
    DatePrecision,
    EstimateBasis,
    FocusIndustry,
    PhaseStatus,
    ProjectKind,
    ProjectStatus,
    Region,
    Sector,
    date_with_precision,
)
from ..fields import ChoiceArrayField, share_field, size_field
from .constraints import choice_constraint, dates_in_order_constraints
from .estimates import CostEstimate, cost_of_record
from .sources import Source
from .statuses import ProjectStatusChange

ZERO, ONE, HUNDRED = Decimal("0"), Decimal("1"), Decimal("100")
#: An overrun in percent, to one decimal.
OVERRUN_PERCENT = models.DecimalField(max_digits=30, decimal_places=1)


def timeline_dates() -> tuple[Coalesce, Coalesce]:
    """A project's or phase's end and start on the timeline: the actual date, else the planned one."""
    return Coalesce("actual_end", "planned_end"), Coalesce("actual_start", "planned_start")


#: Rises up to this many percent are within the noise of rounded press figures. (The read model
#: stores each project's flag: a new threshold needs a migration of ``financing.models.FigureColumns``.)
OVERRUN_THRESHOLD = Decimal("5")


def overrun_flagged() -> Coalesce:
    """Whether a project's overrun is flagged: its cost rose more than ``OVERRUN_THRESHOLD`` percent
    over the baseline in US$ or, failing that, in rupees, or its planned completion slipped past the
    original one. Over the columns ``with_overrun_percent`` reads and ``planned_end``."""
    threshold = Value(OVERRUN_THRESHOLD)
    rose = Q(GreaterThan(overrun_percent("current_cost_usd", "baseline_usd"), threshold)) | Q(
        GreaterThan(overrun_percent("current_cost_pkr", "baseline_pkr"), threshold)
    )
    slipped = Q(GreaterThan(F("planned_end"), F("original_planned_end")))
    flagged = ExpressionWrapper(rose | slipped, output_field=models.BooleanField())
    return Coalesce(flagged, Value(False), output_field=models.BooleanField())


def overrun_percent(current: str, baseline: str) -> Round:
    """How far the cost ``current`` is above (or below) ``baseline``, in percent to one decimal;
    NULL without a baseline."""
    return Round(
        ExpressionWrapper(
            (F(current) / NullIf(F(baseline), Value(ZERO)) - Value(ONE)) * Value(HUNDRED),
            output_field=OVERRUN_PERCENT,
        ),
        1,
        output_field=OVERRUN_PERCENT,
    )


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
        """Annotate the baseline (``with_baseline``) and the overruns against it (``with_overrun_percent``).

        ``with_current_cost`` first. With ``as_of``, only PC-Is dated up to that day can be the baseline.
        """
        return self.with_baseline(as_of=as_of).with_overrun_percent()

    def with_baseline(self, *, as_of: date | None = None):
        """Annotate the baseline (the first approved PC-I) and the original planned completion.

        Baseline: the earliest full-scope PC-I approved by a forum, else the earliest PC-I. The
        original completion is the first planned completion ever recorded (from the audit
        history). With ``as_of``, only PC-Is dated up to that day can be the baseline.
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
        return self.annotate(
            baseline_usd=Subquery(pc_i.values("amount_usd")[:1]),
            baseline_pkr=Subquery(pc_i.values("amount_pkr")[:1]),
            baseline_as_of=Subquery(pc_i.values("as_of")[:1]),
            baseline_forum=Subquery(pc_i.values("approving_forum")[:1]),
            original_planned_end=Subquery(first_plan),
        )

    def with_overrun_percent(self):
        """Annotate ``overrun_usd_percent`` and ``overrun_pkr_percent``: the current cost against the
        baseline in each currency (both annotated first), so a rise that is only the rupee's fall
        shows in PKR but not in US$."""
        return self.annotate(
            overrun_usd_percent=overrun_percent("current_cost_usd", "baseline_usd"),
            overrun_pkr_percent=overrun_percent("current_cost_pkr", "baseline_pkr"),
        )

    def construction(self):
        return self.filter(kind=ProjectKind.CONSTRUCTION)

    def initiatives(self):
        return self.filter(kind=ProjectKind.INITIATIVE)


class Project(models.Model):
    """A CPEC project, section of a project, or initiative discussed by the JCC."""

    name = models.CharField(_("name"), max_length=200)
    #: The project's name in Urdu, where the ministry uses one: shown (beside ``name``) when the
    #: page is in Urdu. Empty: the pages show ``name`` alone.
    name_ur = models.CharField(
        _("name in Urdu"),
        max_length=200,
        blank=True,
        help_text=_("As the ministry writes it in Urdu; shown on the Urdu pages beside the name above."),
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProjectKind.choices, default=ProjectKind.CONSTRUCTION)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    subsector = models.CharField(
        _("subsector"), max_length=100, blank=True, help_text=_("E.g. Road, Rail, Coal, Hydropower.")
    )
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED)
    regions = ChoiceArrayField(
        models.CharField(max_length=20, choices=Region.choices),
        verbose_name=_("regions"),
        default=list,
        blank=True,
        help_text=_("Every province or region the project runs through."),
    )
    location = models.CharField(_("location"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        help_text=_("Of the site, in degrees north (WGS84)."),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        help_text=_("Of the site, in degrees east (WGS84)."),
    )
    route = models.JSONField(
        _("route"),
        null=True,
        blank=True,
        help_text=_(
            "For a road, railway or line: its route as a GeoJSON LineString, longitude then latitude for "
            'each point, e.g. {"type": "LineString", "coordinates": [[73.12, 34.02], [73.2, 34.3]]}. Every point '
            "must be inside Pakistan."
        ),
    )
    location_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source of the coordinates"),
        help_text=_(
            "Where the point or the route comes from (a page giving the site's or the named town's coordinates)."
        ),
    )
    location_note = models.TextField(
        _("location note"),
        blank=True,
        help_text=_(
            "What the point is (the site, or the centre of the town the sources name) and, for a route, "
            "where each point comes from."
        ),
    )
    length_km = size_field(_("length (km)"))
    capacity_mw = size_field(_("capacity (MW)"))
    area_acres = size_field(_("area (acres)"))
    description = models.TextField(_("description"), blank=True)
    implementing_agency = models.CharField(_("implementing agency"), max_length=200, blank=True)
    sponsor = models.CharField(
        _("sponsor"), max_length=200, blank=True, help_text=_("Sponsor, developer or EPC contractor.")
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned completion"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual completion"), null=True, blank=True)
    focus_industries = ChoiceArrayField(
        models.CharField(max_length=20, choices=FocusIndustry.choices),
        verbose_name=_("focus industries"),
        default=list,
        blank=True,
        help_text=_("For economic zones."),
    )
    debt_percent = share_field(
        # xgettext:no-python-format
        _("debt (% of cost)"),
        null=True,
        blank=True,
        help_text=_(
            "The debt part of the cost in the project's financing structure (75 for 75:25 debt:equity); "
            "the equity is the rest. Empty when no source states it."
        ),
    )
    financial_close_on = models.DateField(
        _("financial close"),
        null=True,
        blank=True,
        help_text=_(
            "When the project's financing closed: all of its cost was then committed, whether or not "
            "the amounts are known."
        ),
    )
    financial_close_precision = models.CharField(
        # Translators: followed by the choice "Exact day", "Month only" or "Year only".
        _("financial close known to the"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    financial_close_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("financial close source"),
    )
    financial_close_note = models.TextField(_("financial close note"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sections",
        verbose_name=_("parent"),
        help_text=_("The larger project this is a section or realignment of."),
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="projects", verbose_name=_("sources"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            choice_constraint("kind", ProjectKind, _("Choose a kind from the list.")),
            choice_constraint("sector", Sector, _("Choose a sector from the list.")),
            choice_constraint("status", ProjectStatus, _("Choose a status from the list.")),
            models.CheckConstraint(
                condition=Q(regions__contained_by=Region.values),
                name="%(app_label)s_%(class)s_regions_valid",
                violation_error_message=_("Regions must come from the list of provinces and regions."),
            ),
            models.CheckConstraint(
                condition=Q(focus_industries__contained_by=FocusIndustry.values),
                name="%(app_label)s_%(class)s_focus_industries_valid",
                violation_error_message=_("Focus industries must come from the list."),
            ),
            *dates_in_order_constraints(),
            models.CheckConstraint(
                condition=(Q(length_km__isnull=True) | Q(length_km__gte=0))
                & (Q(capacity_mw__isnull=True) | Q(capacity_mw__gte=0))
                & (Q(area_acres__isnull=True) | Q(area_acres__gte=0)),
                name="%(app_label)s_%(class)s_sizes_not_negative",
                violation_error_message=_("Length, capacity and area cannot be negative."),
            ),
            models.CheckConstraint(
                condition=geo.point_constraint(),
                name="%(app_label)s_%(class)s_point_in_pakistan",
                violation_error_message=format_lazy(
                    _("Give both the latitude and the longitude, {box}."), box=geo.BOX_TEXT
                ),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, route__isnull=True) | Q(location_source__isnull=False),
                name="%(app_label)s_%(class)s_location_sourced",
                violation_error_message=_("Give the source of the coordinates or the route."),
            ),
            models.CheckConstraint(
                condition=geo.route_constraints()[0],
                name="%(app_label)s_%(class)s_route_well_formed",
                violation_error_message=_("A route is a GeoJSON LineString of at least two points."),
            ),
            models.CheckConstraint(
                condition=geo.route_constraints()[1],
                name="%(app_label)s_%(class)s_route_in_pakistan",
                violation_error_message=format_lazy(
                    _("Every point of a route is a [longitude, latitude] pair {box}."), box=geo.BOX_TEXT
                ),
            ),
            models.CheckConstraint(
                condition=Q(debt_percent__isnull=True) | Q(debt_percent__gte=0, debt_percent__lte=100),
                name="%(app_label)s_%(class)s_debt_percent_in_range",
                violation_error_message=_("The debt part must be between 0%% and 100%% of the cost."),
            ),
            models.CheckConstraint(
                condition=Q(financial_close_on__isnull=False) | Q(financial_close_source__isnull=True),
                name="%(app_label)s_%(class)s_financial_close_source_needs_date",
                violation_error_message=_("Give the date of the financial close with its source."),
            ),
            choice_constraint(
                "financial_close_precision",
                DatePrecision,
                _("Choose a date precision from the list."),
                rule="financial_close_precision",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
                name="%(app_label)s_%(class)s_not_own_parent",
                violation_error_message=_("A project cannot be its own parent."),
            ),
        ]
        indexes = [
            models.Index(fields=["sector", "status"], name="projects_sector_status_idx"),
            # The dashboard's timeline reads the projects that end soonest in order (``timeline_dates``).
            models.Index(*timeline_dates(), name="projects_project_timeline"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dashboard:project", args=[self.slug])

    def clean(self):
        super().clean()
        errors = {}
        if (self.latitude is None) != (self.longitude is None):
            if self.latitude is None:
                errors["latitude"] = gettext("Give the latitude too, or neither.")
            else:
                errors["longitude"] = gettext("Give the longitude too, or neither.")
        for name, (low, high), message in (
            ("latitude", geo.LATITUDES, gettext("A latitude %(box)s: %(low)s° to %(high)s° north.")),
            ("longitude", geo.LONGITUDES, gettext("A longitude %(box)s: %(low)s° to %(high)s° east.")),
        ):
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                errors[name] = message % {"box": geo.BOX_TEXT, "low": low, "high": high}
        try:
            geo.validate_route(self.route)
        except ValidationError as error:
            errors["route"] = error
        if errors:
            raise ValidationError(errors)

    @property
    def equity_percent(self):
        return None if self.debt_percent is None else HUNDRED - self.debt_percent

    @property
    def financial_close_display(self) -> str:
        return date_with_precision(self.financial_close_on, self.financial_close_precision)

    def get_regions_display(self) -> str:
        labels = dict(Region.choices)
        return ", ".join(str(labels.get(r, r)) for r in self.regions)

    def get_focus_industries_display(self) -> str:
        labels = dict(FocusIndustry.choices)
        return ", ".join(str(labels.get(i, i)) for i in self.focus_industries)


class Phase(models.Model):
    """An ordered part of a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases", verbose_name=_("project"))
    order = models.PositiveSmallIntegerField(_("order"), help_text=_("1 for the first phase, 2 for the next…"))
    name = models.CharField(_("name"), max_length=200)
    scope = models.TextField(_("scope"), blank=True)
    length_km = size_field(_("length (km)"))
    status = models.CharField(_("status"), max_length=20, choices=PhaseStatus.choices, default=PhaseStatus.PLANNED)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned completion"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual completion"), null=True, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="phases", verbose_name=_("sources"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "order"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        indexes = [models.Index(*timeline_dates(), name="projects_phase_timeline")]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "order"],
                name="%(app_label)s_%(class)s_unique_order",
                violation_error_message=_("This project already has a phase with this order number."),
            ),
            models.CheckConstraint(
                condition=Q(order__gte=1),
                name="%(app_label)s_%(class)s_order_positive",
                violation_error_message=_("Phase order starts at 1."),
            ),
            choice_constraint("status", PhaseStatus, _("Choose a phase status from the list.")),
            *dates_in_order_constraints(),
            models.CheckConstraint(
                condition=Q(length_km__isnull=True) | Q(length_km__gte=0),
                name="%(app_label)s_%(class)s_length_not_negative",
                violation_error_message=_("Length cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(project)s – phase %(order)s: %(name)s") % {
            "project": self.project,
            "order": self.order,
            "name": self.name,
        }
