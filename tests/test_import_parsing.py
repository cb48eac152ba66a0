"""Parsing transcripts into briefings and remarks: real MFA pages (tests/data/mfa) and plain text.

No database: parsing is pure, storing is tested in test_import_store.py.
"""

import datetime
import time
from pathlib import Path

import pytest

from statements.importers import Hints, TranscriptError, parse_transcript
from statements.importers.base import resolve_date

DATA = Path(__file__).parent / "data" / "mfa"
NAVIGATION = ["Home", "Press and Media Service", "首页", "外交动态", "打印本页", "Appendix", "附件"]


def page(name, **hints):
    return parse_transcript((DATA / name).read_bytes(), Hints(**hints), filename=name)


def qa(parsed):
    return [r for r in parsed.remarks if r.kind == "qa"]


def test_english_page_gives_title_date_kind_language_and_host():
    parsed = page("en/2018-08-03-briefing-t1583054.html")
    assert parsed.title == "Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference on August 3, 2018"
    assert parsed.date == datetime.date(2018, 8, 3)
    assert parsed.date_evidence == "title"
    assert (parsed.kind, parsed.language, parsed.spokesperson_name) == ("press_conference", "en", "Geng Shuang")
    assert parsed.ministry.slug == "prc-mfa"


def test_chinese_page_gives_its_native_title_and_host():
    parsed = page("zh/2018-08-03-briefing-t1582927.html")
    assert parsed.title == "2018年8月3日外交部发言人耿爽主持例行记者会"
    assert parsed.date == datetime.date(2018, 8, 3)
    assert (parsed.kind, parsed.language, parsed.spokesperson_name) == ("press_conference", "zh", "耿爽")


def test_english_and_chinese_versions_cut_into_the_same_remarks():
    for day in [("en/2018-08-03-briefing-t1583054.html", "zh/2018-08-03-briefing-t1582927.html"),
                ("en/2018-09-05-briefing-t1592240.html", "zh/2018-09-05-briefing-t1592093.html")]:
        english, chinese = (page(name) for name in day)
        assert [r.kind for r in english.remarks] == [r.kind for r in chinese.remarks]


def test_question_after_the_press_conference_is_its_own_exchange():
    english = page("en/2018-08-03-briefing-t1583054.html")
    chinese = page("zh/2018-08-03-briefing-t1582927.html")
    assert len(qa(english)) == len(qa(chinese)) == 9
    assert qa(english)[-1].question.startswith("The investigation team on the missing")
    assert qa(chinese)[-1].question.startswith("马航MH370客机失联事件调查组")
    assert "raised" not in qa(english)[-1].question


def test_closing_notice_becomes_the_last_announcement():
    parsed = page("en/2018-08-03-briefing-t1583054.html")
    closing = parsed.remarks[-1]
    assert closing.kind == "announcement"
    assert "will adjourn" in closing.answer
    assert closing.answer.endswith("Wish you a happy summer vacation!")
    assert "adjourn" not in qa(parsed)[-1].answer
    moved = page("en/2018-12-11-briefing-t1620929.html").remarks[-1]
    assert moved.kind == "announcement" and "will start at 14:30" in moved.answer


def test_opening_announcements_come_first_in_order():
    parsed = page("zh/2018-08-03-briefing-t1582927.html")
    assert parsed.remarks[0].kind == "announcement"
    assert not parsed.remarks[0].answer.startswith("一、")


def test_follow_ups_stay_inside_their_exchange_with_their_label():
    english = page("en/2018-09-05-briefing-t1592240.html")
    chinese = page("zh/2018-09-05-briefing-t1592093.html")
    assert len(qa(english)) == len(qa(chinese)) == 6
    nauru_en = next(r for r in qa(english) if "Nauru side" in r.question)
    nauru_zh = next(r for r in qa(chinese) if "瑙鲁方面" in r.question)
    assert "\n\nFollow-up: Nauru's President said yesterday" in nauru_en.answer
    assert "\n\n记者问：瑙鲁总统昨日称" in nauru_zh.answer
    journalist = page("zh/2018-10-19-briefing-t1605507.html")
    assert any("\n\n记者：接受采访的日期比较特殊。\n\n" in r.answer for r in qa(journalist))


