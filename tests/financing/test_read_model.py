"""The read model never drifts from the dated records.

After each kind of write — the services, admin, an import, plain SQL, a delete, a rolled-back
transaction, the demo and synthetic loaders — every project's stored figures (now, and as of
every date on which anything is dated, and the day before each) are compared with
``figure_source``, which computes them from the dated records with correlated subqueries.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse

from dashboard.selectors import portfolio as dashboard_sums
from dashboard.selectors import portfolio_projects
from financing import figures
from financing.models import (
    DatedLineFigures,
    DatedProjectFigures,
    FinancingChange,
    FinancingLine,
    LenderSums,
    LineFigures,
    PortfolioMoment,
    PortfolioSums,
    ProjectFigures,
)
from financing.selectors import FIGURES, LineStates, figure_source, known_by, projects_with_funding, with_figures
from financing.services import financing_line_record_change
from projects.models import OVERRUN_THRESHOLD, CostEstimate, JCCMeeting, Project, ProjectStatusChange
from projects.services import project_status_record_change
from tests.factories import (
    CostEstimateFactory,
    DecisionFactory,
    JCCMeetingFactory,
    LenderFactory,
    ProjectFactory,
    SourceFactory,
)

D = dt.date
M = Decimal("1000000")


def _figures(queryset, names) -> dict:
    return {row["id"]: tuple(row[name] for name in names) for row in queryset.values("id", *names)}


def dated_moments() -> list[dt.date]:
    """Every date a stored row starts on, and the day before each."""
    starts = {row.validity.lower for row in DatedProjectFigures.objects.all()}
    return sorted(starts | {start - dt.timedelta(days=1) for start in starts if start > dt.date.min})


def _line_source(as_of=None) -> dict:
    """Each line's project, lender, status and US$ value (as of a date) computed from the records."""
    states = LineStates(as_of)
    rows = (
        states.with_value(states.queryset())
        .annotate(syndicated=states.syndicated())
        .values_list(
            states.line_pk, states.path("project_id"), states.path("lender_id"), "status", "value_usd", "syndicated"
        )
    )
    return {line: rest for line, *rest in rows}


def _line_stored(queryset) -> dict:
    rows = queryset.values_list("line_id", "project_id", "lender_id", "status", "value_usd", "syndicated")
    stored = {line: rest for line, *rest in rows}
    assert len(stored) == queryset.count(), "one row per line"
    return stored


def assert_read_model_true(moments=None) -> int:
    """Compare the stored figures with ``figure_source`` now and as of each moment; the number compared."""
    moments = dated_moments() if moments is None else moments
    assert _figures(with_figures(Project.objects.all()), FIGURES) == _figures(figure_source(), FIGURES)
    assert _line_stored(LineFigures.objects.all()) == _line_source()
    names = (*FIGURES, "status_then")
    compared = 0
    for moment in moments:
        stored = _figures(with_figures(Project.objects.all(), as_of=moment), names)
        source = figure_source(as_of=moment)
        assert stored == _figures(source, names), f"as of {moment}"
        known = {pk for pk, first in source.values_list("id", "first_known_on") if first is None or first <= moment}
        assert set(known_by(Project.objects.all(), moment).values_list("pk", flat=True)) == known, f"as of {moment}"
        assert set(portfolio_projects(as_of=moment).values_list("pk", flat=True)) == known, f"as of {moment}"
        lines = DatedLineFigures.objects.filter(validity__contains=moment)
        assert _line_stored(lines) == _line_source(moment), f"lines as of {moment}"
        compared += len(stored)
    # One row per project for each date, never two: the exclusion constraint.
    assert ProjectFigures.objects.count() == Project.objects.count()
    assert_portfolio_sums_true()
    return compared


