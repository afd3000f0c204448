"""manage.py load_cpec_demo: the sourced demonstration portfolio and two demo logins."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cpec_site.demo import DEMO_DIR, DemoDataError, DemoLoader
from cpec_site.roles import ADMIN, EDITOR, VIEWER, roles_assign, roles_setup

DEMO_USERS = (
    # username, environment variable with the password, role
    ("admin", "DEMO_ADMIN_PASSWORD", ADMIN),
    ("editor", "DEMO_EDITOR_PASSWORD", EDITOR),
    ("viewer", "DEMO_VIEWER_PASSWORD", VIEWER),
)
ROLE_NOTES = {ADMIN: "administrator", EDITOR: "editor: admin data entry", VIEWER: "viewer: dashboard pages only"}


class Command(BaseCommand):
    help = (
        "Load the demonstration CPEC portfolio from data/demo/*.yaml and create the demo "
        "logins 'admin', 'editor' and 'viewer' with their roles. Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--data-dir", default=str(DEMO_DIR), help="Folder holding the demo YAML files.")
        parser.add_argument("--no-users", action="store_true", help="Load the data only; create no logins.")
        parser.add_argument(
            "--without-meeting",
            type=int,
            action="append",
            default=[],
            metavar="NUMBER",
            help=(
                "Leave out this JCC meeting, its decisions and everything they changed, to rehearse "
                "entering it through the admin. Repeat for several meetings."
            ),
        )

    def handle(self, *args, data_dir, no_users, without_meeting, **options):
        try:
            with transaction.atomic():
                report = DemoLoader(data_dir, without_meetings=without_meeting).load()
                logins = [] if no_users else self.ensure_users()
        except (DemoDataError, FileNotFoundError) as exc:
            raise CommandError(f"Demo data not loaded (nothing was written): {exc}") from exc
        if options["verbosity"] < 1:
            return
        for name in sorted(set(report.created) | set(report.updated)):
            self.stdout.write(f"  {name}: {report.created[name]} created, {report.updated[name]} already there")
        self.stdout.write(self.style.SUCCESS("Demo portfolio loaded."))
        for username, password, role in logins:
            self.stdout.write(f"  login {username!r} ({role}) with password {password!r}")

    def ensure_users(self):
        User = get_user_model()
        roles_setup()
        logins = []
        for username, variable, role in DEMO_USERS:
            password = os.environ.get(variable) or secrets.token_urlsafe(12)
            user, _ = User.objects.get_or_create(username=username)
            user.is_superuser = role == ADMIN
            user.is_active = True
            user.set_password(password)
            user.save()
            roles_assign(user, role)
            logins.append((username, password, ROLE_NOTES[role]))
        return logins
