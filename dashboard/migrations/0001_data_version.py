"""The data version row and the triggers that move it (see dashboard/models.py)."""

from django.db import migrations, models

#: The domain apps (``cpec_site.roles.DOMAIN_APPS``; "budget" came with budget 0001 and dashboard 0006).
WATCHED_APPS = ("projects", "financing", "budget")
#: Tables of figures computed once and kept (financing 0018: loan schedules), not data anyone entered:
#: writing them changes no page's figures, so they move no version.
UNWATCHED_TABLES = frozenset(
    {"financing_loanschedule", "financing_loanscheduleyear", "financing_loanschedulegroup", "financing_loanschedulegroupyear"}
)

# A sequence, not a counter: nextval is never rolled back, so a version seen inside a
# transaction that is then rolled back is never given to other data.
FUNCTION = """
CREATE SEQUENCE IF NOT EXISTS dashboard_data_version_seq;
CREATE OR REPLACE FUNCTION dashboard_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO dashboard_dataversion (id, version, changed_at)
    VALUES (1, nextval('dashboard_data_version_seq'), clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END
$$;
"""


def watched_tables(apps) -> list[str]:
    """Every table of the domain apps, many-to-many tables included, audit-history tables left out."""
    tables = set()
    for label in WATCHED_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:  # an app whose first migration has not run at this point of the history
            continue
        for model in config.get_models(include_auto_created=True):
            if not model.__name__.startswith("Historical") and model._meta.db_table not in UNWATCHED_TABLES:
                tables.add(model._meta.db_table)
    return sorted(tables)


def create_triggers(apps, schema_editor):
    schema_editor.execute(FUNCTION)
    schema_editor.execute(
        "INSERT INTO dashboard_dataversion (id, version, changed_at) "
        "VALUES (1, nextval('dashboard_data_version_seq'), clock_timestamp()) ON CONFLICT (id) DO NOTHING"
    )
    for table in watched_tables(apps):
        name = schema_editor.quote_name(table)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS dashboard_data_changed ON {name}")
        schema_editor.execute(
            f"CREATE TRIGGER dashboard_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {name} "
            "FOR EACH STATEMENT EXECUTE FUNCTION dashboard_data_changed()"
        )


def drop_triggers(apps, schema_editor):
    for table in watched_tables(apps):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS dashboard_data_changed ON {schema_editor.quote_name(table)}")
    schema_editor.execute("DROP FUNCTION IF EXISTS dashboard_data_changed()")
    schema_editor.execute("DROP SEQUENCE IF EXISTS dashboard_data_version_seq")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("projects", "0002_decision_effects"),
        ("financing", "0002_live_shares_trigger"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=1)),
                ("changed_at", models.DateTimeField()),
            ],
            options={
                "constraints": [models.CheckConstraint(condition=models.Q(id=1), name="dashboard_dataversion_single_row")]
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
