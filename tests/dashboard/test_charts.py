"""Chart building: plain unit tests on fixed rows, no database.

The chart functions return plotly's JSON as plain data; the tests at the end make a
``plotly.graph_objects.Figure`` of every chart, which checks it against plotly's schema."""

import copy
import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dashboard import charts
from dashboard.colours import LENDER_PALETTE, lender_colours
from dashboard.selectors.common import phase_timeline_row
from financing.choices import (
    FINANCING_STATUS_COLOURS,
    FUNDING_GAP_COLOUR,
    FUNDING_PART_COLOURS,
    LENDER_KIND_COLOURS,
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
    ProjectStatus,
    Sector,
)

D = dt.date
KIND_LABELS = dict(LenderKind.choices)
SCRIPT = "</script><script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
M = Decimal(1_000_000)


def as_json(fig):
    return json.dumps(fig)


def assert_escaped(fig):
    text = as_json(fig)
    assert "</script>" not in text
    assert "<script>" not in text
    assert "<img" not in text
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text or "&lt;img src=x" in text


def assert_no_data(fig):
    assert fig["data"] == []
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["No data"]
    assert fig["layout"]["xaxis"]["visible"] is False
    assert fig["layout"]["yaxis"]["visible"] is False


def traces(fig):
    return fig["data"]


# Helpers ---------------------------------------------------------------------------------


def test_empty_figure_shows_the_message_and_no_axes():
    assert_no_data(charts.empty_figure())
    fig = charts.empty_figure(message="Nothing <yet>")
    assert fig["layout"]["annotations"][0]["text"] == "Nothing &lt;yet&gt;"


def test_money_is_shown_in_millions_with_the_full_number_in_hover():
    assert charts.usd_m(Decimal("2000000000")) == 2000.0
    assert charts.usd_m(None) == 0.0
    assert charts.usd_text(Decimal("2000000000")) == "US$ 2,000.0m"
    assert charts.usd_text(Decimal("1234567.89")) == "US$ 1.2m"
    assert charts.pkr_text(Decimal("576000000000")) == "PKR 576.0bn"


def test_escaping_uses_entities_plotly_decodes():
    assert charts.esc(SCRIPT) == "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    # plotly.js decodes &lt; &gt; &amp; and numeric entities, not &quot;.
    assert charts.esc("A & \"B\" 'C'") == "A &amp; &#34;B&#34; &#x27;C&#x27;"


def test_base_layout_is_white_compact_without_title_or_template():
    layout = charts.cost_by_sector(SECTOR_ROWS[1:2])["layout"]
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "white"
    assert layout["font"]["family"] == "system-ui, sans-serif"
    assert layout["autosize"] is True
    assert "title" not in layout
    assert "template" not in layout


# cost_by_sector --------------------------------------------------------------------------

SECTOR_ROWS = [
    {"sector": "transport", "sector_label": "Transport", "cost_usd": Decimal("11500000000"), "projects": 4},
    {"sector": "energy", "sector_label": "Energy", "cost_usd": Decimal("2000000000"), "projects": 1},
    {"sector": "gwadar", "sector_label": "Gwadar", "cost_usd": None, "projects": 2},
]


def test_cost_by_sector_draws_one_coloured_bar_per_sector_in_us_dollar_millions():
    (bar,) = traces(charts.cost_by_sector(SECTOR_ROWS))
    assert bar["type"] == "bar"
    assert bar["x"] == ["Transport", "Energy", "Gwadar"]
    assert bar["y"] == [11500.0, 2000.0, 0.0]
    assert bar["marker"]["color"] == [
        SECTOR_COLOURS[Sector.TRANSPORT],
        SECTOR_COLOURS[Sector.ENERGY],
        SECTOR_COLOURS[Sector.GWADAR],
    ]
    assert bar["customdata"] == [
        ["US$ 11,500.0m", "4 projects"],
        ["US$ 2,000.0m", "1 project"],
        ["—", "2 projects"],
    ]
    assert "%{customdata[1]}" in bar["hovertemplate"]


def test_cost_by_sector_labels_the_money_axis():
    layout = charts.cost_by_sector(SECTOR_ROWS)["layout"]
    assert layout["yaxis"]["title"]["text"] == "US$ m"
    assert layout["xaxis"]["categoryarray"] == ["Transport", "Energy", "Gwadar"]


def test_cost_by_sector_without_rows_says_no_data():
    assert_no_data(charts.cost_by_sector([]))


# lender_mix ------------------------------------------------------------------------------

# As ``portfolio_lender_mix`` returns them: the largest total first, no rows of no money.
LENDER_ROWS = [
    {"key": "cdb", "label": "China Development Bank", "committed_usd": 2000 * M, "pipeline_usd": 500 * M},
    {"key": "psdp", "label": "PSDP", "committed_usd": None, "pipeline_usd": 300 * M},
    {"key": "adb", "label": SCRIPT, "committed_usd": 100 * M, "pipeline_usd": 0 * M},
]


def test_lender_mix_stacks_committed_and_pipeline_in_the_rows_order_from_the_top():
    fig = charts.lender_mix(LENDER_ROWS)
    committed, pipeline = traces(fig)
    assert committed["name"] == "Committed"
    assert pipeline["name"] == "Proposed / under negotiation"
    assert committed["marker"]["color"] == FINANCING_STATUS_COLOURS[FinancingStatus.SIGNED]
    assert pipeline["marker"]["color"] == FINANCING_STATUS_COLOURS[FinancingStatus.PROPOSED]
    assert committed["orientation"] == pipeline["orientation"] == "h"
    assert committed["y"] == pipeline["y"] == ["cdb", "psdp", "adb"]
    assert committed["x"] == [2000.0, 0.0, 100.0]
    assert pipeline["x"] == [500.0, 300.0, 0.0]
    assert committed["customdata"][0] == ["China Development Bank", "US$ 2,000.0m"]
    layout = fig["layout"]
    assert layout["barmode"] == "stack"
    assert layout["yaxis"]["autorange"] == "reversed"  # first category at the top
    assert layout["yaxis"]["categoryarray"] == ["cdb", "psdp", "adb"]
    assert layout["yaxis"]["ticktext"] == ["China Development Bank", "PSDP", charts.esc(SCRIPT)]
    assert layout["legend"]["orientation"] == "h"
    assert layout["xaxis"]["title"]["text"] == "US$ m"


