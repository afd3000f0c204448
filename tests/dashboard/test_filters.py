"""The portfolio filter (dashboard/filters.py) through the project list: each parameter, sorting, paging, bad input,
the filters in force in words and the chips that remove them."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from dashboard.filters import FilterInForce
from tests.factories import (
    LenderFactory,
    ProjectFactory,
)
from tests.htmlforms import form_data

pytestmark = pytest.mark.django_db


def names(response):
    return [p.name for p in response.context["page"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Rail B", "Road A", "Solar C", "Zone D"]),
        ({"q": "rail"}, ["Rail B"]),
        ({"q": "  ROAD  "}, ["Road A"]),
        ({"q": "گوادر"}, []),
        ({"sector": "energy"}, ["Solar C"]),
        ({"sector": ["energy", "industrial"]}, ["Solar C", "Zone D"]),
        ({"status": "proposed"}, ["Solar C"]),
        ({"region": "gb"}, ["Road A", "Solar C"]),
        ({"region": ["gb", "ict"]}, ["Road A", "Solar C", "Zone D"]),
        ({"lender": "adb"}, ["Rail B"]),
        ({"lender": "china"}, ["Rail B", "Road A"]),
        ({"lender_kind": "multilateral"}, ["Rail B"]),
        ({"instrument": "budget_allocation"}, ["Rail B", "Zone D"]),
        ({"financing_status": "declined"}, ["Rail B"]),
        ({"lender": "china", "financing_status": "agreed"}, ["Road A"]),  # one and the same line
        ({"meeting": "11"}, ["Rail B"]),
        ({"meeting": "14"}, ["Rail B", "Road A"]),
        ({"cost_min": "5000"}, ["Rail B"]),
        ({"cost_max": "100"}, ["Zone D"]),
        ({"cost_min": "100", "cost_max": "2500"}, ["Road A"]),
        ({"completion_after": "2030-01-01"}, ["Rail B", "Road A"]),
        ({"completion_before": "2027-01-01"}, ["Zone D"]),
        ({"has_gap": "true"}, ["Rail B", "Road A"]),
        ({"has_gap": "false"}, ["Zone D"]),
    ],
)
def test_each_filter_parameter(viewer_client, portfolio, query, expected):
    response = viewer_client.get(reverse("dashboard:projects"), query)
    assert response.status_code == 200
    assert names(response) == expected
    assert f"<strong>{len(expected)}</strong> project" in response.content.decode()


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Rail B", "Road A", "Solar C", "Zone D"]),
        ("-name", ["Zone D", "Solar C", "Road A", "Rail B"]),
        ("-cost", ["Rail B", "Road A", "Zone D", "Solar C"]),  # unknown cost last
        ("cost", ["Zone D", "Road A", "Rail B", "Solar C"]),
        ("-gap", ["Rail B", "Road A", "Zone D", "Solar C"]),
        ("completion", ["Zone D", "Road A", "Rail B", "Solar C"]),
    ],
)
def test_sorting(viewer_client, portfolio, sort, expected):
    assert names(viewer_client.get(reverse("dashboard:projects"), {"sort": sort})) == expected


def test_pagination_keeps_filters_and_sort(viewer_client, portfolio):
    for i in range(30):
        ProjectFactory(name=f"Extra {i:02d}", sector="energy")
    response = viewer_client.get(reverse("dashboard:projects"), {"sector": "energy", "sort": "-name"})
    page = response.context["page"]
    assert page.paginator.count == 31 and len(page) == 25
    html = response.content.decode()
    assert "?sector=energy&amp;sort=-name&amp;page=2" in html
    second = viewer_client.get(reverse("dashboard:projects"), {"sector": "energy", "sort": "-name", "page": "2"})
    assert names(second) == ["Extra 05", "Extra 04", "Extra 03", "Extra 02", "Extra 01", "Extra 00"]


BAD_QUERIES = [
    ({"cost_min": "abc"}, "Enter a number."),
    ({"cost_min": "1e999999"}, "Ensure that there are no more than"),
    ({"cost_min": "NaN"}, "Enter a number."),
    ({"cost_min": "-5"}, "greater than or equal to 0"),
    ({"cost_max": "99999999999999999999"}, "Ensure"),
    ({"cost_min": "500", "cost_max": "100"}, "The highest cost is below the lowest cost."),
    ({"completion_after": "2030-13-45"}, "Enter a valid date."),
    ({"completion_after": "2031-01-01", "completion_before": "2020-01-01"}, "The date range ends before it starts."),
    ({"sector": "mining"}, "Select a valid choice. mining is not one of the available choices."),
    ({"lender": "no-such-bank"}, "Select a valid choice. no-such-bank is not one of the available choices."),
    ({"meeting": "abc"}, "Select a valid choice."),
    ({"meeting": "99999999999999999999"}, "Select a valid choice."),
    ({"has_gap": "maybe"}, ""),
    ({"sort": "password"}, "Select a valid choice."),
    ({"q": "\x00"}, "Null characters are not allowed."),
    ({"q": "x" * 5000}, "Ensure this value has at most 200 characters"),
]


@pytest.mark.parametrize("url_name", ["dashboard:home", "dashboard:projects"])
@pytest.mark.parametrize(("query", "message"), BAD_QUERIES)
def test_bad_filters_show_messages_not_errors(viewer_client, portfolio, url_name, query, message):
    response = viewer_client.get(reverse(url_name), query)
    if query == {"has_gap": "maybe"}:  # a select: unknown values mean "any"
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert "Some filters could not be used" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"q": "'; DROP TABLE projects_project; --"},
        {"q": "<script>alert(1)</script>"},
        {"q": "%' OR 1=1 --"},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"unknown": "param"},
        {"sector": ["transport", "transport"]},
    ],
)
def test_hostile_but_valid_queries_are_harmless(viewer_client, portfolio, query):
    response = viewer_client.get(reverse("dashboard:projects"), query)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


EVERY_FILTER = (
    "q=+rail+&sector=energy&sector=transport&status=cancelled&region=ict&lender=china&lender=adb"
    "&lender_kind=multilateral&instrument=grant&financing_status=declined&meeting=14&cost_min=100"
    "&cost_max=2500.5&completion_after=2030-01-01&completion_before=2031-06-30&has_gap=false&sort=-cost&page=2"
)


def test_in_force_says_each_filter_in_words(viewer_client, portfolio, django_assert_num_queries):
    portfolio_filter = viewer_client.get(f"{reverse('dashboard:projects')}?{EVERY_FILTER}").context["filter"]
    with django_assert_num_queries(0):  # lenders and the meeting were read when the form was cleaned
        in_force = portfolio_filter.in_force()
    assert [(item.name, item.label, item.value) for item in in_force] == [
        ("q", "Search", "rail"),
        ("sector", "Sector", "Transport, Energy"),  # in the list's order
        ("status", "Status", "Cancelled"),
        ("region", "Province / region", "Islamabad Capital Territory"),
        ("lender", "Lender", "China, ADB"),  # in the list's order: Chinese government before multilateral
        ("lender_kind", "Lender kind", "Multilateral development bank"),
        ("instrument", "Instrument", "Grant"),
        ("financing_status", "Financing status", "Declined"),
        ("meeting", "Discussed at JCC", "14th JCC (26 Sep 2025)"),
        ("cost_min", "Cost from", "US$ 100m"),
        ("cost_max", "Cost up to", "US$ 2,500.5m"),
        ("completion_after", "Planned completion from", "1 Jan 2030"),
        ("completion_before", "Planned completion until", "30 Jun 2031"),
        ("has_gap", "Funding gap", "No funding gap (cost committed or proposed)"),
    ]
    assert portfolio_filter.active_filters == 14
    assert in_force[2].remove_query == (
        "q=+rail+&sector=energy&sector=transport&region=ict&lender=china&lender=adb&lender_kind=multilateral"
        "&instrument=grant&financing_status=declined&meeting=14&cost_min=100&cost_max=2500.5"
        "&completion_after=2030-01-01&completion_before=2031-06-30&has_gap=false&sort=-cost"
    )


def test_removing_a_filter_keeps_the_others_the_sort_and_the_as_of_choice(viewer_client, portfolio):
    query = "status=financing&lender=adb&q=&cost_min=&sort=-cost&as_of=2025-01-01&as_of_jcc=14&page=2&junk=1"
    portfolio_filter = viewer_client.get(f"{reverse('dashboard:projects')}?{query}").context["filter"]
    assert portfolio_filter.in_force() == [
        FilterInForce(
            "status", "Status", "Financing being arranged", "lender=adb&sort=-cost&as_of_jcc=14&as_of=2025-01-01"
        ),
        FilterInForce("lender", "Lender", "ADB", "status=financing&sort=-cost&as_of_jcc=14&as_of=2025-01-01"),
    ]
    assert portfolio_filter.clear_query() == "sort=-cost&as_of_jcc=14&as_of=2025-01-01"


@pytest.mark.parametrize(
    "query", [{}, {"sort": "-cost"}, {"q": "   ", "has_gap": ""}, {"status": "cancelled", "cost_min": "abc"}]
)
def test_nothing_in_force_without_a_valid_narrowing_filter(viewer_client, portfolio, query):
    response = viewer_client.get(reverse("dashboard:projects"), query)
    assert response.context["filter"].in_force() == []
    assert response.context["filter"].active_filters == 0
    assert 'aria-label="Filters in force"' not in response.content.decode()


def chip(name, href, label, value):
    """A removable filter's link, as the page writes it."""
    return (
        f'<a class="chip" data-filter="{name}" href="{href}"><span class="visually-hidden">Remove the filter </span>'
        f'<span class="chip-label">{label}</span> <span class="chip-value">{value}</span>'
    )


