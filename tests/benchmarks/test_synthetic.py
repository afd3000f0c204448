"""The synthetic benchmark portfolio: scaled counts, reproducible, valid everywhere, guarded, and
the staff pages render on it with the totals PostgreSQL computes."""

import hashlib
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F
from django.urls import reverse

from benchmarks.synthetic import PREFIX, SOURCE_KEY, SyntheticSize
from financing.models import FinancingChange, FinancingLine, Lender
from projects.models import (
    CostEstimate,
    Decision,
    ExchangeRate,
    JCCMeeting,
    NormalizedMoney,
    Phase,
    Project,
    ProjectStatusChange,
    Source,
)
from tests.factories import ProjectFactory
from tests.financing.test_read_model import assert_portfolio_sums_true

pytestmark = pytest.mark.django_db
N = 50


def load(**options):
    call_command("load_synthetic_portfolio", projects=N, verbosity=0, **options)


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def digest() -> str:
    """A fingerprint of the portfolio by natural keys (names, dates, amounts, states; not pks)."""
    parts = [
        "SELECT slug, name, sector, status, regions::text, planned_start, planned_end, actual_start, actual_end "
        "FROM projects_project ORDER BY slug",
        "SELECT p.slug, e.as_of, e.basis, e.amount, e.currency, e.amount_usd FROM projects_costestimate e "
        "JOIN projects_project p ON p.id = e.project_id ORDER BY p.slug, e.as_of",
        "SELECT p.slug, ln.slug, c.changed_on, c.status, c.instrument, c.share_percent, c.amount, c.currency "
        "FROM financing_financingchange c JOIN financing_financingline l ON l.id = c.line_id "
        "JOIN projects_project p ON p.id = l.project_id JOIN financing_lender ln ON ln.id = l.lender_id "
        "ORDER BY 1, 2, 3, 4, 6",
        "SELECT m.number, m.date, d.sequence, d.kind, p.slug FROM projects_decision d "
        "JOIN projects_jccmeeting m ON m.id = d.meeting_id LEFT JOIN projects_project p ON p.id = d.project_id "
        "ORDER BY 1, 3",
        "SELECT p.slug, s.changed_on, s.status FROM projects_projectstatuschange s "
        "JOIN projects_project p ON p.id = s.project_id ORDER BY 1, 2",
    ]
    return hashlib.sha256(repr([rows(sql) for sql in parts]).encode()).hexdigest()


def counts() -> dict[str, int]:
    models = (Project, Phase, CostEstimate, FinancingLine, FinancingChange, JCCMeeting, Decision, Lender)
    return {m.__name__: m.objects.count() for m in models}


# --------------------------------------------------------------------------- sizes


def test_large_size_is_the_one_the_issue_asks_for():
    assert SyntheticSize.for_projects(10_000) == SyntheticSize(
        projects=10_000,
        phases=30_000,
        estimates=40_000,
        lines=60_000,
        changes=120_000,
        meetings=40,
        decisions=20_000,
        lenders=60,
    )


def test_loads_exactly_the_scaled_counts():
    load(seed=1)

    assert counts() == {
        "Project": 50,
        "Phase": 150,
        "CostEstimate": 200,
        "FinancingLine": 300,
        "FinancingChange": 600,
        "JCCMeeting": 5,
        "Decision": 100,
        "Lender": 25,
    }
    assert not Project.objects.exclude(slug__startswith=PREFIX).exists()
    assert not Lender.objects.exclude(slug__startswith=PREFIX).exists()
    assert Source.objects.get().key == SOURCE_KEY
    # One reference rate a month, PKR and CNY, covering every date used.
    assert ExchangeRate.objects.filter(currency="PKR").count() == ExchangeRate.objects.filter(currency="CNY").count()
    assert list(JCCMeeting.objects.order_by("number").values_list("number", flat=True)) == [1, 2, 3, 4, 5]


# ---------------------------------------------------------------- reproducibility


