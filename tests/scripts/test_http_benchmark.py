"""scripts/http_benchmark.py: its load runs over real HTTP, its edits land in the database, its section is written.

The live server (pytest-django's, real HTTP on the loopback) serves a small synthetic portfolio
with the floor page's URLs, as gunicorn does in the real run; the measuring part runs against it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import http_benchmark  # noqa: E402
from _serve import write_section  # noqa: E402

from tests.benchmarks.test_benchmark_pages import PAGES  # noqa: E402  (the same pages, in-process and over HTTP)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(live_server, settings):
    settings.ROOT_URLCONF = "benchmarks.urls"  # the floor page, as gunicorn serves it for the benchmark
    call_command("load_synthetic_portfolio", projects=25, seed=3, verbosity=0)
    return http_benchmark.prepare_site(forms=5)


def test_clients_get_every_page_while_the_editor_saves_estimates_through_the_admin(live_server, site, tmp_path):
    assert {page.name for page in site.pages} == PAGES
    assert http_benchmark.edit_rows() == 0

    result = http_benchmark.run_load(live_server.url, site, clients=2, duration=3, edit_every=1)

    # Edits at 1 s and 2 s of 3: both saved by the admin, both in the database.
    assert result.edit_errors == {}
    assert result.edits_made == 2
    assert http_benchmark.edit_rows() == 2
    assert result.errors == 0
    assert set(result.pages) == PAGES
    for stats in result.pages.values():
        assert len(stats.seconds) >= 1, stats.page.name
        # Each client's first request of a page counts as "first after an edit (or the start)".
        assert 1 <= len(stats.first_seconds) <= len(stats.seconds)

    doc = tmp_path / "benchmarks.md"
    doc.write_text((ROOT / "docs" / "benchmarks.md").read_text())
    environment = http_benchmark.describe_environment(workers=3)
    section = http_benchmark.render([(25, result, (0, 2), {"gunicorn worker timeouts": "0"})], environment)
    for _ in range(2):  # written once, then replaced in place
        write_section(doc, section, http_benchmark.START, http_benchmark.END, before=http_benchmark.BEFORE)
        text = doc.read_text()
        assert text.count(http_benchmark.START) == text.count(http_benchmark.END) == 1
        assert text.index("## Page benchmark") < text.index(http_benchmark.START)
        assert text.index(http_benchmark.END) < text.index(http_benchmark.BEFORE)
    body = text[text.index(http_benchmark.START) : text.index(http_benchmark.END)]
    assert "**25 projects**: 2 clients" in body
    assert "2 saved through the admin, 0 failed; rows with the edits' note 0 before, 2 after (as many as saved)" in (
        " ".join(body.split())
    )
    for name in PAGES:
        assert f"| {name} | {len(result.pages[name].seconds)} | 0 |" in body


def test_an_edit_the_admin_refuses_counts_as_failed(live_server, site):
    refused = [{**form, "amount": "-5"} for form in site.edit_forms]  # PostgreSQL and the form refuse < 0
    site = http_benchmark.Site(site.pages[:1], site.logins, site.edit_path, refused)

    result = http_benchmark.run_load(live_server.url, site, clients=1, duration=2, edit_every=1)

    assert result.edits_made == 0
    assert sum(result.edit_errors.values()) == 1
    assert next(iter(result.edit_errors)).startswith("form refused")
    assert http_benchmark.edit_rows() == 0
