"""Plain-text transcripts: what an editor pastes or saves from anywhere.

    Title: Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on May 6, 2021
    Date: 2021-05-06
    Spokesperson: Wang Wenbin
    Ministry: prc-mfa
    Kind: press_conference
    Source: Ministry of Foreign Affairs of the PRC

    Opening remarks, one paragraph per blank-line-separated block…

    Q: The question…
    A: The answer…

The header lines are optional and may come in any order; without a Title line the first line is
the title. Paragraphs are separated by blank lines (single line breaks inside a paragraph are
kept together). Labels are those of MFA transcripts: Q:/A:, 问：/答：, Follow-up:/追问：, or
whoever asks ("Reuters:", "总台央视记者：") for the question and the spokesperson's name for the
answer (base.py, "Cutting paragraphs into remarks"). Text with no labels at all is one
announcement, as a written statement is.
"""

import dataclasses
import datetime
import re

from .base import BRIEFING_KINDS as KINDS
from .base import MinistryInfo, TranscriptError, build_briefing, clean_paragraphs, clean_text, starts_with_label

HEADER = re.compile(r"^(?P<key>title|date|spokesperson|ministry|kind|source|language)\s*:\s*(?P<value>.*)$", re.I)
# Without a Ministry line, a plain transcript is taken to be the PRC MFA's, the site's first
# ministry; any other ministry must be named by its slug.
DEFAULT_MINISTRY_SLUG = "prc-mfa"


def looks_like(text, filename=""):
    return "<html" not in text[:2000].lower()


def read_text(text):
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header = {}
    # An index, not lines.pop(0), which would move every remaining line once per header line.
    start = 0
    while start < len(lines) and (match := HEADER.match(lines[start].strip())):
        header[match["key"].lower()] = match["value"].strip()
        start += 1
    body = "\n".join(lines[start:]).strip()
    blocks = re.split(r"\n\s*\n", body)
    if len(blocks) == 1:
        # No blank lines at all: one paragraph per line, as many pasted transcripts come.
        blocks = body.split("\n")
    paragraphs = clean_paragraphs(_split_at_labels(blocks, header.get("spokesperson", "")))
    if "title" not in header:
        if not paragraphs:
            raise TranscriptError("The text is empty.")
        header["title"] = paragraphs.pop(0)
    return header, paragraphs


def _split_at_labels(blocks, speaker):
    """A block's lines stay one paragraph, except that a labelled line ("A: …") starts a new one."""
    speaker_label = re.compile(re.escape(speaker) + r"\s*[:：]") if speaker else None
    for block in blocks:
        current = []
        for line in block.split("\n"):
            if current and (starts_with_label(line) or (speaker_label and speaker_label.match(line.strip()))):
                yield " ".join(current)
                current = []
            current.append(line)
        if current:
            yield " ".join(current)


def parse(text, hints):
    header, paragraphs = read_text(text)
    title = clean_text(header["title"])
    page_date = None
    if header.get("date"):
        try:
            page_date = datetime.date.fromisoformat(header["date"])
        except ValueError:
            raise TranscriptError(f"Date: {header['date']!r} is not a date in the form YYYY-MM-DD.") from None
        if hints.date and hints.date != page_date:
            raise TranscriptError(f"--date {hints.date} contradicts the Date: line ({page_date}).")
        hints = dataclasses.replace(hints, date=page_date)
    kind = header.get("kind", "").lower().replace(" ", "_") or None
    if kind and kind not in KINDS:
        raise TranscriptError(f"Kind: {header['kind']!r} is not one of {', '.join(sorted(KINDS))}.")
    language = header.get("language", "").lower() or None
    if language and language not in ("en", "zh"):
        raise TranscriptError(f"Language: {header['language']!r} must be en or zh.")
    slug = header.get("ministry", "") or DEFAULT_MINISTRY_SLUG
    return build_briefing(
        format="plain text",
        title=title,
        page_date=None,
        paragraphs=paragraphs,
        hints=hints,
        ministry=MinistryInfo(name="", short_name="", slug=slug, country=""),
        source_name=header.get("source", ""),
        kind=kind,
        host=header.get("spokesperson"),
        language=language,
    )
