"""Write a parsed transcript to the database: all of it in one transaction, or nothing.

Importing the same source again updates the briefing in place. Remarks are aligned with what the
previous import gave, so a remark whose text is unchanged keeps its id, and so its permalink;
a remark whose text the source changed is updated in place; nothing an editor changed by hand
is overwritten, and nothing is deleted (a remark gone from the source is reported, for an
editor to decide).
"""

import difflib
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify

from .models import (
    Briefing,
    Ministry,
    Remark,
    Spokesperson,
    text_fingerprint,
)

from . import translations
from .editorial import park_positions
from .tagging.apply import tag_remarks
from .importers.base import TranscriptError, is_latin, title_host
from .text import overlap

IMPORTED = "Imported from the transcript"

# Briefing fields an import sets and an editor may correct afterwards.
TRACKED_FIELDS = ["title", "date", "kind", "language", "spokesperson_id", "source_name"]


@dataclass
class ImportResult:
    status: str  # "created", "updated" or "unchanged"
    briefing: Briefing
    created: int = 0
    updated: int = 0
    kept: int = 0
    to_check: int = 0  # remarks written with a review note (Remark.review_note)
    notes: list = field(default_factory=list)
    dry_run: bool = False
    # The host the transcript names when no spokesperson has that name (left empty), and a
    # spokesperson this import added or completed: for the commands' summaries.
    unknown_spokesperson: str = ""
    added_spokesperson: Spokesperson | None = None
    # What tagging the new and changed remarks did (tagging/apply.TagReport), if any.
    tagging: object = None

    def summary(self):
        counts = f"{self.created} new, {self.updated} changed, {self.kept} unchanged remarks"
        if self.to_check:
            counts += f", {self.to_check} to check"
        return f"{self.status}: {self.briefing.date} {self.briefing.get_language_display()} {self.briefing.title!r} ({counts})"


class DryRunRollback(Exception):
    pass


class PublishedChanged(TranscriptError):
    """The transcript differs from a published briefing: public text changes only as a reviewed
    change, so nothing was written. The sync reports it as "changed upstream, needs
    review"."""


MATCH_BY_NAME = object()


@dataclass(frozen=True)
class NewSpokesperson:
    """A spokesperson an editor adds in the import preview, in the same save."""

    name: str = ""
    native_name: str = ""


def store_briefing(parsed, *, publish=False, dry_run=False, host=MATCH_BY_NAME, create_spokespersons=False):
    """Create or update the briefing `parsed` describes. Atomic; with dry_run nothing stays.

    `host` is the spokesperson an editor chose (or None for none, or a NewSpokesperson to add);
    by default the one whose English or native name the transcript gives, and with
    `create_spokespersons` a new one when nobody has that name (plan_spokesperson). A published
    briefing is changed only when `publish` says the import is to be public; otherwise it is
    refused (PublishedChanged), and nothing is written.
    """
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                result = _store(parsed, publish, host, create_spokespersons)
                if dry_run:
                    result.dry_run = True
                    raise DryRunRollback
        except DryRunRollback:
            pass
        except IntegrityError:
            # Another import of the same source committed between our look-up and our write
            # (a double click, two editors): once more, and it is found and updated instead.
            if attempt == 2:
                raise TranscriptError("Another import of this transcript was being saved at the same time; try again.")
            continue
        return result


def find_ministry(info):
    return Ministry.objects.filter(slug=info.slug).first()


def resolve_ministry(info):
    ministry = find_ministry(info)
    if ministry:
        return ministry
    if not info.name:
        raise TranscriptError(f"No ministry with the slug {info.slug!r}; add it in the admin first.")
    return Ministry.objects.create(
        name=info.name, short_name=info.short_name, slug=info.slug, country=info.country, website=info.website
    )


def known_speaker_labels():
    """Every spokesperson's names, which label answers in transcripts that name the speaker."""
    return tuple(name for pair in Spokesperson.objects.values_list("name", "native_name") for name in pair if name)


