from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Incidents and claims"

    def ready(self):
        from . import signals  # noqa: F401
