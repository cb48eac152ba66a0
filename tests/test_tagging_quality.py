"""Tagging against 517 exchanges of the ministry's transcripts labelled by reading, before the
rules were tuned (tests/data/tagging_guidelines.md); two pages in five were held out of the
tuning. The issue's targets (issue 24): countries and organisations precision ≥ 95 % and recall
≥ 90 %, topics precision ≥ 90 % and recall ≥ 85 %. Topics are held to them pooled over the eight
measured topics: one topic has 2 to 28 labelled exchanges in the held-out part, too few for a
figure of its own to mean much (docs/tagging.md has each).
"""

import io
from collections import Counter

import pytest
from django.core.management import call_command

from statements.tagging.apply import Tagger
from tagging_quality import evaluate, records


@pytest.fixture
def tagger(db, ministry):
    call_command("load_reference_data", stdout=io.StringIO())
    return Tagger()


def test_the_labels_cover_both_languages_and_the_years_of_the_corpus():
    labelled = records()
    assert len(labelled) >= 500
    assert {(r["language"], r["date"][:4]) for r in labelled} >= {("en", "2018"), ("zh", "2018"), ("en", "2020"), ("zh", "2020")}
    assert 0.25 < sum(r["held_out"] for r in labelled) / len(labelled) < 0.45
    assert Counter(topic for r in labelled for topic in r["topics"])["covid-19"] > 50


@pytest.mark.parametrize("held_out", [False, True], ids=["tuned-on", "held-out"])
def test_mentions_and_topics_meet_their_targets(tagger, ministry, held_out):
    scores = evaluate(tagger, ministry.pk, held_out)
    entities, topics = scores["entities"], scores["topics"]
    assert entities.precision >= 0.95 and entities.recall >= 0.90, f"mentions: {entities}"
    assert topics.precision >= 0.90 and topics.recall >= 0.85, f"topics: {topics}"