def match_spokesperson(name, ministry):
    if not name:
        return None
    by_name = Q(name__iexact=name) | Q(native_name=name)
    return (
        Spokesperson.objects.filter(by_name, ministry=ministry).first()
        or Spokesperson.objects.filter(by_name).first()
    )


# --- Spokespersons the database does not know yet ----------------------------------------------------
#
# A new spokesperson appears in a transcript's title and answer labels (base.title_host,
# base.host_from_labels), in one script per language: "Zhao Lijian" on the English page,
# "赵立坚" on the Chinese page of the same day. The two must become one spokesperson, so a name
# that matches nobody is first looked for in the other language's transcript of the same day
# (same ministry, date and kind): its host, or the name its title gives, is the same person in the
# other script. Only then is someone created.


@dataclass
class SpokespersonPlan:
    """What an import will do about the host the transcript names."""

    match: Spokesperson | None = None  # someone already has that name
    same_person: Spokesperson | None = None  # the other language's host, lacking this script's name
    name: str = ""  # to create: the name in Latin script (a stand-in when only the native one is known)
    native_name: str = ""
    note: str = ""

    @property
    def unknown(self):
        return self.match is None and self.same_person is None


def _other_language_briefing(parsed, ministry):
    if ministry is None:
        return None
    partners = list(
        Briefing.objects.filter(ministry=ministry, date=parsed.date, kind=parsed.kind)
        .exclude(language=parsed.language).select_related("spokesperson")[:2]
    )
    return partners[0] if len(partners) == 1 else None


def _lacks(spokesperson, name):
    """Whether the spokesperson lacks the script `name` is written in (and so may be it)."""
    if is_latin(name):
        return not is_latin(spokesperson.name)  # a stand-in: the native name in the name field
    return not spokesperson.native_name


def plan_spokesperson(parsed, ministry):
    """Who hosts this transcript: someone with the name it gives, the same person known from the
    other language's transcript of the day, or someone to create (never a duplicate)."""
    name = parsed.spokesperson_name.strip()
    if not name:
        return SpokespersonPlan()
    match = match_spokesperson(name, ministry)
    if match:
        return SpokespersonPlan(match=match)
    partner = _other_language_briefing(parsed, ministry)
    other_name = ""
    if partner is not None:
        host = partner.spokesperson
        if host is not None and _lacks(host, name):
            script = "Latin" if is_latin(name) else "native"
            return SpokespersonPlan(
                same_person=host,
                note=f"{name} is taken to be {host.name}, host of the {partner.get_language_display()} transcript "
                f"of the same day (briefing #{partner.pk}); {name} is recorded as their {script} name.",
            )
        other_name = title_host(partner.title)
        if other_name and is_latin(other_name) != is_latin(name):
            known = match_spokesperson(other_name, ministry)
            if known is not None and _lacks(known, name):
                return SpokespersonPlan(
                    same_person=known,
                    note=f"{name} is taken to be {known.name}, named in the {partner.get_language_display()} "
                    f"transcript of the same day (briefing #{partner.pk}).",
                )
        else:
            other_name = ""
    latin, native = (name, other_name) if is_latin(name) else (other_name, name)
    note = ""
    if not latin:
        # No transliteration is guessed: the native name stands in until an editor writes it.
        latin = native
        note = (
            f"Only the native name {native} is known: unless a name in Latin script is given, it stands in for "
            "one and the slug is a placeholder. Correct both in the admin (Spokespersons) before anything they "
            "said is published."
        )
    return SpokespersonPlan(name=latin, native_name=native, note=note)


def unique_slug(name, ministry):
    base = slugify(name) or f"{ministry.slug if ministry else 'spokesperson'}-spokesperson"
    slug, number = base[:110], 1
    while Spokesperson.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base[:110]}-{number}"
    return slug


def complete_spokesperson(spokesperson, name):
    """Record the name in the script the spokesperson lacked; a stand-in's slug follows the Latin
    name while nobody can have linked it (the spokesperson is not public yet)."""
    if is_latin(name):
        spokesperson.name = name
        if not Spokesperson.objects.public().filter(pk=spokesperson.pk).exists():
            spokesperson.slug = unique_slug(name, spokesperson.ministry)
    else:
        spokesperson.native_name = name
    validate(spokesperson)
    spokesperson._change_reason = IMPORTED
    spokesperson.save()
    return spokesperson


