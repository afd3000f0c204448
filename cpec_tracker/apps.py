"""Third-party apps under a name that translates: django-axes names its app by its label ("Axes"),
which Django cannot translate, so the admin index showed it in English on Urdu pages."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    # Translators: django-axes, the login throttling's section in admin.
    verbose_name = _("Axes")
