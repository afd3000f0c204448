"""An editor re-enters the 14th JCC through the admin pages; the dashboard then shows the demo's state.

The demo portfolio is loaded without the 14th JCC (``load_cpec_demo --without-meeting 14``):
no meeting, no decisions, none of the financing changes, estimates, statuses and phase
approvals it made. The editor then types the meeting in, as written in ``data/demo`` (the
same facts the full demo loads), in Chromium: the meeting and its fourteen decisions on one
page, then each decision's effects on the decision's page. Every dashboard page that shows
the meeting's consequences must then read exactly as it does on the full demo, word for
word and figure for figure, including the as-of views of ML-1 at the 11th and 14th JCC.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from html.parser import HTMLParser

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

from tests.conftest import DEMO_PASSWORDS, _assert_test_database

from .helpers import log_in, pick, pick_source

MEETING = 14
EDITOR = ("editor", DEMO_PASSWORDS["DEMO_EDITOR_PASSWORD"])

# Every page on which the 14th JCC's decisions show, now and as of a meeting.
PAGES = [
    "/",
    "/?as_of_jcc=11",
    "/?as_of_jcc=14",
    "/projects/",
    "/projects/?lender=aiib",
    "/projects/export.csv",
    "/projects/ml-1/",
    "/projects/ml-1/?as_of_jcc=11",
    "/projects/ml-1/?as_of_jcc=14",
    "/projects/kkh-thakot-raikot/",
    "/projects/g2g-sez-karachi/",
    "/projects/g2g-sez-islamabad/",
    "/projects/gb-solar-300mw/",
    "/projects/industrial-relocation-fund/",
    "/projects/fta-revision/",
    "/projects/gwadar-port/",
    "/lenders/",
    "/lenders/adb/",
    "/lenders/aiib/",
    "/lenders/government-of-china/",
    "/jcc/",
    "/jcc/14/",
]


# ------------------------------------------------------------------ the demo files
@cache
def demo_file(name: str) -> list[dict]:
    from cpec_site.demo import DEMO_DIR

    return yaml.safe_load((DEMO_DIR / name).read_text(encoding="utf-8"))


def meeting_row() -> dict:
    return next(row for row in demo_file("meetings.yaml") if row["number"] == MEETING)


def decided_here(record: dict) -> int | None:
    """The sequence of the 14th-JCC decision that made a record, or None."""
    ref = str(record.get("decision") or "")
    number, _, sequence = ref.partition("/")
    return int(sequence) if number == str(MEETING) else None


def effects_by_decision() -> dict[int, dict[str, list]]:
    """What each decision of the meeting changed, as data/demo/projects.yaml records it."""
    lenders = {row["slug"]: row for row in demo_file("lenders.yaml")}
    effects: dict[int, dict[str, list]] = {}

    def add(sequence, kind, item):
        empty = {"financing": [], "estimates": [], "statuses": [], "phases": []}
        effects.setdefault(sequence, empty)[kind].append(item)

    for project in demo_file("projects.yaml"):
        for line in project.get("financing_lines") or []:
            for index, change in enumerate(line["changes"]):
                if (sequence := decided_here(change)) is not None:
                    lender = lenders[line["lender"]]
                    opened_here = index == 0
                    add(sequence, "financing", (lender.get("short_name") or lender["name"], line, change, opened_here))
        for estimate in project.get("cost_estimates") or []:
            if (sequence := decided_here(estimate)) is not None:
                add(sequence, "estimates", estimate)
        for change in project.get("status_changes") or []:
            if (sequence := decided_here(change)) is not None:
                add(sequence, "statuses", change)
        for phase in project.get("phases") or []:
            for change in phase.get("status_changes") or []:
                if (sequence := decided_here(change)) is not None:
                    add(sequence, "phases", (phase["name"], change))
    return effects


def text(value) -> str:
    return "" if value is None else str(value).replace("_", "")


# ------------------------------------------------------------------ what the pages show
class MainText(HTMLParser):
    """The words of a page's <main>, whitespace collapsed; scripts' JSON (chart data) kept."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def handle_starttag(self, tag, attrs):
        if (tag == "main" or self.depth) and tag not in self.VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


