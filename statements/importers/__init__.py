"""From a published transcript to a draft briefing with its remarks.

Two halves: parsing (pure, no database) turns a file into a ParsedBriefing — one module per
source format, each with `looks_like(text, filename)` and `parse(text, hints)`; storing
(store.py) matches it to what the database holds and writes it in one transaction.
To add another ministry's pages, write a module like mfa.py and list it in FORMATS before
plaintext, which takes anything that is not HTML.

Around them: fetch.py fetches a page politely and only from public web addresses (the admin's
import from an address, the sync); listing.py reads a ministry's listing pages and the dates they
give (the sync, statements/sync.py).
"""

import csv

from . import mfa, news, plaintext
from .base import DateNeeded, Hints, ParsedBriefing, ParsedRemark, TranscriptError

__all__ = [
    "FORMATS", "MAX_TRANSCRIPT_BYTES", "Hints", "ParsedBriefing", "ParsedRemark", "TranscriptError", "decode",
    "format_named", "manifest_rows", "parse_transcript",
]

# A news report before plain text: both are text without markup, and a report is the narrower.
FORMATS = [mfa, news, plaintext]
# The largest transcript accepted, uploaded or fetched: the biggest real page is a few hundred KB.
MAX_TRANSCRIPT_BYTES = 5 * 1024 * 1024


def format_named(name):
    """The format module called `name` ("mfa"), for a sync source (statements.models.Source)."""
    for module in FORMATS:
        if module.__name__.rsplit(".", 1)[-1] == name:
            return module
    raise TranscriptError(f"No transcript format called {name!r}.")


def manifest_rows(text):
    """(path, source URL) of each line of a manifest.tsv (tab-separated, with columns path and
    source_url, as a crawl of the ministry's site writes it: ../shared/corpus/mfa/manifest.tsv).
    A saved page does not state its own address; its manifest does."""
    rows = csv.DictReader(text.splitlines(), delimiter="\t")
    return [(row["path"].strip(), row["source_url"].strip()) for row in rows if row.get("path") and row.get("source_url")]


def decode(data):
    """Bytes as published (UTF-8, sometimes with a BOM; older Chinese pages in GB18030)."""
    if isinstance(data, str):
        return data
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TranscriptError("The file is neither UTF-8 nor GB18030 text.")


def parse_transcript(data, hints=None, filename="", formats=FORMATS):
    """`formats`: the modules to try, in order (a sync source names its own)."""
    text = decode(data)
    if "\x00" in text:
        raise TranscriptError("The file is binary, not a transcript.")
    hints = hints or Hints()
    for module in formats:
        if module.looks_like(text, filename):
            return module.parse(text, hints)
    raise TranscriptError("Unknown format: neither an MFA page nor a plain-text transcript.")
