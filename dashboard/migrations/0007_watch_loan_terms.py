"""Data-version triggers on the loan terms (financing 0016): every domain table has one."""

from importlib import import_module

from django.db import migrations

_first = import_module("dashboard.migrations.0001_data_version")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0006_watch_psdp"),
        ("financing", "0016_loan_terms"),
    ]

    # create_triggers drops and recreates each table's trigger, so running it again is safe.
    operations = [migrations.RunPython(_first.create_triggers, migrations.RunPython.noop)]