def assert_portfolio_sums_true() -> int:
    """Compare the sums PostgreSQL keeps for the whole portfolio, now and as of every JCC meeting's
    date, with the dashboard's figures computed from the stored rows; the number of dates compared."""
    stored_keys = ProjectFigures.objects.values_list("project_id", "sector", "status_then")
    assert set(stored_keys) == set(Project.objects.values_list("pk", "sector", "status"))
    dates = set(JCCMeeting.objects.values_list("date", flat=True))
    assert set(PortfolioMoment.objects.values_list("date", flat=True)) == dates
    for moment in [None, *sorted(dates)]:
        projects = portfolio_projects(as_of=moment)
        computed = (
            dashboard_sums.portfolio_kpis(projects=projects),
            dashboard_sums.portfolio_cost_by_sector(projects=projects),
            dashboard_sums.portfolio_status_breakdown(projects=projects),
        )
        flagged = projects.with_overrun_percent().filter(
            Q(overrun_usd_percent__gt=OVERRUN_THRESHOLD)
            | Q(overrun_pkr_percent__gt=OVERRUN_THRESHOLD)
            | Q(planned_end__gt=F("original_planned_end"))
        )
        computed = (*computed, flagged.count())
        assert dashboard_sums.stored_portfolio_sums(as_of=moment) == computed, f"sums as of {moment or 'now'}"
        # The stored overrun flags and percentages are those computed from the stored figures.
        stored_flags = set(projects.filter(overrun_flagged=True).values_list("pk", "overrun_usd_percent"))
        assert stored_flags == set(flagged.values_list("pk", "overrun_usd_percent")), f"overruns as of {moment}"
        mixes = dashboard_sums.portfolio_lender_mixes(projects=projects, as_of=moment)
        assert dashboard_sums.stored_lender_mixes(as_of=moment) == mixes, f"lender mix as of {moment or 'now'}"
    return len(dates) + 1


def usd(amount_m) -> dict:
    return {"amount": Decimal(amount_m) * M, "currency": "USD", "entered_pkr_per_usd": Decimal("280")}


def new_line(project, lender, changed_on, **state):
    line = FinancingLine(project=project, lender=lender, instrument="concessional_loan", as_of=changed_on)
    financing_line_record_change(line=line, changed_on=changed_on, **state)
    return line


@pytest.fixture
def portfolio(db):
    """A parent with a section, a plant with financing; every figure is worked out below."""
    parent = ProjectFactory(slug="parent", name="Parent")
    section = ProjectFactory(slug="section", name="Section", parent=parent)
    plant = ProjectFactory(slug="plant", name="Plant")
    CostEstimateFactory(project=section, amount=200 * M, as_of=D(2018, 1, 1))
    CostEstimateFactory(project=plant, amount=1000 * M, as_of=D(2016, 3, 1))
    bank = LenderFactory(slug="bank")
    line = new_line(plant, bank, D(2016, 6, 1), status="proposed", share_percent=Decimal("60"))
    return {"parent": parent, "section": section, "plant": plant, "bank": bank, "line": line}


def test_the_stored_figures_are_the_sources_at_every_date(portfolio):
    plant = projects_with_funding(Project.objects.filter(slug="plant")).get()
    assert (plant.current_cost_usd, plant.pipeline_part_usd, plant.funding_gap_usd) == (1000 * M, 600 * M, 400 * M)
    then = projects_with_funding(Project.objects.filter(slug="plant"), as_of=D(2016, 5, 31)).get()
    assert (then.current_cost_usd, then.pipeline_usd, then.funding_gap_usd) == (1000 * M, 0, 1000 * M)
    # Rows: from the beginning, the estimate and the line's change (plant); the section's estimate
    # for the section; the parent has no dated record, so one row.
    rows = {
        slug: [r.validity.lower for r in DatedProjectFigures.objects.filter(project__slug=slug).order_by("validity")]
        for slug in ("parent", "section", "plant")
    }
    assert rows == {
        "parent": [dt.date.min],
        "section": [dt.date.min, D(2018, 1, 1)],
        "plant": [dt.date.min, D(2016, 3, 1), D(2016, 6, 1)],
    }
    assert assert_read_model_true() > 0


def test_known_by_starts_at_the_first_dated_record(portfolio):
    assert set(known_by(Project.objects.all(), D(2016, 2, 29)).values_list("slug", flat=True)) == {"parent"}
    assert set(known_by(Project.objects.all(), D(2016, 3, 1)).values_list("slug", flat=True)) == {"parent", "plant"}


