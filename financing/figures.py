"""The read model: each project's figures, kept by PostgreSQL in the statement that changes them.

``financing.selectors.figure_source`` defines a project's figures (cost of record, committed
and pipeline money, the flags, the status then, the date first known) as correlated
subqueries over the dated records. Computing that for every project on every portfolio
page was what made a page slow right after an edit (seconds at 10,000 projects). So the
figures are stored instead (``financing.models``):

- ``ProjectFigures``: one row per project, its figures now;
- ``DatedProjectFigures``: one row per project and date on which any record its figures are
  computed from is dated, valid until the next such date, so that "as of a date" is one
  indexed lookup per project;
- ``LineFigures`` and ``DatedLineFigures``: each financing line's status and US$ value (its
  share of the cost of record, else its amount) now, and over each stretch of days on which
  neither changed, so the lender charts sum stored values instead of valuing every line of the
  portfolio per request;
- ``PortfolioSums`` and ``LenderSums``: what the dashboard sums for the whole portfolio, now and
  as of each JCC meeting's date (``PortfolioMoment``), kept by difference: each refresh takes
  its projects' stored rows out of the sums first and adds the recomputed rows back
  (``sums_function_sql``), so the sums are always what the stored rows add up to.

**Kept by PostgreSQL.** Statement-level triggers on every table the figures are computed
from (with transition tables, so a bulk write costs one refresh per statement) call
``cpec_refresh_figures(project ids)``, which recomputes those projects' rows. Every writer —
the services, admin, imports, the loaders, plain SQL — keeps the read model true, inside
its own transaction: a rolled-back write leaves no trace, and a page read later in the
same transaction already sees the new figures. Concurrent refreshes of a project are
serialized on its row (``FOR NO KEY UPDATE``).

**One definition.** The refresh function's queries are compiled from ``figure_source`` (and a
line's value from ``line_value_usd``) by the ORM (``install``, run after every ``migrate``),
the date of an as-of query replaced by the date of each row; when the compiled SQL differs from
what the database holds, the function is replaced and every project's figures rebuilt.
``tests/financing/test_read_model.py`` recomputes everything from ``figure_source`` and
``LineStates`` after each kind of write and compares.

A bulk loader pauses the refreshes for a block of its transaction (``figures_paused``): the
triggers note the projects written, and each is refreshed once when the block ends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from contextlib import contextmanager, suppress
from decimal import Decimal

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Value
from psycopg2.extensions import AsIs

from projects.models import CostEstimate, Decision, JCCMeeting, Project, ProjectStatusChange

from .models import (
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
from .selectors import FIGURES, MONEY, LineStates, figure_source, line_value_usd

#: The as-of date the compiled query is built with, replaced by each row's date in SQL.
SENTINEL = dt.date(1111, 11, 11)
#: The project id the compiled query is built with, replaced by the ids asked for.
SENTINEL_ID = -987654321
#: The project cost the compiled value of a change is built with, replaced by each row's cost.
SENTINEL_COST = Decimal("-98765.43")
#: The first row of every project starts here: "as of" any date there is exactly one row.
BEGINNING = dt.date.min
#: The session setting a bulk loader sets to ``off`` for its transaction (``figures_paused``).
SETTING = "cpec.figures"
#: While paused, the triggers note the projects they would have refreshed here (a temporary table).
PENDING = "pg_temp.cpec_figures_pending"
REBUILD_BATCH = 500

REFRESH = "cpec_refresh_figures"
SUMS = "cpec_portfolio_sums"
SYNC_MOMENTS = "cpec_sync_moments"
REBUILD_SUMS = "cpec_rebuild_sums"
DROP = "cpec_drop_figures"
#: Held, shared, by every refresh until its transaction ends, and alone by a change of the dates
#: the sums are kept for: a date's sums are built from figures no unfinished refresh is changing.
SUMS_LOCK = 0x63706563  # "cpec"
#: Besides ``FIGURES``, what each row stores: what the portfolio's sums are grouped by.
KEYS = ("status_then", "sector", "planned_end")


def _compile(queryset, replace: dict) -> str:
    """The queryset's SQL with its parameters inlined, each sentinel in ``replace`` by its SQL."""
    sql, params = queryset.query.sql_with_params()
    found = set()

    def inline(param):
        for sentinel, expression in replace.items():
            if type(param) is type(sentinel) and param == sentinel:
                found.add(sentinel)
                return AsIs(expression)
        return param

    params = tuple(inline(p) for p in params)
    assert found == set(replace), f"not parameters of the query: {set(replace) - found}"
    with connection.cursor() as cursor:
        return cursor.cursor.mogrify(sql, params).decode()


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


