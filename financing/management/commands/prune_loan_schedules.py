"""Remove loan schedules computed long ago (``financing.schedules``): pages compute any they need again."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from financing.schedules import prune


class Command(BaseCommand):
    help = (
        "Remove the stored loan schedules computed more than --days days ago (90 by default). A stored schedule "
        "is never stale, only unused once a loan's terms or amount change; the debt-service page computes any "
        "it needs again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="Keep the schedules computed in the last DAYS days.")

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days cannot be negative.")
        removed = prune(dt.timedelta(days=days))
        plural = "s" if removed != 1 else ""
        self.stdout.write(f"Removed {removed} loan schedule{plural} computed over {days} days ago.")