def test_lender_mix_by_kind_labels_ticks_with_the_rows_labels_in_the_status_colours():
    rows = [
        {
            "key": "chinese_government",
            "label": LenderKind.CHINESE_GOVERNMENT.label,
            "committed_usd": 30 * M,
            "pipeline_usd": 5 * M,
        },
        {"key": "multilateral", "label": LenderKind.MULTILATERAL.label, "committed_usd": 10 * M, "pipeline_usd": 0 * M},
    ]
    fig = charts.lender_mix(rows)
    layout = fig["layout"]
    assert layout["yaxis"]["ticktext"] == [LenderKind.CHINESE_GOVERNMENT.label, LenderKind.MULTILATERAL.label]
    assert [t["marker"]["color"] for t in traces(fig)] == [
        FINANCING_STATUS_COLOURS[FinancingStatus.SIGNED],
        FINANCING_STATUS_COLOURS[FinancingStatus.PROPOSED],
    ]
    assert traces(fig)[0]["x"] == [30.0, 10.0]


def test_lender_mix_without_rows_says_no_data():
    assert_no_data(charts.lender_mix([]))


# funding_gap_by_project ------------------------------------------------------------------

GAP_ROWS = [
    {
        "name": "ML-1",
        "slug": "ml-1",
        "committed_usd": Decimal("1500000000"),
        "unknown_usd": Decimal("0"),
        "pipeline_usd": Decimal("1700000000"),
        "gap_usd": Decimal("6800000000"),
        "gap_percent": Decimal("68.0"),
        "cost_usd": Decimal("10000000000"),
    },
    {"name": "Funded", "slug": "funded", "gap_usd": Decimal(0), "gap_percent": Decimal(0), "cost_usd": 5 * M},
    {"name": "Unknown", "slug": "unknown", "gap_usd": None, "gap_percent": None, "cost_usd": None},
    {
        "name": IMG,
        "slug": "airport",
        "gap_usd": Decimal("250000000"),
        "gap_percent": Decimal("12.5"),
        "cost_usd": Decimal("2000000000"),
    },
]


def test_funding_gap_keeps_the_callers_order_largest_at_the_top():
    fig = charts.funding_gap_by_project(GAP_ROWS)
    committed, unknown, pipeline, bar = traces(fig)
    assert [t["name"] for t in (committed, unknown, pipeline, bar)] == [
        "Committed (amount known)",
        "Committed (amount not disclosed)",
        "Proposed, planned or under negotiation",
        "Not identified (funding gap)",
    ]
    assert committed["x"] == [1500.0, 0.0] and pipeline["x"] == [1700.0, 0.0] and unknown["x"] == [0.0, 0.0]
    assert bar["orientation"] == "h"
    assert bar["y"] == ["ml-1", "airport"]
    assert bar["x"] == [6800.0, 250.0]
    assert bar["marker"]["color"] == FUNDING_GAP_COLOUR
    assert bar["customdata"][0] == ["ML-1", "US$ 6,800.0m", "US$ 10,000.0m", "68.0%"]
    assert bar["customdata"][1][3] == "12.5%"
    layout = fig["layout"]
    assert layout["barmode"] == "stack"
    assert layout["yaxis"]["autorange"] == "reversed"
    assert layout["yaxis"]["categoryarray"] == ["ml-1", "airport"]
    assert layout["yaxis"]["ticktext"] == ["ML-1", "&lt;img src=x onerror=alert(1)&gt;"]
    assert_escaped(fig)


def test_funding_gap_without_gaps_says_no_data():
    assert_no_data(charts.funding_gap_by_project([]))
    assert_no_data(charts.funding_gap_by_project(GAP_ROWS[1:3]))


# status_breakdown ------------------------------------------------------------------------


def test_status_breakdown_counts_projects_in_the_rows_order():
    rows = [  # as portfolio_status_breakdown returns them: lifecycle order, labelled
        {"status": "proposed", "status_label": "Proposed", "projects": 3, "cost_usd": None},
        {"status": "under_construction", "status_label": "Under construction", "projects": 5, "cost_usd": 700 * M},
        {"status": "operational", "status_label": "Operational", "projects": 12, "cost_usd": Decimal("15000000000")},
    ]
    (bar,) = traces(charts.status_breakdown(rows))
    assert bar["x"] == ["Proposed", "Under construction", "Operational"]
    assert bar["y"] == [3, 5, 12]
    assert bar["marker"]["color"] == [
        PROJECT_STATUS_COLOURS[ProjectStatus.PROPOSED],
        PROJECT_STATUS_COLOURS[ProjectStatus.UNDER_CONSTRUCTION],
        PROJECT_STATUS_COLOURS[ProjectStatus.OPERATIONAL],
    ]
    assert bar["customdata"][2] == ["12 projects", "US$ 15,000.0m"]


def test_status_breakdown_without_rows_says_no_data():
    assert_no_data(charts.status_breakdown([]))


# phase_timeline --------------------------------------------------------------------------

TODAY = D(2025, 6, 30)


def phase_row(project, phase, status, start, end):
    return phase_timeline_row(project=project, slug="x", phase=phase, status=status, start=start, end=end)


PHASE_ROWS = [
    phase_row("ML-1", "Package 1", "under_way", D(2024, 1, 1), D(2027, 1, 1)),
    phase_row("ML-1", "Package 2", "planned", D(2026, 1, 1), D(2026, 1, 11)),
    phase_row(SCRIPT, "Build", "completed", D(2018, 3, 1), D(2020, 3, 1)),
    phase_row("KKH", "No dates", "planned", None, D(2026, 1, 1)),
    phase_row("KKH", "Backwards", "planned", D(2026, 1, 1), D(2025, 1, 1)),
]


