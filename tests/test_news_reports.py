"""News reports quoting a spokesperson (statements/importers/news.py) import as the briefing they
report: its date from the dateline and the report's words, the spokesperson, each reported
exchange a remark, the outlet as publisher, cited "as reported by" it.

The two seeds (../shared/seeds) must give what the demo data holds, typed by hand by an editor;
the other reports are written here to vary each structure the way agencies write them (datelines
of several agencies, attribution before and after the words, quotations running over paragraphs,
questions reported or not, Chinese reports), not from the seeds' values."""

import datetime
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from statements import citations
from statements.importers import Hints, TranscriptError, news, parse_transcript
from statements.models import Briefing

ROOT = Path(__file__).resolve().parents[1]
# Copies of ../shared/seeds, so that the tests run wherever the repository is cloned.
SEEDS = ROOT / "tests" / "data" / "seeds"
CCB = "2020-12-18-ccb-news-who-traceability-and-us-blacklist.txt"
XINHUA = "2023-01-09-xinhua-safe-smooth-flows-of-personnel.txt"


def parse(text, **hints):
    return parse_transcript(text.encode(), Hints(**hints))


def demo(briefing_pk):
    """The demo's briefing and its remarks, as an editor typed them."""
    rows = json.loads((ROOT / "fixtures" / "demo.json").read_text())
    briefing = next(r["fields"] for r in rows if r["model"] == "statements.briefing" and r["pk"] == briefing_pk)
    remarks = sorted(
        (r["fields"] for r in rows if r["model"] == "statements.remark" and r["fields"]["briefing"] == briefing_pk),
        key=lambda f: f["position"],
    )
    return briefing, remarks


@pytest.mark.parametrize("name, pk", [(CCB, 1), (XINHUA, 2)])
def test_a_seed_report_gives_what_the_demo_data_holds(name, pk):
    parsed = parse_transcript((SEEDS / name).read_bytes(), Hints())
    briefing, remarks = demo(pk)
    assert parsed.format == "news report" and parsed.news_report
    assert parsed.title == briefing["title"]
    assert parsed.date.isoformat() == briefing["date"]
    assert parsed.date_source == "report" and "dateline" in parsed.date_evidence
    assert parsed.kind == briefing["kind"] == "press_conference"
    assert parsed.language == "en"
    assert parsed.spokesperson_name == "Wang Wenbin"
    assert parsed.source_name == briefing["source_name"]
    assert [(r.question, r.answer) for r in parsed.remarks] == [(r["question"], r["answer"]) for r in remarks]
    # Lead, background and closing stay in the original text, outside every remark.
    assert parsed.original_text.startswith(briefing["original_text"].split("\n\n")[0])


def test_the_xinhua_seed_is_dated_by_its_dateline_and_on_monday_not_by_its_publication():
    parsed = parse_transcript((SEEDS / XINHUA).read_bytes(), Hints())
    assert parsed.date == datetime.date(2023, 1, 9)  # published 10 January
    assert parsed.date_evidence == "report's dateline “BEIJING, Jan. 9 (Xinhua)” and “on Monday”"


REUTERS = """China says U.S. chip curbs hurt global supply chains

December 3, 2019

BEIJING, Dec 3 (Reuters) - China's foreign ministry said on Monday that U.S. restrictions on chip exports would harm global supply chains.

Foreign ministry spokesman Geng Shuang told a daily news briefing in Beijing that China firmly opposes the move.

"The U.S. side has repeatedly abused export controls.

"We urge it to correct its mistakes at once," Geng said.

The U.S. Commerce Department added 28 Chinese entities to its export blacklist in October.

When asked about the trade talks, Geng said the two sides were in close communication.
"""


