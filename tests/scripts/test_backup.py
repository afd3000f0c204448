"""Backup and restore (scripts/backup.sh, scripts/restore.sh) keep the dashboard's numbers.

The demo portfolio (committed in the test database) is backed up with pg_dump, restored into a
new database, and the same code reads both: the dashboard's selectors (KPIs, funding gaps,
lender mix...), the rendered dashboard's KPI tiles and chart figures, and every table's row
count. Each read runs in a subprocess whose DATABASE_URL names one database.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import psycopg2.errors
import pytest
from django.db import connection

from dashboard import selectors
from financing.selectors import projects_with_funding

ROOT = Path(__file__).resolve().parents[2]

# Run with DJANGO_SETTINGS_MODULE=cpec_tracker.settings_test and DATABASE_URL set; prints JSON.
SNAPSHOT = r"""
import json, re
import django
django.setup()
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from dashboard import selectors
from financing.selectors import projects_with_funding



class Encoder(DjangoJSONEncoder):
    def default(self, o):
        if hasattr(o, "_meta"):  # a model instance (lender_totals' lenders): its identity and annotations
            return {"model": o._meta.label, "pk": o.pk, "str": str(o), **{
                k: v for k, v in vars(o).items() if not k.startswith("_")}}
        return super().default(o)


projects = projects_with_funding()
out = {
    "kpis": selectors.portfolio_kpis(projects=projects),
    "funding_gaps": selectors.portfolio_funding_gaps(projects=projects, limit=100),
    "cost_by_sector": selectors.portfolio_cost_by_sector(projects=projects),
    "statuses": selectors.portfolio_status_breakdown(projects=projects),
    "lender_mix": selectors.portfolio_lender_mix(projects=projects, by="lender"),
    "lender_kinds": selectors.portfolio_lender_mix(projects=projects, by="kind"),
    "decisions_per_meeting": selectors.meeting_decision_counts(),
    "lender_totals": selectors.lender_totals(),
    # Sessions and the login log change with every login (this script's too): not portfolio data.
    "rows": {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed and m._meta.label not in ("sessions.Session", "axes.AccessLog")
    },
}
client = Client()
client.force_login(get_user_model().objects.get(username="viewer"))
response = client.get("/")
html = response.content.decode()
out["page_status"] = response.status_code
out["page_kpis"] = dict(re.findall(r'data-kpi="([^"]+)"[^>]*>([^<]*)<', html))
out["page_figures"] = re.findall(r'<script id="[^"]*" type="application/json">(.*?)</script>', html, re.S)
print(json.dumps(out, cls=Encoder, sort_keys=True))
"""


def _database_url(name: str) -> str:
    db = connection.settings_dict
    user, password = quote(db["USER"], safe=""), quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "localhost", safe="")
    return f"postgres://{user}:{password}@{host}:{db['PORT'] or 5432}/{name}"


def _env(database_url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "cpec_tracker.settings_test"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _run(args: list[str], database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=_env(database_url), capture_output=True, text=True, timeout=300)


def snapshot(database_url: str) -> dict:
    result = _run([sys.executable, "-c", SNAPSHOT], database_url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _connect(name: str):
    db = connection.settings_dict
    return psycopg2.connect(
        dbname=name, user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"] or 5432
    )


def _admin_connection():
    """An autocommit connection (CREATE / DROP DATABASE cannot run in a transaction)."""
    conn = _connect(connection.settings_dict["NAME"])
    conn.autocommit = True
    return conn


def _count_projects(name: str) -> int:
    conn = _connect(name)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM projects_project")
            return cursor.fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def original_url(demo_db):
    return _database_url(connection.settings_dict["NAME"])


@pytest.fixture(scope="module")
def backup_file(original_url, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("backups") / "cpec.dump"
    result = _run(["bash", "scripts/backup.sh", str(out)], original_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out)
    return out


@pytest.fixture(scope="module")
def restored_name(backup_file):
    """A new database, the backup restored into it; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    admin = _admin_connection()
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        result = _run(["bash", "scripts/restore.sh", str(backup_file)], _database_url(name))
        assert result.returncode == 0, result.stderr
        yield name
    finally:
        _drop_database(admin, name)
        admin.close()


def _drop_database(admin, name: str, attempts: int = 20) -> None:
    """Drop a test database, waiting out an autovacuum worker the restore set off.

    FORCE ends our own roles' sessions, but a non-superuser cannot end PostgreSQL's
    autovacuum worker, which a freshly restored database often has: retry until it is done.
    """
    for attempt in range(attempts):
        try:
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg2.errors.InsufficientPrivilege, psycopg2.errors.ObjectInUse):
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


def test_a_restored_database_shows_the_same_dashboard(original_url, restored_name):
    before = snapshot(original_url)
    after = snapshot(_database_url(restored_name))

    # The snapshot reads the demo portfolio, as this process's ORM sees it: not an empty database.
    kpis = selectors.portfolio_kpis(projects=projects_with_funding())
    assert before["kpis"]["projects"] == kpis["projects"] > 0
    assert before["kpis"]["gap_usd"] == str(kpis["gap_usd"])
    assert before["funding_gaps"] and before["page_status"] == 200
    assert set(before["page_kpis"]) >= {"projects", "cost-usd", "committed", "gap-usd", "gap-percent"}
    assert before["page_figures"]

    assert after["kpis"] == before["kpis"]
    assert after["funding_gaps"] == before["funding_gaps"]
    assert after["page_kpis"] == before["page_kpis"]
    assert after["page_figures"] == before["page_figures"]
    assert after == before


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(backup_file, restored_name):
    url = _database_url(restored_name)
    projects = _count_projects(restored_name)

    refused = _run(["bash", "scripts/restore.sh", str(backup_file)], url)
    assert refused.returncode != 0
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    assert _count_projects(restored_name) == projects

    forced = _run(["bash", "scripts/restore.sh", "--force", str(backup_file)], url)
    assert forced.returncode == 0, forced.stderr
    assert _count_projects(restored_name) == projects  # replaced, not added twice


def test_the_backup_is_a_private_custom_format_dump(backup_file):
    assert backup_file.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600


def test_restore_rejects_a_file_that_is_not_a_backup(tmp_path, restored_name):
    junk = tmp_path / "not-a-backup.dump"
    junk.write_text("SELECT 1;\n")
    result = _run(["bash", "scripts/restore.sh", str(junk)], _database_url(restored_name))
    assert result.returncode != 0
    assert "not a pg_dump custom-format backup" in result.stderr
