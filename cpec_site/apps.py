from django.apps import AppConfig


class CpecSiteConfig(AppConfig):
    """What the site adds on top of the domain apps: roles, the demo portfolio, the composed admin.

    Listed last in ``INSTALLED_APPS``: its admin module extends the domain apps' admins.
    """

    name = "cpec_site"
    verbose_name = "CPEC Tracker"
