"""Every remark of a /remarks/ state as CSV, JSON or JSON Lines, streamed row by row.

The rows come from the same FilterSet as the page (statements/filters.py) and are read with a
database cursor in chunks, so an export of a million remarks holds one chunk in memory, has no
row cap and is never cut short. COLUMNS is the one description of the files: the writers below
and the "Data" page (templates/statements/data.html) both read it.
"""

import csv
import json
import re
from urllib.parse import quote
from dataclasses import dataclass
from itertools import islice

from django.db.models import Case, F, When
from django.urls import reverse
from django.utils.text import slugify

from .models import Remark

# The longest a file's name grows from the state it holds (the extension aside).
NAME_LENGTH = 80

# Rows fetched per round trip; each chunk also costs one query for topics and one for mentions.
CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    # What the row is read from: a values() path, or a key that records() fills in.
    source: str


COLUMNS = [
    Column("remark_id", "The remark's id; it never changes.", "pk"),
    Column("permalink", "The remark's page, the address to cite.", "permalink"),
    Column("date", "Day of the briefing, YYYY-MM-DD.", "date"),
    Column("ministry", "Short name of the issuing ministry.", "ministry__short_name"),
    Column("spokesperson", "Who spoke (Latin script); empty when the transcript does not say.", "speaker__name"),
    Column("kind", "“announcement” or “qa” (question and answer).", "kind"),
    Column("language", "Language of the transcript: “en” or “zh”.", "language"),
    Column("position", "Place of the remark in its briefing, from 1.", "position"),
    Column("question", "The question as asked; empty for announcements.", "question"),
    Column("outlet", "The asking outlet as the transcript names it.", "outlet"),
    Column(
        "asked_by",
        "The asking outlet, one name for each outlet whatever the transcript's wording (路透社记者 and "
        "Reuters are Reuters); empty when no outlet is named or the name is not known yet.",
        "asked_by__name",
    ),
    Column("answer", "The spokesperson's words.", "answer"),
    Column("topics", "Topic names; a list in JSON, joined by “; ” in CSV.", "topics"),
    Column(
        "entities",
        "Countries and organisations mentioned; a list in JSON, joined by “; ” in CSV.",
        "entities",
    ),
    Column("briefing_id", "Id of the briefing; its page is /briefings/<id>/.", "briefing_id"),
    Column("briefing_title", "Title of the briefing as published.", "briefing__title"),
    Column("source_url", "Where the ministry or outlet published the transcript.", "briefing__source_url"),
    Column(
        "translation_remark_id",
        "Id of the same remark in the other language, when it is published; else empty.",
        "published_translation_id",
    ),
]
COMPUTED = {"permalink", "topics", "entities"}

FORMATS = {
    # extension: (content type, label on the page)
    "csv": ("text/csv; charset=utf-8", "CSV"),
    "json": ("application/json", "JSON"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "JSON Lines"),
}


def records(queryset, site):
    """One dict per remark, in COLUMNS order, read chunk by chunk through a database cursor.

    Plain values rather than model instances: five times faster, and an export of a million
    rows is mostly this loop.
    """
    rows = (
        queryset.annotate(
            # A translation still in draft is not public, so neither is its id.
            published_translation_id=Case(
                When(translation__is_public=True, then=F("translation_id")), default=None
            )
        )
        .values(*(column.source for column in COLUMNS if column.source not in COMPUTED))
        .iterator(chunk_size=CHUNK_SIZE)
    )
    # reverse() once, not once per row: the permalink differs only by the id.
    permalink = site + reverse("remark_detail", args=[0]).replace("/0/", "/{}/")
    while chunk := list(islice(rows, CHUNK_SIZE)):
        ids = [row["pk"] for row in chunk]
        topics = names_by_remark(Remark.topics.through, "topic", ids)
        entities = names_by_remark(Remark.entities.through, "entity", ids)
        for row in chunk:
            row["date"] = row["date"].isoformat()
            row["permalink"] = permalink.format(row["pk"])
            row["topics"] = topics.get(row["pk"], [])
            row["entities"] = entities.get(row["pk"], [])
            yield {column.name: row[column.source] for column in COLUMNS}


def names_by_remark(through, target, remark_ids):
    names = {}
    pairs = (
        through.objects.filter(remark_id__in=remark_ids)
        .order_by(f"{target}__name")
        .values_list("remark_id", f"{target}__name")
    )
    for remark_id, name in pairs:
        names.setdefault(remark_id, []).append(name)
    return names


class _Echo:
    """csv.writer writes into this and gets the line back, so each row can be yielded."""

    def write(self, value):
        return value


# A cell a spreadsheet program would read as a formula ("=HYPERLINK(…)", "+1", "-2", "@SUM"),
# or that a tab or carriage return could turn into one (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text as a spreadsheet shows it, never run: a leading apostrophe makes a formula-like cell
    plain text (OWASP's advice; /data/ says so). JSON and JSON Lines keep the text exact."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def stream_csv(queryset, site):
    # The byte-order mark makes spreadsheet programs read the file as UTF-8 (Chinese intact);
    # csv's default dialect ends lines with CRLF and quotes fields that hold newlines (RFC 4180).
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([column.name for column in COLUMNS])
    for record in records(queryset, site):
        # csv writes None as an empty field.
        yield writer.writerow(
            [spreadsheet_safe("; ".join(value) if isinstance(value, list) else value) for value in record.values()]
        )


def stream_jsonl(queryset, site):
    for record in records(queryset, site):
        yield json.dumps(record, ensure_ascii=False) + "\n"


def stream_json(queryset, site):
    """One JSON array, written element by element."""
    separator = "[\n"
    for record in records(queryset, site):
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"


WRITERS = {"csv": stream_csv, "json": stream_json, "jsonl": stream_jsonl}


def file_name(filterset, extension):
    """What a downloaded file is called, from what it holds: "remarks-taiwan-2019.csv",
    "remarks-hua-chunying-zh-tariffs.json"; "remarks.csv" for every remark."""
    cleaned = filterset.form.cleaned_data
    parts = []
    for name in ("topic", "spokesperson", "ministry", "mentions", "asked_by"):
        parts += sorted(item.slug for item in cleaned.get(name) or [])
    parts += sorted(cleaned.get("kind") or []) + sorted(cleaned.get("lang") or [])
    parts += [str(year) for year in sorted(cleaned.get("year") or [])]
    if start := cleaned.get("date_from"):
        parts.append(f"from-{start:%Y-%m-%d}")
    if end := cleaned.get("date_to"):
        parts.append(f"to-{end:%Y-%m-%d}")
    if query := slugify(cleaned.get("q") or "", allow_unicode=True):
        parts.append(query)
    if version := cleaned.get("version"):
        parts.append(f"{version}-version")
    stem = "-".join(["remarks", *parts])
    if len(stem) > NAME_LENGTH:
        stem = stem[:NAME_LENGTH].rsplit("-", 1)[0]
    return f"{stem}.{extension}"


def attachment(name):
    """A Content-Disposition naming the file, with an ASCII fallback for a name in Chinese
    (RFC 6266)."""
    fallback = re.sub(r"-+(?=[-.])", "", name.encode("ascii", "ignore").decode())
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
