"""Translations paired by structure (statements/text/pairing.py): every English and Chinese
transcript of a day in ../shared/corpus/mfa linked with all its remarks, no transcript of another
day taken for one, an exchange missing on one side left unpaired, and a same-day briefing of
another subject left for an editor. Thresholds were set on the 2018 pairs; the 2020 pairs are
reported on their own (docs/importing.md)."""

import collections
import io

import pytest
from django.core.management import call_command

from statements.import_store import store_briefing
from statements import translations
from statements.translations import remark_signatures
from statements.importers import Hints, TranscriptError, parse_transcript
from statements.importers.base import title_kind
from statements.models import Briefing
from statements.text import pairing
from tests.test_import_corpus import CORPUS, MANIFEST


def import_corpus():
    for row in MANIFEST:
        try:
            store_briefing(parse_transcript((CORPUS / row["path"]).read_bytes(), Hints(source_url=row["source_url"])))
        except TranscriptError:
            assert row["path"] == "en/undated-remarks-t1686638.html"  # no date anywhere (docs/importing.md)


def test_every_pair_of_the_corpus_is_linked_and_no_transcript_of_another_day(mfa_spokespersons, reference_data):
    import_corpus()
    briefings = {b.source_url: b for b in Briefing.objects.all()}
    # The pairs, read from the manifest: the English and Chinese transcript of one day.
    by_day = collections.defaultdict(dict)
    for row in MANIFEST:
        if row["date_from_title"] and row["source_url"] in briefings:
            by_day[row["date_from_title"]][row["language"]] = briefings[row["source_url"]]
    pairs = {day: found for day, found in by_day.items() if len(found) == 2}
    linked = collections.Counter()
    for day, found in pairs.items():
        english, chinese = found["en"], found["zh"]
        assert english.translation_id == chinese.pk and chinese.translation_id == english.pk, day
        # The ministry's two transcripts have the same exchanges in the same order.
        en_remarks = list(english.remarks.order_by("position"))
        zh_positions = dict(chinese.remarks.values_list("pk", "position"))
        assert [zh_positions.get(r.translation_id) for r in en_remarks] == [r.position for r in en_remarks], day
        linked[day[:4]] += 1
    assert linked == {"2018": 40, "2020": 16}
    # Days with one language only (the English remarks of August 2019, the undated Chinese
    # remarks) keep no translation.
    alone = [found for found in by_day.values() if len(found) == 1]
    assert alone and all(b.translation_id is None for found in alone for b in found.values())

    # Structure alone (the date is not among the clues) never takes another day's transcript
    # for a translation: 3,080 English × Chinese pairs of different days.
    signatures = {b.pk: remark_signatures(b) for b in briefings.values()}
    english = [found["en"] for found in pairs.values()]
    chinese = [found["zh"] for found in pairs.values()]
    taken = [
        (e.date, c.date)
        for e in english
        for c in chinese
        if e.date != c.date and pairing.compare(signatures[e.pk], signatures[c.pk]).sure
    ]
    assert taken == []

    # An exchange the English transcript leaves out: the others pair, each with its own or with
    # none where the clues are not enough to tell.
    paired, remarks = collections.Counter(), collections.Counter()
    for found in pairs.values():
        mine, theirs = signatures[found["en"].pk], signatures[found["zh"].pk]
        left_out = len(mine) // 2
        verdict = pairing.compare(mine[:left_out] + mine[left_out + 1 :], theirs)
        assert verdict.sure, (found["en"].date, verdict.reason)
        assert all(j == (i if i < left_out else i + 1) for i, j in verdict.pairs), found["en"].date
        paired[found["en"].date.year] += len(verdict.pairs)
        remarks[found["en"].date.year] += len(mine) - 1
    assert paired[2018] >= 0.75 * remarks[2018] and paired[2020] >= 0.75 * remarks[2020], (paired, remarks)


