"""Data-version triggers on the PSDP figures (budget 0001): every domain table has one."""

from importlib import import_module

from django.db import migrations

_first = import_module("dashboard.migrations.0001_data_version")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0005_watch_portfolio_sums"),
        ("budget", "0001_initial"),
    ]

    # create_triggers drops and recreates each table's trigger, so running it again is safe.
    operations = [migrations.RunPython(_first.create_triggers, migrations.RunPython.noop)]
