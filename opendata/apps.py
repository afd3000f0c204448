from django.apps import AppConfig


class OpenDataConfig(AppConfig):
    """The portfolio in open standards: the OC4IDS project package (``opendata.oc4ids``)."""

    name = "opendata"
    verbose_name = "Open data"