def test_labels_are_removed_and_paragraphs_kept():
    first = qa(page("en/2018-09-05-briefing-t1592240.html"))[1]
    assert not first.question.startswith("Q:") and not first.answer.startswith("A:")
    assert first.answer.count("\n\n") >= 2


@pytest.mark.parametrize("name", sorted(p.relative_to(DATA).as_posix() for p in DATA.glob("*/*.html") if "undated-remarks-t1686638" not in p.name))
def test_no_markup_navigation_or_odd_spaces_in_any_remark(name):
    parsed = page(name)
    assert parsed.remarks
    for remark in parsed.remarks:
        for text in (remark.question, remark.answer):
            assert "<" not in text and ">" not in text and "&nbsp;" not in text and "{" not in text
            assert "\u3000" not in text and "\xa0" not in text and "  " not in text
            assert not any(word in text for word in NAVIGATION)


def test_undated_page_is_refused_with_a_request_for_a_date():
    with pytest.raises(TranscriptError, match=r"give the briefing.s date \(the Date field, or --date YYYY-MM-DD\)"):
        page("en/undated-remarks-t1686638.html")


def test_undated_page_imports_with_the_date_given():
    parsed = page("en/undated-remarks-t1686638.html", date=datetime.date(2019, 8, 7))
    assert parsed.date == datetime.date(2019, 8, 7) and parsed.date_evidence == "date given"
    assert parsed.kind == "remarks" and parsed.spokesperson_name == "Hua Chunying"
    assert len(qa(parsed)) == 1


def test_chinese_remarks_take_the_date_printed_on_the_page():
    parsed = page("zh/undated-remarks-t1416955.html")
    assert parsed.date == datetime.date(2016, 11, 21)
    assert parsed.date_evidence == "page's publication date"
    assert (parsed.kind, parsed.spokesperson_name) == ("remarks", "陆慷")
    assert len(qa(parsed)) == 1 and qa(parsed)[0].question.startswith("据媒体引述")


def test_a_date_contradicting_the_title_is_refused():
    with pytest.raises(TranscriptError, match="contradicts the title"):
        page("en/2018-08-03-briefing-t1583054.html", date=datetime.date(2018, 8, 4))


def test_a_language_contradicting_the_text_is_refused():
    with pytest.raises(TranscriptError, match="contradicts the text"):
        page("zh/2018-08-03-briefing-t1582927.html", language="en")


class TestDatesAreNeverGuessed:
    title = "Foreign Ministry Spokesperson Geng Shuang's Regular Press Conference on September 10"

    def test_year_comes_from_the_page_date_when_it_follows_the_title_day(self):
        date, evidence = resolve_date(self.title, page_date=datetime.date(2018, 9, 11))
        assert date == datetime.date(2018, 9, 10) and "year from the page" in evidence

    def test_year_crosses_new_year(self):
        title = "Foreign Ministry Spokesperson's Regular Press Conference on December 31"
        assert resolve_date(title, page_date=datetime.date(2019, 1, 2))[0] == datetime.date(2018, 12, 31)

    def test_without_evidence_for_the_year_it_refuses(self):
        with pytest.raises(TranscriptError, match="gives no year"):
            resolve_date(self.title)
        with pytest.raises(TranscriptError, match="gives no year"):
            resolve_date(self.title, page_date=datetime.date(2018, 11, 30))

    def test_given_date_must_agree_with_the_title_day(self):
        assert resolve_date(self.title, given=datetime.date(2018, 9, 10))[0] == datetime.date(2018, 9, 10)
        with pytest.raises(TranscriptError, match="contradicts"):
            resolve_date(self.title, given=datetime.date(2018, 9, 11))

    def test_impossible_day_is_refused(self):
        with pytest.raises(TranscriptError, match="not a real day"):
            resolve_date("Regular Press Conference on February 30, 2018")

    def test_a_date_inside_a_title_is_not_the_event_date(self):
        with pytest.raises(TranscriptError, match="or --date YYYY-MM-DD"):
            resolve_date("Spokesperson's Remarks on the Events of May 4, 1919 in Retrospect")


