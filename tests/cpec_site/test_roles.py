"""Each role's reach, page by page: Viewer reads pages, Editor enters data, Admin does everything."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from cpec_site.roles import ADMIN, EDITOR, VIEWER, roles_assign
from tests.factories import (
    CostEstimateFactory,
    DecisionFactory,
    FinancingLineFactory,
    PhaseFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

PAGES = ["/", "/projects/", "/lenders/", "/jcc/"]


@pytest.fixture
def records():
    decision = DecisionFactory()
    line = FinancingLineFactory(project=decision.project)
    phase = PhaseFactory(project=decision.project)
    estimate = CostEstimateFactory(project=decision.project)
    return {
        "projects_project": decision.project,
        "projects_jccmeeting": decision.meeting,
        "projects_decision": decision,
        "projects_phase": phase,
        "projects_costestimate": estimate,
        "projects_source": SourceFactory(),
        "financing_financingline": line,
        "financing_lender": line.lender,
    }


@pytest.fixture
def login(client):
    call_command("setup_roles", verbosity=0)

    def as_role(role):
        user = get_user_model().objects.create_user(f"{role.lower()}-user", password="x-pass-12345")
        roles_assign(user, role)
        client.force_login(user)
        return client

    return as_role


def status(client, url):
    return client.get(url).status_code


@pytest.mark.parametrize("role", [VIEWER, EDITOR, ADMIN])
def test_every_role_reads_the_pages(login, records, role):
    client = login(role)
    for url in PAGES:
        assert status(client, url) == 200, url
    assert status(client, reverse("dashboard:project", args=[records["projects_project"].slug])) == 200


def test_viewer_has_no_admin(login, records):
    client = login(VIEWER)
    for url in (
        reverse("admin:index"),
        reverse("admin:projects_project_changelist"),
        reverse("admin:auth_user_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "key",
    [
        "projects_project",
        "projects_jccmeeting",
        "projects_decision",
        "projects_phase",
        "projects_costestimate",
        "projects_source",
        "financing_financingline",
        "financing_lender",
    ],
)
def test_editor_adds_and_changes_domain_data(login, records, key):
    client = login(EDITOR)
    obj = records[key]
    assert status(client, reverse(f"admin:{key}_changelist")) == 200
    assert status(client, reverse(f"admin:{key}_add")) == 200
    assert status(client, reverse(f"admin:{key}_change", args=[obj.pk])) == 200


@pytest.mark.parametrize(
    "key",
    [
        "projects_jccmeeting",
        "projects_decision",
        "financing_financingline",
        "financing_lender",
        "projects_project",
        "projects_costestimate",
    ],
)
def test_editor_never_deletes_meetings_or_financing(login, records, key):
    client = login(EDITOR)
    obj = records[key]
    url = reverse(f"admin:{key}_delete", args=[obj.pk])
    assert status(client, url) == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_editor_may_delete_a_phase(login, records):
    client = login(EDITOR)
    phase = records["projects_phase"]
    response = client.post(reverse("admin:projects_phase_delete", args=[phase.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not type(phase).objects.filter(pk=phase.pk).exists()


def test_editor_cannot_manage_users_or_groups(login, records):
    client = login(EDITOR)
    assert status(client, reverse("admin:auth_user_changelist")) == 403
    assert status(client, reverse("admin:auth_group_changelist")) == 403


def test_admin_does_everything(login, records):
    client = login(ADMIN)
    assert status(client, reverse("admin:auth_user_changelist")) == 200
    meeting = records["projects_jccmeeting"]
    assert status(client, reverse("admin:projects_jccmeeting_delete", args=[meeting.pk])) == 200


def test_roles_command_is_idempotent_and_assigns(db, capsys):
    user = get_user_model().objects.create_user("someone", password="x-pass-12345")
    call_command("setup_roles", "--assign", "someone", "Editor")
    call_command("setup_roles", "--assign", "someone", "Viewer")
    user.refresh_from_db()
    assert [g.name for g in user.groups.all()] == ["Viewer"] and not user.is_staff