def test_phase_timeline_draws_one_trace_per_status_with_start_base_and_duration():
    fig = charts.phase_timeline(PHASE_ROWS, today=TODAY)
    data = traces(fig)
    assert [t["name"] for t in data] == ["Planned", "Under way", "Completed"]  # PhaseStatus order
    assert [t["marker"]["color"] for t in data] == [
        PHASE_STATUS_COLOURS[PhaseStatus.PLANNED],
        PHASE_STATUS_COLOURS[PhaseStatus.UNDER_WAY],
        PHASE_STATUS_COLOURS[PhaseStatus.COMPLETED],
    ]
    planned, under_way, completed = data
    assert planned["y"] == ["ML-1 – Package 2"]
    assert planned["base"] == ["2026-01-01"]
    assert planned["x"] == [10 * 24 * 60 * 60 * 1000]
    assert under_way["base"] == ["2024-01-01"]
    assert under_way["x"] == [(D(2027, 1, 1) - D(2024, 1, 1)).days * 86_400_000]
    assert completed["y"] == [f"{charts.esc(SCRIPT)} – Build"]
    assert all(t["orientation"] == "h" for t in data)
    layout = fig["layout"]
    assert layout["xaxis"]["type"] == "date"
    assert layout["barmode"] == "overlay"
    # Rows keep the caller's order from the top, whatever their status.
    assert layout["yaxis"]["categoryarray"] == ["ML-1 – Package 1", "ML-1 – Package 2", f"{charts.esc(SCRIPT)} – Build"]
    assert layout["yaxis"]["autorange"] == "reversed"
    assert_escaped(fig)


def test_phase_timeline_marks_today_with_a_dashed_line_and_label():
    layout = charts.phase_timeline(PHASE_ROWS, today=TODAY)["layout"]
    (line,) = layout["shapes"]
    assert line["type"] == "line"
    assert line["x0"] == line["x1"] == "2025-06-30"
    assert line["yref"] == "paper"
    assert (line["y0"], line["y1"]) == (0, 1)
    assert line["line"]["dash"] == "dash"
    (label,) = layout["annotations"]
    assert label["text"] == "Today"
    assert label["x"] == "2025-06-30"


def test_phase_timeline_without_dated_rows_says_no_data():
    assert_no_data(charts.phase_timeline([], today=TODAY))
    assert_no_data(charts.phase_timeline(PHASE_ROWS[3:], today=TODAY))


# decisions_per_meeting -------------------------------------------------------------------


def test_decisions_per_meeting_stacks_kinds_with_meetings_in_number_order():
    agreed_label, reviewed_label = DecisionKind.FINANCING_AGREED.label, DecisionKind.REVIEWED.label
    rows = [  # as meeting_decision_counts returns them: by meeting number, then kind
        {"number": 9, "label": "9th JCC", "kind": "financing_agreed", "kind_label": agreed_label, "decisions": 2},
        {"number": 10, "label": "10th JCC", "kind": "reviewed", "kind_label": reviewed_label, "decisions": 3},
        {"number": 14, "label": "14th JCC", "kind": "financing_agreed", "kind_label": agreed_label, "decisions": 1},
        {"number": 14, "label": "14th JCC", "kind": "reviewed", "kind_label": reviewed_label, "decisions": 4},
    ]
    fig = charts.decisions_per_meeting(rows)
    agreed, reviewed = traces(fig)
    assert agreed["name"] == DecisionKind.FINANCING_AGREED.label
    assert agreed["marker"]["color"] == DECISION_KIND_COLOURS[DecisionKind.FINANCING_AGREED]
    assert (agreed["x"], agreed["y"]) == (["9th JCC", "14th JCC"], [2, 1])
    assert reviewed["name"] == DecisionKind.REVIEWED.label
    assert reviewed["marker"]["color"] == DECISION_KIND_COLOURS[DecisionKind.REVIEWED]
    assert (reviewed["x"], reviewed["y"]) == (["10th JCC", "14th JCC"], [3, 4])
    layout = fig["layout"]
    assert layout["barmode"] == "stack"
    assert layout["xaxis"]["categoryarray"] == ["9th JCC", "10th JCC", "14th JCC"]


def test_decisions_per_meeting_escapes_labels_and_says_no_data_without_rows():
    fig = charts.decisions_per_meeting(
        [{"number": 1, "label": SCRIPT, "kind": "approved", "kind_label": SCRIPT, "decisions": 1}]
    )
    assert_escaped(fig)
    assert_no_data(charts.decisions_per_meeting([]))


# cost_history ----------------------------------------------------------------------------


def estimate(as_of, usd, pkr, *, full_scope=True, source="Planning Commission PC-I", forum="ECNEC"):
    return {
        "as_of": as_of,
        "amount_usd": usd,
        "amount_pkr": pkr,
        "basis": "PC-I",
        "forum": forum,
        "source": source,
        "stated": f"PKR {pkr:,.0f}" if pkr is not None else "",
        "full_scope": full_scope,
    }


HISTORY = [
    estimate(D(2017, 5, 1), Decimal("8200000000"), Decimal("860000000000")),
    estimate(D(2019, 3, 1), Decimal("1000000000"), Decimal("140000000000"), full_scope=False, forum=""),
    estimate(D(2020, 8, 5), Decimal("6800000000"), Decimal("1100000000000"), source=SCRIPT),
]


def test_cost_history_draws_usd_line_pkr_toggle_and_partial_markers():
    fig = charts.cost_history(HISTORY)
    usd, pkr, partial, partial_pkr = traces(fig)
    assert usd["name"] == "US$ m"
    assert usd["mode"] == "lines+markers"
    assert usd["x"] == ["2017-05-01", "2020-08-05"]
    assert usd["y"] == [8200.0, 6800.0]
    assert "visible" not in usd
    assert pkr["name"] == "PKR bn"
    assert pkr["y"] == [860.0, 1100.0]
    assert pkr["yaxis"] == "y2"
    assert pkr["visible"] == "legendonly"
    assert partial["name"] == "Partial-scope figures"
    assert partial["mode"] == "markers"
    assert partial["marker"]["symbol"] == "circle-open"
    assert (partial["x"], partial["y"]) == (["2019-03-01"], [1000.0])
    assert partial_pkr["yaxis"] == "y2"
    assert partial_pkr["visible"] == "legendonly"
    assert partial_pkr["legendgroup"] == pkr["legendgroup"]
    layout = fig["layout"]
    assert layout["yaxis2"]["overlaying"] == "y"
    assert layout["yaxis2"]["side"] == "right"
    assert layout["yaxis"]["title"]["text"] == "US$ m"