def test_a_wire_report_with_a_quote_over_paragraphs_and_a_question_in_a_clause():
    parsed = parse(REUTERS)
    # The dateline gives 3 December without a year, the publication line the year; "on Monday"
    # moves it back to the briefing's day.
    assert parsed.date == datetime.date(2019, 12, 2)
    assert parsed.source_name == "Reuters" and parsed.spokesperson_name == "Geng Shuang"
    first, second = parsed.remarks
    assert first.question == ""
    assert first.answer == (
        "Foreign ministry spokesman Geng Shuang told a daily news briefing in Beijing that China firmly opposes the move."
        '\n\n"The U.S. side has repeatedly abused export controls.'
        '\n\n"We urge it to correct its mistakes at once," Geng said.'
    )
    # Background between the exchanges is in no remark.
    assert all("Commerce Department" not in r.question + r.answer for r in parsed.remarks)
    assert second.question == "When asked about the trade talks."
    assert second.answer == "Geng said the two sides were in close communication."


GLOBAL = """Beijing urges Washington to stop interfering

Beijing, 14 May (AFP) — Chinese Foreign Ministry spokeswoman Hua Chunying on Tuesday urged the United States to stop interfering in China's internal affairs.

A journalist asked whether China would respond to the new bill passed by the US Congress. "China will take firm countermeasures," Hua said.

Hua also stressed that the bill "seriously violates international law".

The bill now goes to the Senate.
"""


def test_an_afp_style_report_dated_by_weekday_with_the_year_from_nowhere_is_refused_then_taken_with_a_date():
    with pytest.raises(TranscriptError, match="gives no year"):
        parse(GLOBAL)
    parsed = parse(GLOBAL, date=datetime.date(2019, 5, 14))
    assert parsed.date == datetime.date(2019, 5, 14) and parsed.date_source == "editor"
    assert parsed.source_name == "AFP" and parsed.spokesperson_name == "Hua Chunying"
    lead, exchange = parsed.remarks
    assert lead.answer.startswith("Chinese Foreign Ministry spokeswoman Hua Chunying on Tuesday urged")
    assert exchange.question == "A journalist asked whether China would respond to the new bill passed by the US Congress."
    assert exchange.answer == '"China will take firm countermeasures," Hua said.\n\nHua also stressed that the bill "seriously violates international law".'


def test_a_date_given_that_contradicts_the_report_is_refused():
    with pytest.raises(TranscriptError, match="contradicts the report"):
        parse(REUTERS, date=datetime.date(2019, 12, 3))


XINHUA_ZH = """中方呼吁各方共同维护人员安全有序往来

2023年01月09日 18:30

新华社北京1月9日电（记者 王某）外交部发言人汪文斌9日表示，希望各方秉持科学精神，共同维护各国人员安全有序往来。

汪文斌是在当天的例行记者会上作上述表示的。

有记者问：近期有国家对中国旅客采取入境限制措施，中方对此有何评论？汪文斌说，中方注意到有关报道。

他表示，“我们反对借机搞政治操弄。

希望有关国家秉持科学态度。”

据报道，世卫组织近日召开会议讨论疫情形势。对此，汪文斌表示，中方始终同世卫组织保持密切沟通。
"""


def test_a_chinese_agency_report():
    parsed = parse(XINHUA_ZH)
    assert parsed.language == "zh" and parsed.news_report
    assert parsed.date == datetime.date(2023, 1, 9)
    assert parsed.date_evidence == "report's dateline “新华社北京1月9日电（记者 王某）” and “9日”"
    assert parsed.source_name == "新华社" and parsed.spokesperson_name == "汪文斌"
    assert parsed.kind == "press_conference"
    lead, asked, reported = parsed.remarks
    assert lead.question == "" and lead.answer.startswith("外交部发言人汪文斌9日表示，希望各方")
    # "作上述表示的" says that he spoke, not what: background.
    assert all("作上述表示" not in r.answer for r in parsed.remarks)
    assert asked.question == "有记者问：近期有国家对中国旅客采取入境限制措施，中方对此有何评论？"
    assert asked.answer == "汪文斌说，中方注意到有关报道。\n\n他表示，“我们反对借机搞政治操弄。\n\n希望有关国家秉持科学态度。”"
    assert reported.question == "据报道，世卫组织近日召开会议讨论疫情形势。"
    assert reported.answer == "对此，汪文斌表示，中方始终同世卫组织保持密切沟通。"


