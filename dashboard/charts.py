"""Chart building: rows in, a plotly figure as plain data out.

Every function here is pure: it takes plain rows (dicts of ``Decimal``, ``date``, ``str``
and ``int`` values, as the page selectors of ``dashboard.selectors`` return them: labelled
and in order) and returns a :data:`Figure`, ``{"data": [trace, …], "layout": {…}}`` made of
``str``, ``int``, ``float``, ``bool``, ``None``, lists and dicts only: what plotly.js takes,
ready for the ``json_script`` template filter; ``static/js/charts.js`` draws it. Nothing here
touches the ORM, the request or the settings, so the functions are tested without a database.

plotly's Python package is not imported here: its ``graph_objects`` check every property
against plotly's schema as they are built, tens of milliseconds a page. The tests build a
``plotly.graph_objects.Figure`` of every chart instead, which checks the same schema once.

Conventions:

* Money stays ``Decimal`` until it is handed to plotly: axes are in US$ millions
  (``float`` of ``Decimal / 1,000,000``), hover texts are formatted from the ``Decimal``;
  dates are ISO strings (``2025-06-30``), as plotly would write them.
* Colours come from the colour maps in ``projects.choices`` and ``financing.choices``, and
  lenders' own colours from ``dashboard.colours.lender_colours``; only the neutral greys
  for axes, grid and the "today" line are defined here.
* plotly renders text, hover texts, tick labels and annotations as a subset of HTML, so
  every string that comes from data entry goes through :func:`esc` first.
* With nothing to draw, a function returns :func:`empty_figure` ("No data", no axes).
* Axes never mislead: money and counts tick at fixed 1-2-5 steps computed here
  (:func:`nice_ticks`; counts in whole numbers), dates always name the month (a lone date
  or short span is padded to a year), and legends sit below the plot, clear of the toolbar.
"""

import datetime as dt
import html
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from dashboard.colours import lender_colours
from financing.choices import (
    FINANCING_STATUS_COLOURS,
    FUNDING_PART_COLOURS,
    LENDER_KIND_COLOURS,
    FinancingStatus,
    FundingPart,
)
from projects.choices import (
    DECISION_KIND_COLOURS,
    PHASE_STATUS_COLOURS,
    PROJECT_STATUS_COLOURS,
    SECTOR_COLOURS,
    DecisionKind,
    PhaseStatus,
    Sector,
)
from projects.money import BILLION, MILLION, figure_words

Row = Mapping[str, object]
#: A plotly figure as JSON-native data: ``{"data": [trace dicts, each with its "type"], "layout": {…}}``.
Figure = dict[str, object]

MS_PER_DAY = 24 * 60 * 60 * 1000

FONT_FAMILY = "system-ui, sans-serif"
#: Neutral greys: the only colours not taken from the choices' colour maps.
AXIS_GREY = "#6A6A6A"
GRID_GREY = "#E5E5E5"
TEXT_GREY = "#333333"

#: The two series of the cost history. Borrowed from the site palette (the first two
#: Okabe-Ito colours, as used for sectors) so no new colour is introduced.
USD_SERIES_COLOUR = SECTOR_COLOURS[Sector.TRANSPORT]
PKR_SERIES_COLOUR = SECTOR_COLOURS[Sector.ENERGY]

COMMITTED_COLOUR = FINANCING_STATUS_COLOURS[FinancingStatus.SIGNED]
PIPELINE_COLOUR = FINANCING_STATUS_COLOURS[FinancingStatus.PROPOSED]

USD_AXIS_TITLE = pgettext_lazy("chart unit", "US$ m")
#: Room above the plot for plotly's toolbar (modebar), shown while the pointer is over a chart.
MODEBAR_MARGIN = 32


# Helpers ---------------------------------------------------------------------------------


def esc(value: object) -> str:
    """Escape a data-entry string for plotly's HTML-like text rendering.

    ``html.escape`` turns ``"`` into ``&quot;``, an entity plotly.js does not decode (it
    knows ``&amp; &lt; &gt;`` and numeric entities), so it becomes the numeric ``&#34;``.
    """
    return html.escape(str(value)).replace("&quot;", "&#34;")


def usd_m(value: Decimal | None) -> float:
    """A US-dollar amount as a float in US$ millions, for an axis (None counts as 0)."""
    return float((value or Decimal(0)) / MILLION)


def usd_text(value: Decimal | None) -> str:
    """A US-dollar amount for a hover text: ``Decimal("2000000000")`` → ``"US$ 2,000.0m"``."""
    if value is None:
        return "—"
    words = figure_words()  # looked up once per language, not per figure
    return words["short unit"] % {"symbol": words["USD"], "amount": f"{value / MILLION:,.1f}", "unit": words["m"]}


def m_label(value: Decimal) -> str:
    """A US-dollar amount as a bar label in US$ m: ``"6,800"``, ``"2.5"`` below ten million."""
    millions = value / MILLION
    return f"{millions:,.1f}" if millions < 10 else f"{millions:,.0f}"


def pkr_bn(value: Decimal) -> float:
    return float(value / BILLION)


def pkr_text(value: Decimal | None) -> str:
    if value is None:
        return "—"
    words = figure_words()
    return words["short unit"] % {"symbol": words["PKR code"], "amount": f"{value / BILLION:,.1f}", "unit": words["bn"]}