#: The columns of a line's figures, as ``line_values`` selects them.
LINE_COLUMNS = ("line_id", "project_id", "lender_id", "status", "value_usd", "syndicated")


def line_values():
    """The state and US$ value now of each financing line of the project ``SENTINEL_ID``, as the
    lender charts sum them: ``LineStates.with_value`` over the project figures stored just
    before (``LINE_COLUMNS``, prefixed ``l_``)."""
    states = LineStates()
    rows = states.with_value(states.queryset(project=SENTINEL_ID)).order_by()
    return rows.values(
        l_line_id=F("pk"),
        l_project_id=F("project_id"),
        l_lender_id=F("lender_id"),
        l_status=F("status"),
        l_value_usd=F("value_usd"),
        l_syndicated=states.syndicated(),
    )


def change_value():
    """The US$ value of the financing change ``SENTINEL_ID`` at the project cost ``SENTINEL_COST``:
    ``line_value_usd``, as ``LineStates(as_of).with_value`` computes it as of a date."""
    cost = Value(SENTINEL_COST, output_field=MONEY)
    value = line_value_usd(cost, F("line__project__debt_percent"))
    return FinancingChange.objects.filter(pk=SENTINEL_ID).order_by().values(v=value)


def refresh_function_sql() -> str:
    """``cpec_refresh_figures(ids bigint[])``: recompute the four tables' rows of those projects."""
    # The project filter is compiled into the query, so PostgreSQL computes the figures of the
    # projects asked for only (a filter around the query would not reach inside its subqueries).
    of_one = Project.objects.filter(pk=SENTINEL_ID)
    now = _compile(figure_source(of_one).values("id", *FIGURES, *KEYS), {SENTINEL_ID: "asked.id"})
    then = _compile(
        figure_source(of_one, as_of=SENTINEL).values("id", *FIGURES, *KEYS, "first_known_on"),
        {SENTINEL_ID: "pairs.project_id", SENTINEL: "pairs.d"},
    )
    columns = ", ".join(_q(name) for name in (*FIGURES, *KEYS))
    from_s = ", ".join(f"s.{_q(name)}" for name in (*FIGURES, *KEYS))
    from_f = ", ".join(f"f.{_q(name)}" for name in (*FIGURES, *KEYS))
    project, estimate, line, change = (
        _table(Project),
        _table(CostEstimate),
        _table(FinancingLine),
        _table(FinancingChange),
    )
    status, decision, meeting = _table(ProjectStatusChange), _table(Decision), _table(JCCMeeting)
    current, dated = _table(ProjectFigures), _table(DatedProjectFigures)
    lines_now, lines_then = _table(LineFigures), _table(DatedLineFigures)
    line_columns = ", ".join(_q(name) for name in LINE_COLUMNS)
    from_l = ", ".join(f"l.l_{name}" for name in LINE_COLUMNS)
    line_now = _compile(line_values(), {SENTINEL_ID: "asked.id"})
    value_then = _compile(change_value(), {SENTINEL_ID: "s.id", SENTINEL_COST: "f.current_cost_usd"})
    # The ids are joined as a set (unnest), never tested with "= ANY(ids)" row by row: a
    # rebuild passes thousands of them.
    asked = "(SELECT DISTINCT unnest(ids) AS id) asked"
    return f"""
CREATE OR REPLACE FUNCTION {REFRESH}(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $refresh$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    -- One refresh of a project at a time: the later one waits, then sees the other's data.
    PERFORM 1 FROM {project} p JOIN {asked} ON p.id = asked.id ORDER BY p.id FOR NO KEY UPDATE OF p;
    -- The portfolio's sums lose these projects' part as stored, and gain it back once recomputed.
    PERFORM pg_advisory_xact_lock_shared({SUMS_LOCK});
    PERFORM {SUMS}(ids, ARRAY(SELECT date FROM {_table(PortfolioMoment)} ORDER BY date), true, -1);

    DELETE FROM {current} c USING {asked} WHERE c.project_id = asked.id;
    INSERT INTO {current} (project_id, {columns})
    SELECT s.id, {from_s} FROM {asked} CROSS JOIN LATERAL ({now}) s;

    DELETE FROM {dated} c USING {asked} WHERE c.project_id = asked.id;
    INSERT INTO {dated} (project_id, validity, {columns}, known)
    WITH asked AS MATERIALIZED (SELECT DISTINCT unnest(ids) AS id), marks AS (
        SELECT p.id AS project_id, DATE '{BEGINNING.isoformat()}' AS d FROM {project} p JOIN asked ON p.id = asked.id
        UNION SELECT e.project_id, e.as_of FROM {estimate} e JOIN asked ON e.project_id = asked.id
        UNION SELECT p.id, e.as_of FROM {project} p JOIN asked ON p.id = asked.id
              JOIN {estimate} e ON e.project_id = p.parent_id
        UNION SELECT l.project_id, c.changed_on FROM {line} l JOIN asked ON l.project_id = asked.id
              JOIN {change} c ON c.line_id = l.id
        UNION SELECT s.project_id, s.changed_on FROM {status} s JOIN asked ON s.project_id = asked.id
        UNION SELECT p.id, p.financial_close_on FROM {project} p JOIN asked ON p.id = asked.id
              WHERE p.financial_close_on IS NOT NULL
        UNION SELECT d.project_id, min(m.date) FROM {decision} d JOIN asked ON d.project_id = asked.id
              JOIN {meeting} m ON m.id = d.meeting_id GROUP BY d.project_id
    ), pairs AS (
        SELECT project_id, d, lead(d) OVER (PARTITION BY project_id ORDER BY d) AS next_d FROM marks
    )
    SELECT pairs.project_id, daterange(pairs.d, pairs.next_d, '[)'), {from_f},
           (f.first_known_on IS NULL OR pairs.d >= f.first_known_on)
    FROM pairs CROSS JOIN LATERAL ({then}) f;

    -- Each line's value now, from the project's figures just stored.
    DELETE FROM {lines_now} c USING {asked} WHERE c.project_id = asked.id;
    INSERT INTO {lines_now} ({line_columns})
    SELECT {from_l} FROM {asked} CROSS JOIN LATERAL ({line_now}) l;

    -- Each line's state and value as known on each day from its first change: the state of its
    -- day's last change, valued at its project's cost then (each stretch of days over which both
    -- hold is one span), consecutive spans of the same state and value merged.
    DELETE FROM {lines_then} c USING {asked} WHERE c.project_id = asked.id;
    INSERT INTO {lines_then} ({line_columns}, validity)
    WITH asked AS MATERIALIZED (SELECT DISTINCT unnest(ids) AS id), latest AS (
        SELECT DISTINCT ON (c.line_id, c.changed_on) c.id, c.line_id, c.changed_on, c.status
        FROM {change} c JOIN {line} l ON l.id = c.line_id JOIN asked ON l.project_id = asked.id
        ORDER BY c.line_id, c.changed_on, c.id DESC
    ), spans AS (
        SELECT *, daterange(changed_on, lead(changed_on) OVER (PARTITION BY line_id ORDER BY changed_on), '[)') AS span
        FROM latest
    ), cost_marked AS (
        -- The project's dated rows merged into stretches of one cost: a line's value changes with
        -- the cost only, so it is split there and not at every other dated change of its project.
        SELECT f.project_id, f.current_cost_usd, f.validity,
               CASE WHEN lag(f.current_cost_usd) OVER w IS NOT DISTINCT FROM f.current_cost_usd THEN 0 ELSE 1 END
                   AS starts
        FROM {dated} f JOIN asked ON f.project_id = asked.id
        WINDOW w AS (PARTITION BY f.project_id ORDER BY lower(f.validity))
    ), cost_runs AS (
        SELECT *, sum(starts) OVER (PARTITION BY project_id ORDER BY lower(validity)) AS run FROM cost_marked
    ), costs AS (
        SELECT project_id, min(current_cost_usd) AS current_cost_usd,
               daterange(min(lower(validity)), CASE WHEN bool_or(upper_inf(validity)) THEN NULL
                                                    ELSE max(upper(validity)) END, '[)') AS validity
        FROM cost_runs GROUP BY project_id, run
    ), states AS (
        SELECT n.line_id AS l_line_id, n.project_id AS l_project_id, n.lender_id AS l_lender_id,
               s.status AS l_status, v.v AS l_value_usd, n.syndicated AS l_syndicated,
               lower(s.span * f.validity) AS lo, upper(s.span * f.validity) AS hi
        FROM spans s JOIN {lines_now} n ON n.line_id = s.line_id
        JOIN costs f ON f.project_id = n.project_id AND f.validity && s.span
        CROSS JOIN LATERAL ({value_then}) v
    ), marked AS (
        SELECT *, CASE WHEN lag(hi) OVER w = lo AND lag(l_status) OVER w = l_status
                        AND lag(l_value_usd) OVER w IS NOT DISTINCT FROM l_value_usd THEN 0 ELSE 1 END AS starts
        FROM states WINDOW w AS (PARTITION BY l_line_id ORDER BY lo)
    ), runs AS (
        SELECT *, sum(starts) OVER (PARTITION BY l_line_id ORDER BY lo) AS run FROM marked
    )
    SELECT l_line_id, min(l_project_id), min(l_lender_id), min(l_status), min(l_value_usd), bool_or(l_syndicated),
           daterange(min(lo), CASE WHEN bool_or(hi IS NULL) THEN NULL ELSE max(hi) END, '[)')
    FROM runs GROUP BY l_line_id, run;

    PERFORM {SUMS}(ids, ARRAY(SELECT date FROM {_table(PortfolioMoment)} ORDER BY date), true, 1);
END
$refresh$;
"""