CHINANEWS = """外交部：中方坚决反对美方滥用出口管制

中新网12月18日电 据外交部网站消息，外交部发言人汪文斌18日主持例行记者会。

有记者提问，美国商务部将多家中国企业列入“实体清单”，中方对此有何回应？

汪文斌表示，中方坚决反对美方泛化国家安全概念。
"""


def test_a_chinese_report_without_a_year_takes_it_from_nowhere_else_and_asks():
    with pytest.raises(TranscriptError, match="gives no year"):
        parse(CHINANEWS)
    parsed = parse(CHINANEWS, date=datetime.date(2020, 12, 18))
    assert parsed.source_name == "中新网"
    (exchange,) = parsed.remarks
    assert exchange.question == "有记者提问，美国商务部将多家中国企业列入“实体清单”，中方对此有何回应？"
    assert exchange.answer == "汪文斌表示，中方坚决反对美方泛化国家安全概念。"


def test_another_ministrys_spokesperson_is_not_filed_under_the_prc():
    report = (
        "Moscow rejects claims\n\nMOSCOW, March 3, 2022 (TASS) -- Russian Foreign Ministry spokeswoman Maria "
        'Zakharova said on Thursday that the claims were false.\n\n"These are lies," Zakharova said.\n'
    )
    with pytest.raises(TranscriptError, match="Russian Foreign Ministry"):
        parse(report)
    parsed = parse("Ministry: ru-mid\n" + report)
    assert parsed.ministry.slug == "ru-mid" and parsed.spokesperson_name == "Maria Zakharova"
    assert parsed.date == datetime.date(2022, 3, 3)


def test_a_report_without_any_date_is_refused_with_what_to_do():
    report = "China urges calm\n\nForeign Ministry spokesperson Lu Kang said China urged calm.\n\n\"Stay calm,\" Lu said.\n"
    with pytest.raises(TranscriptError, match="neither a dateline .* nor a publication line; give the briefing's date"):
        parse(report)


def test_a_report_that_gives_no_words_of_the_spokesperson_is_refused():
    report = "Briefing held\n\nBEIJING, Jan. 9, 2023 (Xinhua) -- Spokesperson Wang Wenbin hosted the regular press conference.\n"
    with pytest.raises(TranscriptError, match="gives no words of theirs"):
        parse(report)


def test_transcripts_are_not_taken_for_reports():
    transcript = "Title: Regular Press Conference on May 6, 2021\nDate: 2021-05-06\n\nQ: A question?\n\nA: An answer.\n"
    assert parse(transcript).format == "plain text"
    labelled = (
        "Foreign Ministry Spokesperson Zhao Lijian's Regular Press Conference on June 3, 2020\n\n"
        "Reuters: Spokesperson Zhao Lijian said yesterday that the US was wrong. Can you say more?\n\n"
        "Zhao Lijian: We have made our position clear.\n\nAFP: Another question?\n\nZhao Lijian: Another answer.\n"
    )
    assert not news.looks_like(labelled)
    statement = "Title: Foreign Ministry Spokesperson's Statement on the Attack\nDate: 2021-05-06\n\nChina strongly condemns the attack.\n"
    assert parse(statement).format == "plain text"


def test_every_sentence_pattern_is_linear_on_hostile_text():
    """A pasted text of 200,000 characters with no structure parses (or is refused) at once."""
    import time

    hostile = (
        "Beijing urges\n\nBEIJING, Jan. 9, 2023 (Xinhua) -- Spokesperson Wang Wenbin said so.\n\n"
        + "According to reports, " + ("Wang, " * 20000) + "\n\n" + ("“" * 50000) + "\n\n"
        + ("the spokesperson also on Monday " * 3000) + "\n\n" + ("He said. " * 10000)
    )
    start = time.perf_counter()
    try:
        parse(hostile)
    except TranscriptError:
        pass
    assert time.perf_counter() - start < 5


