from django.core.management.base import BaseCommand

from statements.models import bump_content_version
from statements.search import search_backend


class Command(BaseCommand):
    help = "Index every remark for full-text search again (after a bulk load or a restore)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Remarks analyzed and written per batch."
        )

    def handle(self, *args, batch_size, **options):
        backend = search_backend()
        count = backend.rebuild(
            batch_size=batch_size,
            progress=lambda n: self.stdout.write(f"\r{n} remarks indexed", ending=""),
        )
        bump_content_version()  # what a search matches may have changed
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} remarks with {backend.vendor} search."))
