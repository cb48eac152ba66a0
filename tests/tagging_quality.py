"""Precision and recall of tagging against the exchanges labelled by reading
(tests/data/tagging_labels.jsonl, tests/data/tagging_guidelines.md), for the test that holds the
targets and for docs/tagging.md:

    DATABASE_URL=sqlite:////tmp/q.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/q.sqlite3 .venv/bin/python tests/tagging_quality.py
"""

import datetime
import json
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

LABELS = Path(__file__).resolve().parent / "data" / "tagging_labels.jsonl"
# The labels' names of the eight measured topics, and the slugs of the topics they are.
TOPICS = {
    "taiwan": "taiwan",
    "xinjiang": "xinjiang",
    "hong-kong": "hong-kong",
    "south-china-sea": "south-china-sea",
    "korean-peninsula": "korean-peninsula",
    "iran-nuclear-issue": "iran-nuclear-issue",
    "covid-19": "covid-19-response",
    "belt-and-road": "belt-and-road-initiative",
}


def records():
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list = field(default_factory=list)

    @property
    def precision(self):
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self):
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, got, want, where):
        self.tp += len(got & want)
        self.fp += len(got - want)
        self.fn += len(want - got)
        self.errors += [("false", where, g) for g in got - want] + [("missed", where, w) for w in want - got]

    def __str__(self):
        return f"P {self.precision:.1%} R {self.recall:.1%} ({self.tp} right, {self.fp} wrong, {self.fn} missed)"


def label_entity(label, by_code, by_key, by_name):
    """The entity a label names: a country's ISO code, org:<key>, or org:other:<English name>
    (an organisation outside the labelling's list, found by name if the reference data has it)."""
    if label.startswith("org:other:"):
        return by_name.get(label[len("org:other:") :], label)
    if label.startswith("org:"):
        return by_key.get(label[4:], label)
    return by_code.get(label, label)


def second_round(record):
    """Whether the second round of tuning (2026-12-07: context words) could see this exchange:
    each page of the exchanges labelled after the first round falls on one side or the other
    by a checksum of its name, decided before any was looked at."""
    return zlib.crc32(record["id"].split("#")[0].encode()) % 2 == 0


PARTS = {
    "tuned on": lambda r: not r["after_tuning"] and not r["held_out"],
    "held out": lambda r: not r["after_tuning"] and r["held_out"],
    "tuned on in the second round": lambda r: r["after_tuning"] and second_round(r),
    "never tuned on": lambda r: r["after_tuning"] and not second_round(r),
}


def evaluate(tagger, ministry_id, part):
    """{"entities": Score, "topics": Score (the eight pooled), <topic>: Score} over the
    labelled exchanges of one part (PARTS)."""
    from statements.models import Entity, Topic

    entities = list(Entity.objects.all())
    by_code = {e.iso_code: e.pk for e in entities if e.iso_code}
    by_key = {e.reference_key: e.pk for e in entities if e.reference_key}
    by_name = {name: e.pk for e in entities for name in (e.name, *e.alias_list)}
    slugs = dict(Topic.objects.values_list("pk", "slug"))
    scores = defaultdict(Score)
    for record in filter(PARTS[part], records()):
        found = tagger.find(record["question"], record["answer"], ministry_id, datetime.date.fromisoformat(record["date"]))
        want = {label_entity(label, by_code, by_key, by_name) for label in record["entities"]}
        scores["entities"].add(set(found.entities), want, record["id"])
        found_slugs = {slugs[pk] for pk in found.topics}
        for label, slug in TOPICS.items():
            got, expected = {slug} & found_slugs, {slug} if label in record["topics"] else set()
            scores[label].add(got, expected, record["id"])
            scores["topics"].add(got, expected, record["id"])
    return scores


def positives(part):
    return Counter(topic for record in filter(PARTS[part], records()) for topic in record["topics"])


def main():
    import os
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from statements.models import Ministry
    from statements.tagging.apply import Tagger

    ministry, _ = Ministry.objects.get_or_create(slug="prc-mfa", defaults={"name": "MFA", "short_name": "PRC MFA", "country": "China"})
    call_command("load_reference_data")
    tagger = Tagger()
    for part, member in PARTS.items():
        print(f"\n{part}: {sum(map(member, records()))} exchanges")
        scores, counts = evaluate(tagger, ministry.pk, part), positives(part)
        for name in ("entities", "topics", *TOPICS):
            print(f"  {name:20} {scores[name]}" + (f"  [{counts[name]} labelled]" if name in TOPICS else ""))
        if "-v" in sys.argv:
            for error in scores["entities"].errors + scores["topics"].errors:
                print("   ", *error)


if __name__ == "__main__":
    main()