#: ``PortfolioSums``' measures: column and the aggregate over a project's stored row (``f``) that
#: gives it, as ``dashboard.selectors.portfolio.portfolio_kpis`` sums a filtered portfolio.
_COSTED = "f.counted_in_totals AND f.current_cost_usd IS NOT NULL"
_UNCOSTED = "f.counted_in_totals AND f.current_cost_usd IS NULL"
SUM_MEASURES = {
    "projects": "count(*)",
    "costed": f"count(*) FILTER (WHERE {_COSTED})",
    "sections_in_parent": "count(*) FILTER (WHERE NOT f.counted_in_totals)",
    "undisclosed": f"count(*) FILTER (WHERE {_COSTED} AND f.committed_unknown_usd > 0)",
    "over_committed": f"count(*) FILTER (WHERE {_COSTED} AND f.committed_usd > f.committed_part_usd)",
    "uncosted_committed": f"count(*) FILTER (WHERE {_UNCOSTED} AND f.committed_usd > 0)",
    "overruns": "count(*) FILTER (WHERE f.overrun_flagged)",
    "cost_usd": "sum(f.current_cost_usd) FILTER (WHERE f.counted_in_totals)",
    "cost_pkr": "sum(f.current_cost_pkr) FILTER (WHERE f.counted_in_totals)",
    "committed_usd": f"sum(f.committed_part_usd) FILTER (WHERE {_COSTED})",
    "committed_unknown_usd": f"sum(f.committed_unknown_usd) FILTER (WHERE {_COSTED})",
    "pipeline_usd": f"sum(f.pipeline_part_usd) FILTER (WHERE {_COSTED})",
    "gap_usd": f"sum(f.funding_gap_usd) FILTER (WHERE {_COSTED})",
    "over_committed_usd": f"sum(f.committed_usd - f.committed_part_usd) FILTER (WHERE {_COSTED})",
    "committed_uncosted_usd": f"sum(f.committed_usd) FILTER (WHERE {_UNCOSTED})",
}


