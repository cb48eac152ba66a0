import dataclasses
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from statements.importers import Hints, TranscriptError, manifest_rows, parse_transcript
from statements.import_store import known_speaker_labels, spokesperson_summary, store_briefing

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


def read_manifest(manifest, cache):
    """{resolved path: source URL} of one manifest.tsv, read once per run."""
    if manifest not in cache:
        text = manifest.read_text(encoding="utf-8")
        cache[manifest] = {(manifest.parent / path).resolve(): url for path, url in manifest_rows(text)}
    return cache[manifest]


def manifest_url(path, given, cache):
    """A file's source URL from a manifest.tsv (columns path and source_url) in a folder given,
    or, for a file given alone, in its folder or the folders above it (a crawl's manifest sits at
    its root: ../shared/corpus/mfa/manifest.tsv lists en/… and zh/…).

    A saved page does not state its own address; a crawl's manifest does.
    """
    resolved = path.resolve()
    folders = [Path(g) for g in given if Path(g).is_dir()] or list(resolved.parents)
    for folder in folders:
        manifest = folder / "manifest.tsv"
        if manifest.is_file():
            url = read_manifest(manifest.resolve(), cache).get(resolved)
            if url:
                return url
    return ""


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
            "folder given, or beside or above a file given alone, with columns path and source_url, "
            "gives each file's source URL).",
        )
        parser.add_argument("--source-url", default="", help="Where the transcript was published (one file only).")
        parser.add_argument("--date", type=iso_date, default=None, help="The briefing's date, YYYY-MM-DD, when the transcript does not state it.")
        parser.add_argument("--language", choices=["en", "zh"], default=None, help="The transcript's language (detected if omitted).")
        parser.add_argument("--publish", action="store_true", help="Publish the briefings instead of leaving them as drafts.")
        parser.add_argument(
            "--create-spokespersons", action="store_true",
            help="Add the spokespersons the transcripts name and the database lacks (otherwise their briefings "
            "have no host and the summary names them).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Parse and match everything, write nothing.")

    def handle(self, *args, paths, source_url, date, language, publish, create_spokespersons, dry_run, **options):
        files = list(transcript_files(paths))
        if not files:
            raise CommandError("No transcript files found in the given paths.")
        if source_url and len(files) > 1:
            raise CommandError("--source-url names one transcript; give exactly one file with it.")
        hints = Hints(source_url=source_url, date=date, language=language)
        manifests = {}
        tally = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
        results, without_url = [], 0
        width = len(str(len(files)))
        for number, path in enumerate(files, start=1):
            filled = 20 * number // len(files)
            prefix = f"[{'#' * filled}{'.' * (20 - filled)}] {number:>{width}}/{len(files)} {path}: "
            try:
                data = path.read_bytes()
                url = source_url or manifest_url(path, paths, manifests)
                # Known names now, spokespersons added by earlier files included.
                file_hints = dataclasses.replace(hints, source_url=url, speaker_labels=known_speaker_labels())
                parsed = parse_transcript(data, file_hints, filename=path.name)
                result = store_briefing(parsed, publish=publish, dry_run=dry_run, create_spokespersons=create_spokespersons)
            except (OSError, TranscriptError) as error:
                tally["failed"] += 1
                reason = error.strerror if isinstance(error, OSError) and error.strerror else error
                self.stdout.write(prefix + self.style.ERROR(f"failed: {reason}"))
                continue
            tally[result.status] += 1
            results.append(result)
            line = prefix + result.summary()
            if not dry_run:
                line += f" → briefing #{result.briefing.pk}"
            self.stdout.write(line)
            if not url:
                without_url += 1
                self.stdout.write(
                    "    note: no source URL (none given with --source-url, and no manifest.tsv lists the file): "
                    "a re-import finds the briefing by date and title only."
                )
            for note in result.notes:
                self.stdout.write(f"    note: {note}")
        summary = ", ".join(f"{n} {status}" for status, n in tally.items())
        summary = f"{len(files)} files: {summary}"
        if without_url:
            summary += f"; {without_url} without a source URL"
        if spokespersons := spokesperson_summary(results):
            summary += f"; {spokespersons}"
        if dry_run:
            summary += " (dry run: nothing written)"
        if tally["failed"]:
            self.stdout.write(self.style.ERROR(summary))
            raise CommandError(f"{tally['failed']} of {len(files)} files failed.", returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))
