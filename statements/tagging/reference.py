"""The reference data tagging reads: every country and territory (ISO 3166-1, names in English
and simplified Chinese from CLDR through Babel), the international organisations briefings
name, the outlets that ask, and the default topics with their rules; loaded by `manage.py
load_reference_data`.

Loading is idempotent and keeps editors' work: each row remembers what the loader last wrote
(`loaded_values`), and a field an editor changed since is left as the editor has it. Lists
(aliases, keywords, exclusions) are merged line by line: a line the editor added stays, a line
the editor removed stays removed, and the loader adds and drops only its own lines. Rows that
exist before the first load (typed by hand, the demo's) are taken over by name or alias rather
than duplicated, keeping their values.
"""

import csv
import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from ..models import Entity, Outlet, Topic
from ..slugs import current_slug
from .rules import split_lines

DATA = Path(__file__).resolve().parent / "data"

# CLDR's two-letter territory codes that ISO 3166-1 does not assign: its exceptionally reserved
# codes (Ascension, Clipperton, Sark, Diego Garcia, Ceuta and Melilla, Canary Islands, Tristan da
# Cunha), the European Union, the Eurozone, the UN, and its private-use codes.
NOT_ISO_3166 = {"AC", "CP", "CQ", "DG", "EA", "IC", "TA", "EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ"}

LIST_FIELDS = {"aliases", "keywords", "context_words", "exclusions"}


@dataclass
class Reference:
    """One row of reference data: how to find it, and the values the loader gives it."""

    lookup: dict
    values: dict
    # Other names under which a row typed before the first load may already exist.
    known_as: list = field(default_factory=list)