def sums_function_sql() -> str:
    """``cpec_portfolio_sums(ids, moments, with_now, sign)``: add (``sign`` 1) or take out (-1) the
    part of the projects ``ids`` in the portfolio's sums (``PortfolioSums``, ``LenderSums``) now
    (``with_now``) and as of each date of ``moments``, from their rows as stored at that point.

    ``cpec_sync_moments()`` keeps the dates (``PortfolioMoment``) those of the JCC meetings, building
    a new date's sums from every project; ``cpec_rebuild_sums()`` builds everything afresh;
    ``cpec_drop_figures(ids)`` takes projects out of the sums and the read model (``drop``).
    """
    sums, lenders, moments = _table(PortfolioSums), _table(LenderSums), _table(PortfolioMoment)
    current, dated = _table(ProjectFigures), _table(DatedProjectFigures)
    lines_now, lines_then = _table(LineFigures), _table(DatedLineFigures)
    project, meeting = _table(Project), _table(JCCMeeting)
    names = ", ".join(SUM_MEASURES)
    signed = ", ".join(f"sign * coalesce({aggregate}, 0)" for aggregate in SUM_MEASURES.values())
    added = ", ".join(f"{name} = s.{name} + EXCLUDED.{name}" for name in SUM_MEASURES)
    zeros = ", ".join("0" for _ in SUM_MEASURES)
    row_columns = "f.current_cost_usd, f.current_cost_pkr, f.committed_usd, f.counted_in_totals, f.overrun_flagged, "
    row_columns += ", ".join(
        f"f.{part}" for part in ("committed_part_usd", "committed_unknown_usd", "pipeline_part_usd", "funding_gap_usd")
    )
    everyone = f"ARRAY(SELECT id FROM {project} ORDER BY id)"
    meeting_dates = f"SELECT DISTINCT date FROM {meeting}"
    return f"""
CREATE OR REPLACE FUNCTION {SUMS}(ids bigint[], moments date[], with_now boolean, sign integer)
RETURNS void LANGUAGE plpgsql AS $sums$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    -- Rows are upserted in key order, so concurrent refreshes lock them in the same order.
    INSERT INTO {sums} AS s (moment, dimension, key, {names})
    WITH asked AS MATERIALIZED (SELECT DISTINCT unnest(ids) AS id), stored AS (
        SELECT NULL::date AS moment, f.sector, f.status_then, {row_columns}
        FROM {current} f JOIN asked ON f.project_id = asked.id WHERE with_now
        UNION ALL
        SELECT m.d, f.sector, f.status_then, {row_columns}
        FROM unnest(moments) m(d) JOIN {dated} f ON f.validity @> m.d AND f.known
        JOIN asked ON f.project_id = asked.id
    )
    SELECT f.moment,
           CASE WHEN GROUPING(f.sector) = 0 THEN 'sector' WHEN GROUPING(f.status_then) = 0 THEN 'status'
                ELSE 'all' END AS dimension,
           CASE WHEN GROUPING(f.sector) = 0 THEN f.sector WHEN GROUPING(f.status_then) = 0 THEN f.status_then
                ELSE '' END AS key,
           {signed}
    FROM stored f
    GROUP BY GROUPING SETS ((f.moment), (f.moment, f.sector), (f.moment, f.status_then))
    ORDER BY 1 NULLS FIRST, 2, 3
    ON CONFLICT (moment, dimension, key) DO UPDATE SET {added};

    INSERT INTO {lenders} AS s (moment, lender_id, status, syndicate_line, lines, value_usd)
    WITH asked AS MATERIALIZED (SELECT DISTINCT unnest(ids) AS id), stored AS (
        SELECT NULL::date AS moment, l.lender_id, l.status, CASE WHEN l.syndicated THEN l.line_id END AS line,
               l.value_usd
        FROM {lines_now} l JOIN asked ON l.project_id = asked.id
        JOIN {current} f ON f.project_id = l.project_id AND f.counted_in_totals
        WHERE with_now
        UNION ALL
        SELECT m.d, l.lender_id, l.status, CASE WHEN l.syndicated THEN l.line_id END, l.value_usd
        FROM unnest(moments) m(d) JOIN {lines_then} l ON l.validity @> m.d
        JOIN asked ON l.project_id = asked.id
        JOIN {dated} f ON f.project_id = l.project_id AND f.validity @> m.d AND f.known AND f.counted_in_totals
    )
    SELECT moment, lender_id, status, line, sign * count(*), sign * coalesce(sum(value_usd), 0)
    FROM stored GROUP BY moment, lender_id, status, line
    ORDER BY 1 NULLS FIRST, 2, 3, 4 NULLS FIRST
    ON CONFLICT (moment, lender_id, status, syndicate_line)
        DO UPDATE SET lines = s.lines + EXCLUDED.lines, value_usd = s.value_usd + EXCLUDED.value_usd;
    -- Rows left with no project or line stay (zero), so a refresh never scans the tables for them:
    -- the readers skip them, and a rebuild drops them.
END
$sums$;

CREATE OR REPLACE FUNCTION {SYNC_MOMENTS}() RETURNS void LANGUAGE plpgsql AS $sync$
DECLARE
    added date[];
BEGIN
    IF NOT EXISTS (SELECT date FROM {moments} EXCEPT {meeting_dates})
       AND NOT EXISTS ({meeting_dates} EXCEPT SELECT date FROM {moments}) THEN
        RETURN;
    END IF;
    -- No refresh is under way meanwhile: a new date's sums are built from settled figures.
    PERFORM pg_advisory_xact_lock({SUMS_LOCK});
    DELETE FROM {sums} WHERE moment IN (SELECT date FROM {moments} EXCEPT {meeting_dates});
    DELETE FROM {lenders} WHERE moment IN (SELECT date FROM {moments} EXCEPT {meeting_dates});
    DELETE FROM {moments} WHERE date IN (SELECT date FROM {moments} EXCEPT {meeting_dates});
    added := ARRAY({meeting_dates} EXCEPT SELECT date FROM {moments} ORDER BY 1);
    IF cardinality(added) > 0 THEN
        INSERT INTO {moments} (date) SELECT unnest(added);
        INSERT INTO {sums} (moment, dimension, key, {names}) SELECT unnest(added), 'all', '', {zeros};
        PERFORM {SUMS}({everyone}, added, false, 1);
    END IF;
END
$sync$;

CREATE OR REPLACE FUNCTION {REBUILD_SUMS}() RETURNS void LANGUAGE plpgsql AS $rebuild$
BEGIN
    PERFORM pg_advisory_xact_lock({SUMS_LOCK});
    DELETE FROM {sums};
    DELETE FROM {lenders};
    DELETE FROM {moments};
    INSERT INTO {sums} (moment, dimension, key, {names}) VALUES (NULL, 'all', '', {zeros});
    PERFORM {SUMS}({everyone}, ARRAY[]::date[], true, 1);
    PERFORM {SYNC_MOMENTS}();
END
$rebuild$;

CREATE OR REPLACE FUNCTION {DROP}(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $drop$
BEGIN
    PERFORM pg_advisory_xact_lock_shared({SUMS_LOCK});
    PERFORM {SUMS}(ids, ARRAY(SELECT date FROM {moments} ORDER BY date), true, -1);
    DELETE FROM {lines_then} c USING (SELECT DISTINCT unnest(ids) AS id) asked WHERE c.project_id = asked.id;
    DELETE FROM {lines_now} c USING (SELECT DISTINCT unnest(ids) AS id) asked WHERE c.project_id = asked.id;
    DELETE FROM {dated} c USING (SELECT DISTINCT unnest(ids) AS id) asked WHERE c.project_id = asked.id;
    DELETE FROM {current} c USING (SELECT DISTINCT unnest(ids) AS id) asked WHERE c.project_id = asked.id;
END
$drop$;

CREATE OR REPLACE FUNCTION cpec_moments_changed() RETURNS trigger LANGUAGE plpgsql AS $trigger$
BEGIN
    PERFORM {SYNC_MOMENTS}();
    RETURN NULL;
END
$trigger$;
DROP TRIGGER IF EXISTS cpec_moments_changed ON {meeting};
CREATE TRIGGER cpec_moments_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {meeting}
    FOR EACH STATEMENT EXECUTE FUNCTION cpec_moments_changed();
"""


