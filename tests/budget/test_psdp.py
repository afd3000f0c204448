"""PSDP figures: which count, their sums per year, the rates, the flags, and their entry in admin.

The figures are made up for the arithmetic, in the shapes the PSDP documents take (ML-1's two
schemes, a release reported twice in a year, the airport's foreign-aid and rupee parts of 2011-12).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import QuerySet

from budget.models import PsdpFigure
from budget.selectors import lagging_projects, portfolio_psdp_years, project_psdp_years, psdp_flags
from projects.models import Project
from tests.factories import ProjectFactory, PsdpFigureFactory, SourceFactory
from tests.htmlforms import post_change

pytestmark = pytest.mark.django_db
D = dt.date
BN, M = Decimal("1000000000"), Decimal("1000000")


@pytest.fixture
def psdp():
    source = SourceFactory()
    rail = ProjectFactory(name="Rail", slug="rail")
    airport = ProjectFactory(name="Airport", slug="airport")
    road = ProjectFactory(name="Road", slug="road")

    def figure(project, year, kind, amount, on, **extra):
        return PsdpFigureFactory(
            project=project, fiscal_year=year, kind=kind, amount_pkr=amount, as_of=on, source=source, **extra
        )

    # 2019-20, Rail: two schemes; the design study's release reported in September, then in March.
    figure(rail, 2019, "original", Decimal("4.5") * BN, D(2019, 6, 11), scheme="Main")
    figure(rail, 2019, "spent", 5 * BN, D(2020, 7, 1), scheme="Main")
    figure(rail, 2019, "original", Decimal("1.8") * BN, D(2019, 6, 11), scheme="Design")
    figure(rail, 2019, "released", 360 * M, D(2019, 9, 3), scheme="Design")
    figure(rail, 2019, "released", Decimal("1.8") * BN, D(2020, 3, 24), scheme="Design")
    # 2011-12, Airport: only the foreign-aid and rupee parts; 2016-17: a total beside one part, then revised.
    figure(airport, 2011, "original", 220 * M, D(2011, 6, 3), component="foreign_aid")
    figure(airport, 2011, "original", 880 * M, D(2011, 6, 3), component="rupee")
    figure(airport, 2016, "original", BN, D(2016, 6, 3))
    figure(airport, 2016, "original", 400 * M, D(2016, 6, 3), component="foreign_aid")
    figure(airport, 2016, "revised", 800 * M, D(2017, 6, 9))
    figure(airport, 2016, "spent", 600 * M, D(2017, 6, 30))
    # 2024-25, Road: a quarter of its allocation spent.
    figure(road, 2024, "original", 2 * BN, D(2024, 6, 12))
    figure(road, 2024, "spent", 500 * M, D(2025, 6, 30))
    return {"rail": rail, "airport": airport, "road": road}


def pick(rows, *keys):
    return [{k: row[k] for k in keys} for row in rows]


def test_a_projects_years_latest_figures_per_scheme(psdp, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = project_psdp_years(project=psdp["rail"])
    keys = ("year", "scheme", "allocation", "released", "spent", "release_rate", "utilization", "released_on")
    assert pick(rows, *keys) == [
        # The March release replaces September's: 1.8bn of 1.8bn released.
        {
            "year": "2019-20",
            "scheme": "Design",
            "allocation": Decimal("1800000000.00"),
            "released": Decimal("1800000000.00"),
            "spent": None,
            "release_rate": Decimal("100.0"),
            "utilization": None,
            "released_on": D(2020, 3, 24),
        },
        # 5bn spent of 4.5bn: 111.1%.
        {
            "year": "2019-20",
            "scheme": "Main",
            "allocation": Decimal("4500000000.00"),
            "released": None,
            "spent": Decimal("5000000000.00"),
            "release_rate": None,
            "utilization": Decimal("111.1"),
            "released_on": None,
        },
    ]
    assert [psdp_flags(row) for row in rows] == [[], ["spent_over_allocation"]]


def test_as_of_a_date_the_figures_then(psdp):
    rows = project_psdp_years(project=psdp["rail"], as_of=D(2019, 12, 31))
    # Only September's release was known (360m of 1.8bn: 20.0%); the spending came later.
    assert pick(rows, "scheme", "released", "release_rate", "spent") == [
        {"scheme": "Design", "released": Decimal("360000000.00"), "release_rate": Decimal("20.0"), "spent": None},
        {"scheme": "Main", "released": None, "release_rate": None, "spent": None},
    ]
    assert project_psdp_years(project=psdp["rail"], as_of=D(2019, 6, 10)) == []


def test_parts_count_only_without_a_total_and_a_revised_allocation_replaces_the_original(psdp):
    rows = {row["year"]: row for row in project_psdp_years(project=psdp["airport"])}
    # 2011-12: 220m foreign aid + 880m rupees, no total given: 1,100m.
    assert (rows["2011-12"]["original"], rows["2011-12"]["allocation"]) == (Decimal("1100000000.00"),) * 2
    # 2016-17: the total (1bn), not the total plus its foreign part; revised to 800m, 600m spent: 75.0%.
    assert rows["2016-17"]["original"] == Decimal("1000000000.00")
    assert rows["2016-17"]["allocation"] == Decimal("800000000.00")
    assert rows["2016-17"]["utilization"] == Decimal("75.0")
    # As of before the revision, the original is the allocation.
    before = project_psdp_years(project=psdp["airport"], as_of=D(2017, 6, 1))[0]
    assert (before["year"], before["allocation"], before["spent"]) == ("2016-17", Decimal("1000000000.00"), None)


def test_the_portfolio_per_fiscal_year(psdp, django_assert_num_queries):
    projects: QuerySet = Project.objects.all()
    with django_assert_num_queries(1):
        rows = portfolio_psdp_years(projects=projects)
    assert pick(rows, "year", "projects", "allocation", "released", "spent", "release_rate", "utilization") == [
        {
            "year": "2011-12",
            "projects": 1,
            "allocation": Decimal("1100000000.00"),
            "released": None,
            "spent": None,
            "release_rate": None,
            "utilization": None,
        },
        {
            "year": "2016-17",
            "projects": 1,
            "allocation": Decimal("800000000.00"),
            "released": None,
            "spent": Decimal("600000000.00"),
            "release_rate": None,
            "utilization": Decimal("75.0"),
        },
        # 4.5bn + 1.8bn allocated. Only the design study reported a release: 1.8bn of its 1.8bn (100.0%);
        # only the main scheme reported spending: 5bn of its 4.5bn (111.1%). Neither rate counts the
        # other scheme's unreported figure as zero (which gave 28.6% and 79.4%).
        {
            "year": "2019-20",
            "projects": 1,
            "allocation": Decimal("6300000000.00"),
            "released": Decimal("1800000000.00"),
            "spent": Decimal("5000000000.00"),
            "release_rate": Decimal("100.0"),
            "utilization": Decimal("111.1"),
        },
        {
            "year": "2024-25",
            "projects": 1,
            "allocation": Decimal("2000000000.00"),
            "released": None,
            "spent": Decimal("500000000.00"),
            "release_rate": None,
            "utilization": Decimal("25.0"),
        },
    ]
    # A filtered portfolio sums its own projects only.
    only_rail = portfolio_psdp_years(projects=projects.filter(slug="rail"))
    assert [row["year"] for row in only_rail] == ["2019-20"]


def test_lagging_projects_lowest_utilization_first(psdp):
    # Road spent 25.0% of 2024-25's allocation; the airport's 75.0% is not below 75%.
    rows = lagging_projects(projects=Project.objects.all())
    assert pick(rows, "name", "year", "utilization") == [
        {"name": "Road", "year": "2024-25", "utilization": Decimal("25.0")}
    ]


# ---------------------------------------------------------------- admin


def new_figure(project, **fields) -> dict:
    """The project page's PSDP inline with one new figure added after its existing ones."""
    n = PsdpFigure.objects.filter(project=project).count()
    data = {"psdp_figures-TOTAL_FORMS": str(n + 1)}
    data.update({f"psdp_figures-{n}-{k}": v for k, v in fields.items()})
    return data