def date_text(value: dt.date) -> str:
    return date_format(value, "j M Y")


def _projects(count: int) -> str:
    """ "1 project", "1,200 projects"."""
    return ngettext("%(count)s project", "%(count)s projects", count) % {"count": f"{count:,}"}


def base_layout(*, legend: bool = False, **overrides) -> dict:
    """The layout every chart shares: white, compact, system font, no title, no template
    (plotly.js then draws with its own defaults; plotly.py's default template is ~6 KB).

    The legend runs along the bottom of the figure (placed in the container, so plotly
    reserves room for it below the axis titles); the top margin is left to the toolbar
    (modebar), which therefore never covers the legend.
    """
    layout = {
        "autosize": True,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"family": FONT_FAMILY, "size": 13, "color": TEXT_GREY},
        # Right: room for half the last x tick label, centred on the plot's edge (plotly hides it otherwise).
        "margin": {"l": 10, "r": 30, "t": MODEBAR_MARGIN, "b": 10, "pad": 4},
        "hoverlabel": {"font": {"family": FONT_FAMILY}, "align": "left"},
        "hovermode": "closest",
        "showlegend": legend,
        "xaxis": _axis(),
        "yaxis": _axis(),
    }
    if legend:
        layout["legend"] = {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
        }
    for key, value in overrides.items():
        if key in ("xaxis", "yaxis") and isinstance(value, dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def _axis(**extra) -> dict:
    return {
        "automargin": True,
        "gridcolor": GRID_GREY,
        "linecolor": AXIS_GREY,
        "zerolinecolor": GRID_GREY,
        "tickfont": {"color": TEXT_GREY},
        **extra,
    }


def nice_step(maximum: float | Decimal, *, intervals: int = 6, integer: bool = False) -> Decimal:
    """The smallest step of 1, 2 or 5 times a power of ten that covers ``maximum`` in at most
    ``intervals`` steps (at least 1 for counts): ``nice_step(1202)`` → ``Decimal("500")``."""
    maximum = Decimal(str(maximum))
    if maximum <= 0:
        return Decimal(1)
    power = Decimal(1).scaleb((maximum / intervals).adjusted())
    for step in (power, 2 * power, 5 * power, 10 * power):
        if (integer and step < 1) or maximum / step > intervals:
            continue
        return step
    raise AssertionError("unreachable: 10 × power always fits")  # pragma: no cover


def nice_ticks(maximum: float | Decimal, *, intervals: int = 6, integer: bool = False) -> list[int | float]:
    """Tick values from 0 to the first multiple of :func:`nice_step` at or above ``maximum``:
    ``nice_ticks(1202)`` → ``[0, 500, 1000, 1500]``; ``nice_ticks(2, integer=True)`` → ``[0, 1, 2]``."""
    step = nice_step(maximum, intervals=intervals, integer=integer)
    count = max(1, math.ceil(Decimal(str(max(maximum, 0))) / step))
    values = [step * i for i in range(count + 1)]
    return [int(v) if v == v.to_integral_value() else float(v) for v in values]


def _tick_axis(maximum: float | Decimal, *, intervals: int = 6, integer: bool = False, **extra) -> dict:
    """A linear axis from 0 with :func:`nice_ticks`, labelled with as many decimals as the step has.

    The ticks are fixed values (``tickvals``) rather than plotly's own, whose labels can
    repeat (0, 1, 1, 2 on a count axis) or fall between round figures."""
    step = nice_step(maximum, intervals=intervals, integer=integer)
    decimals = max(0, -step.normalize().as_tuple().exponent)
    values = nice_ticks(maximum, intervals=intervals, integer=integer)
    return _axis(
        tickmode="array",
        tickvals=values,
        tickformat=",d" if integer else f",.{decimals}f",
        rangemode="tozero",
        # Up to the last tick at least, so the top of the data always has a tick above it.
        autorange=True,
        autorangeoptions={"include": [values[-1]]},
        **extra,
    )


def _money_axis(maximum: float | Decimal, *, title: str = USD_AXIS_TITLE, **extra) -> dict:
    """A money axis (US$ m or PKR bn) up to ``maximum``, its ticks at a 1-2-5 step: 0, 500, 1,000."""
    return _tick_axis(maximum, title={"text": str(title)}, **extra)


def _count_axis(maximum: int, *, title: str) -> dict:
    """A count axis: distinct whole-number ticks (0, 1, 2 for a maximum of 2, never 0, 1, 1, 2),
    every whole number up to a maximum of 10."""
    return _tick_axis(maximum, intervals=10, integer=True, title={"text": title})


#: Date ticks name the month; zoomed in below a month's step they name the day, then the time,
#: so two ticks never read the same.
DATE_TICK_FORMATS = [
    {"dtickrange": [None, MS_PER_DAY], "value": "%-d %b %Y %H:%M"},
    {"dtickrange": [MS_PER_DAY, "M1"], "value": "%-d %b %Y"},
    {"dtickrange": ["M1", None], "value": "%b %Y"},
]
#: A date axis spans at least this many days, so a single date or a short bar shows months.
MIN_DATE_SPAN_DAYS = 366


def _date_axis(dates: Iterable[dt.date]) -> dict:
    """A date axis over ``dates``; shorter than :data:`MIN_DATE_SPAN_DAYS`, it is padded
    evenly around them, or plotly would zoom a single date down to milliseconds."""
    dates = sorted(dates)
    stops = [{**stop, "dtickrange": list(stop["dtickrange"])} for stop in DATE_TICK_FORMATS]  # the page's own copy
    axis = _axis(type="date", tickformat="%b %Y", tickformatstops=stops)
    if dates and (dates[-1] - dates[0]).days < MIN_DATE_SPAN_DAYS:
        pad = dt.timedelta(days=(MIN_DATE_SPAN_DAYS - (dates[-1] - dates[0]).days) // 2)
        axis["range"] = [(dates[0] - pad).isoformat(), (dates[-1] + pad).isoformat()]
    return axis


def _category_axis(categories: list[str], *, top_down: bool = False, **extra) -> dict:
    """A category axis in the given order; ``top_down`` puts the first category at the top."""
    axis = _axis(type="category", categoryorder="array", categoryarray=categories, showgrid=False, **extra)
    if top_down:
        axis["autorange"] = "reversed"
    return axis


def _bar_height(count: int) -> int:
    """Height for a horizontal bar chart, so long lists stay readable."""
    return max(260, min(1600, 80 + 28 * count))


def figure(data: list[dict], layout: dict) -> Figure:
    return {"data": data, "layout": layout}


def empty_figure(message: str = gettext_lazy("No data")) -> Figure:
    """A figure with only a centred message: no axes, no legend."""
    return figure(
        [],
        base_layout(
            xaxis={"visible": False},
            yaxis={"visible": False},
            annotations=[
                {
                    "text": esc(message),
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "showarrow": False,
                    "font": {"size": 16, "color": AXIS_GREY},
                }
            ],
            height=260,
        ),
    )


def dashboard_figures(tables: Mapping[str, list[Row]], *, today: dt.date) -> dict[str, Figure]:
    """The dashboard's charts, from the rows of ``dashboard_page().tables``."""
    return {
        "by_sector": cost_by_sector(tables["by_sector"]),
        "by_lender": lender_mix(tables["by_lender"]),
        "by_kind": lender_mix(tables["by_kind"]),
        "gaps": funding_gap_by_project(tables["gaps"]),
        "statuses": status_breakdown(tables["statuses"]),
        "timeline": phase_timeline(tables["timeline"], today=today),
        "per_meeting": decisions_per_meeting(tables["per_meeting"]),
    }


# Charts ----------------------------------------------------------------------------------


def cost_by_sector(rows: Iterable[Row]) -> Figure:
    """Total cost per sector, one coloured bar each (rows keep the caller's order).

    rows: ``{"sector": Sector value, "sector_label": str, "cost_usd": Decimal | None, "projects": int}``
    """
    rows = list(rows)
    if not rows:
        return empty_figure()
    labels = [esc(row["sector_label"]) for row in rows]
    bar = dict(
        type="bar",
        x=labels,
        y=[usd_m(row["cost_usd"]) for row in rows],
        marker={"color": [SECTOR_COLOURS[row["sector"]] for row in rows]},
        customdata=[[usd_text(row["cost_usd"]), _projects(row["projects"])] for row in rows],
        hovertemplate="<b>%{x}</b><br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
        name=_("Cost"),
    )
    return figure(
        [bar],
        base_layout(xaxis=_category_axis(labels), yaxis=_money_axis(max(bar["y"]))),
    )


def lender_mix(rows: Iterable[Row]) -> Figure:
    """Committed and pipeline financing per lender or lender kind, as stacked horizontal bars.

    rows: ``{"key": str, "label": str, "committed_usd": Decimal, "pipeline_usd": Decimal}``, in the
    order drawn from the top (``portfolio_lender_mix`` sorts them, the largest total first).
    """
    items = [
        (row["key"], esc(row["label"]), row["committed_usd"] or Decimal(0), row["pipeline_usd"] or Decimal(0))
        for row in rows
    ]
    if not items:
        return empty_figure()
    keys = [item[0] for item in items]
    labels = [item[1] for item in items]
    hover = "<b>%{customdata[0]}</b><br>%{fullData.name}: %{customdata[1]}<extra></extra>"
    traces = [
        dict(
            type="bar",
            name=name,
            orientation="h",
            y=keys,
            x=[usd_m(item[index]) for item in items],
            marker={"color": colour},
            customdata=[[item[1], usd_text(item[index])] for item in items],
            hovertemplate=hover,
        )
        for name, index, colour in (
            (_("Committed"), 2, COMMITTED_COLOUR),
            (_("Proposed / under negotiation"), 3, PIPELINE_COLOUR),
        )
    ]
    return figure(
        traces,
        base_layout(
            legend=True,
            barmode="stack",
            height=_bar_height(len(items)),
            xaxis=_money_axis(max(usd_m(item[2] + item[3]) for item in items)),
            # Lender slugs / kind values keep categories unique; the ticks show the names.
            yaxis=_category_axis(keys, top_down=True, tickmode="array", tickvals=keys, ticktext=labels),
        ),
    )


#: The parts of a project's cost in the funding-gap chart: row key, legend name.
FUNDING_PARTS = (
    ("committed_usd", FundingPart.COMMITTED),
    ("unknown_usd", FundingPart.COMMITTED_UNKNOWN),
    ("pipeline_usd", FundingPart.PIPELINE),
    ("gap_usd", FundingPart.GAP),
)


def funding_gap_by_project(rows: Iterable[Row]) -> Figure:
    """Each project's cost in its four parts, in the caller's order (largest gap first) from the top.

    rows: ``{"name", "slug", "cost_usd", "committed_usd", "unknown_usd", "pipeline_usd",
    "gap_usd", "gap_percent"}``; rows with nothing uncommitted (no pipeline, no gap) are skipped.
    """
    rows = [row for row in rows if row["gap_usd"] or row.get("pipeline_usd")]
    if not rows:
        return empty_figure()
    slugs = [row["slug"] for row in rows]
    names = [esc(row["name"]) for row in rows]
    traces = [
        dict(
            type="bar",
            orientation="h",
            y=slugs,
            x=[usd_m(row.get(key)) for row in rows],
            marker={"color": FUNDING_PART_COLOURS[part]},
            customdata=[
                [
                    name,
                    usd_text(row.get(key)),
                    usd_text(row["cost_usd"]),
                    "—" if row["gap_percent"] is None else f"{row['gap_percent']:.1f}%",
                ]
                for name, row in zip(names, rows, strict=True)
            ],
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>%{fullData.name}: %{customdata[1]}<br>"
                + _("Cost %{customdata[2]}; gap %{customdata[3]}")
                + "<extra></extra>"
            ),
            name=str(part.label),
            **(_gap_labels(rows) if part == FundingPart.GAP else {}),
        )
        for key, part in FUNDING_PARTS
    ]
    return figure(
        traces,
        base_layout(
            legend=True,
            barmode="stack",
            height=_bar_height(len(rows)),
            xaxis=_money_axis(
                max(usd_m(sum((row.get(key) or 0 for key, _ in FUNDING_PARTS), Decimal(0))) for row in rows)
            ),
            # Slugs keep two projects of the same name apart; the ticks show the names.
            yaxis=_category_axis(slugs, top_down=True, tickmode="array", tickvals=slugs, ticktext=names),
        ),
    )


def _gap_labels(rows: list[Row]) -> dict:
    """The gap segments' US$ m figures, written past the end of each bar (the gap is the last part)."""
    return {
        "text": [m_label(row["gap_usd"]) if row["gap_usd"] else "" for row in rows],
        "textposition": "outside",
        "textfont": {"color": TEXT_GREY},
        "cliponaxis": False,
    }


def status_breakdown(rows: Iterable[Row]) -> Figure:
    """Number of projects per status, one bar each in the rows' order (``ProjectStatus`` order).

    rows: ``{"status": ProjectStatus value, "status_label": str, "projects": int, "cost_usd": Decimal | None}``.
    """
    rows = list(rows)
    if not rows:
        return empty_figure()
    labels = [esc(row["status_label"]) for row in rows]
    bar = dict(
        type="bar",
        x=labels,
        y=[row["projects"] for row in rows],
        marker={"color": [PROJECT_STATUS_COLOURS[row["status"]] for row in rows]},
        customdata=[[_projects(row["projects"]), usd_text(row.get("cost_usd"))] for row in rows],
        hovertemplate="<b>%{x}</b><br>%{customdata[0]}<br>" + _("Cost: %{customdata[1]}") + "<extra></extra>",
        name=_("Projects"),
    )
    return figure(
        [bar],
        base_layout(
            xaxis=_category_axis(labels),
            yaxis=_count_axis(max(row["projects"] for row in rows), title=_("Projects")),
        ),
    )


def phase_timeline(rows: Iterable[Row], *, today: dt.date) -> Figure:
    """Gantt chart of phases, one bar per phase from start to end, a dashed line at ``today``.

    rows: ``phase_timeline_row`` dicts (``label``, ``status``, ``status_label``, ``start``, ``end``),
    drawn in their order from the top.
    Rows without a start or end, or ending before they start, are skipped. Bars are drawn as
    ``base`` = start date and ``x`` = duration in milliseconds on a date axis (no pandas).
    One trace per phase status, so the legend names the statuses.
    """
    rows = [row for row in rows if row["start"] and row["end"] and row["end"] >= row["start"]]
    if not rows:
        return empty_figure()
    labels = [esc(row["label"]) for row in rows]
    categories = list(dict.fromkeys(labels))
    traces = []
    for status in PhaseStatus:
        picked = [(label, row) for label, row in zip(labels, rows, strict=True) if row["status"] == status]
        if not picked:
            continue
        traces.append(
            dict(
                type="bar",
                name=esc(picked[0][1]["status_label"]),
                orientation="h",
                y=[label for label, _ in picked],
                base=[row["start"].isoformat() for _, row in picked],
                x=[(row["end"] - row["start"]).days * MS_PER_DAY for _, row in picked],
                marker={"color": PHASE_STATUS_COLOURS[status]},
                customdata=[[date_text(row["start"]), date_text(row["end"])] for _, row in picked],
                hovertemplate=("<b>%{y}</b><br>%{fullData.name}<br>%{customdata[0]} – %{customdata[1]}<extra></extra>"),
            )
        )
    return figure(
        traces,
        base_layout(
            legend=True,
            barmode="overlay",
            height=_bar_height(len(categories)),
            # Today's line is part of the span, as plotly's own range would have it.
            xaxis=_date_axis([today, *(row["start"] for row in rows), *(row["end"] for row in rows)]),
            yaxis=_category_axis(categories, top_down=True),
            shapes=[
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": today.isoformat(),
                    "x1": today.isoformat(),
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": AXIS_GREY, "width": 1.5, "dash": "dash"},
                }
            ],
            annotations=[
                {
                    "text": _("Today"),
                    "xref": "x",
                    "yref": "paper",
                    "x": today.isoformat(),
                    "y": 1,
                    # Inside the plot, right of the line, so it never collides with the legend.
                    "yanchor": "top",
                    "xanchor": "left",
                    "xshift": 3,
                    "showarrow": False,
                    "font": {"color": AXIS_GREY, "size": 12},
                }
            ],
        ),
    )