#: For each table the figures are computed from: the projects a set of its rows (``{rows}``,
#: a transition table) concerns.
def _watched() -> dict:
    project, line, decision = _table(Project), _table(FinancingLine), _table(Decision)
    return {
        Project: "SELECT id FROM {rows}",
        # A section's figures read its parent's cost (``counted_in_totals``).
        CostEstimate: f"SELECT project_id FROM {{rows}} UNION SELECT p.id FROM {project} p "
        "JOIN {rows} r ON p.parent_id = r.project_id",
        FinancingLine: "SELECT project_id FROM {rows}",
        FinancingChange: f"SELECT l.project_id FROM {{rows}} r JOIN {line} l ON l.id = r.line_id",
        # Whether a line is syndicated (``LineFigures.syndicated``).
        FinancingLine.participants.through: (
            f"SELECT l.project_id FROM {{rows}} r JOIN {line} l ON l.id = r.financingline_id"
        ),
        ProjectStatusChange: "SELECT project_id FROM {rows}",
        Decision: "SELECT project_id FROM {rows}",
        # The original planned completion is read from the project's audit history.
        Project.history.model: "SELECT id FROM {rows}",
        # A meeting moved to another day moves the day its projects were first known.
        JCCMeeting: f"SELECT d.project_id FROM {decision} d JOIN {{rows}} r ON d.meeting_id = r.id",
    }


