import os
import time

from django.core.management.base import BaseCommand, CommandError

from statements.models import Remark
from statements.tagging.apply import Tagger, resolve_outlets, tag_remarks


class Command(BaseCommand):
    help = (
        "Tag remarks by the current rules and reference data (after `load_reference_data` or an "
        "editor's change of a topic's rule). Only automatic tags not yet reviewed change: accepted "
        "tags stay, rejected ones stay off, tags an editor put on by hand are never removed. Works "
        "in batches of its own transaction each, so readers are never held up; counts stay exact."
    )

    def add_arguments(self, parser):
        parser.add_argument("--briefing", type=int, action="append", help="Only the remarks of this briefing (repeatable).")
        parser.add_argument("--since", help="Only remarks of briefings dated on or after YYYY-MM-DD.")

    def handle(self, *args, briefing=None, since=None, **options):
        remarks = Remark.objects.all()
        if briefing:
            remarks = remarks.filter(briefing__in=briefing)
        if since:
            try:
                remarks = remarks.filter(briefing__date__gte=since)
            except Exception as error:  # a malformed date: Django raises ValidationError
                raise CommandError(f"--since: {error}") from None
        # A background job: the app servers' readers come first for the processor.
        os.nice(10)
        started = time.monotonic()

        def progress(done, total):
            width = 30
            filled = width * done // total if total else width
            self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} remarks", ending="")
            self.stdout.flush()

        report = tag_remarks(remarks, Tagger(), progress=progress)
        self.stdout.write("")
        outlets = resolve_outlets()
        self.stdout.write(self.style.SUCCESS(
            f"Re-tagged: {report}, {outlets} asked by another outlet, in {time.monotonic() - started:.1f} s."
        ))