def test_cost_history_hover_gives_date_stated_amount_basis_forum_and_source():
    usd, pkr, partial, _ = traces(charts.cost_history(HISTORY))
    assert usd["customdata"][0] == [
        "1 May 2017",
        "PKR 860,000,000,000",
        "US$ 8,200.0m",
        "PC-I",
        "ECNEC",
        "Planning Commission PC-I",
    ]
    assert usd["customdata"][1][5] == charts.esc(SCRIPT)
    assert pkr["customdata"][1][2] == "PKR 1,100.0bn"
    assert partial["customdata"][0][4] == "—"  # no forum
    for i in range(6):
        assert f"%{{customdata[{i}]}}" in usd["hovertemplate"]
    assert_escaped(charts.cost_history(HISTORY))


def test_cost_history_without_rows_says_no_data():
    assert_no_data(charts.cost_history([]))


# financing_donut -------------------------------------------------------------------------

DONUT_ROWS = [
    {
        "label": "China Exim Bank",
        "kind": "chinese_government",
        "kind_label": KIND_LABELS["chinese_government"],
        "value_usd": 600 * M,
    },
    {"label": SCRIPT, "kind": "pakistan_budget", "kind_label": KIND_LABELS["pakistan_budget"], "value_usd": 200 * M},
    {"label": "Nothing", "kind": "fund", "kind_label": KIND_LABELS["fund"], "value_usd": Decimal(0)},
]


def test_financing_donut_shows_lenders_in_their_own_colours_and_the_unfunded_gap():
    (pie,) = traces(charts.financing_donut(DONUT_ROWS, gap_usd=200 * M))
    assert pie["type"] == "pie"
    assert pie["hole"] == 0.55
    assert pie["sort"] is False
    assert pie["labels"] == ["China Exim Bank", charts.esc(SCRIPT), "Unfunded"]
    assert pie["values"] == [600.0, 200.0, 200.0]
    # crc32("China Exim Bank") % 8 == 7, crc32(SCRIPT) % 8 == 4; the gap keeps its grey.
    assert pie["marker"]["colors"] == ["#AA4499", "#882255", FUNDING_GAP_COLOUR]
    assert pie["customdata"] == [
        ["US$ 600.0m", LenderKind.CHINESE_GOVERNMENT.label],
        ["US$ 200.0m", LenderKind.PAKISTAN_BUDGET.label],
        ["US$ 200.0m", FundingPart.GAP.label],
    ]
    assert "percent" in pie["textinfo"]
    assert "%{percent}" in pie["hovertemplate"]
    assert "%{customdata[0]}" in pie["hovertemplate"] and "%{customdata[1]}" in pie["hovertemplate"]
    assert_escaped(charts.financing_donut(DONUT_ROWS, gap_usd=200 * M))


def chinese(label, value=100, **extra):
    kind = LenderKind.CHINESE_GOVERNMENT
    return {"label": label, "kind": kind, "kind_label": kind.label, "value_usd": value * M, **extra}


def test_financing_donut_gives_lenders_of_one_kind_different_colours():
    """CDB's own colour is #999933 (6); China Exim Bank and ICBC both want #AA4499 (7):
    the first in name order gets it, ICBC the next free one, #CC6677 (0)."""
    rows = [chinese("ICBC"), chinese("CDB"), chinese("China Exim Bank")]
    (pie,) = traces(charts.financing_donut(rows, gap_usd=None))
    assert pie["marker"]["colors"] == ["#CC6677", "#999933", "#AA4499"]
    assert [detail for _, detail in pie["customdata"]] == [LenderKind.CHINESE_GOVERNMENT.label] * 3
    # The same set of lenders in another order: the same colour for each.
    (pie,) = traces(charts.financing_donut(rows[::-1], gap_usd=None))
    assert pie["marker"]["colors"] == ["#AA4499", "#999933", "#CC6677"]
    # Without China Exim Bank, ICBC has its own colour.
    (pie,) = traces(charts.financing_donut(rows[:2], gap_usd=None))
    assert pie["marker"]["colors"] == ["#AA4499", "#999933"]


def test_financing_donut_colours_by_a_given_key_before_the_label():
    (by_label,) = traces(charts.financing_donut([chinese("CDB")], gap_usd=None))
    (by_key,) = traces(charts.financing_donut([chinese("CDB", key="ICBC")], gap_usd=None))
    assert (by_label["marker"]["colors"], by_key["marker"]["colors"]) == (["#999933"], ["#AA4499"])


def test_financing_donut_keeps_the_parts_colours_and_names_them():
    (pie,) = traces(charts.financing_donut([chinese("CDB")], gap_usd=3 * M, undisclosed_usd=1 * M, pipeline_usd=2 * M))
    assert pie["labels"] == ["CDB", "Committed, amount not disclosed", "Proposed or planned", "Unfunded"]
    assert pie["marker"]["colors"] == [
        "#999933",
        FUNDING_PART_COLOURS[FundingPart.COMMITTED_UNKNOWN],
        FUNDING_PART_COLOURS[FundingPart.PIPELINE],
        FUNDING_GAP_COLOUR,
    ]
    assert [detail for _, detail in pie["customdata"]] == [
        LenderKind.CHINESE_GOVERNMENT.label,
        FundingPart.COMMITTED_UNKNOWN.label,
        FundingPart.PIPELINE.label,
        FundingPart.GAP.label,
    ]


def test_lender_colours_are_distinct_until_the_palette_runs_out():
    keys = [f"Bank {n}" for n in range(len(LENDER_PALETTE) + 1)]
    colours = lender_colours(keys)
    assert len(set(colours[key] for key in keys[:-1])) == len(LENDER_PALETTE)
    assert set(colours.values()) == set(LENDER_PALETTE)
    assert not set(LENDER_PALETTE) & set(LENDER_KIND_COLOURS.values())
    assert not set(LENDER_PALETTE) & set(FUNDING_PART_COLOURS.values())