def test_after_service_writes(portfolio):
    plant, section, parent, bank, line = (portfolio[k] for k in ("plant", "section", "parent", "bank", "line"))
    # A line agreed, another proposed, a decline; a status change; the parent gets a cost.
    financing_line_record_change(line=line, changed_on=D(2017, 2, 1), status="agreed", share_percent=Decimal("60"))
    other = new_line(plant, LenderFactory(slug="other"), D(2017, 5, 1), status="proposed", **usd(100))
    financing_line_record_change(line=other, changed_on=D(2018, 5, 1), status="declined", **usd(100))
    project_status_record_change(
        ProjectStatusChange(project=plant, status="financing", changed_on=D(2017, 2, 1), source=SourceFactory())
    )
    CostEstimateFactory(project=parent, amount=900 * M, as_of=D(2019, 1, 1))
    section.refresh_from_db()
    assert ProjectFigures.objects.get(project=section).counted_in_totals is False
    assert DatedProjectFigures.objects.get(project=section, validity__contains=D(2018, 12, 31)).counted_in_totals
    stored = with_figures(Project.objects.filter(pk=plant.pk), as_of=D(2017, 3, 1)).get()
    assert (stored.committed_usd, stored.status_then) == (600 * M, "financing")
    assert assert_read_model_true() > 0


def test_after_project_edits_and_a_meeting_moved(portfolio):
    plant, section = portfolio["plant"], portfolio["section"]
    meeting = JCCMeetingFactory(number=9, date=D(2015, 1, 1))
    DecisionFactory(meeting=meeting, project=plant)
    assert known_by(Project.objects.filter(pk=plant.pk), D(2015, 6, 1)).exists()
    JCCMeeting.objects.filter(pk=meeting.pk).update(date=D(2016, 4, 1))  # one UPDATE, plain SQL
    assert not known_by(Project.objects.filter(pk=plant.pk), D(2015, 6, 1)).exists()
    plant.financial_close_on = D(2017, 1, 1)
    plant.debt_percent = Decimal("75")
    plant.save()
    section.parent = None
    section.save()
    assert ProjectFigures.objects.get(project=plant).financing_closed is True
    assert ProjectFigures.objects.get(project=section).counted_in_totals is True
    assert assert_read_model_true() > 0


def test_after_plain_sql_and_deletes(portfolio):
    plant, line = portfolio["plant"], portfolio["line"]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE projects_costestimate SET amount_usd = amount_usd * 2 WHERE project_id = %s", [plant.pk])
    assert ProjectFigures.objects.get(project=plant).current_cost_usd == 2000 * M
    FinancingChange.objects.filter(line=line).delete()
    FinancingLine.objects.filter(pk=line.pk).delete()
    assert ProjectFigures.objects.get(project=plant).pipeline_usd == 0
    CostEstimate.objects.filter(project=plant).delete()
    Project.objects.filter(pk=plant.pk).delete()
    assert not ProjectFigures.objects.filter(project_id=plant.pk).exists()
    assert not DatedProjectFigures.objects.filter(project_id=plant.pk).exists()
    assert assert_read_model_true() > 0


def test_a_rolled_back_write_leaves_no_trace(portfolio):
    plant = portfolio["plant"]
    before = list(DatedProjectFigures.objects.filter(project=plant).values())
    with pytest.raises(RuntimeError), transaction.atomic():
        CostEstimateFactory(project=plant, amount=5000 * M, as_of=D(2020, 1, 1))
        assert ProjectFigures.objects.get(project=plant).current_cost_usd == 5000 * M
        raise RuntimeError("roll back")
    assert ProjectFigures.objects.get(project=plant).current_cost_usd == 1000 * M
    assert list(DatedProjectFigures.objects.filter(project=plant).values()) == before