def _trigger_sql(model, select: str) -> str:
    table = model._meta.db_table
    statements = []
    for event, rows in (("INSERT", ["new_rows"]), ("UPDATE", ["old_rows", "new_rows"]), ("DELETE", ["old_rows"])):
        name = f"cpec_figures_{event.lower()}"
        function = f"{name}_{table}"
        ids = " UNION ".join(select.format(rows=r) for r in rows)
        referencing = " ".join(f"{'OLD' if r == 'old_rows' else 'NEW'} TABLE AS {r}" for r in rows)
        statements.append(
            f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $trigger$
BEGIN
    IF coalesce(current_setting('{SETTING}', true), '') <> 'off' THEN
        PERFORM {REFRESH}(ARRAY(SELECT DISTINCT x FROM ({ids}) touched(x) WHERE x IS NOT NULL ORDER BY x));
    ELSE  -- paused (figures_paused): noted, refreshed once when the pause ends
        INSERT INTO {PENDING} (id) SELECT DISTINCT x FROM ({ids}) touched(x) WHERE x IS NOT NULL
            ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$trigger$;
DROP TRIGGER IF EXISTS {name} ON {_q(table)};
CREATE TRIGGER {name} AFTER {event} ON {_q(table)} REFERENCING {referencing}
    FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""
        )
    return "".join(statements)


