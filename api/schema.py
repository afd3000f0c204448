"""The query parameters in the OpenAPI description, read from the forms that validate them.

The portfolio filter's parameters are listed from ``PortfolioFilter`` itself (its choices as
enums), so the description cannot drift from what the project list accepts.
"""

from __future__ import annotations

import django_filters as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from dashboard.filters import PortfolioFilter

from .params import MAX_PAGE_SIZE, PAGE_SIZE

MOMENT_PARAMETERS = [
    OpenApiParameter(
        "as_of_jcc",
        OpenApiTypes.INT,
        description="The state as of this JCC meeting (its number): its date, its decisions included. "
        "Wins over as_of. An unknown meeting is a 400.",
    ),
    OpenApiParameter(
        "as_of",
        OpenApiTypes.DATE,
        description="The state known at the end of this day (YYYY-MM-DD, from 1990 on).",
    ),
]

PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="The page, from 1; past the last page is a 404."),
    OpenApiParameter(
        "page_size", OpenApiTypes.INT, description=f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {PAGE_SIZE})."
    ),
]


def portfolio_filter_parameters() -> list[OpenApiParameter]:
    """One parameter per ``PortfolioFilter`` filter, typed as its form field reads it."""
    parameters = []
    for name, spec in PortfolioFilter.base_filters.items():
        description = str(spec.label or name)
        if isinstance(spec, filters.OrderingFilter):
            choices = [value for value, _label in spec.extra["choices"]]
            parameters.append(
                OpenApiParameter(name, OpenApiTypes.STR, enum=choices, description="Sort by; '-' for descending.")
            )
        elif isinstance(spec, filters.ModelMultipleChoiceFilter):
            parameters.append(
                OpenApiParameter(
                    name,
                    {"type": "array", "items": {"type": "string"}},
                    explode=True,
                    description=f"{description} (slugs; repeat for several).",
                )
            )
        elif isinstance(spec, filters.MultipleChoiceFilter):
            choices = [value for value, _label in spec.extra["choices"]]
            parameters.append(
                OpenApiParameter(
                    name,
                    {"type": "array", "items": {"type": "string", "enum": choices}},
                    explode=True,
                    description=f"{description} (repeat for several).",
                )
            )
        elif isinstance(spec, filters.ModelChoiceFilter):
            parameters.append(OpenApiParameter(name, OpenApiTypes.INT, description=f"{description} (meeting number)."))
        elif isinstance(spec, filters.NumberFilter):
            parameters.append(OpenApiParameter(name, OpenApiTypes.DECIMAL, description=description))
        elif isinstance(spec, filters.DateFilter):
            parameters.append(OpenApiParameter(name, OpenApiTypes.DATE, description=description))
        elif isinstance(spec, filters.BooleanFilter):
            parameters.append(OpenApiParameter(name, OpenApiTypes.BOOL, description=description))
        else:
            parameters.append(OpenApiParameter(name, OpenApiTypes.STR, description=description))
    return parameters