def add_spokesperson(ministry, name, native_name):
    """(spokesperson, created): someone with either name already (two transcripts of one save,
    a double click), or a new spokesperson of the ministry."""
    name, native_name = name.strip(), native_name.strip()
    existing = (native_name and Spokesperson.objects.filter(native_name=native_name).first()) or (
        name and Spokesperson.objects.filter(name__iexact=name).first()
    )
    if existing:
        return existing, False
    name = name or native_name
    spokesperson = Spokesperson(
        ministry=ministry, name=name, native_name=native_name, slug=unique_slug(name if is_latin(name) else "", ministry)
    )
    validate(spokesperson)
    spokesperson._change_reason = IMPORTED
    spokesperson.save()
    return spokesperson, True


def _added(spokesperson, notes):
    notes.append(f"Added spokesperson {spokesperson.name} ({spokesperson.slug}).")
    if not is_latin(spokesperson.name):
        notes.append(
            f"{spokesperson.name} has no name in Latin script yet: the native name stands in, and the slug "
            "is a placeholder. Correct both in the admin (Spokespersons) before anything they said is published."
        )


def _host_for(parsed, ministry, host, create, notes, result):
    """The briefing's host: the editor's choice, or the one the transcript names (created or
    completed when allowed), or None with a note."""
    if isinstance(host, NewSpokesperson):
        spokesperson, created = add_spokesperson(ministry, host.name, host.native_name)
        if created:
            result.added_spokesperson = spokesperson
            _added(spokesperson, notes)
        return spokesperson
    plan = plan_spokesperson(parsed, ministry)
    if host is not MATCH_BY_NAME:
        # An editor's choice; if it is the person the other language names, the name is recorded.
        if host is not None and plan.same_person is not None and host.pk == plan.same_person.pk:
            complete_spokesperson(host, parsed.spokesperson_name)
            result.added_spokesperson = host
            notes.append(plan.note)
        return host
    if plan.match or not parsed.spokesperson_name:
        return plan.match
    if create:
        if plan.same_person:
            spokesperson = complete_spokesperson(plan.same_person, parsed.spokesperson_name)
            notes.append(plan.note)
        else:
            spokesperson, created = add_spokesperson(ministry, plan.name, plan.native_name)
            if created:
                _added(spokesperson, notes)
        result.added_spokesperson = spokesperson
        return spokesperson
    result.unknown_spokesperson = parsed.spokesperson_name
    notes.append(
        f"No spokesperson named {parsed.spokesperson_name!r}: the host is left empty; "
        "add the spokesperson in the admin and set it (or import with --create-spokespersons)."
    )
    return None


def spokesperson_summary(results):
    """One sentence on the spokespersons a run added or could not find, for a command's summary."""
    added = sorted({r.added_spokesperson.name for r in results if r.added_spokesperson})
    unknown = Counter(r.unknown_spokesperson for r in results if r.unknown_spokesperson)
    parts = []
    if added:
        parts.append(f"spokespersons added or completed: {', '.join(added)}")
    if unknown:
        names = ", ".join(f"{name} ({n} briefing{'s' if n > 1 else ''})" for name, n in sorted(unknown.items()))
        parts.append(f"unknown spokespersons, hosts left empty: {names} (run again with --create-spokespersons, or add them in the admin)")
    return "; ".join(parts)


def find_existing(parsed, ministry):
    # Without a URL, a briefing is its ministry, day, kind, language and title.
    same_event = Briefing.objects.filter(
        ministry=ministry, date=parsed.date, kind=parsed.kind, language=parsed.language,
        title=parsed.title[:300],
    )
    if parsed.source_url:
        by_url = Briefing.objects.filter(source_url=parsed.source_url).first()
        return by_url or same_event.filter(source_url="").first()
    return same_event.first()