@pytest.mark.parametrize("gap", [None, Decimal(0)])
def test_financing_donut_leaves_out_a_missing_gap(gap):
    (pie,) = traces(charts.financing_donut(DONUT_ROWS[:1], gap_usd=gap))
    assert pie["labels"] == ["China Exim Bank"]


def test_financing_donut_with_only_a_gap_is_all_unfunded():
    (pie,) = traces(charts.financing_donut([], gap_usd=Decimal("1500000000")))
    assert (pie["labels"], pie["values"]) == (["Unfunded"], [1500.0])


def test_financing_donut_without_rows_or_gap_says_no_data():
    assert_no_data(charts.financing_donut([], gap_usd=None))
    assert_no_data(charts.financing_donut(DONUT_ROWS[2:], gap_usd=Decimal(0)))


# Escaping everywhere ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [SCRIPT, IMG])
def test_every_chart_escapes_a_hostile_name(name):
    figures = [
        charts.lender_mix([{"key": "x", "label": name, "committed_usd": M, "pipeline_usd": M}]),
        charts.funding_gap_by_project(
            [{"name": name, "slug": "x", "gap_usd": M, "gap_percent": Decimal(50), "cost_usd": 2 * M}]
        ),
        charts.phase_timeline([phase_row(name, name, "planned", D(2020, 1, 1), D(2021, 1, 1))], today=TODAY),
        charts.decisions_per_meeting(
            [{"number": 1, "label": name, "kind": "approved", "kind_label": name, "decisions": 1}]
        ),
        charts.cost_history([estimate(D(2020, 1, 1), M, 280 * M, source=name, forum=name)]),
        charts.financing_donut(
            [{"label": name, "kind": "fund", "kind_label": KIND_LABELS["fund"], "value_usd": M}], gap_usd=M
        ),
        charts.empty_figure(message=name),
    ]
    for fig in figures:
        text = as_json(fig)
        assert "</script>" not in text
        assert "<script>" not in text
        assert "<img" not in text
        assert charts.esc(name) in text


def test_cost_history_with_one_date_shows_months_not_milliseconds():
    """Hub has one estimate: plotly alone would span a millisecond around it."""
    fig = charts.cost_history(HISTORY[:1])
    xaxis = fig["layout"]["xaxis"]
    only = HISTORY[0]["as_of"]
    assert xaxis["tickformat"] == "%b %Y"
    assert xaxis["range"] == [
        (only - dt.timedelta(days=183)).isoformat(),
        (only + dt.timedelta(days=183)).isoformat(),
    ]
    several = charts.cost_history(HISTORY)["layout"]["xaxis"]
    assert "range" not in several  # more than one date: plotly's own range


# Ticks that never mislead --------------------------------------------------------------


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (1202, [0, 500, 1000, 1500]),  # 1202/6 ≈ 200.3: 200 needs 7 steps, 500 needs 3
        (1995, [0, 500, 1000, 1500, 2000]),  # the last tick at or above the maximum
        (1200, [0, 200, 400, 600, 800, 1000, 1200]),  # 6 steps of 200 are allowed
        (6800, [0, 2000, 4000, 6000, 8000]),
        (299.3, [0, 50, 100, 150, 200, 250, 300]),
        (0.9, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (Decimal("1995.0"), [0, 500, 1000, 1500, 2000]),
        (0, [0, 1]),
    ],
)
def test_nice_ticks_step_by_one_two_or_five_times_a_power_of_ten(maximum, ticks):
    assert charts.nice_ticks(maximum) == ticks


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (1, [0, 1]),
        (2, [0, 1, 2]),  # never 0, 0.5, 1, 1.5, 2 (read 0, 1, 1, 2, 2 as whole numbers)
        (7, [0, 1, 2, 3, 4, 5, 6, 7]),
        (10, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        (13, [0, 2, 4, 6, 8, 10, 12, 14]),
        (45, [0, 5, 10, 15, 20, 25, 30, 35, 40, 45]),
    ],
)
def test_count_ticks_are_distinct_whole_numbers(maximum, ticks):
    assert charts.nice_ticks(maximum, intervals=10, integer=True) == ticks
    assert all(isinstance(tick, int) for tick in ticks)


def test_nice_step_is_exact_decimal():
    assert charts.nice_step(1202) == Decimal("500")
    assert charts.nice_step(0.9) == Decimal("0.2")
    assert charts.nice_step(2, integer=True) == Decimal("1")


def test_money_axes_tick_at_round_figures_in_the_steps_decimals():
    layout = charts.cost_by_sector(SECTOR_ROWS)["layout"]
    # The largest bar is 11,500: steps of 2,000 up to 12,000, and the range reaches the last tick.
    assert layout["yaxis"]["tickmode"] == "array"
    assert layout["yaxis"]["tickvals"] == [0, 2000, 4000, 6000, 8000, 10000, 12000]
    assert layout["yaxis"]["tickformat"] == ",.0f"
    assert layout["yaxis"]["autorangeoptions"] == {"include": [12000]}
    small = [{"sector": "energy", "sector_label": "Energy", "cost_usd": Decimal("900000"), "projects": 1}]
    yaxis = charts.cost_by_sector(small)["layout"]["yaxis"]
    assert (yaxis["tickvals"], yaxis["tickformat"]) == ([0, 0.2, 0.4, 0.6, 0.8, 1], ",.1f")


def test_stacked_money_axes_tick_up_to_the_longest_bar():
    # CDB's 2,000 + 500 is the longest stack: 0 to 2,500 by 500.
    assert charts.lender_mix(LENDER_ROWS)["layout"]["xaxis"]["tickvals"] == [
        0,
        500,
        1000,
        1500,
        2000,
        2500,
    ]
    # ML-1's parts add up to 10,000.
    assert charts.funding_gap_by_project(GAP_ROWS)["layout"]["xaxis"]["tickvals"] == [
        0,
        2000,
        4000,
        6000,
        8000,
        10000,
    ]


