from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    """The portfolio in open standards: the OC4IDS project package (``opendata.oc4ids``)."""

    name = "opendata"
    verbose_name = _("Open data")