def decisions_per_meeting(rows: Iterable[Row]) -> Figure:
    """Decisions per JCC meeting, stacked by decision kind, meetings in the rows' (number) order.

    rows: ``{"number": int, "label": str, "kind": DecisionKind value, "kind_label": str, "decisions": int}``,
    as ``meeting_decision_counts`` returns them.
    """
    rows = list(rows)
    if not rows:
        return empty_figure()
    categories = list(dict.fromkeys(esc(row["label"]) for row in rows))
    per_meeting = Counter()
    for row in rows:
        per_meeting[row["number"]] += row["decisions"]
    traces = []
    for kind in DecisionKind:  # one trace per kind, in a fixed order, so colours and legend stay put
        picked = [row for row in rows if row["kind"] == kind]
        if not picked:
            continue
        traces.append(
            dict(
                type="bar",
                name=esc(picked[0]["kind_label"]),
                x=[esc(row["label"]) for row in picked],
                y=[row["decisions"] for row in picked],
                marker={"color": DECISION_KIND_COLOURS[kind]},
                hovertemplate="<b>%{x}</b><br>%{fullData.name}: %{y}<extra></extra>",
            )
        )
    return figure(
        traces,
        base_layout(
            legend=True,
            barmode="stack",
            xaxis=_category_axis(categories),
            yaxis=_count_axis(max(per_meeting.values()), title=_("Decisions")),
        ),
    )


