"""manage.py setup_roles: create or update the Viewer, Editor and Admin groups."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cpec_site.roles import ROLES, roles_assign, roles_setup


class Command(BaseCommand):
    help = "Create or update the Viewer, Editor and Admin groups; optionally give users a role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--assign",
            nargs=2,
            action="append",
            metavar=("USERNAME", "ROLE"),
            default=[],
            help=f"Give USERNAME the ROLE ({', '.join(ROLES)}). Repeatable.",
        )

    def handle(self, *args, assign, **options):
        counts = roles_setup()
        for name, count in counts.items():
            self.stdout.write(f"  {name}: {count} permissions")
        User = get_user_model()
        for username, role in assign:
            try:
                roles_assign(User.objects.get(username=username), role)
            except User.DoesNotExist:
                raise CommandError(f"No user {username!r}.") from None
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"  {username} is now {role}")
        self.stdout.write(self.style.SUCCESS("Roles ready."))