def test_same_seed_gives_the_same_data_and_another_seed_other_data():
    load(seed=3)
    first = digest()

    load(seed=3, replace=True)
    assert digest() == first
    assert Project.objects.count() == N  # replaced, not added

    load(seed=4, replace=True)
    assert digest() != first
    assert Project.objects.count() == N


# ------------------------------------------------------------------------ validity


def test_every_row_is_valid_under_the_constraints_and_invariants(immediate_constraints):
    # With the deferred constraints made immediate, the 100% share trigger checks each insert.
    load(seed=5)

    line_state = (
        "l.as_of, l.status, l.instrument, l.share_percent, l.amount, l.currency, l.decision_id, l.amount_usd, "
        "l.amount_pkr, l.pkr_per_usd, l.pkr_rate_origin, l.pkr_reference_id, l.cny_per_usd, l.cny_rate_origin, "
        "l.cny_reference_id, l.entered_pkr_per_usd, l.entered_cny_per_usd"
    )
    checks = {
        "line differs from its latest change": f"""
            WITH latest AS (SELECT DISTINCT ON (line_id) * FROM financing_financingchange
                            ORDER BY line_id, changed_on DESC, id DESC)
            SELECT count(*) FROM financing_financingline l JOIN latest c ON c.line_id = l.id
            WHERE ({line_state}) IS DISTINCT FROM ({line_state.replace("l.as_of", "l.changed_on").replace("l.", "c.")})
        """,
        "line without a change": """SELECT count(*) FROM financing_financingline l
            WHERE NOT EXISTS (SELECT 1 FROM financing_financingchange c WHERE c.line_id = l.id)""",
        "two changes of a line on one day": """SELECT count(*) FROM (SELECT line_id, changed_on
            FROM financing_financingchange GROUP BY 1, 2 HAVING count(*) > 1) x""",
        "live shares over 100% as of a meeting": """SELECT count(*) FROM (
            SELECT m.number, l.project_id FROM projects_jccmeeting m
            CROSS JOIN LATERAL (SELECT DISTINCT ON (line_id) * FROM financing_financingchange
                                WHERE changed_on <= m.date ORDER BY line_id, changed_on DESC, id DESC) c
            JOIN financing_financingline l ON l.id = c.line_id
            WHERE c.status NOT IN ('declined', 'withdrawn') GROUP BY 1, 2 HAVING sum(c.share_percent) > 100) x""",
        "project status is not its latest status change": """SELECT count(*) FROM projects_project p
            WHERE p.status IS DISTINCT FROM (SELECT s.status FROM projects_projectstatuschange s
                WHERE s.project_id = p.id ORDER BY s.changed_on DESC, s.id DESC LIMIT 1)""",
        "financing change not on its decision's meeting day or project": """SELECT count(*)
            FROM financing_financingchange c JOIN projects_decision d ON d.id = c.decision_id
            JOIN projects_jccmeeting m ON m.id = d.meeting_id JOIN financing_financingline l ON l.id = c.line_id
            WHERE c.changed_on <> m.date OR d.project_id <> l.project_id""",
        "estimate not on its decision's meeting day or project": """SELECT count(*)
            FROM projects_costestimate e JOIN projects_decision d ON d.id = e.decision_id
            JOIN projects_jccmeeting m ON m.id = d.meeting_id
            WHERE e.as_of <> m.date OR d.project_id <> e.project_id""",
        "status change not on its decision's meeting day or project": """SELECT count(*)
            FROM projects_projectstatuschange s JOIN projects_decision d ON d.id = s.decision_id
            JOIN projects_jccmeeting m ON m.id = d.meeting_id
            WHERE s.changed_on <> m.date OR d.project_id <> s.project_id""",
        "decisions not numbered 1..n in a meeting": """SELECT count(*) FROM (SELECT meeting_id FROM projects_decision
            GROUP BY 1 HAVING min(sequence) <> 1 OR max(sequence) <> count(*)) x""",
        "meetings not in date order": """SELECT count(*) FROM projects_jccmeeting a
            JOIN projects_jccmeeting b ON a.number < b.number AND a.date >= b.date""",
        "phase actual dates out of order": """SELECT count(*) FROM projects_phase
            WHERE actual_start > actual_end OR planned_start > planned_end""",
    }
    found = {name: rows(sql)[0][0] for name, sql in checks.items()}
    assert found == dict.fromkeys(checks, 0)

    # Some of each effect is linked to a decision, and every kind of line state is there.
    assert FinancingChange.objects.filter(decision__isnull=False).exists()
    assert ProjectStatusChange.objects.filter(decision__isnull=False).exists()
    statuses = set(FinancingLine.objects.values_list("status", flat=True))
    assert {"agreed", "proposed"} <= statuses and statuses & {"declined", "withdrawn"}