ENGLISH_EXCHANGES = [
    ("Reuters: The United States has closed its borders to travellers from China.", "We urge the US to respect the WHO's advice."),
    ("AFP: Japan sent a third charter flight with 149 people.", "China supports Japan in bringing its citizens home."),
]
ANOTHER_SUBJECT = [("问：据报道，巴基斯坦在联合国发表声明。", "答：中方赞赏巴基斯坦对中方的支持，我们同巴方在20个领域合作。")]


def import_text(title, exchanges):
    text = f"Title: {title}\n\n" + "\n\n".join(f"Q: {q}\nA: {a}" for q, a in exchanges)
    return store_briefing(parse_transcript(text.encode(), Hints(source_url=f"https://example.org/{hash(title)}.html")))


def test_a_same_day_briefing_of_another_subject_is_left_for_an_editor(ministry, hua, reference_data):
    """What happened on 4 February 2020: the English online briefing was filed as remarks and
    linked to the day's one-remark Chinese statement on another matter."""
    english = import_text(
        "Foreign Ministry Spokesperson Hua Chunying's Remarks on February 4, 2020",
        ENGLISH_EXCHANGES,
    )
    chinese = import_text(
        "2020年2月4日外交部发言人华春莹答记者问",
        ANOTHER_SUBJECT,
    )
    assert english.briefing.kind == chinese.briefing.kind == "remarks"
    english.briefing.refresh_from_db()
    assert english.briefing.translation_id is None and chinese.briefing.translation_id is None
    assert any(f"Briefing #{english.briefing.pk} of that day could be its translation" in note for note in chinese.notes)
    # Linked so by an earlier version of the importer: the link is kept, and named at each import.
    english.briefing.translation = chinese.briefing
    english.briefing.save()
    again = import_text(
        "2020年2月4日外交部发言人华春莹答记者问",
        ANOTHER_SUBJECT,
    )
    assert any(
        f"Linked to briefing #{english.briefing.pk} as its translation, but their remarks do not show it" in note
        for note in again.notes
    )


def test_a_translation_imported_later_links_both_ways_with_its_remarks(ministry, hua, reference_data):
    english = import_text(
        "Foreign Ministry Spokesperson Hua Chunying's Remarks on February 4, 2020",
        ENGLISH_EXCHANGES,
    ).briefing
    chinese = import_text(
        "2020年2月4日外交部发言人华春莹答记者问",
        [
            ("路透社记者：美国对来自中国的旅客关闭了边境。", "答：我们敦促美方尊重世卫组织的建议。"),
            ("法新社记者：日本派出第三架包机，搭载149人。", "答：中方支持日方接回本国公民。"),
        ],
    ).briefing
    english.refresh_from_db()
    assert english.translation_id == chinese.pk and chinese.translation_id == english.pk
    assert [r.translation.position for r in english.remarks.order_by("position").select_related("translation")] == [1, 2]


@pytest.mark.parametrize(
    "title, kind",
    [
        # Titles as the ministry's listings print them (../shared/corpus/mfa/index/), read by hand.
        ("Foreign Ministry Spokesperson Geng Shuang's Daily Briefing Online on February 21, 2020", "online_briefing"),
        ("2020年2月21日外交部发言人耿爽主持网上例行记者会", "online_briefing"),
        ("Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference on May 15, 2020", "press_conference"),
        ("2019年7月9日外交部发言人耿爽主持例行记者会", "press_conference"),
        ("Foreign Ministry Spokesperson Hua Chunying's Remarks on August 16, 2019", "remarks"),
        ("Foreign Ministry Spokesperson Hua Chunying's Remarks on US House Speaker Nancy Pelosi's Erroneous Remarks on Hong Kong", "remarks"),
        ("2019年8月12日外交部发言人华春莹答记者问", "remarks"),
        ("外交部发言人赵立坚就美国驻华大使布兰斯塔德有关声明答记者问", "remarks"),
        ("外交部发言人陆慷就中美建交40周年发表谈话", "statement"),
        ("外交部发言人华春莹就美领导人无端指责中国表明立场", "statement"),
    ],
)
def test_every_kind_the_ministry_uses_is_read_from_its_titles_in_both_languages(title, kind):
    assert title_kind(title) == kind


