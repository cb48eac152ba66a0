from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = "Diplomatic statements"

    def ready(self):
        from .search import connect_signals

        connect_signals()
