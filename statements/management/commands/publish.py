import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from statements.editorial import publish_drafts
from statements.management.commands.sync_transcripts import iso_date
from statements.models import Briefing, Source


def briefing_ids(value):
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"--ids {value!r}: give briefing numbers separated by commas.") from None


class Command(BaseCommand):
    help = (
        "Publish drafts already imported, in one transaction however many: those a sync source "
        "made, of a date range, or named by number (together, they narrow each other). "
        "--dry-run says what would go public and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", help="Only the briefings this sync source (its slug) imported.")
        parser.add_argument("--since", type=iso_date, help="Only briefings dated on or after YYYY-MM-DD.")
        parser.add_argument("--until", type=iso_date, help="Only briefings dated on or before YYYY-MM-DD.")
        parser.add_argument("--ids", type=briefing_ids, help="Only these briefings, e.g. 12,13,20.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be published; write nothing.")

    def handle(self, *args, source, since, until, ids, dry_run, **options):
        if not (source or since or until or ids):
            raise CommandError("Say which drafts: --source, --since/--until or --ids (all drafts would be a guess).")
        drafts = Briefing.objects.exclude(status=Briefing.Status.PUBLISHED)
        if source:
            found = Source.objects.filter(slug=source).first()
            if found is None:
                raise CommandError(f"No source {source!r}; the sources: {', '.join(Source.objects.values_list('slug', flat=True))}.")
            drafts = drafts.filter(pk__in=found.pages.exclude(briefing=None).values("briefing"))
        if since:
            drafts = drafts.filter(date__gte=since)
        if until:
            drafts = drafts.filter(date__lte=until)
        if ids:
            drafts = drafts.filter(pk__in=ids)
        what = self.describe(drafts)
        if dry_run:
            self.stdout.write(f"Would publish {what}; nothing written (--dry-run).")
            return
        started = time.monotonic()
        publish_drafts(drafts)
        self.stdout.write(self.style.SUCCESS(f"Published {what} in {time.monotonic() - started:.1f} s."))

    @staticmethod
    def describe(drafts):
        summary = drafts.aggregate(briefings=Count("pk", distinct=True), remarks=Count("remarks"))
        dates = drafts.order_by("date").values_list("date", flat=True)
        n, m = summary["briefings"], summary["remarks"]
        span = f", {dates.first()} to {dates.last()}" if n else ""
        return f"{n} briefing{'s' * (n != 1)} ({m} remark{'s' * (m != 1)}){span}"
