"""The portfolio filter, shared by the dashboard, the project list and its exports.

Every parameter is validated by a form field, so any query string gives either results
or messages: unknown choices, wrong types, huge or non-finite numbers, NUL bytes and
reversed ranges are form errors, never a database error.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

import django_filters as filters
from django import forms
from django.db.models import Case, F, Q, When
from django.http import QueryDict
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

from financing.choices import FinancingStatus, Instrument, LenderKind
from financing.models import Lender
from financing.selectors import LineStates
from projects.choices import ProjectStatus, Region, Sector, label_of
from projects.models import Decision, JCCMeeting, Project
from projects.money import MILLION

#: Upper bound of the cost filter, in US$ millions (10 trillion dollars).
MAX_COST_MILLIONS = Decimal("10000000")

#: Filters on financing lines; combined so they describe one and the same line.
LINE_FILTERS = ("lender", "lender_kind", "instrument", "financing_status")
#: Parameters that are not filters but stay when one is removed: the sort and the as-of choice.
KEPT_PARAMETERS = ("sort", "as_of_jcc", "as_of")
#: Shorter labels for the summary, where the value carries its own unit.
SUMMARY_LABELS = {"cost_min": _("Cost from"), "cost_max": _("Cost up to")}


class FilterInForce(NamedTuple):
    """One filter narrowing the portfolio, in words, with the query string that drops it."""

    name: str
    label: str
    value: str
    remove_query: str


class PortfolioFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("cost_min"), cleaned.get("cost_max")
        if low is not None and high is not None and low > high:
            self.add_error("cost_max", _("The highest cost is below the lowest cost."))
        start, end = cleaned.get("completion_after"), cleaned.get("completion_before")
        if start and end and start > end:
            self.add_error("completion_before", _("The date range ends before it starts."))
        return cleaned


class LenderCheckboxes(forms.CheckboxSelectMultiple):
    """A checkbox per lender, labelled in full ("Asian Development Bank (ADB)") and carrying its kind,
    which includes/_lender_choices.html sets as a sub-heading over each kind's lenders."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["label"] = value.instance.choice_label
        option["kind"] = label_of(LenderKind, value.instance.kind)
        return option


#: Lenders by kind, in the order of LenderKind, then by name: each kind's lenders come together.
LENDERS_BY_KIND = Lender.objects.order_by(
    Case(*(When(kind=kind, then=i) for i, kind in enumerate(LenderKind.values))), "name"
)


class NullsLastOrderingFilter(filters.OrderingFilter):
    """Sort unknown values (a project with no cost yet) last in both directions."""

    def filter(self, qs, value):
        if value in (None, "", [], ()):
            return qs
        ordering = []
        for param in value:
            field = self.get_ordering_value(param)
            descending = field.startswith("-")
            expression = F(field.lstrip("-"))
            ordering.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
        return qs.order_by(*ordering, "name", "pk")


