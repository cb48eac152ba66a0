import csv
import dataclasses
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from statements.importers import Hints, TranscriptError, parse_transcript
from statements.importers.store import known_speaker_labels, store_briefing

SUFFIXES = {".html", ".htm", ".shtml", ".txt"}


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date {value!r} is not a date in the form YYYY-MM-DD.") from None


def transcript_files(paths):
    """Files as given, folders walked in name order for their transcript files."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        else:
            yield path


def manifest_urls(paths):
    """Source URLs from a manifest.tsv (columns path and source_url) in any given folder.

    A saved page does not state its own address; a crawl's manifest does.
    """
    urls = {}
    for given in paths:
        manifest = Path(given) / "manifest.tsv"
        if not manifest.is_file():
            continue
        with manifest.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if row.get("path") and row.get("source_url"):
                    urls[(manifest.parent / row["path"]).resolve()] = row["source_url"].strip()
    return urls


class Command(BaseCommand):
    help = (
        "Import ministry transcripts (MFA pages in English or Chinese, or plain-text Q:/A: "
        "transcripts) as draft briefings with their remarks. Each file is imported atomically; "
        "importing a source again updates it in place and keeps the ids of unchanged remarks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+",
            help="Transcript files, or folders to search for .html/.txt files (a manifest.tsv in a "
            "folder, with columns path and source_url, gives each file's source URL).",
        )
        parser.add_argument("--source-url", default="", help="Where the transcript was published (one file only).")
        parser.add_argument("--date", type=iso_date, default=None, help="The briefing's date, YYYY-MM-DD, when the transcript does not state it.")
        parser.add_argument("--language", choices=["en", "zh"], default=None, help="The transcript's language (detected if omitted).")
        parser.add_argument("--publish", action="store_true", help="Publish the briefings instead of leaving them as drafts.")
        parser.add_argument("--dry-run", action="store_true", help="Parse and match everything, write nothing.")

    def handle(self, *args, paths, source_url, date, language, publish, dry_run, **options):
        files = list(transcript_files(paths))
        if not files:
            raise CommandError("No transcript files found in the given paths.")
        if source_url and len(files) > 1:
            raise CommandError("--source-url names one transcript; give exactly one file with it.")
        hints = Hints(source_url=source_url, date=date, language=language, speaker_labels=known_speaker_labels())
        urls = {} if source_url else manifest_urls(paths)
        tally = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
        width = len(str(len(files)))
        for number, path in enumerate(files, start=1):
            filled = 20 * number // len(files)
            prefix = f"[{'#' * filled}{'.' * (20 - filled)}] {number:>{width}}/{len(files)} {path}: "
            try:
                data = path.read_bytes()
                file_hints = dataclasses.replace(hints, source_url=urls.get(path.resolve(), source_url))
                parsed = parse_transcript(data, file_hints, filename=path.name)
                result = store_briefing(parsed, publish=publish, dry_run=dry_run)
            except (OSError, TranscriptError) as error:
                tally["failed"] += 1
                reason = error.strerror if isinstance(error, OSError) and error.strerror else error
                self.stdout.write(prefix + self.style.ERROR(f"failed: {reason}"))
                continue
            tally[result.status] += 1
            line = prefix + result.summary()
            if not dry_run:
                line += f" → briefing #{result.briefing.pk}"
            self.stdout.write(line)
            for note in result.notes:
                self.stdout.write(f"    note: {note}")
        summary = ", ".join(f"{n} {status}" for status, n in tally.items())
        summary = f"{len(files)} files: {summary}" + (" (dry run: nothing written)" if dry_run else "")
        if tally["failed"]:
            self.stdout.write(self.style.ERROR(summary))
            raise CommandError(f"{tally['failed']} of {len(files)} files failed.", returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))