def cost_history(rows: Iterable[Row]) -> Figure:
    """One project's cost estimates over time: US$ m, and PKR bn as a legend toggle.

    rows (date order): ``{"as_of", "amount_usd", "amount_pkr", "basis", "forum", "source",
    "stated", "full_scope"}``. Partial-scope figures are hollow markers off the line, so a
    figure for part of the project does not make the line jump.
    """
    rows = list(rows)
    if not rows:
        return empty_figure()
    full = [row for row in rows if row["full_scope"]]
    partial = [row for row in rows if not row["full_scope"]]

    def hover(row: Row, amount: str) -> list[str]:
        return [
            date_text(row["as_of"]),
            esc(row["stated"]),
            amount,
            esc(row["basis"]),
            esc(row["forum"] or "—"),
            esc(row["source"]),
        ]

    template = (
        "<b>%{customdata[0]}</b><br>"
        + _("Stated: %{customdata[1]}")
        + "<br>%{fullData.name}: %{customdata[2]}<br>"
        + _("Basis: %{customdata[3]}")
        + "<br>"
        + _("Forum: %{customdata[4]}")
        + "<br>"
        + _("Source: %{customdata[5]}")
        + "<extra></extra>"
    )

    def series(picked: list[Row], *, currency: str, **kwargs) -> dict | None:
        key = "amount_usd" if currency == "usd" else "amount_pkr"
        picked = [row for row in picked if row[key] is not None]
        if not picked:
            return None
        if currency == "usd":
            values, texts = [usd_m(row[key]) for row in picked], [usd_text(row[key]) for row in picked]
        else:
            values, texts = [pkr_bn(row[key]) for row in picked], [pkr_text(row[key]) for row in picked]
        return dict(
            type="scatter",
            x=[row["as_of"].isoformat() for row in picked],
            y=values,
            customdata=[hover(row, text) for row, text in zip(picked, texts, strict=True)],
            hovertemplate=template,
            **kwargs,
        )

    hollow = {"size": 9, "symbol": "circle-open", "line": {"width": 2}}
    traces = [
        series(
            full,
            currency="usd",
            name=pgettext("chart unit", "US$ m"),
            mode="lines+markers",
            line={"color": USD_SERIES_COLOUR},
            marker={"size": 7},
        ),
        series(
            full,
            currency="pkr",
            name=pgettext("chart unit", "PKR bn"),
            mode="lines+markers",
            line={"color": PKR_SERIES_COLOUR},
            marker={"size": 7},
            yaxis="y2",
            visible="legendonly",
            legendgroup="pkr",
        ),
        series(
            partial,
            currency="usd",
            name=_("Partial-scope figures"),
            mode="markers",
            marker={**hollow, "color": USD_SERIES_COLOUR},
        ),
        # Toggled with "PKR bn" through the legend group; no legend entry of its own.
        series(
            partial,
            currency="pkr",
            name=_("Partial-scope figures (PKR bn)"),
            mode="markers",
            marker={**hollow, "color": PKR_SERIES_COLOUR},
            yaxis="y2",
            visible="legendonly",
            legendgroup="pkr",
            showlegend=False,
        ),
    ]
    traces = [trace for trace in traces if trace is not None]
    if not traces:
        return empty_figure()
    usd_values = [value for trace in traces if trace.get("yaxis") != "y2" for value in trace["y"]]
    pkr_values = [value for trace in traces if trace.get("yaxis") == "y2" for value in trace["y"]]
    pkr_axis = _money_axis(max(pkr_values, default=0), title=pgettext("chart unit", "PKR bn"))
    return figure(
        traces,
        base_layout(
            legend=True,
            xaxis=_date_axis(row["as_of"] for row in rows),
            yaxis=_money_axis(max(usd_values, default=0)),
            yaxis2={
                **pkr_axis,
                # While the PKR traces are hidden the axis has no data: an explicit range up to
                # its last tick, and no axis or zero line, or plotly draws a path with NaN coordinates.
                "range": [0, pkr_axis["tickvals"][-1]],
                "showline": False,
                "zeroline": False,
                "overlaying": "y",
                "side": "right",
                "showgrid": False,
            },
        ),
    )


