from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The staff pages: they read projects and financing; nothing depends on them."""

    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