def _store(parsed, publish, host, create_spokespersons):
    ministry = resolve_ministry(parsed.ministry)
    # Imports for one ministry take turns (a row lock on PostgreSQL; SQLite's transactions are
    # immediate, settings.py), so two saves of one transcript cannot both find no briefing.
    Ministry.objects.select_for_update().filter(pk=ministry.pk).first()
    notes = list(parsed.warnings)
    result = ImportResult(status="unchanged", briefing=None)
    spokesperson = _host_for(parsed, ministry, host, create_spokespersons, notes, result)
    values = {
        "title": parsed.title[:300],
        "date": parsed.date,
        "kind": parsed.kind,
        "language": parsed.language,
        "spokesperson_id": spokesperson.pk if spokesperson else None,
        "source_name": parsed.source_name,
    }
    briefing = find_existing(parsed, ministry)
    was_published = briefing is not None and briefing.is_published
    if briefing is None:
        briefing = Briefing(
            ministry=ministry, source_url=parsed.source_url, date_source=parsed.date_source,
            news_report=parsed.news_report, **values,
        )
        status = "created"
    else:
        status = "unchanged"
        if briefing.ministry_id != ministry.pk:
            raise TranscriptError(
                f"{parsed.source_url} is already briefing #{briefing.pk} of another ministry "
                f"({briefing.ministry}); not changed."
            )
        status = _apply_briefing_values(briefing, values, notes)
        if parsed.source_url and not briefing.source_url:
            briefing.source_url, status = parsed.source_url, "updated"
    # The date's source goes with the date: the transcript's, unless an editor's date was kept.
    date_source = parsed.date_source if briefing.date == parsed.date else "editor"
    if briefing.original_text != parsed.original_text:
        briefing.original_text = parsed.original_text
        status = "updated" if status == "unchanged" else status
    imported_values = {k: _jsonable(v) for k, v in values.items()}
    if publish and not briefing.is_published:
        briefing.publish()
        status = "updated" if status == "unchanged" else status
    if status != "unchanged" or briefing.imported_values != imported_values or briefing.date_source != date_source:
        briefing.imported_values = imported_values
        briefing.date_source = date_source
        validate(briefing)
        briefing._change_reason = IMPORTED
        briefing.save()

    result.status, result.briefing, result.notes = status, briefing, notes
    _store_remarks(briefing, parsed.remarks, result)
    if result.status == "unchanged" and (result.created or result.updated):
        result.status = "updated"
    if was_published and result.status != "unchanged" and not publish:
        # Public text changes only as a reviewed change: the transaction is rolled back.
        raise PublishedChanged(
            f"Briefing #{briefing.pk} is published and this transcript differs from it "
            f"({result.created} new, {result.updated} changed remarks): nothing was saved. "
            "Correct the published briefing in the admin, or ask a publisher to unpublish it and import again."
        )
    translations.link_imported(briefing, result.notes)
    _link_reports(briefing, result)
    return result


