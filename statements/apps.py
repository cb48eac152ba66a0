from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = "Diplomatic statements"

    def ready(self):
        from . import signals  # noqa: F401  (registers the receivers)
        from .search import connect_signals

        connect_signals()
