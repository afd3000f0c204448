"""Chart building: rows in, plotly ``Figure`` out.

Every function here is pure: it takes plain rows (dicts of ``Decimal``, ``date``, ``str``
and ``int`` values, as the page selectors of ``dashboard.selectors`` return them: labelled
and in order) and returns a ``go.Figure``. Nothing here
touches the ORM, the request or the settings, so the functions are tested without a database.
The page turns a figure into JSON with :func:`figure_json` (for ``json_script``) and
``static/js/charts.js`` draws it.

Conventions:

* Money stays ``Decimal`` until it is handed to plotly: axes are in US$ millions
  (``float`` of ``Decimal / 1,000,000``), hover texts are formatted from the ``Decimal``.
* Colours come from the colour maps in ``projects.choices`` and ``financing.choices``, and
  lenders' own colours from ``dashboard.colours.lender_colours``; only the neutral greys
  for axes, grid and the "today" line are defined here.
* plotly renders text, hover texts, tick labels and annotations as a subset of HTML, so
  every string that comes from data entry goes through :func:`esc` first.
* With nothing to draw, a function returns :func:`empty_figure` ("No data", no axes).
"""

import datetime as dt
import html
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.colours import lender_colours
from financing.choices import (
    FINANCING_STATUS_COLOURS,
    FUNDING_PART_COLOURS,
    FinancingStatus,
    FundingPart,
    LenderKind,
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
from projects.money import BILLION, MILLION

Row = Mapping[str, object]

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

USD_AXIS_TITLE = "US$ m"


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
    return f"US$ {value / MILLION:,.1f}m"


def pkr_bn(value: Decimal) -> float:
    return float(value / BILLION)


def pkr_text(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"PKR {value / BILLION:,.1f}bn"


def date_text(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def base_layout(*, legend: bool = False, **overrides) -> dict:
    """The layout every chart shares: white, compact, system font, no title, no template."""
    layout = {
        "template": go.layout.Template(),  # an empty template; figure_json drops it
        "autosize": True,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"family": FONT_FAMILY, "size": 13, "color": TEXT_GREY},
        "margin": {"l": 10, "r": 10, "t": 40 if legend else 10, "b": 10, "pad": 4},
        "hoverlabel": {"font": {"family": FONT_FAMILY}, "align": "left"},
        "hovermode": "closest",
        "showlegend": legend,
        "xaxis": _axis(),
        "yaxis": _axis(),
    }
    if legend:
        layout["legend"] = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}
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


def _money_axis(**extra) -> dict:
    return _axis(title={"text": USD_AXIS_TITLE}, tickformat=",.0f", rangemode="tozero", **extra)


def _category_axis(categories: list[str], *, top_down: bool = False, **extra) -> dict:
    """A category axis in the given order; ``top_down`` puts the first category at the top."""
    axis = _axis(type="category", categoryorder="array", categoryarray=categories, showgrid=False, **extra)
    if top_down:
        axis["autorange"] = "reversed"
    return axis


def _bar_height(count: int) -> int:
    """Height for a horizontal bar chart, so long lists stay readable."""
    return max(260, min(1600, 80 + 28 * count))


def empty_figure(message: str = "No data") -> go.Figure:
    """A figure with only a centred message: no axes, no legend."""
    return go.Figure(
        layout=base_layout(
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
        )
    )


def figure_json(fig: go.Figure) -> dict:
    """The figure as a dict of JSON-native types, for the ``json_script`` template filter.

    ``plotly.io.to_json`` converts Decimal, date and numpy values; the layout template is
    dropped so the page carries only the chart (a default plotly template is ~6 KB).
    """
    data = json.loads(pio.to_json(fig, validate=False))
    data.get("layout", {}).pop("template", None)
    return data


def dashboard_figures(tables: Mapping[str, list[Row]], *, today: dt.date) -> dict[str, dict]:
    """The dashboard's charts as :func:`figure_json` dicts, from the rows of ``dashboard_page().tables``."""
    return {
        "by_sector": figure_json(cost_by_sector(tables["by_sector"])),
        "by_lender": figure_json(lender_mix(tables["by_lender"])),
        "by_kind": figure_json(lender_mix(tables["by_kind"])),
        "gaps": figure_json(funding_gap_by_project(tables["gaps"])),
        "statuses": figure_json(status_breakdown(tables["statuses"])),
        "timeline": figure_json(phase_timeline(tables["timeline"], today=today)),
        "per_meeting": figure_json(decisions_per_meeting(tables["per_meeting"])),
    }


# Charts ----------------------------------------------------------------------------------


def cost_by_sector(rows: Iterable[Row]) -> go.Figure:
    """Total cost per sector, one coloured bar each (rows keep the caller's order).

    rows: ``{"sector": Sector value, "sector_label": str, "cost_usd": Decimal | None, "projects": int}``
    """
    rows = list(rows)
    if not rows:
        return empty_figure()
    labels = [esc(row["sector_label"]) for row in rows]
    bar = go.Bar(
        x=labels,
        y=[usd_m(row["cost_usd"]) for row in rows],
        marker={"color": [SECTOR_COLOURS[row["sector"]] for row in rows]},
        customdata=[[usd_text(row["cost_usd"]), _plural(row["projects"], "project")] for row in rows],
        hovertemplate="<b>%{x}</b><br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
        name="Cost",
    )
    return go.Figure(
        data=[bar],
        layout=base_layout(xaxis=_category_axis(labels), yaxis=_money_axis()),
    )


def lender_mix(rows: Iterable[Row]) -> go.Figure:
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
        go.Bar(
            name=name,
            orientation="h",
            y=keys,
            x=[usd_m(item[index]) for item in items],
            marker={"color": colour},
            customdata=[[item[1], usd_text(item[index])] for item in items],
            hovertemplate=hover,
        )
        for name, index, colour in (
            ("Committed", 2, COMMITTED_COLOUR),
            ("Proposed / under negotiation", 3, PIPELINE_COLOUR),
        )
    ]
    return go.Figure(
        data=traces,
        layout=base_layout(
            legend=True,
            barmode="stack",
            height=_bar_height(len(items)),
            xaxis=_money_axis(),
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


def funding_gap_by_project(rows: Iterable[Row]) -> go.Figure:
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
        go.Bar(
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
                "Cost %{customdata[2]}; gap %{customdata[3]}<extra></extra>"
            ),
            name=part.label,
        )
        for key, part in FUNDING_PARTS
    ]
    return go.Figure(
        data=traces,
        layout=base_layout(
            legend=True,
            barmode="stack",
            height=_bar_height(len(rows)),
            xaxis=_money_axis(),
            # Slugs keep two projects of the same name apart; the ticks show the names.
            yaxis=_category_axis(slugs, top_down=True, tickmode="array", tickvals=slugs, ticktext=names),
        ),
    )