def test_after_an_admin_edit(admin_client, portfolio):
    plant = portfolio["plant"]
    response = admin_client.post(
        reverse("admin:projects_costestimate_add"),
        {
            "project": plant.pk,
            "amount": "1500000000",
            "currency": "USD",
            "bound": "exact",
            "as_of": "2021-07-01",
            "date_precision": "day",
            "basis": "pc_i",
            "approving_forum": "",
            "full_scope": "on",
            "scope": "",
            "source": SourceFactory().pk,
            "entered_pkr_per_usd": "160",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ProjectFigures.objects.get(project=plant).current_cost_usd == 1500 * M
    assert assert_read_model_true() > 0


def test_paused_refreshes_happen_once_when_the_pause_ends(portfolio):
    plant, section, parent = portfolio["plant"], portfolio["section"], portfolio["parent"]
    with transaction.atomic():
        with figures.figures_paused():
            CostEstimateFactory(project=plant, amount=3000 * M, as_of=D(2022, 1, 1))
            # The parent's cost: its section stops counting in totals (a project not written itself).
            CostEstimateFactory(project=parent, amount=900 * M, as_of=D(2022, 1, 1))
            assert ProjectFigures.objects.get(project=plant).current_cost_usd == 1000 * M  # paused: not yet
            assert ProjectFigures.objects.get(project=section).counted_in_totals is True
        # The pause ended: every project written, and the section, refreshed; the transaction goes on.
        assert ProjectFigures.objects.get(project=plant).current_cost_usd == 3000 * M
        assert ProjectFigures.objects.get(project=section).counted_in_totals is False
        CostEstimateFactory(project=plant, amount=4000 * M, as_of=D(2023, 1, 1))  # refreshed at once again
        assert ProjectFigures.objects.get(project=plant).current_cost_usd == 4000 * M
    assert assert_read_model_true() > 0


def test_a_pause_ended_by_a_failed_load_leaves_nothing(portfolio):
    plant = portfolio["plant"]
    with pytest.raises(RuntimeError), transaction.atomic(), figures.figures_paused():
        CostEstimateFactory(project=plant, amount=3000 * M, as_of=D(2022, 1, 1))
        raise RuntimeError("the load failed")
    assert ProjectFigures.objects.get(project=plant).current_cost_usd == 1000 * M
    CostEstimateFactory(project=plant, amount=4000 * M, as_of=D(2023, 1, 1))  # the triggers are on
    assert ProjectFigures.objects.get(project=plant).current_cost_usd == 4000 * M
    assert assert_read_model_true() > 0


def test_the_database_holds_the_function_compiled_from_this_code(db):
    assert figures.is_current()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE 'cpec_figures_%%' GROUP BY c.relname HAVING count(*) = 3"
        )
        watched = {row[0] for row in cursor.fetchall()}
    assert watched == {
        "projects_project",
        "projects_costestimate",
        "projects_projectstatuschange",
        "projects_decision",
        "projects_jccmeeting",
        "financing_financingline",
        "financing_financingchange",
        "financing_financingline_participants",
        "projects_historicalproject",
    }


def test_the_demo_portfolio(demo_db):
    assert assert_read_model_true() > 1000


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_to_one_project_are_refreshed_one_after_the_other():
    """Two transactions write to the same project at once: the second's refresh waits for the first
    to commit (a row lock on the project), then computes from both; nothing drifts, nothing fails."""
    import threading

    from django.db import connections

    plant = ProjectFactory(slug="plant")
    CostEstimateFactory(project=plant, amount=1000 * M, as_of=D(2016, 3, 1))
    line = new_line(plant, LenderFactory(slug="bank"), D(2016, 6, 1), status="proposed", share_percent=Decimal("60"))
    first_wrote, second_done, errors = threading.Event(), threading.Event(), []

    def second_writer():
        try:
            first_wrote.wait(10)
            with transaction.atomic():  # blocks in the refresh until the first commits
                financing_line_record_change(
                    line=FinancingLine.objects.get(pk=line.pk),
                    changed_on=D(2017, 1, 1),
                    status="agreed",
                    share_percent=Decimal("60"),
                )
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            second_done.set()
            connections.close_all()

    thread = threading.Thread(target=second_writer)
    thread.start()
    with transaction.atomic():
        CostEstimateFactory(project=plant, amount=2000 * M, as_of=D(2016, 12, 1))
        first_wrote.set()
        # The second writer's change is written, and its refresh waits for this transaction.
        assert not second_done.wait(1.0)
    thread.join(20)
    assert not errors, errors
    now = ProjectFigures.objects.get(project=plant)
    # 60% of the 2,000m the first transaction recorded, agreed by the second: both are in.
    assert (now.current_cost_usd, now.committed_usd) == (2000 * M, 1200 * M)
    assert assert_read_model_true() > 0


def test_a_line_value_out_of_step_is_caught(portfolio):
    """The comparison can fail: a stored line value changed behind the triggers' back."""
    assert assert_read_model_true() > 0
    line = portfolio["line"]
    assert LineFigures.objects.get(line=line).value_usd == 600 * M  # 60% of US$1,000m
    with connection.cursor() as cursor:
        cursor.execute("UPDATE financing_linefigures SET value_usd = 1 WHERE line_id = %s", [line.pk])
    with pytest.raises(AssertionError):
        assert_read_model_true()
    figures.refresh([portfolio["plant"].pk])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE financing_datedlinefigures SET status = 'agreed' WHERE line_id = %s AND validity @> %s::date",
            [line.pk, D(2016, 7, 1)],
        )
    with pytest.raises(AssertionError, match="lines as of"):
        assert_read_model_true()


