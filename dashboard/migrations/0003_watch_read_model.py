"""Data-version triggers on the read model's tables (financing 0006): every domain table has one."""

from importlib import import_module

from django.db import migrations

_first = import_module("dashboard.migrations.0001_data_version")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0002_watch_new_tables"),
        ("financing", "0006_read_model"),
    ]

    # create_triggers drops and recreates each table's trigger, so running it again is safe.
    operations = [migrations.RunPython(_first.create_triggers, migrations.RunPython.noop)]
