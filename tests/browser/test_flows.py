"""What a ministry viewer does, in a real browser against the demo portfolio."""

from __future__ import annotations

import csv
import re
from decimal import Decimal

from django.conf import settings
from playwright.sync_api import expect

from .helpers import VIEWER, demo_projects, demo_projects_financed_by, log_in, table_rows, wait_for_charts

ML1 = "ML-1 railway upgrade (Karachi–Peshawar)"
DASHBOARD_CHARTS = 7


def project_names(page) -> list[str]:
    """Project names in the project list's table, top to bottom."""
    return page.locator("table.project-table tbody th[scope=row] a").all_inner_texts()


def project_slugs(page) -> list[str]:
    """Project slugs from the project list's links (/projects/<slug>/), top to bottom."""
    links = page.locator("table.project-table tbody th[scope=row] a")
    return [links.nth(i).get_attribute("href").strip("/").split("/")[-1] for i in range(links.count())]


def usd_value(text: str) -> Decimal:
    """'US$ 2.00bn' / 'US$ 350.0m' as dollars."""
    match = re.fullmatch(r"US\$ ([\d,.]+)(bn|m)", text)
    assert match, f"not a US$ amount: {text!r}"
    return Decimal(match[1].replace(",", "")) * (10**9 if match[2] == "bn" else 10**6)


def test_viewer_logs_in_and_sees_every_dashboard_chart_drawn(page, site_url):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    log_in(page, *VIEWER)

    expect(page).to_have_url(f"{site_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("CPEC portfolio")
    assert wait_for_charts(page) == DASHBOARD_CHARTS
    for chart in page.locator("[data-chart]").all():
        expect(chart).not_to_have_text("Chart could not be drawn")

    projects = page.locator("[data-kpi=projects]").inner_text()
    assert re.fullmatch(r"\d+", projects) and int(projects) > 0, projects
    assert int(projects) == len(demo_projects())
    for kpi in ("cost-usd", "committed", "gap-usd"):
        assert usd_value(page.locator(f"[data-kpi={kpi}]").inner_text()) > 0, kpi
    expect(page.locator("[data-kpi=gap-percent]")).to_have_text(
        re.compile(r"^\d+\.\d% of the known cost: no financier identified$")
    )
    expect(page.locator("[data-kpi=latest-decisions]")).to_have_text(re.compile(r"^\d+$"))


def test_filter_projects_by_lender(viewer_page, site_url):
    page = viewer_page
    page.goto("/projects/")
    page.get_by_text("More filters").click()
    aiib = page.get_by_role("group", name="Lender", exact=True).get_by_label(
        "Asian Infrastructure Investment Bank (AIIB)"
    )
    aiib.check()
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"/projects/\?(.*&)?lender=aiib(&|$)"))
    ticked = page.locator("input[name=lender]:checked")  # in the panel, closed after Apply
    expect(ticked).to_have_count(1)
    expect(ticked).to_have_attribute("value", "aiib")
    # AIIB has lines on ML-1 and on its Karachi–Rohri section (data/demo/projects.yaml).
    expected = demo_projects_financed_by("aiib")
    assert expected == {ML1, "ML-1 Karachi–Rohri section"}
    expect(page.locator(".result-count")).to_have_text(f"{len(expected)} projects match the filters.")
    assert set(project_names(page)) == expected  # (their order is the database collation's)