def dashboard_state() -> dict[str, tuple[int, str]]:
    """Each page's status and content as the demo viewer gets it (the CSV export whole)."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="viewer"))
    state = {}
    for url in PAGES:
        response = client.get(url)
        body = response.content.decode()
        state[url] = (response.status_code, body if url.endswith(".csv") else MainText.of(body))
    return state


def word_diff(expected: tuple[int, str], actual: tuple[int, str], limit: int = 12) -> str:
    """The first word-level differences between two page states, for the failure message."""
    if expected[0] != actual[0]:
        return f"status {expected[0]} on the demo, {actual[0]} re-entered"
    a, b = expected[1].split(" "), actual[1].split(" ")
    changes = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            changes.append(f"at word {i1}: -{' '.join(a[i1:i2])!r} +{' '.join(b[j1:j2])!r}")
    return "; ".join(changes[:limit])


# ------------------------------------------------------------------ fixtures
def _load(**options) -> None:
    _assert_test_database()
    call_command("flush", interactive=False, verbosity=0)
    call_command("load_cpec_demo", verbosity=0, **options)


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """Overrides the shared fixture: records the full demo's pages, then serves the demo without the 14th JCC."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in DEMO_PASSWORDS.items():
            patch.setenv(key, value)
        with django_db_blocker.unblock():
            _load()
            expected = dashboard_state()
            _load(without_meeting=[MEETING])
        yield expected
        with django_db_blocker.unblock():
            _assert_test_database()
            call_command("flush", interactive=False, verbosity=0)


def fill_meeting(page: Page, row: dict, projects: dict[str, dict]) -> None:
    page.goto("/admin/projects/jccmeeting/add/")
    page.locator("#id_number").fill(str(row["number"]))
    page.locator("#id_status").select_option(row["status"])
    page.locator("#id_date").fill(row["date"].isoformat())
    page.locator("#id_date_precision").select_option(row["date_precision"])
    page.locator("#id_city").fill(row["city"] or "")
    page.locator("#id_is_virtual").set_checked(bool(row["is_virtual"]))
    page.locator("#id_is_special").set_checked(bool(row["is_special"]))
    page.locator("#id_pakistan_cochair").fill(row["pakistan_cochair"])
    page.locator("#id_china_cochair").fill(row["china_cochair"])
    page.locator("#id_summary").fill(row["summary"])
    for key in row["sources"]:
        pick_source(page, "id_sources", key)
    for i, decision in enumerate(row["decisions"]):
        page.locator("#decisions-group .add-row a").click()
        prefix = f"id_decisions-{i}-"
        page.locator(f"#{prefix}sequence").fill(str(decision["sequence"]))
        page.locator(f"#{prefix}kind").select_option(decision["kind"])
        if decision["project"]:
            name = projects[decision["project"]]["name"]
            pick(page, f"{prefix}project", name, re.compile(rf"^{re.escape(name)}$"))
        page.locator(f"#{prefix}text").fill(decision["text"])
        pick_source(page, f"{prefix}source", decision["source"])
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")


def add_row(page: Page, prefix: str, index: int) -> str:
    """The id prefix of an inline's row ``index``, adding the row when the page has fewer."""
    if page.locator(f"#id_{prefix}-{index}-id, #{prefix}-{index}").count() == 0:
        page.locator(f"#{prefix}-group .add-row a").click()
    return f"id_{prefix}-{index}-"