def test_a_line_has_one_dated_row_per_state_and_value(portfolio):
    """Days of the same state and value are one row: the plant's estimate of 2016 does not split
    the line, which starts with its first change; a change of cost or status starts a new row."""
    plant, line = portfolio["plant"], portfolio["line"]
    CostEstimateFactory(project=plant, amount=1500 * M, as_of=D(2019, 1, 1))
    financing_line_record_change(line=line, changed_on=D(2020, 1, 1), status="agreed", share_percent=Decimal("60"))
    rows = [
        (r.validity.lower, r.validity.upper, r.status, r.value_usd)
        for r in DatedLineFigures.objects.filter(line=line).order_by("validity")
    ]
    assert rows == [
        (D(2016, 6, 1), D(2019, 1, 1), "proposed", 600 * M),
        (D(2019, 1, 1), D(2020, 1, 1), "proposed", 900 * M),
        (D(2020, 1, 1), None, "agreed", 900 * M),
    ]
    assert assert_read_model_true() > 0


def test_a_participant_added_or_removed_makes_the_line_a_syndicate_or_not(portfolio):
    line = portfolio["line"]
    member = LenderFactory(slug="member")
    line.participants.add(member)
    assert LineFigures.objects.get(line=line).syndicated is True
    assert set(DatedLineFigures.objects.filter(line=line).values_list("syndicated", flat=True)) == {True}
    assert assert_read_model_true() > 0
    line.participants.remove(member)
    assert LineFigures.objects.get(line=line).syndicated is False
    assert assert_read_model_true() > 0


@pytest.mark.django_db(transaction=True)
def test_a_changed_definition_rebuilds_every_project_and_compacts_the_read_model():
    """What ``migrate`` does when the compiled definition changed: every project rebuilt (here the
    lines' rows had been lost), then the read model reindexed concurrently, outside any transaction."""
    plant = ProjectFactory(slug="plant")
    CostEstimateFactory(project=plant, amount=1000 * M, as_of=D(2016, 3, 1))
    line = new_line(plant, LenderFactory(slug="bank"), D(2016, 6, 1), status="agreed", share_percent=Decimal("60"))
    with connection.cursor() as cursor:
        cursor.execute(f"COMMENT ON FUNCTION {figures.REFRESH}(bigint[]) IS 'an older definition'")
        cursor.execute("DELETE FROM financing_linefigures; DELETE FROM financing_datedlinefigures")
        cursor.execute("UPDATE financing_portfoliosums SET gap_usd = 1; DELETE FROM financing_lendersums")
    assert not figures.is_current()
    assert not connection.in_atomic_block
    assert figures.install() is True
    assert figures.is_current()
    assert LineFigures.objects.get(line=line).value_usd == 600 * M
    assert assert_read_model_true() > 0


def _sums(moment=None) -> dict:
    kpis, by_sector, statuses, _flagged = dashboard_sums.stored_portfolio_sums(as_of=moment)
    by_lender, _ = dashboard_sums.stored_lender_mixes(as_of=moment)
    return {
        "projects": kpis["projects"],
        "costed": kpis["costed"],
        "cost": kpis["cost_usd"] / M,
        "pipeline": kpis["pipeline_usd"] / M,
        "gap": kpis["gap_usd"] / M,
        "statuses": {row["status"]: row["projects"] for row in statuses},
        "lenders": {row["key"]: (row["committed_usd"] / M, row["pipeline_usd"] / M) for row in by_lender},
    }