def financing_donut(
    rows: Iterable[Row],
    *,
    gap_usd: Decimal | None,
    undisclosed_usd: Decimal | None = None,
    pipeline_usd: Decimal | None = None,
) -> Figure:
    """Committed financing per lender, then proposed lenders, then the rest of the cost, as a donut.

    rows: ``{"label": str, "kind": LenderKind value, "kind_label": str, "value_usd": Decimal | None}`` and optionally
    ``"key"`` (a lender's slug, say; the label by default) and ``"pipeline": True`` for money
    proposed, planned or under negotiation. Each lender has its own colour
    (:func:`dashboard.colours.lender_colours` of the keys: distinct within the donut, the
    same on every project's page) and its kind on the hover's second line. A proposed lender
    is drawn after the committed ones, its colour lightened by white hatching, and named
    "(proposed)"; with no amount stated it still has its legend entry (a slice of 0).
    Proposed lenders come out of ``pipeline_usd`` (the pipeline's part of the cost): only the
    rest is drawn as "Proposed or planned", and when they add up to more, their slices share
    ``pipeline_usd`` in proportion (each hover keeps the lender's own amount). Then committed of
    undisclosed amount, the rest of the pipeline and the "Unfunded" gap, each skipped when 0
    or None, in the funding parts' colours, with the part's name on the hover's second line.
    """
    rows = [row for row in rows if row["value_usd"] or row.get("pipeline")]
    colours = lender_colours(_lender_key(row) for row in rows)
    committed = [row for row in rows if not row.get("pipeline")]
    proposed = [row for row in rows if row.get("pipeline")]
    # (label, own colour, size, amount text, hover detail, hatched)
    slices = [
        (
            esc(row["label"]),
            colours[_lender_key(row)],
            row["value_usd"],
            usd_text(row["value_usd"]),
            esc(row["kind_label"]),
            False,
        )
        for row in committed
    ]
    if undisclosed_usd:
        part = FundingPart.COMMITTED_UNKNOWN
        slices.append(
            (
                _("Committed, amount not disclosed"),
                FUNDING_PART_COLOURS[part],
                undisclosed_usd,
                usd_text(undisclosed_usd),
                str(part.label),
                False,
            )
        )
    proposed_usd = sum((row["value_usd"] or Decimal(0) for row in proposed), Decimal(0))
    scale = Decimal(1)
    if pipeline_usd is not None and proposed_usd > pipeline_usd:
        scale = pipeline_usd / proposed_usd
    slices += [
        (
            _("%(lender)s (proposed)") % {"lender": esc(row["label"])},
            colours[_lender_key(row)],
            (row["value_usd"] or Decimal(0)) * scale,
            usd_text(row["value_usd"]) if row["value_usd"] else _("Amount not stated"),
            # Translators: a proposed lender's kind, then the funding part:
            # "Commercial bank; proposed or planned, not committed".
            _("%(kind)s; %(part)s, not committed")
            % {"kind": esc(row["kind_label"]), "part": str(FundingPart.PIPELINE.label).lower()},
            True,
        )
        for row in proposed
    ]
    rest = [
        (_("Proposed or planned"), FundingPart.PIPELINE, (pipeline_usd or Decimal(0)) - proposed_usd),
        (_("Unfunded"), FundingPart.GAP, gap_usd),
    ]
    slices += [
        (label, FUNDING_PART_COLOURS[part], value, usd_text(value), str(part.label), False)
        for label, part, value in rest
        if value and value > 0
    ]
    if not any(size for _, _, size, _, _, _ in slices):
        return empty_figure()
    marker = {"colors": [colour for _, colour, *_ in slices], "line": {"color": "white", "width": 1}}
    if proposed:  # white hatching over the lender's own colour: lighter, and striped in the legend too
        marker["pattern"] = {
            "shape": ["/" if hatched else "" for *_, hatched in slices],
            "fgcolor": "white",
            # "replace" with the colours as background: "overlay" makes plotly.js warn on every legend item.
            "bgcolor": marker["colors"],
            "solidity": 0.4,
        }
    # Percentages written on stripes are hard to read: a hatched slice has its percentage outside.
    position = {"textposition": ["outside" if hatched else "auto" for *_, hatched in slices]} if proposed else {}
    pie = dict(
        type="pie",
        labels=[label for label, *_ in slices],
        values=[usd_m(size) for _, _, size, *_ in slices],
        marker=marker,
        customdata=[[amount, esc(detail)] for _, _, _, amount, detail, _ in slices],
        hole=0.55,
        sort=False,
        direction="clockwise",
        textinfo="percent",
        # A proposed lender of no stated amount has a legend entry but no "0%" on the ring.
        texttemplate=["%{percent}" if size else "" for _, _, size, *_ in slices],
        hovertemplate="<b>%{label}</b><br>%{customdata[1]}<br>%{customdata[0]}<br>%{percent}<extra></extra>",
        **position,
    )
    return figure([pie], base_layout(legend=True))


