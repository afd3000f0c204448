"""The demo command with a JCC meeting left out, for rehearsing its entry through the admin."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from financing.models import FinancingChange, FinancingLine, Lender
from financing.selectors import projects_with_funding
from projects.models import CostEstimate, Decision, JCCMeeting, Phase, ProjectStatusChange

pytestmark = pytest.mark.django_db

MODELS = [JCCMeeting, Decision, CostEstimate, FinancingLine, FinancingChange, ProjectStatusChange]


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


@pytest.fixture
def without_14th(db, immediate_constraints):
    call_command("load_cpec_demo", without_meeting=[14], no_users=True, verbosity=0)


def test_a_meeting_left_out_takes_everything_it_decided_with_it(without_14th):
    assert not JCCMeeting.objects.filter(number=14).exists()
    assert not Decision.objects.filter(meeting__number=14).exists()
    assert not FinancingChange.objects.filter(changed_on="2025-09-26").exists()
    assert not ProjectStatusChange.objects.exists()
    assert not CostEstimate.objects.filter(as_of="2025-09-26").exists()
    assert set(Lender.objects.filter(financing_lines__project__slug="ml-1").values_list("slug", flat=True)) == {
        "government-of-china",
        "gop-psdp",
    }
    assert Phase.objects.get(project__slug="kkh-thakot-raikot", order=1).status == "planned"
    # What was known before: ML-1 financed by China and the PSDP; KKH's Chinese line only proposed.
    ml1 = projects_with_funding().get(slug="ml-1")
    assert ml1.funding_gap_percent == Decimal("0.00")
    kkh = projects_with_funding().get(slug="kkh-thakot-raikot")
    assert kkh.funding_gap_percent == Decimal("100.00")


def test_loading_again_in_full_adds_only_the_meeting_left_out(without_14th):
    before = counts()
    call_command("load_cpec_demo", no_users=True, verbosity=0)
    after = counts()
    added = {name: after[name] - before[name] for name in after if after[name] != before[name]}
    assert added == {
        "JCCMeeting": 1,
        "Decision": 14,
        "CostEstimate": 2,
        "FinancingLine": 2,  # ADB and AIIB for ML-1
        "FinancingChange": 4,  # KKH China agreed, ML-1 China declined, ADB and AIIB proposed
        "ProjectStatusChange": 5,  # the SEZs, the solar project, the fund and the FTA revision proposed
    }
    assert Phase.objects.get(project__slug="kkh-thakot-raikot", order=1).status == "approved"
    assert projects_with_funding().get(slug="kkh-thakot-raikot").funding_gap_percent == Decimal("15.00")
