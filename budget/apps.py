from django.apps import AppConfig


class BudgetConfig(AppConfig):
    """Pakistan's own money for the projects: the federal PSDP, by fiscal year."""

    name = "budget"
    verbose_name = "PSDP (federal budget)"