def _lender_key(row: Row) -> str:
    return str(row.get("key") or row["label"])


#: The PSDP chart's three series: what was allocated, released and spent (``budget.selectors``).
PSDP_SERIES = (
    ("allocation", gettext_lazy("Allocated"), FINANCING_STATUS_COLOURS[FinancingStatus.DISBURSING]),
    ("released", gettext_lazy("Released"), FINANCING_STATUS_COLOURS[FinancingStatus.PROPOSED]),
    ("spent", gettext_lazy("Spent"), FINANCING_STATUS_COLOURS[FinancingStatus.SIGNED]),
)


def psdp_years(rows: Iterable[Row]) -> Figure:
    """PSDP money per fiscal year: allocated, released and spent side by side, in Rs bn.

    rows (fiscal-year order): ``{"year": "2024-25", "allocation", "released", "spent"}`` (rupees,
    None when not reported: no bar, never a zero one). One row per year; a project's schemes
    are added up by the caller.
    """
    rows = list(rows)
    values = [row[key] for row in rows for key, _, _ in PSDP_SERIES if row[key] is not None]
    if not values:
        return empty_figure(_("No PSDP figures recorded"))
    years = [row["year"] for row in rows]
    data = []
    for key, name, colour in PSDP_SERIES:
        picked = [row for row in rows if row[key] is not None]
        if not picked:
            continue
        name = str(name)  # the series' name in the active language
        data.append(
            dict(
                type="bar",
                name=name,
                x=[row["year"] for row in picked],
                y=[pkr_bn(row[key]) for row in picked],
                marker={"color": colour},
                customdata=[[pkr_text(row[key])] for row in picked],
                hovertemplate=f"<b>%{{x}}</b><br>{name}: %{{customdata[0]}}<extra></extra>",
            )
        )
    return figure(
        data,
        base_layout(
            legend=True,
            barmode="group",
            xaxis=_category_axis(years),
            yaxis=_money_axis(max(pkr_bn(v) for v in values), title=pgettext("chart unit", "Rs bn")),
        ),
    )