def test_normalized_money_is_what_the_models_would_compute():
    load(seed=6)
    normalized = NormalizedMoney.NORMALIZED_FIELDS
    samples = [
        *CostEstimate.objects.order_by("pk")[:40],
        *CostEstimate.objects.filter(currency="CNY")[:10],
        *CostEstimate.objects.filter(entered_pkr_per_usd__isnull=False)[:5],
        *FinancingChange.objects.filter(amount__isnull=False).order_by("pk")[:40],
        *FinancingLine.objects.filter(amount__isnull=False).order_by("pk")[:20],
    ]
    assert len(samples) > 80
    for row in samples:
        stored = {name: getattr(row, name) for name in normalized}
        row.normalize()  # queries the reference rates, as a save would
        assert {name: getattr(row, name) for name in normalized} == stored, row


def test_costs_are_skewed_and_estimates_rise_through_the_approval_ladder():
    call_command("load_synthetic_portfolio", projects=250, seed=2, verbosity=0)
    current = [
        r[0]
        for r in rows(
            """SELECT DISTINCT ON (project_id) amount_usd FROM projects_costestimate WHERE full_scope
               ORDER BY project_id, as_of DESC, id DESC"""
        )
    ]
    current.sort()
    median, biggest = current[len(current) // 2], current[-1]
    assert Decimal("5e6") < median < Decimal("200e6")  # most projects: tens of millions
    assert biggest > 50 * median  # a few huge ones
    # PC-II or feasibility first, then the PC-I, then revisions, mostly rising.
    firsts = rows(
        """SELECT DISTINCT ON (project_id) basis FROM projects_costestimate WHERE full_scope
           ORDER BY project_id, as_of, id"""
    )
    assert {b for (b,) in firsts} <= {"pc_ii", "feasibility", "pc_i"}
    rises = rows(
        """SELECT count(*) FILTER (WHERE amount_usd > previous), count(*) FROM (
             SELECT amount_usd, lag(amount_usd) OVER (PARTITION BY project_id ORDER BY as_of, id) previous
             FROM projects_costestimate WHERE full_scope) x WHERE previous IS NOT NULL"""
    )[0]
    assert rises[0] > 0.8 * rises[1]
    # Most lines committed, about a tenth declined or withdrawn; some projects with a gap.
    total = FinancingLine.objects.count()
    assert FinancingLine.objects.committed().count() > 0.5 * total
    assert 0.04 * total < FinancingLine.objects.filter(status__in=["declined", "withdrawn"]).count() < 0.2 * total


# --------------------------------------------------------------------------- guard


def test_refuses_a_database_with_other_data_even_with_replace():
    ProjectFactory(name="Real project")

    for replace in (False, True):
        with pytest.raises(CommandError, match="not synthetic"):
            load(replace=replace)

    assert list(Project.objects.values_list("name", flat=True)) == ["Real project"]
    assert not Source.objects.filter(key=SOURCE_KEY).exists()


def test_refuses_to_load_over_a_synthetic_portfolio_without_replace():
    load(seed=1)
    before = digest()

    with pytest.raises(CommandError, match="--replace"):
        load(seed=2)

    assert digest() == before


def test_replace_deletes_only_synthetic_rows_and_keeps_users():
    user = get_user_model().objects.create_user("keeper", password="pass-keeper-123")
    load(seed=1)
    old_ids = list(Project.objects.values_list("pk", flat=True))

    load(seed=2, replace=True)

    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert not Project.objects.filter(pk__in=old_ids).exists()
    # The old projects' history went with them; the new ones have theirs.
    assert not Project.history.filter(id__in=old_ids).exists()
    assert set(Project.history.values_list("id", flat=True)) == set(Project.objects.values_list("pk", flat=True))
    assert Source.objects.count() == 1
    # The old portfolio left the sums PostgreSQL keeps with its rows: they are the new one's.
    assert assert_portfolio_sums_true() == 1 + JCCMeeting.objects.values("date").distinct().count()


@pytest.mark.parametrize("with_history", [False, True])
def test_admin_history_pages_work_with_or_without_full_history(admin_client, with_history):
    call_command("load_synthetic_portfolio", projects=20, seed=1, with_history=with_history, verbosity=0)

    models = (FinancingLine, FinancingChange, CostEstimate, Decision, Phase, JCCMeeting, Lender, Project)
    for model in models:
        obj = model.objects.order_by("pk").first()
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[obj.pk])
        assert admin_client.get(url).status_code == 200, url
        if with_history or model is Project:
            assert model.history.filter(id=obj.pk).exists(), model
        else:
            assert not model.history.exists(), model
    if with_history:
        assert {m.__name__: m.history.values("id").distinct().count() for m in models} == {
            m.__name__: m.objects.count() for m in models
        }