def test_count_axes_show_each_whole_number_below_ten():
    rows = [
        {"status": "proposed", "status_label": "Proposed", "projects": 1, "cost_usd": None},
        {"status": "operational", "status_label": "Operational", "projects": 2, "cost_usd": None},
    ]
    yaxis = charts.status_breakdown(rows)["layout"]["yaxis"]
    assert (yaxis["tickvals"], yaxis["tickformat"], yaxis["title"]["text"]) == ([0, 1, 2], ",d", "Projects")
    decisions = [  # 14th JCC: 1 + 4 decisions stacked
        {"number": 9, "label": "9th JCC", "kind": "reviewed", "kind_label": "Reviewed", "decisions": 2},
        {"number": 14, "label": "14th JCC", "kind": "approved", "kind_label": "Approved", "decisions": 1},
        {"number": 14, "label": "14th JCC", "kind": "reviewed", "kind_label": "Reviewed", "decisions": 4},
    ]
    yaxis = charts.decisions_per_meeting(decisions)["layout"]["yaxis"]
    assert (yaxis["tickvals"], yaxis["tickformat"]) == ([0, 1, 2, 3, 4, 5], ",d")


def test_cost_history_pkr_axis_ticks_at_round_rupee_billions():
    yaxis2 = charts.cost_history(HISTORY)["layout"]["yaxis2"]
    # PKR 1,100bn the most: steps of 200bn to 1,200bn, the hidden axis's range up to that tick.
    assert yaxis2["tickvals"] == [0, 200, 400, 600, 800, 1000, 1200]
    assert yaxis2["range"] == [0, 1200]
    assert yaxis2["title"]["text"] == "PKR bn"
    assert charts.cost_history(HISTORY)["layout"]["yaxis"]["tickvals"] == [
        0,
        2000,
        4000,
        6000,
        8000,
        10000,
    ]


# Dates never in milliseconds -------------------------------------------------------------


def test_date_axes_name_months_and_days_when_zoomed_in():
    xaxis = charts.cost_history(HISTORY)["layout"]["xaxis"]
    assert (xaxis["type"], xaxis["tickformat"]) == ("date", "%b %Y")
    assert [(stop["dtickrange"], stop["value"]) for stop in xaxis["tickformatstops"]] == [
        ([None, 86_400_000], "%-d %b %Y %H:%M"),
        ([86_400_000, "M1"], "%-d %b %Y"),
        (["M1", None], "%b %Y"),
    ]


def test_phase_timeline_with_one_short_phase_spans_a_year_around_it():
    """One 10-day phase in Jan 2026, today 5 Jan 2026: plotly alone would tick in hours."""
    row = phase_row("ML-1", "Package 2", "planned", D(2026, 1, 1), D(2026, 1, 11))
    xaxis = charts.phase_timeline([row], today=D(2026, 1, 5))["layout"]["xaxis"]
    assert (xaxis["type"], xaxis["tickformat"]) == ("date", "%b %Y")
    # 366 − 10 days of padding, 178 each side.
    assert xaxis["range"] == ["2025-07-07", "2026-07-08"]


def test_phase_timeline_reaches_today_and_keeps_plotlys_range_over_a_year():
    xaxis = charts.phase_timeline(PHASE_ROWS, today=TODAY)["layout"]["xaxis"]
    assert "range" not in xaxis
    row = phase_row("ML-1", "Package 2", "planned", D(2026, 1, 1), D(2026, 1, 11))
    xaxis = charts.phase_timeline([row], today=D(2025, 11, 1))["layout"]["xaxis"]
    # From today (1 Nov 2025) to the phase's end, 71 days: padded 147 days each side.
    assert xaxis["range"] == ["2025-06-07", "2026-06-07"]


# Funding-gap labels ----------------------------------------------------------------------


def test_funding_gap_bars_are_labelled_with_their_us_dollar_millions():
    *_, gap = traces(charts.funding_gap_by_project(GAP_ROWS))
    assert gap["text"] == ["6,800", "250"]
    assert gap["textposition"] == "outside"
    assert gap["cliponaxis"] is False
    committed, *_ = traces(charts.funding_gap_by_project(GAP_ROWS))
    assert "text" not in committed


def test_funding_gap_label_is_empty_without_a_gap_and_has_a_decimal_below_ten_million():
    rows = [
        {
            "name": "A",
            "slug": "a",
            "pipeline_usd": 5 * M,
            "gap_usd": Decimal(0),
            "gap_percent": Decimal(0),
            "cost_usd": 9 * M,
        },
        {"name": "B", "slug": "b", "gap_usd": Decimal("2500000"), "gap_percent": Decimal(25), "cost_usd": 10 * M},
    ]
    *_, gap = traces(charts.funding_gap_by_project(rows))
    assert gap["text"] == ["", "2.5"]


# Legends and the toolbar -----------------------------------------------------------------


def test_legends_sit_below_the_plot_leaving_the_top_to_the_toolbar():
    for fig in (
        charts.lender_mix(LENDER_ROWS),
        charts.funding_gap_by_project(GAP_ROWS),
        charts.cost_history(HISTORY),
        charts.financing_donut(DONUT_ROWS, gap_usd=200 * M),
        charts.phase_timeline(PHASE_ROWS, today=TODAY),
    ):
        layout = fig["layout"]
        assert layout["legend"] == {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "bottom",
            "yref": "container",
        }
        assert layout["margin"]["t"] == charts.MODEBAR_MARGIN == 32


# Proposed lenders on the donut -----------------------------------------------------------