def debt_service(rows: Iterable[Row], kinds: Iterable[tuple[str, str]]) -> Figure:
    """Debt service per fiscal year (principal, interest and fees due), stacked by lender kind, in US$ m.

    rows (fiscal-year order): ``{"fiscal_year": "2024-25", "by_kind": {kind: US$}, "total": US$}``;
    kinds: the lender kinds to stack, in order, as (value, label).
    """
    rows = list(rows)
    if not rows:
        return empty_figure(_("No loan with known terms"))
    years = [row["fiscal_year"] for row in rows]
    data = []
    for kind, label in kinds:
        picked = [row for row in rows if kind in row["by_kind"]]
        data.append(
            dict(
                type="bar",
                name=str(label),
                x=[row["fiscal_year"] for row in picked],
                y=[usd_m(row["by_kind"][kind]) for row in picked],
                marker={"color": LENDER_KIND_COLOURS[kind]},
                customdata=[[usd_text(row["by_kind"][kind]), usd_text(row["total"])] for row in picked],
                hovertemplate=f"<b>%{{x}}</b><br>{esc(label)}: %{{customdata[0]}}<br>"
                + _("All loans: %{customdata[1]}")
                + "<extra></extra>",
            )
        )
    return figure(
        data,
        base_layout(
            legend=True,
            barmode="stack",
            xaxis=_category_axis(years),
            yaxis=_money_axis(max(usd_m(row["total"]) for row in rows)),
        ),
    )


#: The provinces' shading, from the least to the most (a sequential teal scale), and the unshaded fill.
SHADES = ["#e6f2f0", "#b9ddd6", "#7fc1b5", "#3f9c8c", "#12665a"]
UNSHADED = "#f4f4f1"
MAP_ATTRIBUTION = gettext_lazy("Boundaries © OpenStreetMap contributors")
#: Pakistan's box on the map (longitude, latitude), and the stretch of a degree of latitude against one of
#: longitude at about 30° north, so the country keeps its shape (an equirectangular projection).
MAP_LONGITUDES = (60.5, 78.0)
MAP_LATITUDES = (23.5, 37.5)
MAP_ASPECT = 1 / math.cos(math.radians(30))


def _shade(value: Decimal | None, top: Decimal | None) -> str:
    if not value or not top:
        return UNSHADED
    return SHADES[min(len(SHADES) - 1, int(value / top * len(SHADES)))]