def status_breakdown(rows: Iterable[Row]) -> go.Figure:
    """Number of projects per status, one bar each in the rows' order (``ProjectStatus`` order).

    rows: ``{"status": ProjectStatus value, "status_label": str, "projects": int, "cost_usd": Decimal | None}``.
    """
    rows = list(rows)
    if not rows:
        return empty_figure()
    labels = [esc(row["status_label"]) for row in rows]
    bar = go.Bar(
        x=labels,
        y=[row["projects"] for row in rows],
        marker={"color": [PROJECT_STATUS_COLOURS[row["status"]] for row in rows]},
        customdata=[[_plural(row["projects"], "project"), usd_text(row.get("cost_usd"))] for row in rows],
        hovertemplate="<b>%{x}</b><br>%{customdata[0]}<br>Cost: %{customdata[1]}<extra></extra>",
        name="Projects",
    )
    return go.Figure(
        data=[bar],
        layout=base_layout(
            xaxis=_category_axis(labels),
            yaxis=_axis(title={"text": "Projects"}, tickformat=",d", rangemode="tozero"),
        ),
    )


def phase_timeline(rows: Iterable[Row], *, today: dt.date) -> go.Figure:
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
            go.Bar(
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
    return go.Figure(
        data=traces,
        layout=base_layout(
            legend=True,
            barmode="overlay",
            height=_bar_height(len(categories)),
            xaxis=_axis(type="date"),
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
                    "text": "Today",
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


def decisions_per_meeting(rows: Iterable[Row]) -> go.Figure:
    """Decisions per JCC meeting, stacked by decision kind, meetings in the rows' (number) order.

    rows: ``{"number": int, "label": str, "kind": DecisionKind value, "kind_label": str, "decisions": int}``,
    as ``meeting_decision_counts`` returns them.
    """
    rows = list(rows)
    if not rows:
        return empty_figure()
    categories = list(dict.fromkeys(esc(row["label"]) for row in rows))
    traces = []
    for kind in DecisionKind:  # one trace per kind, in a fixed order, so colours and legend stay put
        picked = [row for row in rows if row["kind"] == kind]
        if not picked:
            continue
        traces.append(
            go.Bar(
                name=esc(picked[0]["kind_label"]),
                x=[esc(row["label"]) for row in picked],
                y=[row["decisions"] for row in picked],
                marker={"color": DECISION_KIND_COLOURS[kind]},
                hovertemplate="<b>%{x}</b><br>%{fullData.name}: %{y}<extra></extra>",
            )
        )
    return go.Figure(
        data=traces,
        layout=base_layout(
            legend=True,
            barmode="stack",
            xaxis=_category_axis(categories),
            yaxis=_axis(title={"text": "Decisions"}, tickformat=",d", rangemode="tozero"),
        ),
    )


def cost_history(rows: Iterable[Row]) -> go.Figure:
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
        "<b>%{customdata[0]}</b><br>Stated: %{customdata[1]}<br>%{fullData.name}: %{customdata[2]}<br>"
        "Basis: %{customdata[3]}<br>Forum: %{customdata[4]}<br>Source: %{customdata[5]}<extra></extra>"
    )

    def series(picked: list[Row], *, currency: str, **kwargs) -> go.Scatter | None:
        key = "amount_usd" if currency == "usd" else "amount_pkr"
        picked = [row for row in picked if row[key] is not None]
        if not picked:
            return None
        if currency == "usd":
            values, texts = [usd_m(row[key]) for row in picked], [usd_text(row[key]) for row in picked]
        else:
            values, texts = [pkr_bn(row[key]) for row in picked], [pkr_text(row[key]) for row in picked]
        return go.Scatter(
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
            name="US$ m",
            mode="lines+markers",
            line={"color": USD_SERIES_COLOUR},
            marker={"size": 7},
        ),
        series(
            full,
            currency="pkr",
            name="PKR bn",
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
            name="Partial-scope figures",
            mode="markers",
            marker={**hollow, "color": USD_SERIES_COLOUR},
        ),
        # Toggled with "PKR bn" through the legend group; no legend entry of its own.
        series(
            partial,
            currency="pkr",
            name="Partial-scope figures (PKR bn)",
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
    pkr_values = [value for trace in traces if trace.yaxis == "y2" for value in trace.y]
    dates = sorted({row["as_of"] for row in rows})
    xaxis = _axis(type="date")
    if len(dates) == 1:
        # One date: plotly would zoom to a millisecond around it; show half a year either side instead.
        only = dates[0]
        xaxis.update(
            range=[(only - dt.timedelta(days=183)).isoformat(), (only + dt.timedelta(days=183)).isoformat()],
            tickformat="%b %Y",
        )
    return go.Figure(
        data=traces,
        layout=base_layout(
            legend=True,
            xaxis=xaxis,
            yaxis=_money_axis(),
            yaxis2=_axis(
                title={"text": "PKR bn"},
                tickformat=",.0f",
                rangemode="tozero",
                # While the PKR traces are hidden the axis has no data: an explicit range,
                # and no axis or zero line, or plotly draws a path with NaN coordinates.
                range=[0, max(pkr_values, default=1.0) * 1.1 or 1.0],
                showline=False,
                zeroline=False,
                overlaying="y",
                side="right",
                showgrid=False,
            ),
        ),
    )


def financing_donut(
    rows: Iterable[Row],
    *,
    gap_usd: Decimal | None,
    undisclosed_usd: Decimal | None = None,
    pipeline_usd: Decimal | None = None,
) -> go.Figure:
    """Committed financing per lender, then the rest of the cost in its parts, as a donut.

    rows: ``{"label": str, "kind": LenderKind value, "value_usd": Decimal}`` and optionally
    ``"key"`` (a lender's slug, say; the label by default). Each lender has its own colour
    (:func:`dashboard.colours.lender_colours` of the keys: distinct within the donut, the
    same on every project's page) and its kind on the hover's second line. Then committed
    of undisclosed amount, proposed or planned, and the "Unfunded" gap, each skipped when 0
    or None, in the funding parts' colours, with the part's name on the hover's second line.
    """
    rows = [row for row in rows if row["value_usd"]]
    colours = lender_colours(_lender_key(row) for row in rows)
    slices = [(esc(row["label"]), colours[_lender_key(row)], row["value_usd"], _kind_text(row["kind"])) for row in rows]
    parts = [
        ("Committed, amount not disclosed", FundingPart.COMMITTED_UNKNOWN, undisclosed_usd),
        ("Proposed or planned", FundingPart.PIPELINE, pipeline_usd),
        ("Unfunded", FundingPart.GAP, gap_usd),
    ]
    slices += [(label, FUNDING_PART_COLOURS[part], value, part.label) for label, part, value in parts if value]
    if not slices:
        return empty_figure()
    pie = go.Pie(
        labels=[label for label, _, _, _ in slices],
        values=[usd_m(value) for _, _, value, _ in slices],
        marker={"colors": [colour for _, colour, _, _ in slices], "line": {"color": "white", "width": 1}},
        customdata=[[usd_text(value), esc(detail)] for _, _, value, detail in slices],
        hole=0.55,
        sort=False,
        direction="clockwise",
        textinfo="percent",
        hovertemplate="<b>%{label}</b><br>%{customdata[1]}<br>%{customdata[0]}<br>%{percent}<extra></extra>",
    )
    return go.Figure(data=[pie], layout=base_layout(legend=True, margin={"l": 10, "r": 10, "t": 60, "b": 10}))


def _lender_key(row: Row) -> str:
    return str(row.get("key") or row["label"])


def _kind_text(kind: object) -> str:
    return LenderKind(kind).label if kind in LenderKind.values else str(kind)
