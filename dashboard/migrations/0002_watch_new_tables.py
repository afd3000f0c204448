"""Data-version triggers on the tables added since 0001 (the syndicate participants)."""

from importlib import import_module

from django.db import migrations

_first = import_module("dashboard.migrations.0001_data_version")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_data_version"),
        ("projects", "0003_financing_structure_and_estimate_bounds"),
        ("financing", "0003_share_basis_syndicates_in_plan"),
    ]

    # create_triggers drops and recreates each table's trigger, so running it again is safe.
    operations = [migrations.RunPython(_first.create_triggers, migrations.RunPython.noop)]