PLAIN = """Title: Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on May 6, 2021
Spokesperson: Wang Wenbin

The Chinese side will host a video conference.

Reuters: Does China plan to respond?
Wang Wenbin: We have made our position clear.

Follow-up: And the sanctions?

Wang Wenbin: We will take necessary measures.

Q: A second\u3000question  with  spaces.
A: A second answer.
"""


def test_plain_text_with_header_outlets_and_speaker_labels():
    parsed = parse_transcript(PLAIN.encode())
    assert parsed.date == datetime.date(2021, 5, 6)
    assert parsed.spokesperson_name == "Wang Wenbin"
    assert [r.kind for r in parsed.remarks] == ["announcement", "qa", "qa"]
    first = parsed.remarks[1]
    assert first.outlet == "Reuters" and first.question == "Does China plan to respond?"
    assert first.answer == (
        "We have made our position clear.\n\nFollow-up: And the sanctions?\n\nWe will take necessary measures."
    )
    assert parsed.remarks[2].question == "A second question with spaces."


def test_plain_chinese_text_one_line_per_paragraph():
    text = "2021年5月6日外交部发言人汪文斌主持例行记者会\n问：中方对此有何评论？\n答：我们注意到有关报道。\n追问：还有呢？\n答：没有了。"
    parsed = parse_transcript(text)
    assert (parsed.language, parsed.date, parsed.spokesperson_name) == ("zh", datetime.date(2021, 5, 6), "汪文斌")
    assert len(parsed.remarks) == 1
    assert parsed.remarks[0].answer == "我们注意到有关报道。\n\n追问：还有呢？\n\n没有了。"


def test_text_without_labels_is_one_announcement():
    parsed = parse_transcript("Title: Statement on the situation\nDate: 2021-05-06\nKind: statement\n\nFirst.\n\nSecond.")
    assert [(r.kind, r.answer) for r in parsed.remarks] == [("announcement", "First.\n\nSecond.")]
    assert parsed.kind == "statement"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"\x00\x01\x02\xff\xfe binary", "binary|neither UTF-8"),
        ("Title: x\nDate: 2021-13-01\n\nQ: a\nA: b".encode(), "not a date"),
        ("Title: x\nDate: 2021-01-01\nKind: chat\n\nQ: a\nA: b".encode(), "not one of"),
        (b"<html><head><title>MFA</title></head><body>fmprc.gov.cn index</body></html>", "no element of class"),
    ],
)
def test_bad_input_gets_a_clear_error(data, message):
    with pytest.raises(TranscriptError, match=message):
        parse_transcript(data)


NEWER_PAGE = """<html><head><title>Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on May 6, 2021</title></head>
<body><div class="nav"><a href="/">Home</a></div>
<div class="content">
<p>Wang Wenbin: I have an announcement to make.</p>
<p><b>AFP:</b> Does China <i>plan</i> to respond?</p>
<p>Wang Wenbin: We have made our position clear.</p>
<p>China&nbsp;Daily: Another question?</p>
<p>Wang Wenbin: Another answer.<br>A second paragraph.</p>
</div><script>var x = "<p>Q: not a question</p>";</script>
<!-- fmprc.gov.cn --></body></html>"""


def test_newer_pages_name_the_outlet_and_the_speaker():
    parsed = parse_transcript(NEWER_PAGE.encode())
    assert parsed.format == "MFA page" and parsed.spokesperson_name == "Wang Wenbin"
    assert [(r.kind, r.outlet) for r in parsed.remarks] == [("announcement", ""), ("qa", "AFP"), ("qa", "China Daily")]
    assert parsed.remarks[0].answer == "I have an announcement to make."
    assert parsed.remarks[1].question == "Does China plan to respond?"
    assert parsed.remarks[1].answer == "We have made our position clear."
    assert parsed.remarks[2].answer == "Another answer.\n\nA second paragraph."


# --- The current format: who asks, then the host's name (docs/importing.md) ----------------------
# Small transcripts typed after the ministry's pages of 2020; every outlet below is one no list in
# the importer names, so only the structure can find the questions.

