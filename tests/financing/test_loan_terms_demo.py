"""The demo portfolio's loan terms (data/demo/loan_terms.yaml), against their sources, and the loader's refusals."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from financing.models import FinancingLine, LoanTerms

D = Decimal


@pytest.fixture
def demo(demo_db, db):
    """The demo portfolio (loaded once for this module), in a rolled-back transaction."""


def terms_of(project: str, lender: str, **line) -> LoanTerms:
    return LoanTerms.objects.select_related("line", "interest_source", "repayment_source", "fees_source").get(
        line__project__slug=project, line__lender__slug=lender, **line
    )


def test_port_qasims_loan_as_aiddata_records_it(demo):
    """T4: 6-month LIBOR + 3.7% (SOFR from 1 Jul 2023), 14 years with 4 of grace; Sinosure
    $8,930,230.62 on $1,598,380,000 = 0.55871% (to 5 decimals)."""
    terms = terms_of("port-qasim-coal", "china-exim")
    assert (terms.rate_kind, terms.margin_percent, terms.benchmark_assumed_percent) == ("floating", D("3.7"), None)
    assert terms.benchmark.startswith("6-month LIBOR") and "SOFR" in terms.benchmark
    assert (terms.tenor_months, terms.grace_months, terms.profile) == (168, 48, "")
    assert terms.insurance_percent == D("0.55871")
    assert (terms.upfront_fee_percent, terms.commitment_fee_percent) == (None, None)
    assert {terms.interest_source.key, terms.repayment_source.key, terms.fees_source.key} == {"T4"}
    # No level of LIBOR or SOFR is stated: no rate is assumed, so no schedule.
    assert terms.annual_rate_percent is None
    assert terms.missing() == ["the level of 6-month LIBOR; daily simple SOFR from 1 Jul 2023", "the repayment profile"]
    assert terms.schedule_terms() is None


def test_suki_kinaris_two_halves_carry_the_one_loans_terms(demo):
    """T14: 12 years, 5 of grace, 6-month LIBOR (0.41326%) + 4.75%; Sinosure's
    estimated $95.919m on $1.416bn = 6.77394%."""
    for lender in ("china-exim", "icbc"):
        terms = terms_of("suki-kinari-hydropower", lender)
        assert (terms.rate_kind, terms.benchmark) == ("floating", "6-month LIBOR")
        assert (terms.margin_percent, terms.benchmark_assumed_percent) == (D("4.75"), D("0.41326"))
        assert terms.annual_rate_percent == D("5.16326")
        assert (terms.tenor_months, terms.grace_months, terms.payments_per_year) == (144, 60, 2)
        assert terms.insurance_percent == D("6.77394")
        assert terms.interest_source.key == terms.repayment_source.key == terms.fees_source.key == "T14"
        assert terms.missing() == ["the repayment profile"]  # AidData does not say


def test_karots_average_rate_and_east_bays_interest_free_loan(demo):
    karot = terms_of("karot-hydropower", "cdb")
    # T10: "Libor (1.3%)+3.8%", the project's average rate at financial close.
    assert (karot.benchmark, karot.margin_percent, karot.benchmark_assumed_percent) == ("LIBOR", D("3.8"), D("1.3"))
    assert karot.annual_rate_percent == D("5.1") and karot.interest_source.key == "T10"
    assert (karot.tenor_months, karot.grace_months, karot.insurance_percent) == (None, None, None)
    east_bay = terms_of("gwadar-east-bay-expressway", "government-of-china")
    assert (east_bay.rate_kind, east_bay.fixed_rate_percent, east_bay.annual_rate_percent) == ("fixed", D("0"), D("0"))
    assert east_bay.line.instrument == "interest_free_loan" and east_bay.interest_source.key == "S41"


def test_engros_lines_are_told_apart_and_ml1s_terms_are_pakistans_proposal(demo):
    mine = terms_of("engro-thar-block-ii", "hbl", line__changes__amount=D("52000000000"))
    plant = terms_of("engro-thar-block-ii", "hbl", line__changes__amount=D("22000000000"))
    assert mine.pk != plant.pk
    for terms in (mine, plant):
        assert (terms.benchmark, terms.margin_percent, terms.interest_source.key) == ("KIBOR", D("1.7"), "L2")
    chinese = terms_of("engro-thar-block-ii", "cdb")
    assert (chinese.benchmark, chinese.margin_percent, chinese.interest_source.key) == ("LIBOR", D("3.3"), "L2")
    ml1 = terms_of("ml-1", "government-of-china", line__instrument="concessional_loan")
    assert (ml1.fixed_rate_percent, ml1.tenor_months, ml1.grace_months) == (D("1"), 300, 120)
    assert ml1.interest_source.key == ml1.repayment_source.key == "L1"
    assert "not agreed" in ml1.note
    # China's other ML-1 line (the $1.1bn it agreed for Karachi-Hyderabad) has no stated terms.
    assert not LoanTerms.objects.filter(line__project__slug="ml-1").exclude(pk=ml1.pk).exists()


def test_a_facility_of_several_agreements_carries_no_single_tranches_terms(demo):
    """M-5 and the Orange Line are one China Exim line each for agreements on different terms."""
    for slug in ("m5-multan-sukkur", "orange-line-lahore"):
        line = FinancingLine.objects.get(project__slug=slug, lender__slug="china-exim")
        assert not LoanTerms.objects.filter(line=line).exists()


def test_every_demo_term_is_sourced_group_by_group(demo):
    rows = list(LoanTerms.objects.select_related("interest_source", "repayment_source", "fees_source"))
    assert len(rows) == 9
    for terms in rows:
        if terms.rate_kind or terms.benchmark_assumed_percent is not None:
            assert terms.interest_source is not None, terms
        if terms.tenor_months is not None or terms.grace_months is not None or terms.profile:
            assert terms.repayment_source is not None, terms
        if any(
            value is not None
            for value in (terms.upfront_fee_percent, terms.commitment_fee_percent, terms.insurance_percent)
        ):
            assert terms.fees_source is not None, terms
        for source in (terms.interest_source, terms.repayment_source, terms.fees_source):
            if source is not None:
                assert source.url.startswith(("https://", "http://")) and source.title and source.publisher
        assert terms.note, terms
        if terms.fixed_rate_percent is not None or terms.margin_percent is not None:
            assert terms.rate_kind
        # Only loans' terms are entered, and only on lines of the demo's own projects.
        assert terms.line.instrument != "equity"


def copy_demo(tmp_path, settings, loan_terms: str):
    source_dir = settings.BASE_DIR / "data" / "demo"
    for path in source_dir.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "loan_terms.yaml").write_text(loan_terms, encoding="utf-8")
    return str(tmp_path)


def test_the_loader_refuses_terms_for_a_line_the_demo_does_not_have(demo, tmp_path, settings):
    before = LoanTerms.objects.count()
    data_dir = copy_demo(
        tmp_path,
        settings,
        '- project: m5-multan-sukkur\n  lender: icbc\n  rate_kind: fixed\n  fixed_rate_percent: "2"\n'
        "  interest_source: T4\n",
    )
    with pytest.raises(CommandError) as caught:
        call_command("load_cpec_demo", data_dir=data_dir, no_users=True, verbosity=0)
    message = str(caught.value)
    assert "nothing was written" in message
    assert "loan_terms.yaml record 1 (m5-multan-sukkur, icbc)" in message
    assert "no financing line of lender 'icbc' in project 'm5-multan-sukkur'" in message
    assert LoanTerms.objects.count() == before


def test_the_loader_asks_to_tell_a_lenders_lines_apart_and_applies_the_models_rules(demo, tmp_path, settings):
    data_dir = copy_demo(tmp_path, settings, "- project: engro-thar-block-ii\n  lender: hbl\n  note: x\n")
    with pytest.raises(CommandError, match=r"record 1 .*3 financing lines of lender 'hbl'.*\(opened\) and amount"):
        call_command("load_cpec_demo", data_dir=data_dir, no_users=True, verbosity=0)
    data_dir = copy_demo(
        tmp_path,
        settings,
        "- project: karot-hydropower\n  lender: cdb\n  tenor_months: 60\n  grace_months: 60\n  repayment_source: T10\n",
    )
    with pytest.raises(CommandError, match=r"record 1 \(karot-hydropower, cdb\).*grace period must be shorter"):
        call_command("load_cpec_demo", data_dir=data_dir, no_users=True, verbosity=0)
    data_dir = copy_demo(
        tmp_path,
        settings,
        '- project: karot-hydropower\n  lender: cdb\n  rate_kind: fixed\n  fixed_rate_percent: "2"\n',
    )
    with pytest.raises(CommandError, match="Give the source of the interest terms"):
        call_command("load_cpec_demo", data_dir=data_dir, no_users=True, verbosity=0)
    data_dir = copy_demo(tmp_path, settings, "- project: karot-hydropower\n  lender: cdb\n  tenor: 60\n")
    with pytest.raises(CommandError, match="unknown keys tenor"):
        call_command("load_cpec_demo", data_dir=data_dir, no_users=True, verbosity=0)
