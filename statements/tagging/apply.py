"""Tags put on remarks: every import path calls `tag_remarks` for the remarks it wrote, and
`manage.py retag` calls it for the whole archive after the rules or the reference data change.

A tag the rules find goes on the remark at once (public with its briefing) and is recorded as
an AutoTag, pending an editor's review. Re-tagging changes only pending tags: an accepted tag
stays, a rejected one never comes back, and a tag an editor put on by hand (no AutoTag) is
never removed. The many-to-many rows are written in bulk, which sends no m2m_changed, so the
months of public remarks whose tags moved are bumped here (ARCHITECTURE.md, write paths).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q

from ..models import AutoTag, Entity, Ministry, Outlet, Remark, Topic, bump_content_version, outlet_key, outlet_map
from .reference import chinese_abbreviations, not_mentions
from .rules import ChineseAbbreviations, TermMatcher, TopicRule, Words, split_lines

MATCHED_LENGTH = AutoTag._meta.get_field("matched").max_length


@dataclass
class Found:
    """What the rules found in one remark: for each topic or entity id, the words that matched."""

    topics: dict = field(default_factory=dict)
    entities: dict = field(default_factory=dict)


class Tagger:
    """Every topic's rule and every entity's names, read once for a run (an import, a re-tag)."""

    def __init__(self, topics=None, entities=None, own_country=None):
        topics = list(Topic.objects.all() if topics is None else topics)
        entities = list(Entity.objects.all() if entities is None else entities)
        self.rules = [
            (
                topic.pk,
                topic.tagged_from,
                TopicRule(
                    split_lines(topic.keywords), split_lines(topic.exclusions), topic.answer_matches,
                    split_lines(topic.context_words),
                ),
            )
            for topic in topics
            if topic.keywords.strip()
        ]
        owners = {}
        for entity in entities:
            for term in {entity.name, entity.name_zh, *entity.alias_list} - {""}:
                owners.setdefault(term, set()).add(entity.pk)
        # A name two entities answer to (Congo, Guinea as some write it) names neither for sure.
        self.ambiguous = sorted(term for term, pks in owners.items() if len(pks) > 1)
        terms = [(term, next(iter(pks))) for term, pks in owners.items() if len(pks) == 1]
        self.names = TermMatcher(terms + [(term, None) for term in not_mentions()], whole_words=True)
        by_code = {entity.iso_code: entity.pk for entity in entities if entity.iso_code}
        self.abbreviations = ChineseAbbreviations(
            {character: by_code[code] for character, code in chinese_abbreviations().items() if code in by_code}
        )
        self.own_country = _own_countries(entities) if own_country is None else own_country

    def find(self, question, answer, ministry_id=None, date=None):
        question_words, answer_words = Words(question or ""), Words(answer or "")
        found = Found()
        for topic_id, tagged_from, rule in self.rules:
            if tagged_from and date and date < tagged_from:
                continue
            decision = rule.decide(question_words, answer_words)
            if decision.tagged:
                found.topics[topic_id] = decision.terms
        own = self.own_country.get(ministry_id)
        for words in (question_words, answer_words):
            for match in [*self.names.find(words), *self.abbreviations.find(words)]:
                if match.key is not None and match.key != own:
                    terms = found.entities.setdefault(match.key, [])
                    if match.term not in terms:
                        terms.append(match.term)
        return found


_built = {}


def current_tagger():
    """The Tagger for the reference data as it stands, built again only once the data changed
    (any save of a topic or entity leaves a history row; a ministry's country is read each
    time): the sync imports hundreds of transcripts in one process."""
    fingerprint = (
        *Topic.history.aggregate(Max("history_id"), Max("history_date")).values(),
        *Entity.history.aggregate(Max("history_id"), Max("history_date")).values(),
        Topic.objects.count(),
        Entity.objects.count(),
        tuple(Ministry.objects.order_by("pk").values_list("pk", "country")),
    )
    if _built.get("fingerprint") != fingerprint:
        _built["tagger"], _built["fingerprint"] = Tagger(), fingerprint
    return _built["tagger"]


def _own_countries(entities):
    """Each ministry's own country, which its remarks are not tagged with (every remark of the
    Chinese ministry is about China)."""
    by_name = {}
    for entity in entities:
        if entity.kind == Entity.Kind.COUNTRY:
            for name in (entity.name, *entity.alias_list):
                by_name.setdefault(name, entity.pk)
    return {
        ministry.pk: by_name.get(ministry.country)
        for ministry in Ministry.objects.all()
        if by_name.get(ministry.country)
    }


@dataclass
class TagReport:
    remarks: int = 0
    added: int = 0
    removed: int = 0

    def __str__(self):
        return f"{self.remarks} remark(s) read, {self.added} tag(s) added, {self.removed} removed"


BATCH = 500
# A month's remarks are tagged in one transaction, up to this many: each transaction moves the
# months it changed, and the search engine then indexes those months again (search/engine.py),
# so a whole archive re-tagged month by month moves each month once.
MONTH_BATCH = 5000


def tag_remarks(remarks, tagger=None, progress=None):
    """Tag `remarks` (a queryset) by the rules, month by month; returns a TagReport."""
    tagger = tagger or current_tagger()
    report = TagReport()
    ids = list(remarks.order_by("year_month", "pk").values_list("pk", "year_month"))
    batches, done = [], 0
    for pk, month in ids:
        if not batches or batches[-1][0] != month or len(batches[-1][1]) >= MONTH_BATCH:
            batches.append((month, []))
        batches[-1][1].append(pk)
    for _, batch in batches:
        _tag_batch(batch, tagger, report)
        done += len(batch)
        if progress:
            progress(done, len(ids))
    return report


def _tag_batch(ids, tagger, report):
    # Read and match outside the transaction; it holds its locks only while it writes.
    remarks = list(Remark.objects.filter(pk__in=ids).only("pk", "question", "answer", "ministry_id", "date"))
    found = {remark.pk: tagger.find(remark.question, remark.answer, remark.ministry_id, remark.date) for remark in remarks}
    with transaction.atomic():
        rows = {}  # remark id → {(kind, tag id): AutoTag}
        for row in AutoTag.objects.filter(remark_id__in=ids):
            key = ("topic", row.topic_id) if row.topic_id else ("entity", row.entity_id)
            rows.setdefault(row.remark_id, {})[key] = row
        on_remark = {
            "topic": set(Remark.topics.through.objects.filter(remark_id__in=ids).values_list("remark_id", "topic_id")),
            "entity": set(Remark.entities.through.objects.filter(remark_id__in=ids).values_list("remark_id", "entity_id")),
        }
        add = {"topic": [], "entity": []}
        new_rows, changed_rows, stale_rows = [], [], []
        touched = set()
        for remark in remarks:
            report.remarks += 1
            mine = rows.get(remark.pk, {})
            by_kind = {"topic": found[remark.pk].topics, "entity": found[remark.pk].entities}
            for kind, by_id in by_kind.items():
                for tag_id, terms in by_id.items():
                    matched = " · ".join(terms)[:MATCHED_LENGTH]
                    row = mine.get((kind, tag_id))
                    if row is None:
                        if (remark.pk, tag_id) in on_remark[kind]:
                            continue  # an editor's own tag
                        new_rows.append(AutoTag(remark_id=remark.pk, **{f"{kind}_id": tag_id}, matched=matched))
                        add[kind].append((remark.pk, tag_id))
                        touched.add(remark.pk)
                    elif row.decision == AutoTag.Decision.PENDING and row.matched != matched:
                        row.matched = matched
                        changed_rows.append(row)
            for (kind, tag_id), row in mine.items():
                if row.decision == AutoTag.Decision.PENDING and tag_id not in by_kind[kind]:
                    stale_rows.append(row)
                    touched.add(remark.pk)
        _write(add, new_rows, changed_rows, stale_rows)
        report.added += len(new_rows)
        report.removed += len(stale_rows)
        # Asked here, in the transaction: a briefing published since the read is public now.
        if touched and (months := Remark.objects.filter(pk__in=touched).public_months()):
            bump_content_version(months)


def _write(add, new_rows, changed_rows, stale_rows):
    Remark.topics.through.objects.bulk_create(
        [Remark.topics.through(remark_id=r, topic_id=t) for r, t in add["topic"]], ignore_conflicts=True
    )
    Remark.entities.through.objects.bulk_create(
        [Remark.entities.through(remark_id=r, entity_id=e) for r, e in add["entity"]], ignore_conflicts=True
    )
    AutoTag.objects.bulk_create(new_rows)
    AutoTag.objects.bulk_update(changed_rows, ["matched"])
    if stale_rows:
        stale_topics = Q()
        stale_entities = Q()
        for row in stale_rows:
            if row.topic_id:
                stale_topics |= Q(remark_id=row.remark_id, topic_id=row.topic_id)
            else:
                stale_entities |= Q(remark_id=row.remark_id, entity_id=row.entity_id)
        AutoTag.objects.filter(pk__in=[row.pk for row in stale_rows]).delete()
        if stale_topics:
            Remark.topics.through.objects.filter(stale_topics).delete()
        if stale_entities:
            Remark.entities.through.objects.filter(stale_entities).delete()


def resolve_outlets():
    """Each remark's `asked_by` as the outlets' names and aliases now say (Remark.save does it
    for one remark): after the outlets were loaded or edited. Reads each distinct label once;
    the updates go through RemarkQuerySet.update, which moves the months they touch."""
    outlets = outlet_map(Outlet.objects.all())
    by_outlet = {}
    labels = Remark.objects.exclude(outlet="").order_by().values_list("outlet", flat=True).distinct()
    for label in labels:
        by_outlet.setdefault(outlets.get(outlet_key(label)), []).append(label)
    by_outlet.setdefault(None, []).append("")
    changed = 0
    for outlet_id, group in by_outlet.items():
        for start in range(0, len(group), BATCH):
            stale = Remark.objects.filter(outlet__in=group[start : start + BATCH])
            stale = stale.exclude(asked_by_id=outlet_id) if outlet_id else stale.filter(asked_by__isnull=False)
            changed += stale.update(asked_by_id=outlet_id)
    return changed