CURRENT_EN = """Title: Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference on June 15, 2020

Zhao Lijian: State Councilor Wang Yi will visit Cambodia.

Hubei Media Group: What will the visit focus on?

Zhao Lijian: Cooperation against COVID-19.

Second: the two sides will sign agreements.

The white paper "Fighting Covid-19: China in Action" gives the details.

The Sydney Morning Herald: Is the visit related to trade?

Follow-up: And to the Belt and Road?

Zhao Lijian: I have nothing more to add.

Journalist clarifies: I meant the railway project.

Zhao Lijian: Same answer.

The Sydney Morning Herald: One more question. The Australian government said on Sunday:

Note: "an inquiry is needed".

The Sydney Morning Herald: What is your comment?

Zhao Lijian: We have made our position clear.
"""


def test_an_outlet_no_list_names_opens_an_exchange_and_is_kept_as_its_outlet():
    parsed = parse_transcript(CURRENT_EN)
    assert [(r.kind, r.outlet) for r in parsed.remarks] == [
        ("announcement", ""),
        ("qa", "Hubei Media Group"),
        ("qa", "The Sydney Morning Herald"),
        ("qa", "The Sydney Morning Herald"),
    ]
    assert parsed.remarks[1].question == "What will the visit focus on?"


def test_the_hosts_label_is_stripped_from_answers_and_opening():
    parsed = parse_transcript(CURRENT_EN)
    assert parsed.remarks[0].answer == "State Councilor Wang Yi will visit Cambodia."
    assert parsed.remarks[1].answer.startswith("Cooperation against COVID-19.")
    assert not any("Zhao Lijian:" in r.answer for r in parsed.remarks)


def test_a_paragraph_that_merely_looks_labelled_does_not_split_an_answer():
    hubei = parse_transcript(CURRENT_EN).remarks[1]
    assert hubei.answer == (
        "Cooperation against COVID-19.\n\nSecond: the two sides will sign agreements.\n\n"
        'The white paper "Fighting Covid-19: China in Action" gives the details.'
    )


def test_follow_ups_stay_inside_their_exchange_with_their_label():
    herald = parse_transcript(CURRENT_EN).remarks[2]
    assert herald.question == "Is the visit related to trade?"
    assert herald.answer == (
        "Follow-up: And to the Belt and Road?\n\nI have nothing more to add.\n\n"
        "Journalist clarifies: I meant the railway project.\n\nSame answer."
    )


def test_the_same_outlet_again_before_the_answer_is_one_question():
    last = parse_transcript(CURRENT_EN).remarks[3]
    assert last.question == (
        "One more question. The Australian government said on Sunday:\n\n"
        'Note: "an inquiry is needed".\n\nWhat is your comment?'
    )
    assert last.answer == "We have made our position clear."


CURRENT_ZH = """2020年6月15日外交部发言人赵立坚主持例行记者会

总台央视记者提问：你能否介绍会议情况？

赵立坚：会议将以视频方式举行。

追问：何时举行？

赵立坚：明天。

《中国日报》记者：中方对此有何评论？

赵立坚：我们注意到有关报道。

最后我想说：柬埔寨加油！

彭博社记者追问：还有其他国家吗？

赵立坚：我们愿同其他国家商谈。

外国记者提问：澳方对此有何回应？

赵立坚：中方立场是明确的。

记者：你能否再说明一下？

赵立坚：我刚才已经说清楚了。
"""


def test_chinese_labels_name_the_outlet_without_the_journalist_and_asking_words():
    parsed = parse_transcript(CURRENT_ZH)
    assert parsed.spokesperson_name == "赵立坚"
    assert [(r.kind, r.outlet) for r in parsed.remarks] == [
        ("qa", "总台央视"),  # 总台央视记者提问：
        ("qa", "中国日报"),  # 《中国日报》记者：
        ("qa", "彭博社"),  # 彭博社记者追问： another outlet follows up: its own exchange
        ("qa", ""),  # 外国记者提问： names no outlet
    ]
    assert parsed.remarks[0].question == "你能否介绍会议情况？"
    assert parsed.remarks[0].answer == "会议将以视频方式举行。\n\n追问：何时举行？\n\n明天。"
    assert parsed.remarks[1].answer == "我们注意到有关报道。\n\n最后我想说：柬埔寨加油！"
    assert parsed.remarks[3].answer == "中方立场是明确的。\n\n记者：你能否再说明一下？\n\n我刚才已经说清楚了。"


