"""Data-version triggers on the portfolio's sums (financing 0011): every domain table has one."""

from importlib import import_module

from django.db import migrations

_first = import_module("dashboard.migrations.0001_data_version")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0004_watch_line_read_model"),
        ("financing", "0011_portfolio_sums"),
    ]

    # create_triggers drops and recreates each table's trigger, so running it again is safe.
    operations = [migrations.RunPython(_first.create_triggers, migrations.RunPython.noop)]