def test_command_reports_counts_and_time():
    out, err = io.StringIO(), io.StringIO()
    call_command("load_synthetic_portfolio", projects=20, seed=1, stdout=out, stderr=err)

    assert "financing changes: 240" in out.getvalue()
    assert "Synthetic portfolio loaded in" in out.getvalue()
    assert "financing changes" in err.getvalue()  # its progress bar


def test_rejects_a_size_below_one():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("load_synthetic_portfolio", projects=0, verbosity=0)


# ---------------------------------------------------------------------------- pages


def test_staff_pages_render_on_it_with_the_database_totals(viewer_client):
    load(seed=7)
    biggest = Project.objects.with_current_cost().order_by(F("current_cost_usd").desc(nulls_last=True)).first()
    busiest = Lender.objects.annotate(lines=Count("financing_lines")).order_by("-lines", "pk").first()
    pages = [
        reverse("dashboard:home"),
        reverse("dashboard:home") + "?as_of_jcc=3",
        reverse("dashboard:projects"),
        reverse("dashboard:projects") + "?sort=-cost&page=2",
        reverse("dashboard:project", args=[biggest.slug]),
        reverse("dashboard:project", args=[biggest.slug]) + "?as_of_jcc=2",
        reverse("dashboard:lenders"),
        reverse("dashboard:lender", args=[busiest.slug]),
        reverse("dashboard:meetings"),
        reverse("dashboard:meeting", args=[5]),
    ]
    responses = {url: viewer_client.get(url) for url in pages}
    for url, response in responses.items():
        assert response.status_code == 200, url

    kpis = responses[reverse("dashboard:home")].context["kpis"]
    (expected,) = rows(
        """SELECT sum(amount_usd) FROM (SELECT DISTINCT ON (project_id) amount_usd FROM projects_costestimate
           WHERE full_scope ORDER BY project_id, as_of DESC, id DESC) current"""
    )[0]
    assert kpis["projects"] == N
    assert kpis["cost_usd"] == expected
    assert Decimal("0") < kpis["gap_usd"] < kpis["cost_usd"]  # partly funded, as the portfolio is built