def test_an_answer_the_page_left_unlabelled_is_kept_and_flagged():
    # zh 2020-06-19: "彭博社记者：…" answered by a paragraph without "赵立坚：".
    text = CURRENT_ZH.replace("赵立坚：我们愿同其他国家商谈。", "我们愿同其他国家商谈。")
    parsed = parse_transcript(text)
    bloomberg = parsed.remarks[2]
    assert (bloomberg.outlet, bloomberg.question, bloomberg.answer) == ("彭博社", "还有其他国家吗？", "我们愿同其他国家商谈。")
    assert len(parsed.warnings) == 1 and "还有其他国家吗" in parsed.warnings[0]


# Issue 28: an exchange the page left irregular comes in flagged for review, never refused.
OLD_ZH = "2019年3月5日外交部发言人耿爽主持例行记者会\n"


@pytest.mark.parametrize(
    "paragraphs, question, answer",
    [
        # The answer follows without "答：".
        (["问：美方宣布将加征关税。请问你有何评论？", "中国商务部已就此作出明确表态。", "我们的立场是一贯的。"],
         "美方宣布将加征关税。请问你有何评论？", "中国商务部已就此作出明确表态。\n\n我们的立场是一贯的。"),
        # It opens with the spokesperson's name in the third person.
        (["问：据报道，有关国家将举行会谈。", "背景是这样的，会谈将在下周举行。", "耿爽表示：我们乐见其成。"],
         "据报道，有关国家将举行会谈。\n\n背景是这样的，会谈将在下周举行。", "耿爽表示：我们乐见其成。"),
        # A journalist's aside in parentheses closes the question.
        (["问：你能否证实这一消息？", "（我只是问一下）", "我没有掌握有关情况。"],
         "你能否证实这一消息？\n\n（我只是问一下）", "我没有掌握有关情况。"),
    ],
)
def test_an_answer_without_its_label_is_split_off_and_flagged_for_review(paragraphs, question, answer):
    parsed = parse_transcript(OLD_ZH + "\n".join([*paragraphs, "问：下一个问题？", "答：下一个回答。"]))
    first, second = parsed.remarks
    assert (first.question, first.answer) == (question, answer)
    assert first.review and not second.review
    assert (second.question, second.answer) == ("下一个问题？", "下一个回答。")
    assert any(question.split("\n")[0][:15] in warning for warning in parsed.warnings)


def test_an_english_answer_naming_the_spokesperson_in_the_third_person_is_split_off():
    text = (
        "Title: Foreign Ministry Spokesperson Hua Chunying's Regular Press Conference on March 5, 2019\n\n"
        "Q: Reports say talks will be held. Can you confirm?\n\n"
        "Hua Chunying said China welcomes the talks.\n\n"
        "Q: Another question?\n\nA: Another answer."
    )
    first, _ = parse_transcript(text).remarks
    assert (first.question, first.answer) == (
        "Reports say talks will be held. Can you confirm?", "Hua Chunying said China welcomes the talks."
    )
    assert first.review


def test_in_the_current_format_an_outlets_question_whose_answer_lost_its_label_stays_its_own():
    """Zhao Lijian's answer to Reuters printed without "Zhao Lijian:": Reuters' question is not
    read as words of the answer before, nor Kyodo's as part of Reuters'."""
    text = (
        "Title: Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference on June 29, 2020\n\n"
        "CRI: On Mongolia?\n\nZhao Lijian: We congratulate Mongolia.\n\n"
        "Reuters: Is that a new measure?\n\nThis is certainly a new measure.\n\n"
        "Kyodo News: Any details?\n\nZhao Lijian: As I said.\n"
    )
    mongolia, reuters, kyodo = parse_transcript(text).remarks
    assert mongolia.answer == "We congratulate Mongolia." and not mongolia.review
    assert (reuters.outlet, reuters.question, reuters.answer) == ("Reuters", "Is that a new measure?", "This is certainly a new measure.")
    assert reuters.review
    assert (kyodo.outlet, kyodo.question, kyodo.answer, kyodo.review) == ("Kyodo News", "Any details?", "As I said.", "")