def fill_effects(page: Page, effects: dict[str, list]) -> None:
    for i, (lender, line, change, _opened_here) in enumerate(effects["financing"]):
        row = add_row(page, "financing_changes", i)
        pick(page, f"{row}lender", lender, re.compile(rf"(^|\(){re.escape(lender)}\)?$"))
        # The instrument says which of a lender's lines the effect moves (ML-1 has two Chinese lines).
        page.locator(f"#{row}instrument").select_option(line.get("instrument", "undecided"))
        page.locator(f"#{row}status").select_option(change["status"])
        date = page.locator(f"#{row}changed_on")
        if change["on"] == meeting_row()["date"]:
            expect(date).to_have_value(f"{change['on']:%d/%m/%Y}")  # the meeting's date, by default
        else:  # China's refusal, reported a month before the meeting that recorded it: a confirmed warning
            date.fill(f"{change['on']:%d/%m/%Y}")
            page.locator("#id_confirm_warnings").check()
        page.locator(f"#{row}share_percent").fill(text(change.get("share")))
        page.locator(f"#{row}amount").fill(text(change.get("amount")))
        if change.get("currency"):
            page.locator(f"#{row}currency").select_option(change["currency"])
        page.locator(f"#{row}note").fill(change.get("note") or "")
    for i, estimate in enumerate(effects["estimates"]):
        row = add_row(page, "cost_estimates", i)
        expect(page.locator(f"#{row}as_of")).to_have_value(f"{estimate['as_of']:%d/%m/%Y}")
        page.locator(f"#{row}amount").fill(text(estimate["amount"]))
        page.locator(f"#{row}currency").select_option(estimate["currency"])
        page.locator(f"#{row}entered_pkr_per_usd").fill(text(estimate.get("pkr_per_usd")))
        page.locator(f"#{row}basis").select_option(estimate["basis"])
        page.locator(f"#{row}approving_forum").select_option(estimate.get("forum") or "")
        page.locator(f"#{row}full_scope").set_checked(estimate.get("full_scope", True))
        pick_source(page, f"{row}source", estimate["source"])
        page.locator(f"#{row}note").fill(estimate.get("note") or "")
    for i, change in enumerate(effects["statuses"]):
        row = add_row(page, "status_changes", i)
        page.locator(f"#{row}status").select_option(change["status"])
        page.locator(f"#{row}note").fill(change.get("note") or "")
    for i, (phase_name, change) in enumerate(effects["phases"]):
        row = add_row(page, "phase_changes", i)
        pick(page, f"{row}phase", phase_name, re.compile(rf": {re.escape(phase_name)}$"))
        page.locator(f"#{row}status").select_option(change["status"])
        page.locator(f"#{row}note").fill(change.get("note") or "")


# ------------------------------------------------------------------ the test
def test_14th_jcc_reentered_through_the_admin_gives_the_demo_dashboard(page, site_url, demo_db):
    expected = demo_db
    assert {status for status, _ in expected.values()} == {200}
    before = dashboard_state()
    assert before["/jcc/14/"][0] == 404  # the meeting is really missing, and what it decided
    assert before["/projects/ml-1/"] != expected["/projects/ml-1/"]
    assert before["/projects/kkh-thakot-raikot/"] != expected["/projects/kkh-thakot-raikot/"]

    row = meeting_row()
    projects = {p["slug"]: p for p in demo_file("projects.yaml")}
    page.goto("/admin/login/")
    log_in(page, *EDITOR)
    expect(page.locator("#user-tools")).to_contain_text(f"Welcome, {EDITOR[0]}.")

    # 1. The meeting and its decisions, on one page.
    fill_meeting(page, row, projects)

    # 2. Each decision's effects, on the decision's own page (the meeting page links it).
    effects = effects_by_decision()
    assert sorted(effects) == [1, 2, 3, 4, 6, 7, 8, 9, 10]
    for sequence, decision_effects in sorted(effects.items()):
        page.goto("/admin/projects/jccmeeting/?q=14")
        page.get_by_role("link", name="14", exact=True).click()
        page.locator(f"#decisions-{sequence - 1} a.inlinechangelink").click()
        expect(page.locator("h2", has_text=f"JCC {MEETING}/{sequence}:")).to_have_count(1)
        fill_effects(page, decision_effects)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist .success").first).to_contain_text("Applied:")
        expect(page.locator(".errornote")).to_have_count(0)

    # 3. The dashboard now reads as on the full demo, page by page.
    after = dashboard_state()
    differences = {url: word_diff(expected[url], after[url]) for url in PAGES if after[url] != expected[url]}
    assert not differences, "Pages that differ from the demo (- demo, + re-entered):\n" + "\n".join(
        f"{url}: {diff}" for url, diff in differences.items()
    )

    # And in the browser: ML-1 as of the 11th JCC (Chinese loans planned) and as of the 14th
    # (China's concessional loan declined; its US$ 1.1bn for Karachi–Hyderabad and PSDP's 15% committed).
    page.goto("/projects/ml-1/?as_of_jcc=11")
    expect(page.locator("[data-kpi=gap-percent]")).to_have_text(re.compile(r"^1\.1% "))
    expect(page.locator("[data-kpi=pipeline]")).to_have_text("US$ 8.37bn")
    page.goto("/projects/ml-1/?as_of_jcc=14")
    expect(page.locator("[data-kpi=gap-percent]")).to_have_text(re.compile(r"^69\.3% "))
