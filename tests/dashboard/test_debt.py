"""The debt-service page: the committed loans' principal, interest and fees per fiscal year, worked by hand.

The portfolio:
- Road E: China Exim (Chinese government), commercial loan US$ 1,000,000 signed 15 Jan 2020 at 6% fixed,
  3 years with 1 of grace, equal principal, twice a year (the first hand case of tests/financing/test_debt.py):
  interest 30,000 in Jul 2020 and Jan 2021 (FY 2020-21: 60,000); Jul 2021 250,000 + 30,000 and Jan 2022
  250,000 + 22,500 (FY 2021-22: 500,000 + 52,500); Jul 2022 250,000 + 15,000 and Jan 2023 250,000 + 7,500
  (FY 2022-23: 500,000 + 22,500). Interest in all 135,000.
- Port F: financial close 1 Jan 2021; the Fund's interest-free loan US$ 600,000 agreed 1 Mar 2021, 0% over
  2 years, no grace: 150,000 on 1 Jul 2021, 1 Jan 2022, 1 Jul 2022, 1 Jan 2023 (FY 2021-22 and 2022-23:
  300,000 each). It starts at the financial close, not the agreement.
- Plant G: a commercial loan US$ 2,000,000 signed 1 Jan 2019 with no terms; a floating loan US$ 500,000
  signed 1 Jan 2022 at SOFR + 3.7% over 2 years without grace, whose benchmark level and repayment profile
  are not recorded; a grant; a loan under negotiation with terms.

So per fiscal year: 2020-21 60,000; 2021-22 800,000 + 52,500 = 852,500; 2022-23 800,000 + 22,500 = 822,500;
in all 1,600,000 + 135,000 = 1,735,000, Rs 485,800,000 at the reference rate of 280.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from financing.loans import Assumptions, committed_loans
from financing.models import FinancingLine, LoanSchedule, LoanScheduleGroup, LoanScheduleYear, LoanTerms
from financing.services import financing_line_record_change
from tests.factories import ExchangeRateFactory, LenderFactory, ProjectFactory, SourceFactory

pytestmark = pytest.mark.django_db
D = dt.date
M = Decimal
URL = reverse("dashboard:debt")


def add_line(project, lender, instrument, changed_on, status, amount, source):
    line = FinancingLine(project=project, lender=lender, instrument=instrument, as_of=changed_on)
    financing_line_record_change(
        line=line,
        source=source,
        changed_on=changed_on,
        status=status,
        amount=M(amount),
        currency="USD",
        entered_pkr_per_usd=M("280"),
    )
    return line


def fixed_terms(line, source, *, rate, tenor, grace, **extra):
    return LoanTerms.objects.create(
        line=line,
        rate_kind="fixed",
        fixed_rate_percent=M(rate),
        interest_source=source,
        tenor_months=tenor,
        grace_months=grace,
        profile="equal_principal",
        repayment_source=source,
        **extra,
    )


@pytest.fixture
def loans(db):
    source = SourceFactory(key="S1")
    ExchangeRateFactory(currency="PKR", date=D(2024, 1, 1), per_usd=M("280"), source=source)
    exim = LenderFactory(name="China Exim", slug="china-exim", kind="chinese_government")
    fund = LenderFactory(name="The Fund", slug="the-fund", kind="fund")
    bank = LenderFactory(name="Bank H", slug="bank-h", kind="commercial_bank")
    road = ProjectFactory(name="Road E", slug="road-e", sector="transport")
    port = ProjectFactory(name="Port F", slug="port-f", sector="transport", financial_close_on=D(2021, 1, 1))
    plant = ProjectFactory(name="Plant G", slug="plant-g", sector="energy")

    road_loan = add_line(road, exim, "commercial_loan", D(2020, 1, 15), "signed", "1000000", source)
    fixed_terms(road_loan, source, rate="6", tenor=36, grace=12)
    port_loan = add_line(port, fund, "interest_free_loan", D(2021, 3, 1), "agreed", "600000", source)
    fixed_terms(port_loan, source, rate="0", tenor=24, grace=0)
    add_line(plant, bank, "commercial_loan", D(2019, 1, 1), "signed", "2000000", source)
    floating = add_line(plant, exim, "commercial_loan", D(2022, 1, 1), "signed", "500000", source)
    LoanTerms.objects.create(
        line=floating,
        rate_kind="floating",
        benchmark="SOFR",
        margin_percent=M("3.7"),
        interest_source=source,
        tenor_months=24,
        grace_months=0,
        repayment_source=source,
    )
    add_line(plant, fund, "grant", D(2019, 6, 1), "signed", "300000", source)
    talks = add_line(plant, fund, "concessional_loan", D(2022, 6, 1), "under_negotiation", "900000", source)
    fixed_terms(talks, source, rate="1", tenor=300, grace=120)
    return {"road": road_loan, "port": port_loan, "floating": floating}


def years(response):
    return {
        row["fiscal_year"]: (row["principal"], row["interest"], row["fees"], row["total"])
        for row in response.context["years"]
    }


def test_due_per_fiscal_year_by_hand(viewer_client, loans):
    response = viewer_client.get(URL)
    assert response.status_code == 200
    assert years(response) == {
        "2020-21": (M("0"), M("60000.00"), M("0.00"), M("60000.00")),
        "2021-22": (M("800000.00"), M("52500.00"), M("0.00"), M("852500.00")),
        "2022-23": (M("800000.00"), M("22500.00"), M("0.00"), M("822500.00")),
    }
    totals = response.context["totals"]
    assert (totals["principal"], totals["interest"], totals["total"]) == (
        M("1600000.00"),
        M("135000.00"),
        M("1735000.00"),
    )
    assert totals["total_pkr"] == M("485800000")
    by_kind = {row["fiscal_year"]: row["by_kind"] for row in response.context["years"]}
    assert by_kind["2021-22"] == {"chinese_government": M("552500.00"), "fund": M("300000.00")}
    assert response.context["kinds"] == [
        ("chinese_government", "Chinese government or policy bank"),
        ("fund", "Fund"),
    ]
    html = response.content.decode()
    assert 'data-fiscal-year="2021-22"' in html and "US$ 0.9m" in html  # 852,500
    assert "Rs 486m" in html  # the total in rupees at 280


def test_unknown_terms_are_counted_and_listed_not_left_out(viewer_client, loans):
    response = viewer_client.get(URL)
    unknown = {loan.principal_usd: loan.missing for loan in response.context["unknown"]}
    assert response.context["unknown_count"] == 2
    assert unknown == {
        M("2000000.00"): ["every term"],
        M("500000.00"): ["the level of SOFR", "the repayment profile"],
    }
    assert response.context["unknown_usd"] == M("2500000.00")
    html = response.content.decode()
    assert "2 committed loans cannot be scheduled" in html
    assert "every term" in html and "the level of SOFR, the repayment profile" in html
    # The grant and the loan still under negotiation are not committed loans: neither is listed.
    shown = [loan.principal_usd for loan in response.context["scheduled"] + response.context["unknown"]]
    assert sorted(shown) == [M("500000.00"), M("600000.00"), M("1000000.00"), M("2000000.00")]


def test_the_loan_starts_at_financial_close_else_when_first_committed(viewer_client, loans):
    scheduled = {loan.project_slug: loan for loan in viewer_client.get(URL).context["scheduled"]}
    assert (scheduled["road-e"].start, scheduled["road-e"].start_basis) == (
        D(2020, 1, 15),
        "first recorded as agreed or signed",
    )
    assert (scheduled["port-f"].start, scheduled["port-f"].start_basis) == (D(2021, 1, 1), "financial close")
    # Four instalments, 1 Jul 2021 to 1 Jan 2023 (the list reads the stored schedule's summary).
    assert (scheduled["port-f"].first_due, scheduled["port-f"].last_due) == (D(2021, 7, 1), D(2023, 1, 1))
    assert scheduled["port-f"].interest_total == M("0.00")
    assert scheduled["road-e"].rate_text == "6% fixed" and scheduled["road-e"].period_text == "3 years, 1 year of grace"


def test_a_chosen_rate_and_drawing_over_the_grace_period(viewer_client, loans):
    """Drawn over the grace period, Road E's loan is drawn 500,000 on 15 Jan 2020 and 500,000 on 15 Jul 2020:
    interest 15,000 then 30,000 in FY 2020-21 (45,000); the rest as before. In all 1,720,000, at Rs 300 a US$
    Rs 516,000,000."""
    response = viewer_client.get(URL, {"disbursement": "over_grace", "pkr_per_usd": "300"})
    assert response.status_code == 200
    assert years(response)["2020-21"] == (M("0"), M("45000.00"), M("0.00"), M("45000.00"))
    assert response.context["totals"]["total"] == M("1720000.00")
    assert response.context["totals"]["total_pkr"] == M("516000000")
    html = response.content.decode()
    assert "in equal parts when it starts and on each instalment date of its grace period" in html
    assert "Rs 300 a US$ (the rate chosen)" in html


def test_as_of_a_date_only_the_loans_committed_then(viewer_client, loans):
    response = viewer_client.get(URL, {"as_of": "2020-06-30"})
    assert [loan.project_slug for loan in response.context["scheduled"]] == ["road-e"]
    assert [loan.principal_usd for loan in response.context["unknown"]] == [M("2000000.00")]
    assert response.context["totals"]["total"] == M("1135000.00")


def test_the_filters_narrow_the_loans(viewer_client, loans):
    response = viewer_client.get(URL, {"sector": "energy"})
    assert response.context["scheduled"] == [] and response.context["unknown_count"] == 2
    assert "No committed loan here has known terms" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"pkr_per_usd": "-1"}, {"pkr_per_usd": "abc"}, {"pkr_per_usd": "0"}, {"disbursement": "never"}, {"as_of": "x"}],
)
def test_bad_assumptions_are_form_errors_not_500(viewer_client, loans, query):
    response = viewer_client.get(URL, query)
    assert response.status_code == 400
    assert "Some filters could not be used" in response.content.decode()


def test_constant_queries_at_two_sizes(viewer_client, loans, django_assert_num_queries):
    """The same number of queries at two sizes, both when the schedules must be computed and stored
    (the first view, or after an edit) and when they are stored already."""
    source = SourceFactory(key="S9")
    lender = LenderFactory(kind="multilateral")

    def counts():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        LoanSchedule.objects.all().delete()
        numbers = []
        for _ in range(2):  # computed and stored, then read (the page's figures not cached)
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                assert viewer_client.get(URL, {"sector": "transport"}).status_code == 200
            numbers.append(len(captured))
        return numbers

    small = counts()
    stored = LoanSchedule.objects.count()
    for n in range(12):
        project = ProjectFactory(sector="transport", financial_close_on=D(2018, 1, 1) if n % 2 else None)
        line = add_line(project, lender, "concessional_loan", D(2018, 6, 1), "agreed", "100000", source)
        if n % 3:
            fixed_terms(line, source, rate="2", tenor=240, grace=60, upfront_fee_percent=M("0.5"), fees_source=source)
    assert counts() == small
    # The 8 new loans with terms start on one of two days (the financial close or the agreement): 2 schedules.
    assert LoanSchedule.objects.count() == stored + 2
    # Computing: two inserts of schedules, a read of the group's other schedules and two inserts of the groups'
    # sums, each pair of inserts in a savepoint of the test's transaction (a transaction of its own outside tests).
    assert small[0] == small[1] + 9
    cache.clear()
    with django_assert_num_queries(small[1]):
        viewer_client.get(URL, {"sector": "transport", "as_of": "2024-01-01"})


def test_loans_read_in_three_queries_once_their_schedules_are_stored(loans, django_assert_num_queries):
    from financing.selectors import projects_with_funding

    with django_assert_num_queries(3 + 9):  # the schedules and their groups' sums computed and stored
        first = committed_loans(projects=projects_with_funding(), as_of=None, assumptions=Assumptions())
    with django_assert_num_queries(3):
        result = committed_loans(projects=projects_with_funding(), as_of=None, assumptions=Assumptions())

    def shown(loans):
        return [(loan.line_id, loan.first_due, loan.last_due, loan.interest_total, loan.missing) for loan in loans]

    assert result.years == first.years and shown(result.scheduled) == shown(first.scheduled)
    assert shown(result.unknown) == shown(first.unknown)
    assert [loan.principal_usd for loan in result.scheduled] == [M("1000000.00"), M("600000.00")]
    assert [loan.principal_usd for loan in result.unknown] == [M("2000000.00"), M("500000.00")]
    assert (result.unknown_count, result.unknown_usd) == (2, M("2500000.00"))
    assert LoanSchedule.objects.count() == 2 and LoanScheduleYear.objects.count() == 3 + 2


@pytest.mark.parametrize("as_of", [None, D(2020, 6, 30), D(2022, 6, 1)])
@pytest.mark.parametrize(
    "assumptions",
    [
        Assumptions(),
        Assumptions(profile="annuity"),
        Assumptions(benchmark_percent=M("4.3")),
        Assumptions(disbursement="over_grace", profile="equal_principal", benchmark_percent=M("0")),
    ],
)
def test_postgresql_and_the_loans_agree_on_which_can_be_scheduled(loans, as_of, assumptions):
    """PostgreSQL picks the loans to schedule (``schedulable``); each loan says what it lacks
    (``Loan.missing``): the two definitions must agree, or a loan would be listed on the wrong side."""
    from financing.selectors import projects_with_funding

    result = committed_loans(projects=projects_with_funding(as_of=as_of), as_of=as_of, assumptions=assumptions)
    assert all(loan.scheduled and not loan.missing for loan in result.scheduled)
    assert all(loan.missing and not loan.scheduled for loan in result.unknown)
    assert result.unknown_count == len(result.unknown)


@pytest.mark.parametrize("as_of", [None, D(2020, 6, 30), D(2022, 6, 1)])
@pytest.mark.parametrize(
    "assumptions",
    [
        Assumptions(),
        Assumptions(benchmark_percent=M("4.3"), profile="equal_principal"),
        Assumptions(disbursement="over_grace", profile="annuity", benchmark_percent=M("4.31234")),
    ],
)
def test_the_stored_schedules_are_the_ones_computed_loan_by_loan(loans, as_of, assumptions):
    """PostgreSQL computes each loan's inputs and sums the stored schedules (``financing.schedules``);
    the project page computes each loan's instalments from its terms (``loan_from_state``). Both, per
    loan and per fiscal year, the first time (computed and stored) and the next (read)."""
    from financing.loans import loan_from_state, loan_states
    from financing.selectors import projects_with_funding

    projects = projects_with_funding(as_of=as_of)
    for _ in range(2):
        result = committed_loans(projects=projects, as_of=as_of, assumptions=assumptions)
        _, states = loan_states(as_of)
        by_year = {}
        for listed in result.scheduled:
            state = states.get(**{("pk" if as_of is None else "line_id"): listed.line_id})
            loan = loan_from_state(state, as_of=as_of, assumptions=assumptions)
            assert loan.instalments and loan.summary is None
            assert (listed.first_due, listed.last_due, listed.interest_total, listed.fees_total) == (
                loan.first_due,
                loan.last_due,
                loan.interest_total,
                loan.fees_total,
            )
            for row in loan.years:
                year = by_year.setdefault(row["fiscal_year"], dict.fromkeys(("principal", "interest", "fees"), M(0)))
                for part in year:
                    year[part] += row[part]
        summed = {}
        for (year, _kind), sums in result.years.items():
            total = summed.setdefault(year, dict.fromkeys(("principal", "interest", "fees"), M(0)))
            for part in total:
                total[part] += sums[part]
        assert summed == by_year and result.scheduled_count == len(result.scheduled)
    assert LoanSchedule.objects.count() == len(result.scheduled)  # two loans, two different schedules


def test_writing_a_stored_schedule_moves_no_data_version(loans):
    """Stored schedules are computed figures, not data: storing them leaves every page's cache alone."""
    from dashboard.cache import data_version
    from financing.selectors import projects_with_funding

    before = data_version()
    committed_loans(projects=projects_with_funding(), as_of=None, assumptions=Assumptions(profile="annuity"))
    assert LoanSchedule.objects.exists() and data_version() == before