def install_sql() -> str:
    """Everything ``install`` runs: the refresh function and every table's triggers."""
    triggers = "".join(_trigger_sql(model, select) for model, select in _watched().items())
    return sums_function_sql() + refresh_function_sql() + triggers


def _digest(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()


def installed_digest() -> str | None:
    """The digest of the SQL the database holds (the refresh function's comment), or None."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT obj_description(to_regproc('{REFRESH}'), 'pg_proc')")
        row = cursor.fetchone()
    return row[0] if row else None


def is_current() -> bool:
    """True when the database's refresh function is the one compiled from this code."""
    return installed_digest() == _digest(install_sql())


def install(*, verbosity: int = 1, stdout=None) -> bool:
    """Create or replace the refresh function and triggers; when they changed, rebuild every
    project's figures (in batches, each its own transaction). Returns True when rebuilt."""
    sql = install_sql()
    digest = _digest(sql)
    if installed_digest() == digest:
        return False
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.execute(f"COMMENT ON FUNCTION {REFRESH}(bigint[]) IS %s", [digest])
            # The sums are built from the rows as stored; each batch below then replaces its
            # projects' part, so they agree with the stored rows after every batch.
            cursor.execute(f"SELECT {REBUILD_SUMS}()")
    ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), REBUILD_BATCH):
        with transaction.atomic():
            refresh(ids[start : start + REBUILD_BATCH])
    if ids:
        _compact()
    if verbosity and stdout is not None and ids:
        stdout.write(f"  Rebuilt the figures of {len(ids):,} projects (their definition changed).\n")
    return True


