from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The read-only JSON API: the staff pages' figures for analysts' tools, through the pages' selectors."""

    name = "api"
    verbose_name = "JSON API"
