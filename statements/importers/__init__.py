"""From a published transcript to a draft briefing with its remarks.

Two halves: parsing (pure, no database) turns a file into a ParsedBriefing — one module per
source format, each with `looks_like(text, filename)` and `parse(text, hints)`; storing
(store.py) matches it to what the database holds and writes it in one transaction.
To add another ministry's pages, write a module like mfa.py and list it in FORMATS before
plaintext, which takes anything that is not HTML.
"""

from . import mfa, plaintext
from .base import Hints, ParsedBriefing, ParsedRemark, TranscriptError

__all__ = ["FORMATS", "Hints", "ParsedBriefing", "ParsedRemark", "TranscriptError", "decode", "parse_transcript"]

FORMATS = [mfa, plaintext]


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


def parse_transcript(data, hints=None, filename=""):
    text = decode(data)
    if "\x00" in text:
        raise TranscriptError("The file is binary, not a transcript.")
    hints = hints or Hints()
    for module in FORMATS:
        if module.looks_like(text, filename):
            return module.parse(text, hints)
    raise TranscriptError("Unknown format: neither an MFA page nor a plain-text transcript.")