def _read_tsv(name):
    lines = [line for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def _names(cell):
    return [name.strip() for name in cell.split(";") if name.strip()]


def _unique(items):
    return list(dict.fromkeys(items))


def countries():
    from babel import Locale

    english, chinese = Locale("en").territories, Locale.parse("zh_Hans").territories
    supplement = {row[0]: row + [""] * (5 - len(row)) for row in _read_tsv("countries.tsv")}
    references = []
    for code in sorted(english):
        if not re.fullmatch(r"[A-Z]{2}", code) or code in NOT_ISO_3166:
            continue
        _, name, name_zh, aliases, aliases_zh = supplement.get(code, [code, "", "", "", ""])
        cldr_name, cldr_zh = english[code], chinese.get(code, "")
        usual, variants = _english_forms(cldr_name)
        references.append(
            _entity(
                {"iso_code": code},
                Entity.Kind.COUNTRY,
                name or usual,
                name_zh or cldr_zh,
                [cldr_name, *variants, *_names(aliases), cldr_zh, *_names(aliases_zh)],
            )
        )
    return references


def _entity(lookup, kind, name, name_zh, aliases):
    aliases = _unique(alias for alias in aliases if alias and alias not in (name, name_zh))
    return Reference(
        lookup=lookup,
        values={"name": name, "name_zh": name_zh, "kind": kind, "aliases": aliases},
        known_as=[name, name_zh, *aliases],
    )


def _english_forms(cldr_name):
    """CLDR's English name as running text writes it, and its other forms: "&" spelled "and"
    (Trinidad and Tobago), "St." as "Saint", a name in brackets as a name of its own (Myanmar
    (Burma): Myanmar, Burma)."""
    variants = []
    usual = cldr_name.replace(" & ", " and ")
    if bracketed := re.fullmatch(r"(.+?) \((.+)\)", usual):
        usual = bracketed[1]
        variants.append(bracketed[2])
    if usual.startswith("St. "):
        variants.append("Saint " + usual[4:])
    return usual, variants


def chinese_abbreviations():
    """{character: ISO code}: the one-character Chinese names (rules.ChineseAbbreviations)."""
    return {character: code for character, code in _read_tsv("abbreviations_zh.tsv")}


def organisations():
    return [
        _entity({"reference_key": key}, Entity.Kind.ORGANISATION, name, name_zh, [*_names(aliases), *_names(aliases_zh)])
        for key, name, name_zh, aliases, aliases_zh in (row + [""] * (5 - len(row)) for row in _read_tsv("organisations.tsv"))
    ]


def outlets():
    """Who asks at the briefings (outlets.tsv): the "Asked by" facet's values."""
    references = []
    for key, name, name_zh, aliases, aliases_zh in (row + [""] * (5 - len(row)) for row in _read_tsv("outlets.tsv")):
        aliases = _unique(a for a in [*_names(aliases), *_names(aliases_zh)] if a not in (name, name_zh))
        references.append(
            Reference(
                lookup={"reference_key": key},
                values={"name": name, "name_zh": name_zh, "aliases": aliases},
                known_as=[name, name_zh, *aliases],
            )
        )
    return references


def topics():
    references = []
    for item in json.loads((DATA / "topics.json").read_text(encoding="utf-8")):
        values = {
            "name": item["name"],
            "description": item.get("description", ""),
            "keywords": item.get("keywords", []),
            "context_words": item.get("context_words", []),
            "exclusions": item.get("exclusions", []),
            "answer_matches": item.get("answer_matches", 2),
            "tagged_from": item.get("tagged_from"),
            "parent": item.get("parent"),
        }
        references.append(Reference(lookup={"slug": item["slug"]}, values=values, known_as=[item["name"]]))
    return references


def not_mentions():
    """Names that hold a country's name and name none (South China Sea): tagging's blocking terms."""
    return split_lines(
        "\n".join(line for line in (DATA / "not_mentions.txt").read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    )


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_edits: list = field(default_factory=list)

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, {len(self.kept_edits)} editor's values kept"


def load(progress=None):
    """Load every country, organisation and default topic; returns a LoadReport per kind."""
    reports = {}
    with transaction.atomic():
        kinds = (
            ("entities", Entity, countries() + organisations()),
            ("outlets", Outlet, outlets()),
            ("topics", Topic, topics()),
        )
        for kind, model, rows in kinds:
            report = reports[kind] = LoadReport()
            for row in rows:
                _load_row(model, row, report)
                if progress:
                    progress(kind)
    return reports


def _stored(model, name, value):
    """A loader value as the field stores it (lists one per line, the parent by slug)."""
    if name in LIST_FIELDS:
        return "\n".join(value)
    if name == "parent":
        return Topic.objects.filter(slug=value).first() if value else None
    if name == "tagged_from":
        return datetime.date.fromisoformat(value) if value else None
    return value


def _current(instance, name):
    if name in LIST_FIELDS:
        return split_lines(getattr(instance, name))
    if name == "parent":
        return instance.parent.slug if instance.parent_id else None
    if name == "tagged_from":
        return instance.tagged_from.isoformat() if instance.tagged_from else None
    return getattr(instance, name)


def _find(model, row):
    instance = model.objects.filter(**row.lookup).first()
    if instance is None and "slug" in row.lookup:  # a topic whose slug an editor changed
        renamed = current_slug(model, row.lookup["slug"], among=model.objects.all())
        instance = model.objects.filter(slug=renamed).first() if renamed else None
    if instance is not None:
        return instance, False
    # Taken over: a row typed before the reference data, found by one of its names.
    untaken = model.objects.all()
    if model is Topic:
        untaken = untaken.filter(loaded_values={})
    else:
        untaken = untaken.filter(reference_key="", **({"iso_code": ""} if model is Entity else {}))
    for candidate in untaken.filter(name__in=row.known_as):
        return candidate, True
    if model is not Topic:
        known = set(row.known_as)
        same_kind = untaken.filter(kind=row.values["kind"]) if model is Entity else untaken
        for candidate in same_kind:
            if known & {candidate.name, *candidate.alias_list}:
                return candidate, True
    return None, False


def _load_row(model, row, report):
    instance, taken_over = _find(model, row)
    created = instance is None
    if created:
        instance = model(**row.lookup)
    previous = instance.loaded_values or {}
    changed = created or taken_over
    for name, new in row.values.items():
        if name == "name" and _name_taken(model, instance, new):
            new = instance.name if not created else f"{new} ({next(iter(row.lookup.values()))})"
        current = _current(instance, name)
        if name in LIST_FIELDS:
            value = _merge_lines(current, previous.get(name), new, created)
        elif created or current in ("", None) or (name in previous and current == previous[name]):
            value = new
        else:
            value = current
            if current != new:
                report.kept_edits.append((instance, name))
        if value != current:
            setattr(instance, name, _stored(model, name, value))
            changed = True
    if model is not Topic and {instance.name, instance.name_zh} & set(instance.alias_list):
        # A name is not also an alias of itself (a row typed by hand had 美国 as an alias).
        instance.aliases = "\n".join(a for a in instance.alias_list if a not in (instance.name, instance.name_zh))
    if model is not Topic:  # found by their key, named by their slug
        for key, value in row.lookup.items():
            setattr(instance, key, value)
        if created:
            instance.slug = _free_slug(model, instance.name, row.lookup)
    if previous != row.values:
        instance.loaded_values = row.values
        changed = True
    if not changed:
        report.unchanged += 1
        return
    instance._change_reason = "Reference data loaded"
    instance.save()
    if created:
        report.created += 1
    else:
        report.updated += 1


def _merge_lines(current, previous, new, created):
    """Three-way merge of one-per-line values: keep the editor's additions and removals."""
    if created:
        return list(new)
    if previous is None:  # never loaded: what stands is someone's, ours comes beside it
        return _unique([*current, *new])
    dropped = set(previous) - set(new)
    added = [line for line in new if line not in previous]
    return _unique([*(line for line in current if line not in dropped), *added])


def _name_taken(model, instance, name):
    return model.objects.filter(name=name).exclude(pk=instance.pk).exists() if name else False


def _free_slug(model, name, lookup):
    base = slugify(name)[:100] or slugify(next(iter(lookup.values())))
    slug, suffix = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug
