"""Storing imports: drafts by default, atomic, re-imports in place with stable ids, editors'
edits kept, translations linked, remarks tagged at once and editors' tag decisions kept."""

import datetime
from pathlib import Path

import pytest
from django.db import connection

from statements.importers import Hints, TranscriptError, parse_transcript
from statements import import_store as store_module
from statements.import_store import store_briefing
from statements.models import AutoTag, Briefing, Remark, Topic
from statements.search import matching

from concurrency import at_once

DATA = Path(__file__).parent / "data" / "mfa"
EN_URL = "https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/2511_665403/t1583054.shtml"
ZH_URL = "https://www.fmprc.gov.cn/web/wjdt_674879/fyrbt_674889/t1582927.shtml"

TRANSCRIPT = """Title: Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on May 6, 2021

The Chinese side will host a video conference on trade.

Q: What about the WHO?
A: China supports the WHO.

Q: And the U.S. sanctions?
A: We oppose them.

Q: Anything on the weather?
A: Nothing to offer.
"""


def import_text(text, **options):
    return store_briefing(parse_transcript(text.encode(), Hints(source_url="https://example.org/t1.html")), **options)


def import_page(name, url, **options):
    return store_briefing(parse_transcript((DATA / name).read_bytes(), Hints(source_url=url)), **options)


def remark_ids(briefing):
    return list(briefing.remarks.order_by("position").values_list("pk", flat=True))


def test_import_creates_a_draft_with_remarks_in_order(ministry, wang):
    result = import_text(TRANSCRIPT)
    briefing = result.briefing
    assert result.status == "created" and result.created == 4
    assert briefing.status == Briefing.Status.DRAFT
    assert briefing.spokesperson == wang and briefing.date == datetime.date(2021, 5, 6)
    assert [r.kind for r in briefing.remarks.order_by("position")] == ["announcement", "qa", "qa", "qa"]
    assert list(briefing.remarks.values_list("position", flat=True).order_by("position")) == [1, 2, 3, 4]
    assert not Remark.objects.published().exists()


def test_publish_option_publishes(ministry, wang):
    briefing = import_text(TRANSCRIPT, publish=True).briefing
    assert briefing.is_published and briefing.published_at
    assert Remark.objects.published().count() == 4


def test_host_is_matched_by_native_name(ministry, geng):
    result = import_page("zh/2018-08-03-briefing-t1582927.html", ZH_URL)
    assert result.briefing.spokesperson == geng


def test_unknown_host_is_left_empty_and_reported(ministry):
    result = import_text(TRANSCRIPT)
    assert result.briefing.spokesperson is None
    assert any("No spokesperson named 'Wang Wenbin'" in note for note in result.notes)


def test_reimport_of_the_same_source_changes_nothing(ministry, wang):
    first = import_text(TRANSCRIPT)
    ids = remark_ids(first.briefing)
    stamps = list(Remark.objects.order_by("pk").values_list("updated_at", flat=True))
    again = import_text(TRANSCRIPT)
    assert again.status == "unchanged" and again.kept == 4
    assert Briefing.objects.get().updated_at == first.briefing.updated_at
    assert list(Remark.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    assert again.briefing.pk == first.briefing.pk and remark_ids(again.briefing) == ids
    assert Briefing.objects.count() == 1 and Remark.objects.count() == 4


def test_reimport_keeps_the_ids_of_unchanged_remarks(ministry, wang):
    ids = remark_ids(import_text(TRANSCRIPT).briefing)
    corrected = TRANSCRIPT.replace("We oppose them.", "We firmly oppose them.")
    inserted = corrected.replace("Q: Anything on the weather?", "Q: A new question?\nA: A new answer.\n\nQ: Anything on the weather?")
    result = import_text(inserted)
    assert result.status == "updated" and (result.created, result.updated, result.kept) == (1, 1, 3)
    remarks = list(result.briefing.remarks.order_by("position"))
    assert [r.pk for r in remarks][:3] == ids[:3]  # the corrected answer kept its id too
    assert remarks[2].answer == "We firmly oppose them."
    assert remarks[3].pk not in ids and remarks[3].question == "A new question?"
    assert remarks[4].pk == ids[3] and remarks[4].position == 5
    assert Remark.objects.count() == 5


def test_reimport_never_overwrites_an_editors_edit(ministry, wang):
    briefing = import_text(TRANSCRIPT).briefing
    edited = briefing.remarks.get(position=3)
    edited.answer = "We oppose them. [Corrected by an editor against the video.]"
    edited.save()
    briefing.title = "Corrected title"
    briefing.save()
    result = import_text(TRANSCRIPT.replace("We oppose them.", "We oppose them strongly."))
    edited.refresh_from_db()
    assert edited.answer == "We oppose them. [Corrected by an editor against the video.]"
    assert any(f"Remark #{edited.pk} was edited by hand" in note for note in result.notes)
    assert Briefing.objects.get().title == "Corrected title"
    assert any("Kept the editor's title" in note for note in result.notes)


def test_a_remark_gone_from_the_source_is_kept_and_reported(ministry, wang):
    ids = remark_ids(import_text(TRANSCRIPT).briefing)
    result = import_text(TRANSCRIPT.replace("Q: Anything on the weather?\nA: Nothing to offer.\n", ""))
    assert remark_ids(result.briefing) == ids
    assert any(f"Remark #{ids[-1]} is no longer in the transcript" in note for note in result.notes)


def test_a_failed_import_writes_nothing(ministry, wang, monkeypatch):
    import_text(TRANSCRIPT)
    before = list(Remark.objects.order_by("pk").values_list("pk", "position", "answer"))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_module.translations, "link_imported", broken)
    with pytest.raises(RuntimeError):
        import_text(TRANSCRIPT.replace("We oppose them.", "Changed.") + "\nQ: New?\nA: New.\n")
    assert list(Remark.objects.order_by("pk").values_list("pk", "position", "answer")) == before