class PortfolioFilter(filters.FilterSet):
    """Filter projects (annotated by ``projects_with_funding``) for every portfolio page."""

    q = filters.CharFilter(label=_("Search"), method="filter_text", max_length=200)
    sector = filters.MultipleChoiceFilter(choices=Sector.choices, widget=forms.CheckboxSelectMultiple)
    status = filters.MultipleChoiceFilter(
        label=_("Status"), field_name="status_then", choices=ProjectStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    region = filters.MultipleChoiceFilter(
        label=_("Province / region"),
        choices=Region.choices,
        method="filter_regions",
        widget=forms.CheckboxSelectMultiple,
    )
    lender = filters.ModelMultipleChoiceFilter(
        label=_("Lender"), queryset=LENDERS_BY_KIND, to_field_name="slug", method="filter_line", widget=LenderCheckboxes
    )
    lender_kind = filters.MultipleChoiceFilter(
        label=_("Lender kind"), choices=LenderKind.choices, method="filter_line", widget=forms.CheckboxSelectMultiple
    )
    instrument = filters.MultipleChoiceFilter(
        label=_("Instrument"), choices=Instrument.choices, method="filter_line", widget=forms.CheckboxSelectMultiple
    )
    financing_status = filters.MultipleChoiceFilter(
        label=_("Financing status"),
        choices=FinancingStatus.choices,
        method="filter_line",
        widget=forms.CheckboxSelectMultiple,
    )
    meeting = filters.ModelChoiceFilter(
        label=_("Discussed at JCC"),
        queryset=JCCMeeting.objects.order_by("-number"),
        to_field_name="number",
        method="filter_meeting",
    )
    cost_min = filters.NumberFilter(
        label=_("Cost from (US$ m)"),
        method="filter_cost",
        min_value=Decimal("0"),
        max_value=MAX_COST_MILLIONS,
        max_digits=12,
        decimal_places=2,
    )
    cost_max = filters.NumberFilter(
        label=_("Cost up to (US$ m)"),
        method="filter_cost",
        min_value=Decimal("0"),
        max_value=MAX_COST_MILLIONS,
        max_digits=12,
        decimal_places=2,
    )
    completion_after = filters.DateFilter(
        label=_("Planned completion from"),
        field_name="planned_end",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    completion_before = filters.DateFilter(
        label=_("Planned completion until"),
        field_name="planned_end",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    has_gap = filters.BooleanFilter(
        label=_("Funding gap"),
        method="filter_gap",
        widget=forms.Select(
            choices=[
                ("", _("Any")),
                ("true", _("Has a funding gap")),
                ("false", _("No funding gap (cost committed or proposed)")),
            ]
        ),
    )
    sort = NullsLastOrderingFilter(
        fields=(
            ("name", "name"),
            ("sector", "sector"),
            ("status_then", "status"),
            ("current_cost_usd", "cost"),
            ("funding_gap_usd", "gap"),
            ("funding_gap_percent", "gap_percent"),
            ("planned_end", "completion"),
        ),
        field_labels={
            "current_cost_usd": _("Cost"),
            "funding_gap_usd": _("Funding gap"),
            "planned_end": _("Completion"),
        },
    )

    class Meta:
        model = Project
        fields: list[str] = []
        form = PortfolioFilterForm

    # --------------------------------------------------------------- methods
    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        fields = ("name", "slug", "subsector", "location", "description", "implementing_agency", "sponsor")
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    def filter_regions(self, queryset, name, value):
        return queryset.filter(regions__overlap=list(value)) if value else queryset

    def filter_line(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def filter_meeting(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(pk__in=Decision.objects.filter(meeting=value).values("project"))

    def filter_cost(self, queryset, name, value):
        if value is None:
            return queryset
        lookup = "gte" if name == "cost_min" else "lte"
        return queryset.filter(**{f"current_cost_usd__{lookup}": value * MILLION})

    def filter_gap(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.filter(funding_gap_usd__gt=0)
        return queryset.filter(funding_gap_usd=0)

    def __init__(self, *args, as_of=None, **kwargs):
        self.as_of = as_of  # financing filters read the lines' state as of this date
        super().__init__(*args, **kwargs)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        states = LineStates(self.as_of)
        line = Q()
        if data.get("lender"):
            line &= Q(**{states.path("lender__in"): data["lender"]})
        if data.get("lender_kind"):
            line &= Q(**{states.path("lender__kind__in"): data["lender_kind"]})
        if data.get("instrument"):
            line &= Q(instrument__in=data["instrument"])
        if data.get("financing_status"):
            line &= Q(status__in=data["financing_status"])
        if line:
            queryset = queryset.filter(pk__in=states.queryset().filter(line).values(states.path("project")))
        return queryset

    @property
    def active_filters(self) -> int:
        """How many parameters narrow the portfolio (sorting does not)."""
        return len(self.in_force())

    def in_force(self) -> list[FilterInForce]:
        """The filters narrowing the portfolio, in the form's order; none when the input is invalid.

        Runs no query: a lender's and a meeting's rows were read when the form was cleaned.
        """
        if not self.is_bound or not self.is_valid():
            return []
        return [
            FilterInForce(name, SUMMARY_LABELS.get(name, field.label), text, self._query_without(name))
            for name, field in self.form.fields.items()
            if name != "sort" and (text := self._value_text(field, self.form.cleaned_data.get(name)))
        ]

    def clear_query(self) -> str:
        """The query string with every filter removed: the sort and the as-of choice stay."""
        return self._query_without(*self.form.fields)

    def _query_without(self, *names: str) -> str:
        query = QueryDict(mutable=True)
        for key in dict.fromkeys((*self.form.fields, *KEPT_PARAMETERS)):
            if key in KEPT_PARAMETERS or key not in names:
                given = self.data.getlist(key) if isinstance(self.data, QueryDict) else self.data.get(key)
                values = [
                    str(v) for v in (given if isinstance(given, list | tuple) else [given]) if str(v or "").strip()
                ]
                if values:
                    query.setlist(key, values)
        return query.urlencode()

    @staticmethod
    def _value_text(field: forms.Field, value) -> str:
        """A cleaned value as a person reads it ("" when it narrows nothing)."""
        if value in (None, "", [], ()):
            return ""
        if isinstance(field, forms.ModelMultipleChoiceField):
            return ", ".join(field.label_from_instance(row) for row in value)
        if isinstance(field, forms.ModelChoiceField):
            return field.label_from_instance(value)
        if isinstance(field, forms.NullBooleanField):
            return str(dict(field.widget.choices)["true" if value else "false"])
        if isinstance(field, forms.MultipleChoiceField):  # in the list's order, each once
            return ", ".join(str(label) for choice, label in field.choices if choice in value)
        if isinstance(value, Decimal):  # as typed, in millions: a bound is not rounded
            return f"US$ {value.normalize():,f}m"
        if isinstance(value, dt.date):
            return date_format(value, "j M Y")
        return str(value)
