from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    """Pakistan's own money for the projects: the federal PSDP, by fiscal year."""

    name = "budget"
    verbose_name = _("PSDP (federal budget)")
