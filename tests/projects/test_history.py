"""The audit trail: who changed what and when, readable in admin; an admin can restore a version."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cpec_site.roles import DOMAIN_APPS
from financing.models import FinancingLine
from tests.factories import FinancingLineFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_every_domain_model_keeps_history():
    """Every model people edit; not the read model, which PostgreSQL computes from them (financing.figures),
    nor the loan schedules computed once and kept (``computed_cache``: financing.schedules)."""
    from django.apps import apps

    from financing.figures import READ_MODEL
    from financing.models import FigureColumns, LineFigureColumns, PortfolioMoment

    for app in DOMAIN_APPS:
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical") or model in (*READ_MODEL, PortfolioMoment):
                continue
            if getattr(model, "computed_cache", False):
                continue
            assert not issubclass(model, (FigureColumns, LineFigureColumns)), model
            assert hasattr(model, "history"), model


def test_admin_edits_are_attributed_and_restorable(admin_client, admin_user):
    project = ProjectFactory(name="Before")
    url = reverse("admin:projects_project_change", args=[project.pk])
    from tests.htmlforms import form_data

    data = form_data(admin_client.get(url), form_id="project_form")
    data["name"] = "After"
    assert admin_client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert project.name == "After"
    latest = project.history.first()
    assert (latest.name, latest.history_user, latest.history_type) == ("After", admin_user, "~")

    # The history page lists both versions; reverting to the first restores the old name.
    history_page = admin_client.get(reverse("admin:projects_project_history", args=[project.pk]))
    assert history_page.status_code == 200 and "Before" in history_page.content.decode()
    first = project.history.earliest()
    revert_url = reverse("admin:projects_project_simple_history", args=[project.pk, first.history_id])
    data = form_data(admin_client.get(revert_url), form_id="historicalproject_form")
    assert admin_client.post(revert_url, data).status_code == 302
    project.refresh_from_db()
    assert project.name == "Before"


def test_financing_line_history_keeps_every_state():
    line = FinancingLineFactory(share_percent=Decimal("90"))
    line.share_percent = Decimal("85")
    line.save()
    assert list(
        FinancingLine.history.filter(id=line.pk).order_by("history_date").values_list("share_percent", flat=True)
    ) == [
        Decimal("90.00"),
        Decimal("85.00"),
    ]


def test_only_an_admin_may_restore_and_never_a_financing_line(client, django_user_model):
    from django.core.management import call_command

    from cpec_site.roles import roles_assign

    call_command("setup_roles", verbosity=0)
    editor = django_user_model.objects.create_user("ed", password="x-pass-12345")
    roles_assign(editor, "Editor")
    client.force_login(editor)
    project = ProjectFactory(name="Before")
    project.name = "After"
    project.save()
    url = reverse("admin:projects_project_simple_history", args=[project.pk, project.history.earliest().history_id])
    assert client.get(url).status_code == 200  # may look
    assert client.post(url, {"name": "Before"}).status_code == 403  # may not restore
    project.refresh_from_db()
    assert project.name == "After"

    admin = django_user_model.objects.create_superuser("root", password="x-pass-12345")
    client.force_login(admin)
    line = FinancingLineFactory()
    line_url = reverse(
        "admin:financing_financingline_simple_history", args=[line.pk, line.history.earliest().history_id]
    )
    assert client.post(line_url, {}).status_code == 403
