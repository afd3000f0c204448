"""Property tests: whatever an editor types into a meeting or a decision and its effects, no 500, nothing half-written.

The demo editor posts the JCC meeting form (with decision rows) and a decision's page (with
financing effects that name lines, replacements and warnings' confirmation, cost estimates and
statuses), filled with valid values mixed with hostile ones (tests/security/test_hostile_input.py's
strategies: unicode, control characters, huge and non-finite numbers, impossible dates, garbage
ids). Each answer is a page with form errors (200) — and then not one row was written — or a
redirect after a save, after which the register still keeps its rules: the deferred 100% trigger
and every constraint are checked at once, as the commit would.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from financing.choices import FinancingStatus, Instrument, ShareBasis
from financing.models import FinancingChange, FinancingLine, Lender
from projects.choices import Currency
from projects.models import CostEstimate, Decision, JCCMeeting, Project, ProjectStatusChange, Source
from tests.htmlforms import form_data

from .test_hostile_input import control_text, dates, hostile, long_text, numbers, unicode_text

pytestmark = pytest.mark.django_db

TABLES = (JCCMeeting, Decision, FinancingLine, FinancingChange, CostEstimate, ProjectStatusChange)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def constraints_hold() -> None:
    """Fire the deferred constraint triggers now, as the commit would, in a savepoint."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture(scope="module")
def register(demo_db, django_db_blocker):
    """The decisions to post to (ML-1's section with ADB's two lines among them), lenders and lines."""
    with django_db_blocker.unblock():
        decisions = list(Decision.objects.exclude(project=None).order_by("pk").values_list("pk", "project_id"))
        rohri = Project.objects.get(slug="ml-1-karachi-rohri")
        decision = Decision.objects.filter(project=rohri).first() or Decision.objects.create(
            meeting=JCCMeeting.objects.order_by("-number").first(),
            sequence=99,
            project=rohri,
            kind="financing_agreed",
            text="Fuzzed.",
            source=Source.objects.order_by("pk").first(),
        )
        return {
            "decisions": [(decision.pk, rohri.pk), *decisions[:6]],
            "lenders": list(Lender.objects.values_list("pk", flat=True)),
            "lines": dict(FinancingLine.objects.values_list("pk", "project_id")),
        }


@pytest.fixture
def editor_client(register):
    client = Client(raise_request_exception=True)
    client.force_login(get_user_model().objects.get(username="editor"))
    return client


def post(client, url: str, data: dict):
    try:
        response = client.post(url, data)
    except Exception as exc:  # the view raised: a 500 for the editor
        raise AssertionError(f"POST {url} raised {type(exc).__name__}: {exc}\n{data}") from exc
    assert response.status_code in (200, 302), f"POST {url} answered {response.status_code}\n{data}"
    event("saved" if response.status_code == 302 else "refused with form errors")
    return response


def either(valid: st.SearchStrategy, hostile_too: bool = True) -> st.SearchStrategy:
    """Mostly a value the form accepts, sometimes a hostile one, sometimes nothing (or only valid ones)."""
    return st.one_of(valid, valid, valid, hostile, st.just("")) if hostile_too else valid


def ids(values) -> st.SearchStrategy:
    return either(st.sampled_from(sorted(values)).map(str)) | st.integers(-(2**63), 2**63).map(str)


def effect_row(register, project_id, hostile_too: bool) -> st.SearchStrategy:
    lines = [pk for pk, project in register["lines"].items() if project == project_id] or [0]
    pick = lambda values: either(st.sampled_from(values), hostile_too)  # noqa: E731
    junk = lambda strategy: strategy if hostile_too else st.nothing()  # noqa: E731
    return st.fixed_dictionaries(
        {
            "lender": pick([str(pk) for pk in register["lenders"]]) | junk(st.integers(-(2**63), 2**63).map(str)),
            "target": st.sampled_from(["", "new", *map(str, lines)]) | junk(hostile),
            "replaces": st.sampled_from(["", "", *map(str, lines)]) | junk(hostile),
            "instrument": pick(Instrument.values),
            "status": pick(FinancingStatus.values),
            "changed_on": pick(["26/09/2025", "10/03/2026", "01/01/2027"]) | junk(dates),
            "share_percent": st.one_of(st.just(""), st.decimals(0, 40, places=2).map(str)) | junk(numbers),
            "share_basis": pick(ShareBasis.values),
            "amount": st.one_of(st.just(""), st.decimals(0, 10**10, places=2).map(str)) | junk(numbers),
            "currency": pick(Currency.values),
            "entered_pkr_per_usd": pick(["280", "278.5"]) | junk(numbers),
            "note": st.one_of(unicode_text, control_text, long_text) if hostile_too else st.just("Fuzzed."),
        }
    )


