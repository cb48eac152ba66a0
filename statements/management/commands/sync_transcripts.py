import datetime

from django.core.management.base import BaseCommand, CommandError

from statements.importers import TranscriptError
from statements.importers.fetch import check_web_address
from statements.sync import Options, SourceSync, SyncError, Tally, new_fetcher, sources_named


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date in the form YYYY-MM-DD.") from None


def web_address(value):
    try:
        check_web_address(value)
    except TranscriptError as error:
        raise CommandError(f"--base-url: {error}") from None
    return value


class Command(BaseCommand):
    help = (
        "Bring new transcripts from the ministries' sites into the archive as drafts: walk each "
        "source's listing newest first, fetch the transcripts not held yet (and re-check recent ones "
        "with a conditional GET), and import them. Politely: one request at a time, robots.txt "
        "honoured. Safe to repeat and to interrupt: a second run fetches and writes nothing new, and "
        "a run that was stopped goes on where it stopped. A page that differs from a published "
        "briefing is reported as needing review, never written. See docs/importing.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "sources", nargs="*", metavar="SOURCE",
            help="Slugs of the sources to sync (Sources in the admin); by default every enabled one.",
        )
        parser.add_argument("--since", type=iso_date, metavar="YYYY-MM-DD", help="Only transcripts of this day (YYYY-MM-DD) or later; the listing is read back to it, and held pages in the range are re-checked.")
        parser.add_argument("--until", type=iso_date, metavar="YYYY-MM-DD", help="Only transcripts of this day (YYYY-MM-DD) or earlier.")
        parser.add_argument(
            "--base-url", type=web_address, default=None, metavar="URL",
            help="Fetch from a mirror with the same paths: its scheme and host replace the ministry's "
            "(e.g. http://127.0.0.1:8001). Source URLs stay the ministry's.",
        )
        parser.add_argument("--delay", type=float, default=2.0, metavar="SECONDS", help="Seconds between requests (default 2; a robots.txt Crawl-delay that is longer wins).")
        parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="Seconds to wait for each response, and for a whole page to arrive (default 30).")
        parser.add_argument("--create-spokespersons", action="store_true", help="Add the spokespersons the transcripts name and the database lacks (otherwise their briefings have no host and the summary names them).")
        parser.add_argument("--publish", action="store_true", help="Publish what is imported, and apply changes to published briefings (otherwise new briefings are drafts and changed published ones are reported for review).")
        parser.add_argument("--retry-failed", action="store_true", help="Retry failed pages now, instead of after their pause (an hour after the first failure, doubling up to a week).")
        parser.add_argument("--dry-run", action="store_true", help="Fetch and parse everything, write nothing (no briefings, no record of the pages).")

    def handle(self, *args, sources, since, until, base_url, delay, timeout, create_spokespersons, publish, retry_failed, dry_run, **options):
        if since and until and since > until:
            raise CommandError("--since is after --until.")
        if delay < 0 or timeout <= 0:
            raise CommandError("--delay must be 0 or more and --timeout more than 0.")
        try:
            chosen = sources_named(sources)
        except SyncError as error:
            raise CommandError(str(error)) from None
        if not chosen:
            raise CommandError("No enabled source: add one in the admin (Sources) or name one.")
        base_url = base_url or ""
        run = Options(
            since=since, until=until, base_url=base_url, create_spokespersons=create_spokespersons,
            publish=publish, dry_run=dry_run, retry_failed=retry_failed,
        )
        fetcher = new_fetcher(delay, timeout, base_url)
        total, broken = Tally(), []
        for source in chosen:
            sync = SourceSync(source, run, fetcher, write=self.stdout.write)
            try:
                sync.run()
            except KeyboardInterrupt:
                total.add(sync.tally)
                self.stdout.write(self.style.ERROR(f"Interrupted: {total.summary()}. Run again to go on."))
                raise CommandError("Interrupted.", returncode=130) from None
            total.add(sync.tally)
            if sync.walk_error or sync.crash:
                broken.append(source.slug)
        summary = f"{len(chosen)} source(s): {total.summary()}"
        if dry_run:
            summary += " (dry run: nothing written)"
        if broken:
            summary += f"; listing not read or run broken: {', '.join(broken)}"
        if total.failed or broken:
            self.stdout.write(self.style.ERROR(summary))
            raise CommandError(f"{total.failed} page(s) failed" + (f"; {len(broken)} listing(s) not read" if broken else "") + ".", returncode=1)
        style = self.style.WARNING if total.needs_review else self.style.SUCCESS
        self.stdout.write(style(summary))
