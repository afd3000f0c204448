from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CpecSiteConfig(AppConfig):
    """What the site adds on top of the domain apps: roles, the demo portfolio, the composed admin.

    Listed last in ``INSTALLED_APPS``: its admin module extends the domain apps' admins.
    """

    name = "cpec_site"
    verbose_name = _("CPEC Tracker")