def corridor_map(
    places: Iterable[Row],
    regions: Iterable[Row],
    *,
    colour: str = "sector",
    shade: str = "",
    highlight: Iterable[str] = (),
    height: int = 620,
) -> Figure:
    """The projects on a map of Pakistan: a marker at each point and a line along each route, coloured by
    sector (or status: ``colour``), markers sized by cost; hovering names the project, its status, cost
    and gap, and a click opens it (``layout.meta.links``).

    The provinces are not in the figure: ``static/js/charts.js`` reads them from the boundaries file
    (``dashboard.boundaries``) and draws them under the projects, filled as ``layout.meta.areas`` says:
    shaded by the cost or gap split to them (``shade``), the ``highlight``ed ones (a project's own) tinted,
    or plain. A project's own small map is this with its one place, its regions highlighted, no legend.

    places: ``dashboard.selectors.MapPage.places``, each with the ``url`` a click opens; regions: its ``regions``.
    """
    places, regions = list(places), list(regions)
    key, label_key = ("sector", "sector_label") if colour == "sector" else ("status", "status_label")
    colours = SECTOR_COLOURS if colour == "sector" else PROJECT_STATUS_COLOURS
    top_cost = max((p["cost_usd"] for p in places if p["cost_usd"]), default=None)
    groups: dict[str, list[Row]] = {}
    for place in places:
        groups.setdefault(place[key] or "", []).append(place)

    def hover(place) -> list[str]:
        return [
            place["url"],
            esc(place["name"]),
            esc(place["status_label"]),
            usd_text(place["cost_usd"]),
            usd_text(place["gap_usd"]),
        ]

    template = (
        "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>"
        + _("Cost %{customdata[3]}")
        + "<br>"
        + _("Gap %{customdata[4]}")
        + "<extra></extra>"
    )
    data = []
    for value, group in groups.items():
        name = esc(group[0][label_key] or _("Not known"))
        colour_of = colours.get(value, AXIS_GREY)
        routes = [p for p in group if p["route"]]
        if routes:
            x, y, custom = [], [], []
            for place in routes:
                for lon, lat in place["route"]:
                    x.append(lon)
                    y.append(lat)
                    custom.append(hover(place))
                x.append(None)
                y.append(None)
                custom.append(None)
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": name,
                    "legendgroup": value,
                    "showlegend": False,
                    "x": x,
                    "y": y,
                    "line": {"color": colour_of, "width": 4},
                    "marker": {"color": colour_of, "size": 5},
                    "customdata": custom,
                    "hovertemplate": template,
                    "connectgaps": False,
                }
            )
        points = [p for p in group if p["latitude"] is not None]
        sizes = [
            8 + 22 * math.sqrt(float(p["cost_usd"] / top_cost)) if p["cost_usd"] and top_cost else 8 for p in points
        ]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "legendgroup": value,
                "x": [float(p["longitude"]) for p in points],
                "y": [float(p["latitude"]) for p in points],
                "marker": {"color": colour_of, "size": sizes, "opacity": 0.85, "line": {"color": "white", "width": 1}},
                "customdata": [hover(p) for p in points],
                "hovertemplate": template,
            }
        )
    values = {r["region"]: r[f"{shade}_usd"] for r in regions} if shade else {}
    top = max((v for v in values.values() if v), default=None)
    if shade == "cost":
        # Translators: a province on the map, its projects then its share of their cost:
        # "Punjab: 12 projects, cost US$ 1,200.0m (a project's split among its provinces)".
        measure = _("%(text)s, cost %(amount)s (a project's split among its provinces)")
    else:
        measure = _("%(text)s, funding gap %(amount)s (a project's split among its provinces)")
    highlight = set(highlight)
    areas = {}
    for r in regions:
        if highlight:
            text = str(r["label"])
        else:
            text = ngettext("%(region)s: %(count)s project", "%(region)s: %(count)s projects", r["projects"]) % {
                "region": r["label"],
                "count": f"{r['projects']:,}",
            }
        if shade:
            text = measure % {"text": text, "amount": usd_text(values[r["region"]])}
            if r["uncosted"]:
                text = ngettext(
                    "%(text)s; %(count)s project of unknown cost not in it",
                    "%(text)s; %(count)s projects of unknown cost not in it",
                    r["uncosted"],
                ) % {"text": text, "count": f"{r['uncosted']:,}"}
        fill = _shade(values.get(r["region"]), top) if shade else SHADES[0] if r["region"] in highlight else UNSHADED
        areas[r["region"]] = {"fill": fill, "text": esc(text)}
    hidden = {"visible": False, "fixedrange": True}
    return figure(
        data,
        base_layout(
            legend=not highlight,
            height=height,
            xaxis={**hidden, "range": list(MAP_LONGITUDES)},
            yaxis={**hidden, "range": list(MAP_LATITUDES), "scaleanchor": "x", "scaleratio": MAP_ASPECT},
            dragmode=False,
            meta={"links": True, "areas": areas, "outline": AXIS_GREY},
            annotations=[
                {
                    "text": str(MAP_ATTRIBUTION),
                    "xref": "paper",
                    "yref": "paper",
                    "x": 1,
                    "y": 0,
                    "xanchor": "right",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 11, "color": TEXT_GREY},
                }
            ],
        ),
    )