READ_MODEL = (ProjectFigures, DatedProjectFigures, LineFigures, DatedLineFigures, PortfolioSums, LenderSums)


def _compact() -> None:
    """After a rebuild, which replaced every row: the read model's indexes rebuilt (a range index
    left half empty by the replaced rows made "as of a date" lookups 2–3× slower) and its
    statistics renewed. ``REINDEX CONCURRENTLY`` lets pages read and edits write meanwhile; it
    cannot run inside a transaction, where only the statistics are renewed."""
    with connection.cursor() as cursor:
        for model in READ_MODEL:
            if not connection.in_atomic_block:
                cursor.execute(f"REINDEX TABLE CONCURRENTLY {_table(model)}")
            cursor.execute(f"ANALYZE {_table(model)}")


def drop(project_ids: Iterable[int]) -> None:
    """Take these projects out of the read model and the portfolio's sums, in this transaction:
    for a bulk delete that must remove the rows referring to them before deleting them (their
    refresh, when they are gone, then finds nothing to take out or add)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {DROP}(%s::bigint[])", [sorted(set(project_ids))])


def refresh(project_ids: Iterable[int]) -> None:
    """Recompute the figures of these projects, in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {REFRESH}(%s::bigint[])", [sorted(set(project_ids))])


@contextmanager
def figures_paused():
    """Refresh each project once at the end instead of after every statement (a bulk loader's
    transaction): the triggers note the projects written while paused, and those are refreshed
    when the block ends, before the transaction commits."""
    if not connection.in_atomic_block:
        raise RuntimeError("figures_paused() needs a transaction: the projects are refreshed before it ends")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {PENDING.split('.')[1]} (id bigint PRIMARY KEY) ON COMMIT DROP"
        )
        cursor.execute("SELECT set_config(%s, 'off', true)", [SETTING])
    try:
        yield
    except BaseException:
        # After a database error the transaction (or its savepoint) is rolled back, which undoes
        # the writes, the notes and the setting by itself; after another error the writes may
        # still be committed by the caller, so they are refreshed as well.
        if not connection.needs_rollback:
            with suppress(DatabaseError):
                _resume()
        raise
    else:
        _resume()


def _resume() -> None:
    """End a pause: the triggers on again, and the projects noted meanwhile refreshed once.

    After a bulk load (as many projects as a rebuild batch, or more) the tables are analysed first:
    the planner would otherwise plan the refresh for the nearly empty tables it last saw, and
    refreshing 10,000 freshly loaded projects took minutes instead of seconds.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [SETTING])
        cursor.execute(f"SELECT count(*) FROM {PENDING}")
        if cursor.fetchone()[0] >= REBUILD_BATCH:
            for model in (*_watched(), *READ_MODEL):
                cursor.execute(f"ANALYZE {_table(model)}")
        cursor.execute(f"SELECT {REFRESH}(ARRAY(SELECT id FROM {PENDING} ORDER BY id))")
        cursor.execute(f"DELETE FROM {PENDING}")