@pytest.mark.parametrize(("url_name", "path"), [("dashboard:home", "/"), ("dashboard:projects", "/projects/")])
def test_after_apply_the_panel_is_closed_and_the_chips_remove_one_filter_each(viewer_client, portfolio, url_name, path):
    html = viewer_client.get(
        reverse(url_name), {"status": "financing", "lender": "adb", "sort": "-cost"}
    ).content.decode()
    assert '<details class="filter-more">' in html
    assert html.index('aria-label="Filters in force"') < html.index('class="tiles"' if path == "/" else "project-table")
    assert chip("status", f"{path}?lender=adb&amp;sort=-cost", "Status:", "Financing being arranged") in html
    assert chip("lender", f"{path}?status=financing&amp;sort=-cost", "Lender:", "ADB") in html
    assert f'<a class="filters-clear" href="{path}?sort=-cost">Clear all</a>' in html


def test_invalid_filters_open_the_panel_with_their_errors(viewer_client, portfolio):
    response = viewer_client.get(reverse("dashboard:projects"), {"status": "cancelled", "cost_min": "abc"})
    html = response.content.decode()
    assert response.status_code == 400
    assert '<details class="filter-more" open>' in html
    assert "Enter a number." in html


def test_every_group_has_its_legend(viewer_client, portfolio):
    html = viewer_client.get(reverse("dashboard:projects")).content.decode()
    legends = ["Sector", "Status", "Province / region", "Lender kind", "Instrument", "Financing status", "Lender"]
    assert [f"<legend>{legend}</legend>" in html for legend in legends] == [True] * 7
    assert "[invalid name]" not in html