def test_unknown_ministry_is_refused_before_anything_is_written(db):
    with pytest.raises(TranscriptError, match="No ministry with the slug 'nowhere'"):
        import_text("Ministry: nowhere\n" + TRANSCRIPT)
    assert not Briefing.objects.exists()


def test_dry_run_writes_nothing(ministry, wang):
    result = import_text(TRANSCRIPT, dry_run=True)
    assert result.status == "created" and result.created == 4 and result.dry_run
    assert not Briefing.objects.exists() and not Remark.objects.exists()


def test_english_and_chinese_versions_are_linked_with_their_remarks(ministry, geng):
    english = import_page("en/2018-08-03-briefing-t1583054.html", EN_URL).briefing
    chinese = import_page("zh/2018-08-03-briefing-t1582927.html", ZH_URL).briefing
    english.refresh_from_db()
    assert english.translation == chinese and chinese.translation == english
    pairs = [(r.position, r.translation.position, r.kind) for r in english.remarks.select_related("translation")]
    assert len(pairs) == english.remarks.count() and all(a == b for a, b, _ in pairs)
    last_en = english.remarks.order_by("position").filter(kind="qa").last()
    assert last_en.translation.question.startswith("马航MH370")


def test_imported_remarks_are_tagged_at_once_and_public_with_their_briefing(ministry, wang, topics, entities):
    draft = import_text(TRANSCRIPT).briefing
    announcement, who, sanctions, weather = draft.remarks.order_by("position")
    assert list(announcement.topics.all()) == [topics["trade"]]
    assert set(sanctions.entities.all()) == {entities["us"]}
    # The test entity is named "World Health Organization" with no alias "WHO".
    assert not who.entities.exists()
    assert not weather.topics.exists() and not weather.entities.exists()
    assert set(AutoTag.objects.values_list("decision", flat=True)) == {AutoTag.Decision.PENDING}
    # A draft's tags are not public; published, they are at once.
    assert not Topic.objects.public().filter(slug="trade").exists()
    import_text(TRANSCRIPT, publish=True)
    assert Remark.objects.published().filter(topics=topics["trade"]).get() == announcement


def test_acronyms_match_in_capitals_only_and_chinese_anywhere(ministry, wang, entities, topics):
    text = TRANSCRIPT.replace("Anything on the weather?", "Will you tell us about 美国贸易?")
    weather = import_text(text).briefing.remarks.get(position=4)
    assert set(weather.entities.all()) == {entities["us"]}  # from 美国, not from "us"
    assert set(weather.topics.all()) == {topics["trade"]}  # from 贸易


def test_imported_remarks_are_searchable_at_once(ministry, geng):
    import_page("en/2018-09-05-briefing-t1592240.html", "https://example.org/0905.html", publish=True)
    found = matching(Remark.objects.published(), "Nauru bully")
    assert found.count() == 1 and "Follow-up: Nauru's President" in found.get().answer


def test_a_reimport_keeps_the_editors_decisions_on_tags(ministry, wang, topics, entities):
    briefing = import_text(TRANSCRIPT).briefing
    announcement, _, sanctions, weather = briefing.remarks.order_by("position")
    announcement.topics.remove(topics["trade"])  # the editor takes the automatic tag off
    weather.topics.add(topics["taiwan"])  # and puts one of their own on
    # The source corrects every text; no remark was edited by hand, so all are updated.
    changed = (
        TRANSCRIPT.replace("on trade.", "on trade and investment.")
        .replace("We oppose them.", "We firmly oppose them.")
        .replace("Nothing to offer.", "Nothing to offer today.")
    )
    assert import_text(changed).updated == 3
    announcement.refresh_from_db()
    assert announcement.answer.endswith("trade and investment.")
    assert not announcement.topics.exists()
    assert AutoTag.objects.get(remark=announcement).decision == AutoTag.Decision.REJECTED
    assert list(weather.topics.all()) == [topics["taiwan"]] and not AutoTag.objects.filter(remark=weather).exists()
    assert list(sanctions.entities.all()) == [entities["us"]]


def test_a_changed_reimport_of_a_published_briefing_is_refused_and_writes_nothing(ministry, wang):
    briefing = import_text(TRANSCRIPT, publish=True).briefing
    before = remark_ids(briefing), list(briefing.remarks.values_list("answer", flat=True))
    with pytest.raises(TranscriptError, match="is published and this transcript differs"):
        import_text(TRANSCRIPT.replace("We oppose them.", "We firmly oppose them."))
    assert (remark_ids(briefing), list(briefing.remarks.values_list("answer", flat=True))) == before
    assert import_text(TRANSCRIPT).status == "unchanged"  # the same text is no change


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's in-memory test database cannot hold two writing connections; CI runs this on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("source_url", ["https://example.org/t1.html", ""], ids=["with a source URL", "without"])
def test_two_simultaneous_saves_of_one_transcript_give_one_briefing(ministry, wang, source_url):
    parsed = parse_transcript(TRANSCRIPT.encode(), Hints(source_url=source_url))
    results, errors = at_once(lambda: store_briefing(parsed).status)
    assert errors == []
    assert sorted(results) == ["created", "unchanged"]
    assert Briefing.objects.count() == 1