def figure_fields(source, **changes) -> dict:
    fields = {
        "fiscal_year": "2016",
        "kind": "released",
        "component": "total",
        "amount_pkr": "900000000",
        "as_of": "2017-06-30",
        "source": str(source.pk),
        "stated": "Rs900 million",
    }
    return {**fields, **changes}


def test_a_figure_entered_on_the_project_page_and_a_contradiction_flagged(admin_client, psdp):
    airport = psdp["airport"]
    before = PsdpFigure.objects.filter(project=airport).count()
    response = post_change(admin_client, airport, **new_figure(airport, **figure_fields(SourceFactory())))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert PsdpFigure.objects.filter(project=airport).count() == before + 1
    page = admin_client.get(response["Location"]).content.decode()
    warning = "PSDP 2016-17: more was released (Rs 900,000,000) than allocated (Rs 800,000,000). Check the sources."
    assert warning in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount_pkr": "-5"}, "A PSDP figure cannot be negative."),
        ({"as_of": "2015-12-31"}, "A figure cannot be dated before the calendar year its fiscal year starts in."),
        ({"fiscal_year": "1980"}, "Select a valid choice. 1980 is not one of the available choices."),
        ({"kind": "promised"}, "Select a valid choice. promised is not one of the available choices."),
        # Entered twice: the same project, year, scheme, kind, part and date as an existing figure.
        (
            {"kind": "spent", "amount_pkr": "7"},
            "This project already has this figure for this year, scheme, part and date.",
        ),
    ],
)
def test_bad_figures_are_form_errors_and_nothing_is_saved(admin_client, psdp, changes, message):
    airport = psdp["airport"]
    before = PsdpFigure.objects.count()
    response = post_change(admin_client, airport, **new_figure(airport, **figure_fields(SourceFactory(), **changes)))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert PsdpFigure.objects.count() == before