def test_financing_donut_shows_proposed_lenders_hatched_and_named():
    """ML-1-like: PSDP committed 1,370; ADB proposed 500; AIIB proposed without an amount;
    1,000 of other pipeline money; 6,000 unfunded."""
    rows = [
        {
            "label": "GoP (PSDP)",
            "key": "gop-psdp",
            "kind": "pakistan_budget",
            "kind_label": KIND_LABELS["pakistan_budget"],
            "value_usd": 1370 * M,
        },
        {
            "label": "ADB",
            "key": "adb",
            "kind": "multilateral",
            "kind_label": KIND_LABELS["multilateral"],
            "value_usd": 500 * M,
            "pipeline": True,
        },
        {
            "label": "AIIB",
            "key": "aiib",
            "kind": "multilateral",
            "kind_label": KIND_LABELS["multilateral"],
            "value_usd": None,
            "pipeline": True,
        },
    ]
    (pie,) = traces(charts.financing_donut(rows, gap_usd=6000 * M, pipeline_usd=1500 * M))
    assert pie["labels"] == ["GoP (PSDP)", "ADB (proposed)", "AIIB (proposed)", "Proposed or planned", "Unfunded"]
    # The rest of the pipeline: 1,500 − ADB's 500; AIIB has a legend entry and no area, no "0%".
    assert pie["values"] == [1370.0, 500.0, 0.0, 1000.0, 6000.0]
    assert pie["texttemplate"] == ["%{percent}", "%{percent}", "", "%{percent}", "%{percent}"]
    assert pie["textposition"] == ["auto", "outside", "outside", "auto", "auto"]
    # Each lender in its own colour (the same set of keys as on any page), proposed ones striped white.
    own = lender_colours(["gop-psdp", "adb", "aiib"])
    colours = [own["gop-psdp"], own["adb"], own["aiib"], FUNDING_PART_COLOURS[FundingPart.PIPELINE], FUNDING_GAP_COLOUR]
    assert pie["marker"]["colors"] == colours
    assert pie["marker"]["pattern"] == {
        "shape": ["", "/", "/", "", ""],
        "fgcolor": "white",
        "bgcolor": colours,
        "solidity": 0.4,
    }
    pipeline = "Multilateral development bank; proposed, planned or under negotiation, not committed"
    assert pie["customdata"][1:3] == [["US$ 500.0m", pipeline], ["Amount not stated", pipeline]]


def test_proposed_lenders_above_the_pipeline_part_share_it():
    """Proposed 600 + 400 against 500 of the cost left: slices 300 and 200, hovers 600 and 400."""
    rows = [
        {
            "label": "ADB",
            "kind": "multilateral",
            "kind_label": KIND_LABELS["multilateral"],
            "value_usd": 600 * M,
            "pipeline": True,
        },
        {
            "label": "AIIB",
            "kind": "multilateral",
            "kind_label": KIND_LABELS["multilateral"],
            "value_usd": 400 * M,
            "pipeline": True,
        },
    ]
    (pie,) = traces(charts.financing_donut(rows, gap_usd=None, pipeline_usd=500 * M))
    assert pie["labels"] == ["ADB (proposed)", "AIIB (proposed)"]
    assert pie["values"] == [300.0, 200.0]
    assert [amount for amount, _ in pie["customdata"]] == ["US$ 600.0m", "US$ 400.0m"]


def test_donut_without_proposed_lenders_has_no_pattern():
    (pie,) = traces(charts.financing_donut(DONUT_ROWS, gap_usd=200 * M))
    assert "pattern" not in pie["marker"]


# Plain data, checked against plotly's schema ---------------------------------------------

#: Every chart function on representative rows, and on no rows ("No data").
CHARTS = {
    "cost_by_sector": lambda: charts.cost_by_sector(SECTOR_ROWS),
    "cost_by_sector, empty": lambda: charts.cost_by_sector([]),
    "lender_mix": lambda: charts.lender_mix(LENDER_ROWS),
    "lender_mix, empty": lambda: charts.lender_mix([]),
    "funding_gap_by_project": lambda: charts.funding_gap_by_project(GAP_ROWS),
    "funding_gap_by_project, empty": lambda: charts.funding_gap_by_project([]),
    "status_breakdown": lambda: charts.status_breakdown(
        [{"status": "operational", "status_label": "Operational", "projects": 12, "cost_usd": 15 * M}]
    ),
    "status_breakdown, empty": lambda: charts.status_breakdown([]),
    "phase_timeline": lambda: charts.phase_timeline(PHASE_ROWS, today=TODAY),
    "phase_timeline, one short phase": lambda: charts.phase_timeline(PHASE_ROWS[1:2], today=TODAY),
    "phase_timeline, empty": lambda: charts.phase_timeline([], today=TODAY),
    "decisions_per_meeting": lambda: charts.decisions_per_meeting(
        [{"number": 14, "label": "14th JCC", "kind": "reviewed", "kind_label": "Reviewed", "decisions": 4}]
    ),
    "decisions_per_meeting, empty": lambda: charts.decisions_per_meeting([]),
    "cost_history": lambda: charts.cost_history(HISTORY),
    "cost_history, one estimate": lambda: charts.cost_history(HISTORY[:1]),
    "cost_history, empty": lambda: charts.cost_history([]),
    "financing_donut": lambda: charts.financing_donut(DONUT_ROWS, gap_usd=200 * M),
    "financing_donut, proposed and undisclosed": lambda: charts.financing_donut(
        [chinese("CDB"), chinese("ADB", value=50, pipeline=True), chinese("AIIB", value_usd=None, pipeline=True)],
        gap_usd=3 * M,
        undisclosed_usd=1 * M,
        pipeline_usd=20 * M,
    ),
    "financing_donut, empty": lambda: charts.financing_donut([], gap_usd=None),
    "corridor_map": lambda: charts.corridor_map(MAP_PLACES, MAP_REGIONS, colour="sector", shade="cost"),
    "corridor_map, by status, nothing placed": lambda: charts.corridor_map([], MAP_REGIONS, colour="status"),
}

#: The map's rows, as dashboard.selectors.MapPage gives them (with the url a view adds).
MAP_PLACES = [
    {
        "name": "Road <A>",
        "slug": "road-a",
        "url": "/projects/road-a/",
        "sector": "transport",
        "sector_label": "Transport",
        "status": "approved",
        "status_label": "Approved",
        "cost_usd": 2000 * M,
        "gap_usd": 300 * M,
        "latitude": None,
        "longitude": None,
        "route": [(73.15333, 34.05306), (72.91667, 34.75)],
    },
    {
        "name": "Zone D",
        "slug": "zone-d",
        "url": "/projects/zone-d/?as_of_jcc=14",
        "sector": "industrial",
        "sector_label": "Industrial zones",
        "status": "approved",
        "status_label": "Approved",
        "cost_usd": None,
        "gap_usd": None,
        "latitude": Decimal("33.6989"),
        "longitude": Decimal("73.0369"),
        "route": [],
    },
]
MAP_REGIONS = [
    {
        "region": "kp",
        "label": "Khyber Pakhtunkhwa",
        "projects": 1,
        "cost_usd": 2000 * M,
        "gap_usd": 300 * M,
        "uncosted": 0,
    },
    {
        "region": "ict",
        "label": "Islamabad Capital Territory",
        "projects": 1,
        "cost_usd": None,
        "gap_usd": None,
        "uncosted": 1,
    },
]