def validate(instance, exclude=()):
    """The model's own rules (lengths, web addresses, choices) before writing, as a clear error."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        problems = "; ".join(f"{name.replace('_', ' ')}: {' '.join(messages)}" for name, messages in error.message_dict.items())
        raise TranscriptError(f"The transcript cannot be saved as it stands ({problems}).") from None


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _apply_briefing_values(briefing, values, notes):
    """Take the new import's values, except where an editor changed the previous import's."""
    previous = briefing.imported_values or {}
    changed = []
    for name, new in values.items():
        current = getattr(briefing, name)
        if _jsonable(current) == _jsonable(new):
            continue
        if name in previous and _jsonable(current) != previous[name]:
            notes.append(
                f"Kept the editor's {name.removesuffix('_id')} {current!r}; the transcript now says {new!r}."
            )
            continue
        setattr(briefing, name, new)
        changed.append(name.removesuffix("_id"))
    if changed:
        notes.append(f"Briefing's {', '.join(changed)} updated from the transcript.")
    return "updated" if changed else "unchanged"


def _store_remarks(briefing, parsed_remarks, result):
    existing = list(briefing.remarks.order_by("position")) if briefing.pk else []
    # Align on the text as last imported (or, for typed remarks, as it stands).
    old_keys = [r.imported_fingerprint or r.text_fingerprint() for r in existing]
    new_keys = [text_fingerprint(p.kind, p.question, p.answer, p.outlet) for p in parsed_remarks]
    final = []  # (remark, parsed or None, fingerprint) in the new order
    matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    leftovers = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            for old in existing[a1:a2]:
                final.append((old, None, None))
                result.kept += 1
            continue
        olds, news = existing[a1:a2], parsed_remarks[b1:b2]
        for index, new in enumerate(news):
            old = olds[index] if index < len(olds) else None
            fingerprint = new_keys[b1 + index]
            if old is not None and old.edited_since_import:
                result.notes.append(
                    f"Remark #{old.pk} was edited by hand; the transcript's new text for it was not applied."
                )
                final.append((old, None, None))
                result.kept += 1
            else:
                final.append((old, new, fingerprint))
        leftovers.extend(olds[len(news) :])
    for old in leftovers:
        result.notes.append(
            f"Remark #{old.pk} is no longer in the transcript; it was kept (delete it in the admin if it should go)."
        )
        final.append((old, None, None))

    unchanged = all(new is None and remark.position == n for n, (remark, new, _) in enumerate(final, start=1))
    if unchanged:
        return
    if existing:
        park_positions(briefing)
    written = []
    for position, (remark, new, fingerprint) in enumerate(final, start=1):
        if new is None:
            Remark.objects.filter(pk=remark.pk).update(position=position)
            continue
        created = remark is None
        remark = remark or Remark(briefing=briefing)
        remark.position = position
        remark.kind, remark.question, remark.answer, remark.outlet = new.kind, new.question, new.answer, new.outlet
        remark.review_note = new.review
        result.to_check += bool(new.review)
        remark.imported_fingerprint = fingerprint
        validate(remark, exclude=["briefing"])
        remark._change_reason = IMPORTED
        remark.save()
        written.append(remark.pk)
        if created:
            result.created += 1
        else:
            result.updated += 1
    # Tagged at once, public with the briefing; editors review them in the admin's queue.
    result.tagging = tag_remarks(Remark.objects.filter(pk__in=written))


def _link_reports(briefing, result):
    """A news report's remarks and the ministry's transcript of the same day, in the same
    language, whichever came first: each reported exchange that matches one exchange of the
    transcript is merged into it (statements/text/overlap.py), so that the transcript is the text
    of record, the report's permalink leads there, and the exchange is counted once."""
    same_day = Briefing.objects.filter(
        ministry=briefing.ministry_id, date=briefing.date, language=briefing.language
    ).exclude(pk=briefing.pk)
    if briefing.news_report:
        reports, transcripts = [briefing.pk], list(same_day.filter(news_report=False).values_list("pk", flat=True))
    else:
        reports, transcripts = list(same_day.filter(news_report=True).values_list("pk", flat=True)), [briefing.pk]
    if not reports or not transcripts:
        return
    standing = Remark.objects.filter(merged_into=None, withdrawn_at=None).order_by("briefing_id", "position")
    exchanges = list(standing.filter(briefing__in=transcripts).only("pk", "answer", "briefing_id", "position"))
    exchange_words = [overlap.words(exchange.answer) for exchange in exchanges]
    for reported in standing.filter(briefing__in=reports):
        match = overlap.best_match(overlap.words(reported.answer), exchange_words)
        if match is None:
            continue
        record = exchanges[match]
        try:
            reported._change_reason = f"Merged into remark {record.pk} of the ministry's transcript"
            reported.merge_into(record)
        except ValidationError as error:
            result.notes.append(f"Reported remark {reported.pk} matches remark {record.pk} of the transcript, not merged: {error.messages[0]}")
            continue
        result.notes.append(
            f"Remark {reported.position} of the news report #{reported.briefing_id} is remark {record.position} of the "
            f"transcript #{record.briefing_id}: merged there (the transcript is the text of record)."
        )