# ---------------------------------------------------------------- the project page


def test_the_project_page_shows_its_psdp_years_with_their_flags(viewer_client, psdp):
    html = viewer_client.get("/projects/rail/").content.decode()
    assert '<h2 id="h-psdp">PSDP (federal budget)</h2>' in html
    assert (
        '<span class="flag-inline" data-psdp-flag="spent_over_allocation">⚠ more spent (Rs 5.0bn) than allocated '
        "(Rs 4.5bn)</span>"
    ) in html
    assert "<small>to 24 Mar 2020 · 100.0%</small>" in html  # the Design scheme's release, and its rate
    # Among the key facts (and in a printed brief, which leaves out the table and chart): the latest year.
    assert (
        "<dt>PSDP 2019-20</dt><dd data-psdp-latest>Rs 6.3bn allocated, Rs 1.8bn released, Rs 5.0bn spent "
        '<small class="no-print">(<a href="#h-psdp">every year</a>)</small></dd>'
    ) in html
    # As of the end of 2019: September's release, 20.0% of the allocation; no spending yet.
    html = viewer_client.get("/projects/rail/", {"as_of": "2019-12-31"}).content.decode()
    assert "<small>to 3 Sep 2019 · 20.0%</small>" in html and "data-psdp-flag" not in html
    # A project without PSDP figures says so.
    assert "No PSDP figures recorded." in viewer_client.get("/projects/road/", {"as_of": "2020-01-01"}).content.decode()


def test_the_psdp_chart_draws_a_bar_per_figure_reported_in_rs_bn():
    from dashboard.charts import psdp_years

    rows = [
        {"year": "2019-20", "allocation": Decimal("6300000000"), "released": Decimal("1800000000"), "spent": None},
        {"year": "2024-25", "allocation": Decimal("2000000000"), "released": None, "spent": Decimal("500000000")},
    ]
    figure = psdp_years(rows)
    assert [(t["name"], t["x"], t["y"]) for t in figure["data"]] == [
        ("Allocated", ["2019-20", "2024-25"], [6.3, 2.0]),
        ("Released", ["2019-20"], [1.8]),
        ("Spent", ["2024-25"], [0.5]),
    ]
    assert figure["data"][0]["customdata"] == [["PKR 6.3bn"], ["PKR 2.0bn"]]
    assert figure["layout"]["barmode"] == "group"
    empty = psdp_years([{"year": "2019-20", "allocation": None, "released": None, "spent": None}])
    assert empty["layout"]["annotations"][0]["text"] == "No PSDP figures recorded"


# ---------------------------------------------------------------- the PSDP page


def test_the_psdp_page_per_fiscal_year_and_the_laggards(viewer_client, psdp):
    html = viewer_client.get("/psdp/").content.decode()
    assert '<a href="/psdp/" aria-current="page">PSDP</a>' in html
    # 2019-20: 6.3bn allocated; 1.8bn released of the design study's 1.8bn (100.0%), 5.0bn spent of the
    # main scheme's 4.5bn (111.1%): each rate over the schemes that reported the figure.
    assert (
        '<tr data-psdp-year="2019-20"><th scope="row">2019-20</th><td class="num">1</td><td class="num">Rs 6.3bn</td>'
        '<td class="num">Rs 1.8bn</td><td class="num">100.0%</td>'
        '<td class="num">Rs 5.0bn</td><td class="num">111.1%</td>'
    ) in html
    assert '<th scope="row"><a href="/projects/road/">Road</a></th><td>2024-25</td>' in html
    assert "below 75% of their allocation" in html


def test_the_psdp_page_as_of_a_date_and_filtered(viewer_client, psdp):
    html = viewer_client.get("/psdp/", {"as_of": "2019-12-31"}).content.decode()
    # Then: September's 360m of the design study's 1.8bn released (20.0%), nothing spent yet, 2024-25 not budgeted.
    assert '<td class="num">Rs 360m</td><td class="num">20.0%</td><td class="num">–</td>' in html
    assert 'data-psdp-year="2024-25"' not in html
    html = viewer_client.get("/psdp/", {"q": "airport"}).content.decode()
    assert 'data-psdp-year="2016-17"' in html and 'data-psdp-year="2019-20"' not in html
    assert "No project's reported spending lags its allocation." in html


def test_the_psdp_page_refuses_a_bad_filter(viewer_client, psdp):
    response = viewer_client.get("/psdp/", {"cost_min": "abc"})
    assert response.status_code == 400 and "Enter a number." in response.content.decode()
    assert "No PSDP figures recorded for these projects" in response.content.decode()
