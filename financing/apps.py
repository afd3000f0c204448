from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def install_read_model(sender, using="default", verbosity=1, stdout=None, **kwargs):
    """After every ``migrate``: the read model's refresh function and triggers, compiled from
    the current code (``financing.figures.install``); figures rebuilt when they changed."""
    from django.db import connections

    from . import figures

    if connections[using].vendor == "postgresql" and using == "default":
        figures.install(verbosity=verbosity, stdout=stdout)


class FinancingConfig(AppConfig):
    name = "financing"
    verbose_name = _("Lenders and financing")

    def ready(self):
        post_migrate.connect(install_read_model, sender=self, dispatch_uid="financing.install_read_model")
