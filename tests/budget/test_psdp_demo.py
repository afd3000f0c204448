"""The demo portfolio's PSDP figures (data/demo/psdp.yaml) and foreign-exchange components, against their sources."""

from decimal import Decimal

from budget.models import PsdpFigure
from budget.selectors import project_psdp_years
from projects.models import CostEstimate, Project


def test_the_demo_portfolios_psdp_figures_as_their_sources_give_them(demo_db):
    slugs = ("ml-1", "kkh-havelian-thakot", "new-gwadar-international-airport")
    ml1, kkh, airport = (Project.objects.get(slug=slug) for slug in slugs)
    design = {(r["year"], r["scheme"]): r for r in project_psdp_years(project=ml1)}[
        ("2019-20", "Preliminary design and design-vetting consultants")
    ]
    # Rs1.8bn allocated and all of it released by 24 Mar 2020 (P4), replacing September's Rs360m (P3).
    assert (design["allocation"], design["released"], design["release_rate"]) == (
        Decimal("1800000000.00"),
        Decimal("1800000000.00"),
        Decimal("100.0"),
    )
    # 2020-21: Rs24bn (13 Jun, P6) and Rs6bn (14 Jun, P5) both kept; the later shows.
    main_2020 = {r["year"]: r for r in project_psdp_years(project=ml1)}["2020-21"]
    assert main_2020["allocation"] == Decimal("6000000000.00")
    assert PsdpFigure.objects.filter(project=ml1, fiscal_year=2020).count() == 2
    # KKH Havelian-Thakot 2016-17 construction: Rs700m of Rs16,500m released by 24 Apr 2017 (P11): 4.2%.
    construction = {(r["year"], r["scheme"]): r for r in project_psdp_years(project=kkh)}[("2016-17", "Construction")]
    assert (construction["released"], construction["release_rate"]) == (Decimal("700000000.00"), Decimal("4.2"))
    # The airport's 2011-12: Rs220m foreign loan + Rs880m own resources, no total given (P15).
    years = {r["year"]: r for r in project_psdp_years(project=airport)}
    assert years["2011-12"]["allocation"] == Decimal("1100000000.00")
    assert years["2021-22"]["released"] == Decimal("0.00") and years["2021-22"]["release_rate"] == Decimal("0.0")
    assert all(f.source.key.startswith("P") for f in PsdpFigure.objects.select_related("source"))


def test_the_demo_kcr_pc_i_carries_its_foreign_component(demo_db):
    kcr = CostEstimate.objects.get(project__slug="karachi-circular-railway", basis="pc_i")
    assert (kcr.amount, kcr.foreign_exchange_component) == (Decimal("292388000000.00"), Decimal("263149000000.00"))