def test_an_announcement_on_one_side_only_is_never_paired_with_an_exchange():
    def remark(kind, *clues):
        return pairing.Signature(kind, frozenset(clues))

    english = [
        remark("announcement", ("entity", 1), ("number", "2020")),
        remark("announcement", ("entity", 2)),
        remark("qa", ("outlet", 7), ("entity", 3)),
        remark("qa", ("outlet", 8), ("entity", 4), ("number", "149")),
    ]
    chinese = [english[0], english[2], english[3], remark("qa")]
    verdict = pairing.compare(english, chinese)
    assert verdict.sure and verdict.pairs == [(0, 0), (2, 1), (3, 2)]


def test_an_archive_imported_before_is_repaired_by_link_translations(mfa_spokespersons, reference_data):
    """An English transcript imported as "remarks" (as "Daily Briefing Online" was) and left
    unlinked: the command reads its kind again and links it with its remarks; a kind an
    editor chose is kept; --dry-run writes nothing."""
    import io

    from django.core.management import call_command

    rows = [row for row in MANIFEST if row["date_from_title"] in ("2020-04-01", "2020-04-08")]
    for row in rows:
        store_briefing(parse_transcript((CORPUS / row["path"]).read_bytes(), Hints(source_url=row["source_url"])))
    first, second = (Briefing.objects.get(language="en", date=day) for day in ("2020-04-01", "2020-04-08"))
    for english in (first, second):  # as the importer of before left them
        Briefing.objects.filter(pk=english.translation_id).update(translation=None)
        english.remarks.update(translation=None)
        english.remarks.model.objects.filter(briefing=english.translation_id).update(translation=None)
        Briefing.objects.filter(pk=english.pk).update(
            translation=None, kind="remarks", imported_values={**english.imported_values, "kind": "remarks"}
        )
    Briefing.objects.filter(pk=second.pk).update(kind="statement")  # an editor's choice, since
    out = io.StringIO()
    call_command("link_translations", "--dry-run", stdout=out)
    assert "Would read the kind again of 1 briefing(s); 1 more pair(s) of translations linked (1 in all)" in out.getvalue()
    assert Briefing.objects.get(pk=first.pk).kind == "remarks" and Briefing.objects.get(pk=first.pk).translation_id is None

    call_command("link_translations", stdout=(out := io.StringIO()))
    assert "Read the kind again of 1 briefing(s); 1 more pair(s) of translations linked (1 in all)" in out.getvalue()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.kind == "press_conference" and first.translation.language == "zh"
    assert all(remark.translation_id for remark in first.remarks.all())
    assert second.kind == "statement" and second.translation_id is None


def test_pairing_again_undoes_the_pairs_of_before_that_no_longer_hold(ministry, hua, reference_data):
    english = import_text("Foreign Ministry Spokesperson Hua Chunying's Remarks on February 4, 2020", ENGLISH_EXCHANGES).briefing
    chinese = import_text(
        "2020年2月4日外交部发言人华春莹答记者问",
        [
            ("路透社记者：美国对来自中国的旅客关闭了边境。", "答：我们敦促美方尊重世卫组织的建议。"),
            ("法新社记者：日本派出第三架包机，搭载149人。", "答：中方支持日方接回本国公民。"),
        ],
    ).briefing
    first, second = english.remarks.order_by("position")
    wrong = [(0, 1), (1, 0)]  # crossed, as a wrong pairing of before
    translations.pair_remarks(english, chinese, wrong)
    translations.pair_remarks(english, chinese, [(0, 0)])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.translation.position == 1 and first.translation.translation_id == first.pk
    assert second.translation_id is None and not chinese.remarks.filter(translation=second).exists()
    assert chinese.remarks.get(position=2).translation_id is None