def test_the_portfolio_sums_now_and_at_each_meeting_worked_by_hand(portfolio):
    """Parent (no cost), its section (US$200m from 2018, counted: the parent has no cost) and the
    plant (US$1,000m from March 2016; 60% proposed by the bank from June 2016)."""
    plant = portfolio["plant"]
    early = JCCMeetingFactory(number=5, date=D(2016, 4, 1))
    late = JCCMeetingFactory(number=9, date=D(2019, 6, 1))
    assert set(PortfolioMoment.objects.values_list("date", flat=True)) == {early.date, late.date}
    now = {"projects": 3, "costed": 2, "cost": 1200, "pipeline": 600, "gap": 600}
    assert _sums() == {**now, "statuses": {"approved": 3}, "lenders": {"bank": (0, 600)}}
    # April 2016: the section is not known yet, the bank's line not proposed yet.
    assert _sums(early.date) == {
        **{"projects": 2, "costed": 1, "cost": 1000, "pipeline": 0, "gap": 1000},
        "statuses": {"approved": 2},
        "lenders": {},
    }
    assert _sums(late.date) == _sums()
    # The meeting moved to July 2016: its sums are built afresh for the new date.
    JCCMeeting.objects.filter(pk=early.pk).update(date=D(2016, 7, 1))
    assert set(PortfolioMoment.objects.values_list("date", flat=True)) == {D(2016, 7, 1), late.date}
    assert not PortfolioSums.objects.filter(moment=D(2016, 4, 1)).exists()
    assert _sums(D(2016, 7, 1))["gap"] == 400
    assert dashboard_sums.stored_portfolio_sums(as_of=D(2016, 4, 1)) is None  # no meeting that day
    # An agreement, then the plant deleted: every date's sums lose it.
    financing_line_record_change(
        line=portfolio["line"], changed_on=D(2019, 1, 1), status="agreed", share_percent=Decimal("60")
    )
    assert _sums()["lenders"] == {"bank": (600, 0)}
    assert _sums(late.date)["lenders"] == {"bank": (600, 0)}
    assert assert_read_model_true() > 0
    # A project deleted: Django deletes it last, and its refresh takes its part out of every date.
    bare = ProjectFactory(slug="bare", status="proposed")
    assert _sums()["statuses"] == {"approved": 3, "proposed": 1}
    assert _sums(late.date)["projects"] == 4  # nothing dates it: known all along
    bare.delete()
    assert (_sums()["statuses"], _sums(late.date)["projects"]) == ({"approved": 3}, 3)
    FinancingChange.objects.filter(line=portfolio["line"]).delete()
    FinancingLine.objects.filter(pk=portfolio["line"].pk).delete()
    CostEstimate.objects.filter(project=plant).delete()
    plant.delete()
    assert _sums() == {
        **{"projects": 2, "costed": 1, "cost": 200, "pipeline": 0, "gap": 200},
        "statuses": {"approved": 2},
        "lenders": {},
    }
    assert not LenderSums.objects.filter(lines__gt=0).exists()
    assert assert_read_model_true() > 0
    late.delete()
    assert set(PortfolioMoment.objects.values_list("date", flat=True)) == {D(2016, 7, 1)}
    assert assert_read_model_true() > 0


def test_a_sum_out_of_step_is_caught(portfolio):
    """The comparison can fail: a stored sum changed behind the triggers' back."""
    JCCMeetingFactory(number=5, date=D(2016, 7, 1))
    assert assert_portfolio_sums_true() == 2
    with connection.cursor() as cursor:
        cursor.execute("UPDATE financing_portfoliosums SET gap_usd = gap_usd + 1 WHERE moment IS NOT NULL")
    with pytest.raises(AssertionError, match="sums as of 2016-07-01"):
        assert_portfolio_sums_true()
    figures.install()  # unchanged definition: nothing rebuilt
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {figures.REBUILD_SUMS}()")
        cursor.execute("UPDATE financing_lendersums SET value_usd = 1 WHERE moment IS NULL")
    with pytest.raises(AssertionError, match="lender mix as of now"):
        assert_portfolio_sums_true()


def test_the_largest_possible_overrun_is_stored_not_refused(db, immediate_constraints):
    """A cost of US$ 10^19 over a PC-I of one cent (both amounts the model allows, in rupees too) is
    an overrun of 10^23 percent: absurd, but valid data must never fail a write through the read model."""
    project = ProjectFactory()
    source = SourceFactory()
    CostEstimateFactory(
        project=project, amount=Decimal("0.01"), currency="USD", as_of=D(2020, 1, 1), basis="pc_i", source=source
    )
    huge = Decimal("10000000000000000000")
    CostEstimateFactory(project=project, amount=huge, currency="USD", as_of=D(2021, 1, 1), source=source)
    row = ProjectFigures.objects.get(project=project)
    assert row.overrun_usd_percent == Decimal("99999999999999999999900.0")
    assert row.overrun_flagged is True