def test_a_question_with_nothing_after_it_is_kept_whole_and_flagged():
    parsed = parse_transcript("Title: x\nDate: 2021-01-01\n\nQ: Hello?\nA: Hi.\n\nQ: a question with no answer")
    last = parsed.remarks[-1]
    assert (last.kind, last.question, last.answer) == ("qa", "a question with no answer", "")
    assert "no answer" in last.review.lower()


def test_a_known_spokesperson_other_than_the_host_labels_an_answer_too():
    text = CURRENT_EN.replace("Zhao Lijian: Same answer.", "Hua Chunying: Same answer.")
    parsed = parse_transcript(text.encode(), Hints(speaker_labels=("Hua Chunying", "华春莹")))
    assert parsed.remarks[2].answer.endswith("I meant the railway project.\n\nSame answer.")


def test_a_question_announced_in_a_paragraph_of_its_own_is_its_own_exchange():
    # en 2020-07-03: the phrase stands alone, then "Q:", then the host's answer.
    text = CURRENT_EN + (
        "\nThe following question is raised after the press conference.\n\n"
        "Q: Can you comment on the patrol?\n\nZhao Lijian: Patrolling there is our right.\n"
    )
    remarks = parse_transcript(text).remarks
    assert remarks[-2].answer == "We have made our position clear."
    assert (remarks[-1].kind, remarks[-1].question, remarks[-1].answer) == (
        "qa", "Can you comment on the patrol?", "Patrolling there is our right."
    )


# --- Linear time: a crafted paste of several megabytes is parsed in seconds ------------------------

FIVE_MB = 5_000_000
CRAFTED_PAGE = (
    "<html><head><title>Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference on June 15, 2020"
    '</title></head><body><!-- fmprc.gov.cn --><div class="content"><p>AFP: A question?</p>'
    "<p>Zhao Lijian: An answer.</p><p>{}</p></div></body></html>"
)
CRAFTED_TEXT = (
    "Title: Regular Press Conference on June 15, 2020\nSpokesperson: Zhao Lijian\n\n"
    "AFP: A question?\n\nZhao Lijian: An answer.\n\n{}"
)


@pytest.mark.parametrize(
    "text",
    [
        # Tags opened and never closed, then end tags that close nothing: each end tag once searched
        # every open tag, and each piece of text looked at all of them.
        CRAFTED_PAGE.format('<span class="x">' * (FIVE_MB // 21) + "</em>" * (FIVE_MB // 21)),
        # Comments that never end: Python's HTMLParser looked for "-->" to the end of the page
        # from each of them.
        CRAFTED_PAGE.format("<!--x>" * (FIVE_MB // 6)),
        # A closing notice's words over and over: the pattern once rescanned the paragraph per mention.
        CRAFTED_TEXT.format("The regular press conference " * (FIVE_MB // 29)),
        # Label after label in one answer, none followed by an answer: each is looked at once.
        CRAFTED_TEXT.format("Note: " * (FIVE_MB // 6)),
        # A question no answer follows, its paragraphs full of question marks and parentheses: where
        # the answer starts is read from each paragraph's end, not searched for.
        CRAFTED_TEXT.format("Q: " + "?)" * (FIVE_MB // 4) + "x\n\n" + "(" * (FIVE_MB // 4)),
    ],
    ids=["unclosed-tags", "unclosed-comments", "closing-notice-words", "labels", "unlabelled-answer"],
)
def test_a_crafted_five_megabyte_paste_is_parsed_in_linear_time(text):
    started = time.perf_counter()
    parsed = parse_transcript(text.encode())
    assert time.perf_counter() - started < 15  # seconds; quadratic parsing took hours
    assert [(r.kind, r.outlet, r.question) for r in parsed.remarks][:1] == [("qa", "AFP", "A question?")]


def test_every_kind_a_title_can_show_is_a_kind_of_briefing():
    from statements.importers.base import BRIEFING_KINDS, KIND_PATTERNS
    from statements.models import Briefing

    assert {kind for kind, _ in KIND_PATTERNS} == set(BRIEFING_KINDS) == set(Briefing.Kind.values)