def estimate_row() -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {
            "as_of": either(st.just("26/09/2025")) | dates,
            "amount": either(st.decimals(0, 10**13, places=2).map(str)) | numbers,
            "currency": either(st.sampled_from(Currency.values)),
            "entered_pkr_per_usd": either(st.just("280")) | numbers,
            "basis": either(st.sampled_from(["jcc_statement", "pc1_approved", "press_report"])),
            "note": unicode_text,
        }
    )


@given(data=st.data())
def test_a_decision_page_never_fails_and_never_half_writes(editor_client, register, data):
    decision_pk, project_id = data.draw(st.sampled_from(register["decisions"]), label="decision")
    url = reverse("admin:projects_decision_change", args=[decision_pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    form = form_data(page, form_id="decision_form")
    hostile_too = data.draw(st.booleans(), label="hostile values too")
    effects = data.draw(st.lists(effect_row(register, project_id, hostile_too), max_size=3), label="effects")
    estimates = data.draw(st.lists(estimate_row(), max_size=1), label="estimates")
    form.update({"financing_changes-TOTAL_FORMS": str(max(len(effects), 1))})
    for i, row in enumerate(effects):
        form.update({f"financing_changes-{i}-{name}": value for name, value in row.items()})
    form["cost_estimates-TOTAL_FORMS"] = str(len(estimates))
    for i, row in enumerate(estimates):
        form.update({f"cost_estimates-{i}-{name}": value for name, value in row.items()})
    if data.draw(st.booleans(), label="confirm warnings"):
        form["confirm_warnings"] = "on"
    before = counts()
    response = post(editor_client, url, form)
    if response.status_code == 200:
        assert counts() == before, "a refused decision page wrote rows"
    constraints_hold()


def decision_row(register) -> st.SearchStrategy:
    projects = sorted({project for _pk, project in register["decisions"]})
    return st.fixed_dictionaries(
        {
            "sequence": either(st.integers(1, 30).map(str)) | numbers,
            "kind": either(st.sampled_from(["financing_agreed", "approved", "other"])),
            "project": st.one_of(st.just(""), ids(projects)),
            "text": st.one_of(unicode_text, control_text, long_text),
        }
    )


@given(data=st.data())
def test_the_meeting_form_never_fails_and_never_half_writes(editor_client, register, data):
    url = reverse("admin:projects_jccmeeting_add")
    form = form_data(editor_client.get(url), form_id="jccmeeting_form")
    form.update(
        {
            "number": data.draw(either(st.integers(15, 40).map(str)) | numbers, label="number"),
            "status": data.draw(either(st.sampled_from(["held", "planned"])), label="status"),
            "date": data.draw(either(st.just("2026-03-10")) | dates, label="date"),
            "city": data.draw(st.one_of(unicode_text, long_text), label="city"),
            "summary": data.draw(st.one_of(unicode_text, control_text), label="summary"),
        }
    )
    rows = data.draw(st.lists(decision_row(register), max_size=3), label="decisions")
    form["decisions-TOTAL_FORMS"] = str(len(rows))
    for i, row in enumerate(rows):
        form.update({f"decisions-{i}-{name}": value for name, value in row.items()})
    before = counts()
    response = post(editor_client, url, form)
    if response.status_code == 200:
        assert counts() == before, "a refused meeting form wrote rows"
    else:
        assert counts()["JCCMeeting"] == before["JCCMeeting"] + 1
        assert counts()["Decision"] == before["Decision"] + len(rows)
    constraints_hold()