#: The trace types of the plotly.js bundle the site serves (plotly-basic).
BUNDLED_TRACE_TYPES = {"bar", "scatter", "pie"}


def assert_json_native(value):
    if isinstance(value, dict):
        assert all(isinstance(key, str) for key in value)
        for item in value.values():
            assert_json_native(item)
    elif isinstance(value, list):
        for item in value:
            assert_json_native(item)
    else:
        assert value is None or type(value) in (str, int, float, bool), repr(value)


def plotlys_own_json(spec: dict) -> dict:
    """What plotly makes of ``spec``: a ``go.Figure`` (which raises ValueError on any property
    or value its schema does not allow), written out by plotly, its default template dropped."""
    built = json.loads(pio.to_json(go.Figure(spec), validate=False))
    built["layout"].pop("template")
    return built


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_is_json_that_plotlys_schema_accepts_unchanged(name):
    spec = CHARTS[name]()
    assert set(spec) == {"data", "layout"}
    assert_json_native(spec)
    assert {trace["type"] for trace in spec["data"]} <= BUNDLED_TRACE_TYPES
    # plotly validates every property as it builds the figure, and writes out exactly what it was
    # given: the page gets what the go.Figure of the earlier charts.py gave it, template dropped.
    assert plotlys_own_json(copy.deepcopy(spec)) == spec


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda fig: fig["data"][0].update(colour="red"), "Invalid property specified for .*Bar: 'colour'"),
        (lambda fig: fig["data"][0].update(orientation="sideways"), "'orientation' property of bar"),
        (lambda fig: fig["data"][0]["marker"].update(color="not-a-colour"), "'color' property of bar.marker"),
        (lambda fig: fig["data"][0].update(type="gantt"), "Invalid element.* for the 'data' property"),
        (lambda fig: fig["layout"]["legend"].update(yref="containr"), "'yref' property of layout.legend"),
        (lambda fig: fig["layout"].update(barmode="side by side"), "'barmode' property of layout"),
    ],
)
def test_a_figure_plotlys_schema_does_not_allow_is_rejected(break_it, message):
    fig = charts.lender_mix(LENDER_ROWS)
    plotlys_own_json(copy.deepcopy(fig))  # the figure as it is passes
    break_it(fig)
    with pytest.raises(ValueError, match=message):
        plotlys_own_json(fig)


def test_dashboard_figures_are_the_chart_functions_figures():
    tables = {
        "by_sector": SECTOR_ROWS,
        "by_lender": LENDER_ROWS,
        "by_kind": [],
        "gaps": GAP_ROWS,
        "statuses": [],
        "timeline": PHASE_ROWS,
        "per_meeting": [],
    }
    assert charts.dashboard_figures(tables, today=TODAY) == {
        "by_sector": charts.cost_by_sector(SECTOR_ROWS),
        "by_lender": charts.lender_mix(LENDER_ROWS),
        "by_kind": charts.empty_figure(),
        "gaps": charts.funding_gap_by_project(GAP_ROWS),
        "statuses": charts.empty_figure(),
        "timeline": charts.phase_timeline(PHASE_ROWS, today=TODAY),
        "per_meeting": charts.empty_figure(),
    }


def test_each_call_builds_a_figure_of_its_own():
    """A page may hold a figure (the dashboard caches its figures): changing one changes no other."""
    fig = charts.cost_history(HISTORY)
    expected = copy.deepcopy(fig)
    fig["layout"]["xaxis"]["tickformatstops"][0]["dtickrange"][0] = 1
    fig["layout"]["margin"]["t"] = 0
    fig["data"][0]["marker"]["size"] = 1
    assert charts.cost_history(HISTORY) == expected
    assert charts.DATE_TICK_FORMATS[0]["dtickrange"] == [None, 86_400_000]


def test_figures_carry_no_template_and_stay_small():
    rows = [
        {"key": f"lender-{i}", "label": f"Lender {i}", "committed_usd": i * 100 * M, "pipeline_usd": 50 * M}
        for i in range(1, 9)
    ]
    fig = charts.lender_mix(rows)
    assert "template" not in fig["layout"]
    assert len(as_json(fig)) < 5000


def test_the_charts_module_does_not_import_plotly():
    """Building plotly's graph objects is what cost tens of milliseconds a page."""
    code = "import sys, dashboard.charts; print(sorted(m for m in sys.modules if m.split('.')[0] == 'plotly'))"
    root = Path(charts.__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_debt_service_stacks_each_lender_kinds_dues_per_fiscal_year():
    rows = [
        {
            "fiscal_year": "2024-25",
            "by_kind": {"chinese_government": Decimal("30000000")},
            "total": Decimal("30000000"),
        },
        {
            "fiscal_year": "2025-26",
            "by_kind": {"chinese_government": Decimal("20000000"), "multilateral": Decimal("5000000")},
            "total": Decimal("25000000"),
        },
    ]
    kinds = [("chinese_government", "Chinese government or policy bank"), ("multilateral", "Multilateral")]
    fig = charts.debt_service(rows, kinds)
    assert fig["layout"]["barmode"] == "stack"
    china, multilateral = fig["data"]
    assert (china["x"], china["y"]) == (["2024-25", "2025-26"], [30.0, 20.0])
    assert (multilateral["x"], multilateral["y"]) == (["2025-26"], [5.0])  # no zero bar where it owes nothing
    assert multilateral["marker"]["color"] == LENDER_KIND_COLOURS[LenderKind.MULTILATERAL]
    assert multilateral["customdata"] == [["US$ 5.0m", "US$ 25.0m"]]
    assert fig["layout"]["xaxis"]["categoryarray"] == ["2024-25", "2025-26"]
    go.Figure(fig)  # plotly accepts it


def test_debt_service_without_a_scheduled_loan_says_so():
    fig = charts.debt_service([], [])
    assert fig["data"] == [] and fig["layout"]["annotations"][0]["text"] == "No loan with known terms"
