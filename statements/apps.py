from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = "Diplomatic statements"

    def ready(self):
        from . import budget, signals  # noqa: F401  (registers the receivers, before any connection opens)
        from .search import connect_signals

        connect_signals()
