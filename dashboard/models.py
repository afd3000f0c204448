"""The data's version: one row that PostgreSQL moves on every write to the domain tables.

Statement-level triggers on every table of ``projects`` and ``financing`` (see
migrations/0001) give ``version`` a new number from a sequence (never reused, even after a
rollback) and stamp ``changed_at`` on any INSERT, UPDATE,
DELETE or TRUNCATE, whatever wrote it: the admin, an import, the demo or synthetic loader,
or SQL by hand. Aggregates cached under a version are therefore never served after an edit.
"""

from django.db import models


class DataVersion(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="dashboard_dataversion_single_row")]

    def __str__(self) -> str:
        return f"data version {self.version} ({self.changed_at:%Y-%m-%d %H:%M})"
