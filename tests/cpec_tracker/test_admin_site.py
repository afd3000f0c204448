"""The data-entry site as a whole: every admin page opens, viewers are kept out, list pages' query counts,
autocomplete."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from financing.models import FinancingChange, FinancingLine, Lender
from financing.services import financing_line_record_change
from projects.models import (
    CostEstimate,
    Decision,
    ExchangeRate,
    JCCMeeting,
    Phase,
    PhaseStatusChange,
    Project,
    ProjectStatusChange,
    Source,
)
from projects.services import phase_status_record_change, project_status_record_change
from tests.factories import (
    CostEstimateFactory,
    DecisionFactory,
    ExchangeRateFactory,
    JCCMeetingFactory,
    LenderFactory,
    PhaseFactory,
    ProjectFactory,
    SourceFactory,
)
from tests.htmlforms import admin_url

pytestmark = pytest.mark.django_db


D = dt.date


MODELS = [
    Source,
    ExchangeRate,
    Project,
    Phase,
    CostEstimate,
    JCCMeeting,
    Decision,
    Lender,
    FinancingLine,
    FinancingChange,
    ProjectStatusChange,
    PhaseStatusChange,
]


def make_portfolio(size: int) -> None:
    """``size`` projects, each with a phase, an estimate, a decision and a financing line."""
    source = SourceFactory()
    ExchangeRateFactory(source=source)
    meeting = JCCMeetingFactory()
    for i in range(size):
        project = ProjectFactory()
        phase = PhaseFactory(project=project, order=1)
        CostEstimateFactory(project=project, source=source)
        decision = DecisionFactory(meeting=meeting, project=project, source=source, sequence=i + 1)
        line = FinancingLine(project=project, lender=LenderFactory(), instrument="grant", as_of=D(2024, 1, 1))
        financing_line_record_change(
            line=line,
            changed_on=D(2024, 1, 1),
            status="agreed",
            share_percent=Decimal("40"),
            decision=decision,
            source=source,
        )
        project_status_record_change(
            ProjectStatusChange(project=project, status="financing", changed_on=D(2024, 1, 1), decision=decision)
        )
        phase_status_record_change(
            PhaseStatusChange(phase=phase, status="approved", changed_on=D(2024, 1, 1), decision=decision)
        )


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_admin_page_opens_for_an_admin(admin_client, model):
    make_portfolio(2)
    obj = model.objects.first()
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "Test"}).status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(admin_url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_viewer_cannot_reach_admin_pages(viewer_client, model):
    make_portfolio(1)
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(model, "change", model.objects.first().pk),
    ):
        response = viewer_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_list_pages_run_a_constant_number_of_queries(admin_client, django_assert_num_queries, model):
    make_portfolio(3)
    url = admin_url(model, "changelist")
    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(url).status_code == 200
    make_portfolio(30)
    with django_assert_num_queries(len(small.captured_queries)):
        assert admin_client.get(url).status_code == 200


def test_autocomplete_searches_answer(admin_client):
    make_portfolio(2)
    for model, field in (
        (FinancingLine, "project"),
        (FinancingLine, "lender"),
        (FinancingLine, "decision"),
        (CostEstimate, "source"),
    ):
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": field,
                "term": "T",
            },
        )
        assert response.status_code == 200, (model, field)