class LenderChoices(HTMLParser):
    """The lender group as a reader sees it: [(a kind's sub-heading, [(label, slug, ticked), …]), …]."""

    def __init__(self, html):
        super().__init__()
        self.kinds: list[list] = []
        self._into = None  # the heading or choice whose text is being read
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "p" and a.get("class") == "lender-kind-name":
            self.kinds.append(["", []])
            self._into = self.kinds[-1]
        elif tag == "input" and a.get("name") == "lender":  # inside its label, before the text
            self.kinds[-1][1].append(["", a["value"], "checked" in a])
            self._into = self.kinds[-1][1][-1]

    def handle_data(self, data):
        if self._into is not None:
            self._into[0] += data

    def handle_endtag(self, tag):
        if tag in ("p", "label"):
            self._into = None

    def groups(self) -> list[tuple]:
        return [(kind.strip(), [(text.strip(), *rest) for text, *rest in rows]) for kind, rows in self.kinds]


def test_lenders_are_checkboxes_under_their_kind_in_the_more_filters_panel(viewer_client, portfolio):
    LenderFactory(name="Silk Road Fund", short_name="Silk Road Fund", slug="silk-road-fund", kind="fund")
    LenderFactory(name="Asian Infrastructure Investment Bank", short_name="AIIB", slug="aiib", kind="multilateral")
    LenderFactory(name="Bank Alfalah", short_name="", slug="bank-alfalah", kind="commercial_bank")
    response = viewer_client.get(reverse("dashboard:projects"), {"lender": ["aiib", "china"]})
    html = response.content.decode()
    # Kinds in the order of LenderKind, lenders by name within each; the full name with the short one.
    assert LenderChoices(html).groups() == [
        ("Chinese government or policy bank", [("Government of China (China)", "china", True)]),
        ("Commercial bank", [("Bank Alfalah", "bank-alfalah", False)]),
        (
            "Multilateral development bank",
            [
                ("Asian Development Bank (ADB)", "adb", False),
                ("Asian Infrastructure Investment Bank (AIIB)", "aiib", True),
            ],
        ),
        ("Pakistan government budget (PSDP)", [("Government of Pakistan – PSDP (PSDP)", "psdp", False)]),
        ("Fund", [("Silk Road Fund", "silk-road-fund", False)]),
    ]
    panel = html.index('<details class="filter-more">'), html.index("</details>")
    assert panel[0] < html.index("<legend>Lender</legend>") < panel[1]
    assert form_data(response)["lender"] == ["china", "aiib"]  # Apply again sends the same slugs
    assert '<select name="lender"' not in html
    # The summary keeps the short names, in the list's order.
    assert chip("lender", "/projects/", "Lender:", "China, AIIB") in html
    assert names(response) == ["Rail B", "Road A"]


def test_each_kind_is_a_group_named_by_its_sub_heading(viewer_client, portfolio):
    html = viewer_client.get(reverse("dashboard:projects")).content.decode()
    groups = re.findall(r'role="group" aria-labelledby="([\w-]+)">\s*<p class="lender-kind-name" id="([\w-]+)">', html)
    assert groups == [("id_lender_heading_1",) * 2, ("id_lender_heading_2",) * 2, ("id_lender_heading_3",) * 2]
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # nothing else on the page (the lender kinds' checkboxes) shares an id