def test_an_edit_computes_only_the_schedules_it_changed(viewer_client, loans):
    """A loan's schedule is stored under a digest of its inputs: an edited amount is a new schedule,
    the others are read. The old one stays, unused, until ``prune_loan_schedules`` removes it."""
    from django.core.management import call_command

    viewer_client.get(URL)
    stored = set(LoanSchedule.objects.values_list("key", flat=True))
    assert len(stored) == 2
    line = FinancingLine.objects.get(project__slug="port-f")
    financing_line_record_change(
        line=line,
        source=line.changes.first().source,
        changed_on=D(2021, 6, 1),
        status="agreed",
        amount=M("700000"),
        currency="USD",
        entered_pkr_per_usd=M("280"),
    )
    response = viewer_client.get(URL)
    assert response.context["totals"]["principal"] == M("1700000.00")  # 1,000,000 + 700,000
    now = set(LoanSchedule.objects.values_list("key", flat=True))
    assert stored < now and len(now) == 3
    LoanSchedule.objects.filter(key__in=stored).update(computed_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    call_command("prune_loan_schedules", "--days", "30")
    assert set(LoanSchedule.objects.values_list("key", flat=True)) == now - stored
    assert LoanScheduleYear.objects.filter(schedule__key__in=stored).count() == 0
    cache.clear()
    assert viewer_client.get(URL).context["totals"]["principal"] == M("1700000.00")
    assert len(LoanSchedule.objects.all()) == 2


def test_a_group_summed_again_reads_its_other_loans_stored_schedules(viewer_client, loans):
    """Loans are summed in groups (their projects' ids modulo ``GROUPS``); an edit sums its group again
    from the group's other loans' stored schedules and the edited loan's new one.

    Road E's twin (in Road E's group) borrows the same: the group holds one schedule twice, and every
    figure of Road E doubles: FY 2021-22 principal 500,000 + 500,000 + Port F's 300,000. Cut to 500,000,
    the twin repays 125,000 a half-year from Jul 2021, with interest 15,000 then 11,250 that year:
    FY 2021-22 principal 500,000 + 250,000 + 300,000 = 1,050,000 and interest 52,500 + 26,250 = 78,750."""
    from financing.schedules import GROUPS

    road = loans["road"]
    twin = ProjectFactory(pk=road.project_id + GROUPS, name="Road E twin", slug="road-e-twin", sector="transport")
    twin_loan = add_line(
        twin, road.lender, "commercial_loan", D(2020, 1, 15), "signed", "1000000", road.changes.first().source
    )
    fixed_terms(twin_loan, road.changes.first().source, rate="6", tenor=36, grace=12)
    response = viewer_client.get(URL)
    assert years(response)["2021-22"] == (M("1300000.00"), M("105000.00"), M("0.00"), M("1405000.00"))
    assert LoanScheduleGroup.objects.count() == 2  # Road E's group, Port F's
    financing_line_record_change(
        line=twin_loan,
        source=road.changes.first().source,
        changed_on=D(2020, 2, 1),
        status="signed",
        amount=M("500000"),
        currency="USD",
        entered_pkr_per_usd=M("280"),
    )
    response = viewer_client.get(URL)
    assert years(response)["2021-22"] == (M("1050000.00"), M("78750.00"), M("0.00"), M("1128750.00"))
    assert response.context["totals"]["principal"] == M("2100000.00")
    assert LoanScheduleGroup.objects.count() == 3 and LoanSchedule.objects.count() == 3


def test_the_project_page_shows_each_loans_schedule_or_what_it_lacks(viewer_client, loans):
    html = viewer_client.get(reverse("dashboard:project", args=["road-e"])).content.decode()
    assert "Loans and what they cost to repay" in html
    assert "6% fixed" in html and "3 years, 1 year of grace" in html
    assert "from 15 Jan 2020 (first recorded as agreed or signed), instalments Jul 2020 – Jan 2023" in html
    assert "interest US$ 0.1m in all" in html  # 135,000
    assert '<tr data-fiscal-year="2021-22"><th scope="row">2021-22</th><td class="num">US$ 0.5m</td>' in html

    plant = viewer_client.get(reverse("dashboard:project", args=["plant-g"]))
    html = plant.content.decode()
    missing = {loan.principal_usd: loan.missing for loan in plant.context["loans"]}
    assert missing == {
        M("2000000.00"): ["every term"],
        M("500000.00"): ["the level of SOFR", "the repayment profile"],
        M("900000.00"): [],
    }
    assert "No schedule: not known — every term." in html
    assert "SOFR + 3.7%" in html
    # The loan under negotiation is scheduled on its proposed terms, and said to be uncommitted.
    assert "(not committed: the schedule is what these terms would cost)" in html
    assert "instalments Dec 2022 – Jun 2047" in html  # 25 years from 1 Jun 2022, 50 half-years


def test_the_project_page_as_of_a_date_shows_the_loans_then(viewer_client, loans):
    response = viewer_client.get(reverse("dashboard:project", args=["plant-g"]), {"as_of": "2020-06-30"})
    assert [loan.principal_usd for loan in response.context["loans"]] == [M("2000000.00")]


def test_assumptions_fill_only_what_the_terms_leave_empty_and_are_marked(viewer_client, loans):
    """With equal principal and SOFR at 4.3% assumed, Plant G's floating loan is scheduled at 8% (4% a
    half-year) from 1 Jan 2022: 125,000 of principal each half-year with interest 20,000, 15,000, 10,000
    and 5,000: FY 2022-23 250,000 + 35,000, FY 2023-24 250,000 + 15,000. In all 2,285,000."""
    response = viewer_client.get(URL, {"profile": "equal_principal", "benchmark_percent": "4.3"})
    assert response.status_code == 200
    assert years(response)["2022-23"] == (M("1050000.00"), M("57500.00"), M("0.00"), M("1107500.00"))
    assert years(response)["2023-24"] == (M("250000.00"), M("15000.00"), M("0.00"), M("265000.00"))
    assert response.context["totals"]["total"] == M("2285000.00")
    assumed = {loan.project_slug + loan.lender_slug: loan.assumed for loan in response.context["scheduled"]}
    assert assumed["plant-gchina-exim"] == ["SOFR at 4.3%", "repayment in equal parts of principal"]
    assert assumed["road-echina-exim"] == [] and response.context["assumed_count"] == 1
    assert response.context["unknown_count"] == 1  # the loan with no terms at all stays listed
    html = response.content.decode()
    assert "1 of them on this page's assumptions" in html
    assert "SOFR + 3.7% (benchmark assumed: 8%)" in html
    assert "Where the terms do not state the repayment, repayment in equal parts of principal is assumed." in html
    assert "4.3% a year is assumed" in html


def test_long_lists_show_the_largest_loans_and_count_them_all(viewer_client, loans, monkeypatch):
    monkeypatch.setattr("dashboard.selectors.debt.LISTED_ROWS", 1)
    response = viewer_client.get(URL)
    assert [loan.principal_usd for loan in response.context["scheduled"]] == [M("1000000.00")]
    assert [loan.principal_usd for loan in response.context["unknown"]] == [M("2000000.00")]
    assert (response.context["scheduled_count"], response.context["unknown_count"]) == (2, 2)
    assert response.context["totals"]["total"] == M("1735000.00")  # every loan still counts
    html = response.content.decode()
    assert "The loans with known terms (2)" in html and "The 1 largest are listed" in html
