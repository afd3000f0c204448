"""Data-version triggers on the line read model's tables (financing 0009): every domain table has one."""

from importlib import import_module

from django.db import migrations

_first = import_module("dashboard.migrations.0001_data_version")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0003_watch_read_model"),
        ("financing", "0009_line_read_model"),
    ]

    # create_triggers drops and recreates each table's trigger, so running it again is safe.
    operations = [migrations.RunPython(_first.create_triggers, migrations.RunPython.noop)]
