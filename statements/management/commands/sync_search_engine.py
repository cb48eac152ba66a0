import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from statements.search.engine import search_engine


class Command(BaseCommand):
    help = (
        "Bring this server's search engine index (SEARCH_ENGINE_DIR) up to the database: the months "
        "whose remarks changed since it was built, or everything when it is new or a bulk change "
        "touched every month. Requests do this themselves for a day's changes; run it on deploy and "
        "after bulk loads, on each app server."
    )

    def handle(self, **options):
        engine = search_engine()
        if engine is None:
            raise CommandError(
                "No search engine: SEARCH_ENGINE_DIR is empty or Tantivy is not installed."
            )
        started = time.perf_counter()

        def progress(count):
            if count % 50_000 == 0:
                self.stdout.write(f"  {count:,} remarks indexed", ending="\n")

        written = engine.sync(progress=progress)
        self.stdout.write(
            f"{written:,} remarks indexed in {time.perf_counter() - started:.1f} s; "
            f"{settings.SEARCH_ENGINE_DIR} is up to date."
        )