def test_open_ml1_from_the_list(viewer_page):
    page = viewer_page
    page.goto("/projects/")
    page.get_by_role("link", name=ML1, exact=True).click()

    expect(page).to_have_url(re.compile(r"/projects/ml-1/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ML1)
    wait_for_charts(page)
    for chart_id in ("chart-chart-history", "chart-chart-donut"):
        chart = page.locator(f"#{chart_id}")
        expect(chart).to_have_attribute("data-drawn", "true")
        expect(chart.locator(".main-svg").first).to_be_visible()

    estimates = page.locator("table.estimates tbody tr")
    assert estimates.count() >= 6
    assert estimates.count() == len(demo_projects()["ml-1"]["cost_estimates"])

    lines = sorted((row["Lender"], row["Share"], row["Status"]) for row in table_rows(page.locator("table.lines")))
    assert lines == [
        ("Asian Development Bank", "–", "Proposed"),
        ("Asian Infrastructure Investment Bank", "–", "Proposed"),
        ("Government of China", "–", "Agreed"),  # US$ 1.1bn for Karachi–Hyderabad (Jul 2024)
        ("Government of China", "–", "Declined"),  # the concessional loan, Aug 2025
        ("Government of Pakistan – PSDP", "15%", "Agreed"),
    ]

    # The donut's numbers (lenders by short name): only committed lines and the unfunded rest.
    shares = page.locator("table", has=page.locator("caption", has_text="Shares of the current cost"))
    assert sorted((row["Slice"], row["US$"]) for row in table_rows(shares)) == [
        ("China (government)", "US$ 1.10bn"),
        ("GoP (PSDP)", "US$ 1.05bn"),
        ("Unfunded (funding gap)", "US$ 4.85bn"),
    ]


def test_csv_export_holds_exactly_the_filtered_projects(viewer_page):
    from dashboard.exports import COLUMNS

    page = viewer_page
    page.goto("/projects/?lender=aiib")
    shown = project_names(page)
    slugs = project_slugs(page)
    assert set(shown) == demo_projects_financed_by("aiib")
    expect(page.get_by_role("link", name="Excel (XLSX)")).to_have_attribute("href", re.compile(r"lender=aiib"))

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert re.fullmatch(r"cpec-projects-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    assert download.failure() is None
    with open(download.path(), encoding="utf-8-sig", newline="") as f:
        header, *rows = list(csv.reader(f))

    assert header == [label for label, _field in COLUMNS]
    assert header[0] == "Project" and header[-1] == "Link"
    assert [row[0] for row in rows] == shown
    assert [row[-1] for row in rows] == [f"{settings.SITE_URL}/projects/{slug}/" for slug in slugs]
    financing = header.index("Financing sources")
    assert all("Asian Infrastructure Investment Bank" in row[financing] for row in rows)


def test_sorting_by_a_column_keeps_the_filter(viewer_page):
    page = viewer_page
    page.goto("/projects/?sector=transport")
    count = page.locator(".result-count").inner_text()
    names = project_names(page)
    assert len(names) > 2

    def costs() -> list[Decimal]:
        return [usd_value(row["Current cost"]) for row in table_rows(page.locator("table.project-table"))]

    page.get_by_role("link", name=re.compile(r"^Current cost")).click()
    expect(page).to_have_url(re.compile(r"[?&]sort=cost(&|$)"))
    assert "sector=transport" in page.url
    expect(page.get_by_role("columnheader", name=re.compile(r"^Current cost"))).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(page.locator(".result-count")).to_have_text(count)
    expect(page.locator("input[name=sector][value=transport]")).to_be_checked()
    ascending = costs()
    assert ascending == sorted(ascending)
    assert sorted(project_names(page)) == sorted(names)

    page.get_by_role("link", name=re.compile(r"^Current cost")).click()
    expect(page).to_have_url(re.compile(r"[?&]sort=-cost(&|$)"))
    assert "sector=transport" in page.url
    expect(page.get_by_role("columnheader", name=re.compile(r"^Current cost"))).to_have_attribute(
        "aria-sort", "descending"
    )
    descending = costs()
    assert descending == sorted(descending, reverse=True)
    assert descending != ascending
    assert sorted(project_names(page)) == sorted(names)


def test_kkh_thakot_raikot_gap_and_china_share(viewer_page):
    page = viewer_page
    page.goto("/projects/kkh-thakot-raikot/")
    expect(page.get_by_role("heading", level=1)).to_have_text("KKH realignment: Thakot–Raikot")
    expect(page.locator("[data-kpi=gap-percent]")).to_have_text("15.0% of the cost with no financier identified")

    lines = table_rows(page.locator("table.lines"))
    assert [(row["Lender"], row["Share"], row["Status"]) for row in lines] == [("Government of China", "85%", "Agreed")]
    wait_for_charts(page)


def test_print_stylesheet_hides_the_site_header(viewer_context):
    page = viewer_context.new_page()  # its own page: media emulation stays with it
    try:
        page.goto("/projects/ml-1/")
        wait_for_charts(page)
        header, nav = page.locator(".site-header"), page.get_by_role("navigation", name="Main")
        expect(header).to_be_visible()
        expect(nav).to_be_visible()

        page.emulate_media(media="print")
        expect(header).to_be_hidden()
        expect(nav).to_be_hidden()
        expect(page.locator(".breadcrumbs")).to_be_hidden()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        # On paper the cost history is its table, not the chart.
        expect(page.locator("#chart-chart-history")).to_be_hidden()
        expect(page.locator("table.estimates")).to_be_visible()
    finally:
        page.close()


def test_debt_service_on_stated_terms_then_with_assumptions(viewer_page):
    """No demo loan states its repayment profile, so on stated terms alone none is scheduled and every
    committed loan is listed with what it lacks. Assuming equal principal and a benchmark level schedules
    the loans whose other terms are known (Suki Kinari's two halves, Port Qasim), marked as assumed."""
    page = viewer_page
    page.goto("/debt/")
    assert wait_for_charts(page) == 1
    expect(page.locator("[data-debt-assumption]")).to_contain_text("drawn in full when it starts")
    unknown = table_rows(page.locator("table[data-debt-unknown]"))
    by_project = {row["Project"]: row["Not known"] for row in unknown}
    assert by_project["Port Qasim coal power plant (2×660 MW)"] == (
        "the level of 6-month LIBOR; daily simple SOFR from 1 Jul 2023, the repayment profile"
    )

    page.locator("#id_profile").select_option("equal_principal")
    page.locator("#id_benchmark_percent").fill("5")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"profile=equal_principal.*benchmark_percent=5|benchmark_percent=5.*profile="))
    assert wait_for_charts(page) == 1
    expect(page.locator("#chart-chart-debt-years .bars path").first).to_be_attached()
    loans = table_rows(page.locator("table[data-debt-loans]"))
    projects = sorted(row["Project"] for row in loans)
    assert "Port Qasim coal power plant (2×660 MW)" in projects
    assert projects.count("Suki Kinari hydropower project (884 MW)") == 2
    assert all("repayment in equal parts of principal" in row["Assumed"] for row in loans)
    years = table_rows(page.locator("table[data-debt-years]"))
    assert years and all(row["Total (US$)"].startswith("US$ ") for row in years)

    page.locator("table[data-debt-loans] a", has_text="Suki Kinari").first.click()
    expect(page).to_have_url(re.compile(r"/projects/suki-kinari-hydropower/#loans$"))
    expect(page.locator("#loans [data-loan-rate]").first).to_contain_text("6-month LIBOR + 4.75%")


def test_the_map_draws_the_provinces_and_a_click_opens_the_project(viewer_page):
    """The energy projects: six coal plants and Karot as points, the Matiari–Lahore line as a route, over
    the seven provinces and territories (FATA inside KP) and the country's outline, all from this site.
    Hovering a plant names it; clicking it opens its page."""
    page = viewer_page
    page.goto("/map/?sector=energy&shade=cost")
    assert wait_for_charts(page) == 1
    chart = page.locator("#chart-chart-map")
    # 7 areas and the outline, then the energy projects: the line's route, the plants' markers.
    expect(chart.locator(".scatterlayer .trace")).to_have_count(7 + 1 + 2)
    expect(page.get_by_text("Boundaries © OpenStreetMap contributors").first).to_be_visible()
    rows = table_rows(page.locator("table[data-map-places]"))
    shown = {row["Project"] for row in rows}
    assert len(rows) == 8
    assert {"Sahiwal coal power plant (2×660 MW)", "Matiari–Lahore ±660 kV HVDC transmission line"} <= shown
    regions = {row["Province or territory"]: row for row in table_rows(page.locator("table[data-map-regions]"))}
    assert regions["Punjab"]["Projects"] != "0"

    plants = chart.locator(".scatterlayer .trace").last.locator(".points path")
    chart.scroll_into_view_if_needed()
    box = plants.first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    hover = page.locator(".hoverlayer .hovertext").first
    expect(hover).to_be_visible()
    text = hover.text_content()  # SVG text: the name, then status, cost and gap
    (name,) = [n for n in shown if text.startswith(n)]
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page).to_have_url(re.compile(r"/projects/[\w-]+/$"))
    expect(page.locator("h1")).to_have_text(name)
    assert wait_for_charts(page) >= 1
    expect(page.locator("#chart-chart-where")).to_have_attribute("data-drawn", "true")
