"""manage.py export_oc4ids: the whole portfolio as an OC4IDS 0.9 project package (docs/oc4ids.md)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dashboard.asof import moment_from
from dashboard.selectors import portfolio_projects
from opendata.exports import oc4ids_package
from opendata.oc4ids import dumps
from opendata.schema import codelist_errors, schema_errors


class Command(BaseCommand):
    help = (
        "Write the portfolio as an OC4IDS 0.9 project package (JSON), now or as of a date or JCC meeting, "
        "checked against the official schema and codelists first."
    )

    def add_arguments(self, parser):
        moment = parser.add_mutually_exclusive_group()
        moment.add_argument("--as-of", metavar="DATE", help="As known at the end of this day (YYYY-MM-DD).")
        moment.add_argument("--as-of-jcc", metavar="N", help="As of the day of the Nth JCC meeting.")
        parser.add_argument("--output", "-o", metavar="FILE", help="Write here instead of to standard output.")
        parser.add_argument(
            "--no-validate", action="store_true", help="Skip the check against the schema (faster for large exports)."
        )

    def handle(self, *args, as_of=None, as_of_jcc=None, output=None, no_validate=False, **options):
        data = {key: value for key, value in (("as_of", as_of), ("as_of_jcc", as_of_jcc)) if value is not None}
        form, moment, valid = moment_from(data or None)
        if not valid:
            messages = [f"--{field.replace('_', '-')}: {' '.join(errors)}" for field, errors in form.errors.items()]
            raise CommandError("; ".join(messages))
        package = oc4ids_package(projects=portfolio_projects(as_of=moment.date), moment=moment, query=moment.query)
        if not package.get("projects"):
            raise CommandError("No project was known then: OC4IDS needs at least one project in a package.")
        if not no_validate:
            errors = schema_errors(package) + codelist_errors(package)
            if errors:
                raise CommandError("The package does not follow OC4IDS 0.9:\n" + "\n".join(errors[:50]))
        text = dumps(package)
        if output:
            try:
                Path(output).write_text(text + "\n", encoding="utf-8")
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
            count = len(package["projects"])
            self.stderr.write(
                f"Wrote {count} projects to {output}" + (f" as of {moment.label}" if moment.label else "")
            )
        else:
            sys.stdout.write(text + "\n")