# --- Stored and cited ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_both_seeds_through_the_command(client, ministry, wang, capsys):
    call_command("import_transcripts", str(SEEDS / CCB), str(SEEDS / XINHUA), "--publish")
    ccb = Briefing.objects.get(source_name="CCB News")
    xinhua = Briefing.objects.get(source_name="Xinhua")
    assert ccb.news_report and xinhua.news_report
    assert (ccb.date, xinhua.date) == (datetime.date(2020, 12, 18), datetime.date(2023, 1, 9))
    assert ccb.date_source == "report" and ccb.kind == "press_conference"
    assert ccb.spokesperson == wang == xinhua.spokesperson
    assert [r.kind for r in ccb.remarks.order_by("position")] == ["qa", "qa", "qa"]
    assert ccb.remarks.get(position=2).question.startswith("A reporter asked, the United States")
    # Words reported without a question: he speaks, he does not answer a question nobody reports.
    page = client.get(xinhua.remarks.get().get_absolute_url()).content.decode()
    assert "Wang Wenbin speaks, 9 January 2023" in page
    assert "As reported by Xinhua" in page and '<span class="reported">' in page


def test_a_reported_remark_is_cited_as_reported_by_its_outlet():
    reference = citations.Reference(
        remark_id=4, person=citations.Person("Wang", "Wenbin", True), ministry="Ministry of Foreign Affairs",
        title="China calls for …", kind="Regular press conference", date=datetime.date(2023, 1, 9), language="en",
        position=1, total=1, url="https://example.org/remarks/4/", accessed=datetime.date(2026, 12, 7),
        reported_by="Xinhua",
    )
    for style in (citations.chicago, citations.apa, citations.mla, citations.bibtex, citations.ris, citations.csl_json):
        assert "as reported by Xinhua" in style(reference), style.__name__


TRANSCRIPT = ROOT / "tests" / "data" / "mfa" / "en" / "2018-08-03-briefing-t1583054.html"
# A report of that briefing, written as an agency writes one: a lead, its own words around the
# ministry's quoted English, one exchange's question reported, another's not.
REPORT_OF_TRANSCRIPT = """China says U.S. remarks on Mekong dams groundless

Source: Xinhua | 2018-08-03 19:47:12

BEIJING, Aug. 3 (Xinhua) -- China on Friday rejected U.S. remarks that Chinese dams harm countries downstream on the Mekong River.

According to reports, a U.S. State Department official said the Chinese dams upstream have impacted the countries downstream. Foreign Ministry spokesperson Geng Shuang said the relevant remarks of the US official are groundless and out of ulterior motives.

"As a country located in the upper reaches of the Mekong River, China always attaches great importance to the concerns and needs of the countries downstream," Geng told a regular press briefing. China has provided relevant countries with the hydrological data of the Lancang River during its flood season for 15 years in a row, he said.

Asked about Iran, Geng said China and Iran have maintained normal exchanges and cooperation, which is reasonable, legitimate, legal and beyond reproach. China is always opposed to unilateral sanction and "long-arm jurisdiction," he said.

The U.S. will hold a meeting on the Lower Mekong Initiative in Singapore.
"""


