"""Overrun flags: cost against the first approved PC-I in both currencies, completion against the original."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboard import selectors
from financing.selectors import projects_with_funding
from projects.models import Project
from tests.factories import CostEstimateFactory, ProjectFactory

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(db):
    # A real overrun: US$ 1,000m approved by ECNEC in 2020, US$ 1,300m now.
    real = ProjectFactory(name="Real", slug="real", planned_end=D(2026, 6, 30))
    CostEstimateFactory(
        project=real,
        amount=Decimal("1000000000"),
        basis="feasibility",
        as_of=D(2018, 1, 1),
        entered_pkr_per_usd=Decimal("120"),
    )
    CostEstimateFactory(
        project=real,
        amount=Decimal("1000000000"),
        basis="pc_i",
        approving_forum="ecnec",
        as_of=D(2020, 8, 5),
        entered_pkr_per_usd=Decimal("160"),
    )
    CostEstimateFactory(
        project=real,
        amount=Decimal("1300000000"),
        basis="revised_pc_i",
        as_of=D(2024, 5, 22),
        entered_pkr_per_usd=Decimal("280"),
    )
    real.planned_end = D(2028, 12, 31)  # slipped after it was first recorded
    real.save()
    # Only the rupee moved: the same US$ 500m, Rs 80bn in 2020 and Rs 140bn in 2024.
    fx = ProjectFactory(name="Rupee", slug="rupee")
    CostEstimateFactory(
        project=fx,
        amount=Decimal("80000000000"),
        currency="PKR",
        basis="pc_i",
        approving_forum="cdwp",
        as_of=D(2020, 1, 1),
        entered_pkr_per_usd=Decimal("160"),
    )
    CostEstimateFactory(
        project=fx,
        amount=Decimal("140000000000"),
        currency="PKR",
        basis="revised_pc_i",
        as_of=D(2024, 1, 1),
        entered_pkr_per_usd=Decimal("280"),
    )
    # A partial PC-I (land acquisition) is never the baseline.
    land = ProjectFactory(name="Land", slug="land")
    CostEstimateFactory(project=land, amount=Decimal("10000000"), basis="pc_i", full_scope=False, as_of=D(2024, 1, 1))
    CostEstimateFactory(project=land, amount=Decimal("2000000000"), basis="jcc_statement", as_of=D(2025, 1, 1))
    return projects_with_funding()


def test_overrun_percentages(projects):
    rows = {p.slug: p for p in projects.with_overrun_percent()}
    # The read model holds what the definition computes from the estimates and the history.
    source = {p.slug: p for p in Project.objects.with_current_cost().with_overruns()}
    for slug, row in rows.items():
        assert (row.baseline_usd, row.baseline_pkr, row.baseline_forum, row.original_planned_end) == (
            source[slug].baseline_usd,
            source[slug].baseline_pkr,
            source[slug].baseline_forum,
            source[slug].original_planned_end,
        )
    real, fx, land = rows["real"], rows["rupee"], rows["land"]
    assert (real.baseline_usd, real.baseline_forum, real.overrun_usd_percent, real.overrun_pkr_percent) == (
        Decimal("1000000000.00"),
        "ecnec",
        Decimal("30.0"),
        Decimal("127.5"),
    )
    assert real.original_planned_end == D(2026, 6, 30)
    assert (fx.overrun_usd_percent, fx.overrun_pkr_percent) == (Decimal("0.0"), Decimal("75.0"))
    assert land.baseline_usd is None and land.overrun_usd_percent is None


def test_flags_tell_a_real_overrun_from_the_exchange_rate(projects):
    rows = {r["slug"]: r for r in selectors.portfolio_overruns(projects=projects)}
    assert set(rows) == {"real", "rupee"}
    real, late = rows["real"]["flags"]
    assert (real.kind, real.usd_percent, real.pkr_percent) == ("cost_usd", Decimal("30.0"), Decimal("127.5"))
    assert (late.kind, late.original, late.planned, late.months) == ("completion", D(2026, 6, 30), D(2028, 12, 31), 30)
    (rupee,) = rows["rupee"]["flags"]
    assert (rupee.kind, rupee.usd_percent, rupee.pkr_percent) == ("cost_pkr", Decimal("0.0"), Decimal("75.0"))
    assert [str(flag) for flag in rows["real"]["flags"] + rows["rupee"]["flags"]] == [
        "Cost overrun: +30.0% in US$ (+127.5% in PKR) over the first approved PC-I",
        "Completion moved from Jun 2026 to Dec 2028 (30 months later)",
        "Rupee cost up 75.0% while the US$ cost moved +0.0%: exchange-rate driven",
    ]


def test_flags_show_on_the_project_page_and_dashboard(viewer_client, projects):
    html = viewer_client.get(reverse("dashboard:project", args=["real"])).content.decode()
    assert "Cost overrun: +30.0% in US$" in html and "Originally planned completion" in html
    dashboard = viewer_client.get(reverse("dashboard:home")).content.decode()
    assert "exchange-rate driven" in dashboard


def test_baseline_as_of_a_date_uses_only_pc_is_known_then(projects):
    # The baseline comes with the figures as of the date (the read model's dated rows).
    before = projects_with_funding(as_of=D(2019, 12, 31))
    real = before.with_overrun_percent().get(slug="real")
    assert real.baseline_usd is None and real.overrun_usd_percent is None
    # As the definition (with_overruns) computes it from the estimates.
    source = Project.objects.with_current_cost(as_of=D(2019, 12, 31)).with_overruns(as_of=D(2019, 12, 31))
    assert source.get(slug="real").baseline_usd is None
    rows = {r["slug"]: r for r in selectors.portfolio_overruns(projects=before)}
    assert not any(flag.kind == "cost_usd" for flag in rows.get("real", {"flags": []})["flags"])