@pytest.mark.django_db
@pytest.mark.parametrize("report_first", [False, True])
def test_a_report_of_a_transcript_in_the_archive_is_merged_into_its_exchanges(tmp_path, client, ministry, geng, report_first):
    report = tmp_path / "report.txt"
    report.write_text(REPORT_OF_TRANSCRIPT)
    order = [report, TRANSCRIPT] if report_first else [TRANSCRIPT, report]
    for path in order:
        call_command("import_transcripts", str(path), "--publish")
    transcript = Briefing.objects.get(news_report=False)
    reported = Briefing.objects.get(news_report=True)
    assert reported.date == transcript.date == datetime.date(2018, 8, 3)
    assert transcript.translation_id is None and reported.translation_id is None
    mekong, iran = reported.remarks.order_by("position")
    assert mekong.merged_into == transcript.remarks.get(position=7)
    assert iran.merged_into == transcript.remarks.get(position=3)
    # Counted once: the day's public remarks are the transcript's.
    from statements.models import Remark

    assert Remark.objects.filter(is_public=True, briefing__date=transcript.date).count() == transcript.remarks.count()
    # The report's permalinks lead to the transcript; its page says where each exchange is read.
    assert client.get(f"/remarks/{mekong.pk}/").url == f"/remarks/{mekong.merged_into_id}/"
    page = client.get(f"/briefings/{reported.pk}/").content.decode()
    assert page.count("is read in the ministry's transcript") == 2
    assert f'href="/remarks/{iran.merged_into_id}/"' in page


def test_a_reported_exchange_is_matched_only_when_clear():
    from statements.text.overlap import best_match, words

    answers = [words(text) for text in [
        "China always attaches great importance to the concerns and needs of the countries downstream on the Mekong.",
        "The trade war between China and the US will produce no winner; the US should come back to its senses.",
    ]]

    def match(text):
        return best_match(words(text), answers)

    assert match("Geng said China attaches great importance to the needs of the countries downstream on the Mekong.") == 0
    # Half of one and half of the other: no clear match.
    assert match("The countries downstream on the Mekong; the trade war will produce no winner.") is None
    assert match("Geng declined to comment on the election results in Zimbabwe.") is None


# --- Quoted and reported speech ---------------------------------------------------------------------


def test_quotations_as_agencies_print_them():
    from statements.text.speech import quotations

    def quoted(text):
        return [text[a:b] for a, b in quotations(text)]

    # A quotation over paragraphs, reopened at each (the English convention), then one closed.
    wire = '"The U.S. side has abused export controls.\n\n"We urge it to stop," Geng said. He called it "bullying".'
    assert quoted(wire) == ['"The U.S. side has abused export controls.\n\n"We urge it to stop,"', '"bullying"']
    # Opened straight and closed curly, as the CCB seed does.
    assert quoted('Wang replied: "If what you said is true.” China opposes.') == ['"If what you said is true.”']
    # Chinese: left open at a paragraph's end, closed in the next.
    assert quoted("他表示，“我们反对。\n\n希望有关国家秉持科学态度。”汪文斌说。") == ["“我们反对。\n\n希望有关国家秉持科学态度。”"]
    # A stray closing mark quotes nothing; an unclosed one runs to the end.
    assert quoted("He said” nothing. “Open to the end") == ["“Open to the end"]


def test_a_reports_answer_marks_the_reporters_words_apart_from_the_quoted_ones():
    from statements.text import passages

    html, found = passages.render('Wang said: "We hope so," he added.\n\nHe said China agrees.', "We hope so", reported_speech=True)
    assert found
    assert html == (
        '<p><span class="reported">Wang said: </span>&quot;<mark id="passage">We hope so</mark>,&quot;'
        '<span class="reported"> he added.</span></p>\n\n<p><span class="reported">He said China agrees.</span></p>'
    )
    # A transcript's answer is the spokesperson's own words: nothing marked.
    assert "reported" not in passages.render('We said "no".')[0]


def test_marking_reported_speech_stays_linear_on_hostile_text():
    import time

    from statements.text import passages

    hostile = ('"a" ' * 40000) + "\n\n" + ("“" * 40000)
    start = time.perf_counter()
    passages.render(hostile, "a", reported_speech=True)
    assert time.perf_counter() - start < 5
