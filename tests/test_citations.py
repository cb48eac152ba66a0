"""Citing one remark: styles and files against golden copies, meta tags, passages, translations."""

import datetime
import json
import os
import re
from html import unescape
from pathlib import Path

import pytest

from statements.citations import Person
from statements.models import Briefing, Remark, Spokesperson

GOLDEN = Path(__file__).parent / "data" / "citations"


@pytest.fixture
def remark(make_briefing, wang):
    briefing = make_briefing(
        spokesperson=wang,
        title="Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on December 18, 2020",
        source_url="https://www.fmprc.gov.cn/mfa_eng/xwfw_665399/s2510_665401/t1841379.shtml",
        remarks=[
            {"kind": Remark.Kind.ANNOUNCEMENT, "answer": "An announcement."},
            {
                "question": "Does China have any comment on the vaccine trials?",
                "outlet": "AFP",
                "answer": "China supports the WHO.\nWe will share vaccines & data as a global public good.\n\n"
                "Second paragraph: <script>alert('x')</script> stays text.",
            },
            {"answer": "A closing remark."},
        ],
    )
    return briefing.remarks.get(position=2)


@pytest.fixture(autouse=True)
def accessed_on_a_fixed_day(monkeypatch):
    """References carry the date of access: a fixed one, so the golden copies stay golden."""
    monkeypatch.setattr("statements.citations.today", lambda: datetime.date(2026, 1, 15))


def golden(name, remark, actual):
    """Compare with tests/data/citations/<name>; UPDATE_GOLDEN=1 rewrites the file instead."""
    path = GOLDEN / name
    actual = actual.replace(f"/remarks/{remark.pk}/", "/remarks/REMARK_ID/").replace(
        f"remark{remark.pk}", "remarkREMARK_ID").replace(f"remark-{remark.pk}", "remark-REMARK_ID")
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8", newline="")
    assert actual == path.read_bytes().decode("utf-8")


def citation_text(page, key):
    return unescape(re.search(rf'<p id="cite-{key}"[^>]*>(.*?)</p>', page, re.S).group(1))


@pytest.mark.parametrize("key", ["chicago", "apa", "mla"])
def test_citation_styles_match_golden_copies(client, remark, key):
    page = client.get(remark.get_absolute_url()).text
    golden(f"remark.{key}.txt", remark, citation_text(page, key) + "\n")
    assert f'data-copy-target="cite-{key}"' in page


@pytest.mark.parametrize(
    "extension, content_type",
    [
        ("bib", "application/x-bibtex; charset=utf-8"),
        ("ris", "application/x-research-info-systems; charset=utf-8"),
        ("json", "application/vnd.citationstyles.csl+json; charset=utf-8"),
    ],
)
def test_citation_files_match_golden_copies(client, remark, extension, content_type):
    response = client.get(f"/remarks/{remark.pk}/cite.{extension}")
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="remark-{remark.pk}.{extension}"'
    golden(f"remark.{extension}", remark, response.content.decode())
    assert f'href="/remarks/{remark.pk}/cite.{extension}"' in client.get(remark.get_absolute_url()).text


def test_citation_files_of_drafts_and_unknown_formats_are_404(client, remark, make_briefing, wang):
    draft = make_briefing(spokesperson=wang, status=Briefing.Status.DRAFT, remarks=[{"answer": "Draft."}])
    assert client.get(f"/remarks/{draft.remarks.get().pk}/cite.bib").status_code == 404
    assert client.get(f"/remarks/{remark.pk}/cite.doc").status_code == 404


def test_without_a_speaker_the_ministry_is_the_author(client, make_briefing):
    briefing = make_briefing(title="Statement on the situation", remarks=[{"kind": Remark.Kind.ANNOUNCEMENT, "answer": "We state."}])
    page = client.get(briefing.remarks.get().get_absolute_url()).text
    ministry = "Ministry of Foreign Affairs of the People's Republic of China"
    assert citation_text(page, "chicago").startswith(f"{ministry}. “Statement on the situation.”")
    assert citation_text(page, "apa").startswith(f"{ministry}. ({briefing.date.year}, December 18). Statement on the situation")
    assert citation_text(page, "mla").startswith("“Statement on the situation.”")
    assert '<meta name="citation_author" content="Ministry of Foreign Affairs of the People&#x27;s Republic of China">' in page


@pytest.mark.parametrize(
    "name, language, family_name, inverted, apa, bibtex",
    [
        ("Wang Wenbin", "zh", "", "Wang Wenbin", "Wang, W.", "Wang, Wenbin"),
        ("Hua Chunying", "zh", "", "Hua Chunying", "Hua, C.", "Hua, Chunying"),
        ("Ned Price", "en", "", "Price, Ned", "Price, N.", "Price, Ned"),
        ("Maria Zakharova", "ru", "", "Zakharova, Maria", "Zakharova, M.", "Zakharova, Maria"),
        ("Jean-Yves Le Drian", "fr", "Le Drian", "Le Drian, Jean-Yves", "Le Drian, J. Y.", "Le Drian, Jean-Yves"),
        ("Ouyang Yuqing", "zh", "Ouyang", "Ouyang Yuqing", "Ouyang, Y.", "Ouyang, Yuqing"),
        ("Marcos", "tl", "", "Marcos", "Marcos", "Marcos"),
    ],
)
def test_names_are_inverted_by_where_the_family_name_stands(name, language, family_name, inverted, apa, bibtex):
    spokesperson = Spokesperson(name=name, native_language=language, family_name=family_name)
    person = Person.from_spokesperson(spokesperson)
    assert (person.inverted, person.apa, person.family_comma_given) == (inverted, apa, bibtex)


def meta(page, name):
    match = re.search(rf'<meta (?:name|property)="{re.escape(name)}" content="([^"]*)">', page)
    return unescape(match.group(1)) if match else None


def test_reference_managers_find_highwire_and_dublin_core_tags(client, remark):
    page = client.get(remark.get_absolute_url()).text
    title = "Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on December 18, 2020"
    assert meta(page, "citation_title") == title
    assert meta(page, "citation_author") == "Wang, Wenbin"
    assert meta(page, "citation_publication_date") == "2020/12/18"
    assert meta(page, "citation_publisher") == "Ministry of Foreign Affairs of the People's Republic of China"
    assert meta(page, "citation_language") == "en"
    assert meta(page, "citation_public_url") == f"http://testserver/remarks/{remark.pk}/"
    assert '<link rel="schema.DC" href="http://purl.org/dc/elements/1.1/">' in page
    assert meta(page, "DC.title") == title
    assert meta(page, "DC.creator") == "Wang, Wenbin"
    assert meta(page, "DC.date") == "2020-12-18"
    assert meta(page, "DC.identifier") == f"http://testserver/remarks/{remark.pk}/"
    assert meta(page, "DC.source") == remark.briefing.source_url


def linked_data(page):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_share_cards_quote_the_answer_never_the_question(client, remark):
    page = client.get(remark.get_absolute_url()).text
    assert meta(page, "og:url") == f"http://testserver/remarks/{remark.pk}/"
    # The spokesperson's own words, the first sentence whole; the question as the journalist's.
    assert meta(page, "og:title") == "Wang Wenbin, 18 December 2020: “China supports the WHO.”"
    assert meta(page, "twitter:title") == meta(page, "og:title")
    description = meta(page, "og:description")
    assert description.startswith("“China supports the WHO. We will share vaccines & data")
    assert description.endswith("” Asked by AFP: Does China have any comment on the vaccine trials?")
    assert meta(page, "twitter:description") == description
    assert meta(page, "og:image") == f"http://testserver/remarks/{remark.pk}/card.png"
    assert meta(page, "twitter:image") == meta(page, "og:image")
    assert meta(page, "og:image:alt") == meta(page, "og:title")
    assert meta(page, "twitter:card") == "summary_large_image"
    assert "<script>alert" not in page
    quotation = linked_data(page)
    assert quotation["@type"] == "Quotation" and quotation["text"] == remark.answer
    assert quotation["spokenByCharacter"] == {"@type": "Person", "name": "Wang Wenbin"}
    assert (quotation["dateCreated"], quotation["url"]) == ("2020-12-18", f"http://testserver/remarks/{remark.pk}/")
    assert "Does China have" not in json.dumps(quotation)


def test_a_shared_passage_is_what_the_card_quotes(client, remark):
    page = client.get(remark.get_absolute_url(), {"passage": "We will share vaccines & data"}).text
    assert meta(page, "og:title") == "Wang Wenbin, 18 December 2020: “We will share vaccines & data”"
    # A passage the answer does not hold (the question's words, say) is not quoted.
    page = client.get(remark.get_absolute_url(), {"passage": "Does China have any comment"}).text
    assert meta(page, "og:title") == "Wang Wenbin, 18 December 2020: “China supports the WHO.”"


def test_a_search_result_links_to_a_card_quoting_the_sentence_it_matched(client, remark):
    """A reader who found the remark by searching "vaccines" and shares the link they followed
    shares the sentence about vaccines, not the answer's first sentence."""
    listing = client.get("/remarks/", {"q": "vaccine"}).text
    link = f"/remarks/{remark.pk}/?q=vaccine"
    assert f'href="{link}"' in listing
    page = client.get(link).text
    assert meta(page, "og:title") == "Wang Wenbin, 18 December 2020: “We will share vaccines & data as a global public good.”"
    assert meta(page, "og:image") == f"http://testserver/remarks/{remark.pk}/card.png?q=vaccine"
    assert f'<link rel="canonical" href="http://testserver/remarks/{remark.pk}/">' in page
    # A search the answer does not match (the question's words) keeps the first sentence.
    page = client.get(remark.get_absolute_url(), {"q": "trials"}).text
    assert meta(page, "og:title") == "Wang Wenbin, 18 December 2020: “China supports the WHO.”"


def test_an_announcements_card_quotes_it_without_a_question(client, remark):
    announcement = remark.briefing.remarks.get(position=1)
    page = client.get(announcement.get_absolute_url()).text
    assert meta(page, "og:title") == "Wang Wenbin, 18 December 2020: “An announcement.”"
    assert meta(page, "og:description") == "“An announcement.”"


def test_a_passage_link_marks_the_passage_across_lines(client, remark):
    response = client.get(remark.get_absolute_url(), {"passage": "the WHO.  We will share\nvaccines"})
    assert response.status_code == 200
    assert '<mark id="passage">the WHO.<br>We will share vaccines</mark>' in response.text
    assert '<link rel="canonical" href="http://testserver/remarks/' in response.text


def test_a_passage_across_paragraphs_is_marked_in_each(client, remark):
    response = client.get(remark.get_absolute_url(), {"passage": "public good. Second paragraph"})
    assert '<mark id="passage">public good.</mark></p>' in response.text
    assert "<p><mark>Second paragraph</mark>: &lt;script&gt;" in response.text


def test_a_passage_that_is_not_there_shows_the_whole_remark_with_a_notice(client, remark):
    response = client.get(remark.get_absolute_url(), {"passage": "<b>words never said</b>"})
    assert response.status_code == 200
    assert "<mark" not in response.text
    assert "is not in this remark's text as it reads now" in response.text
    assert "“&lt;b&gt;words never said&lt;/b&gt;”" in response.text


def test_markup_in_a_passage_matches_as_text_and_stays_text(client, remark):
    response = client.get(remark.get_absolute_url(), {"passage": "<script>alert('x')</script>"})
    assert "<mark id=\"passage\">&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</mark>" in response.text
    assert "<script>alert" not in response.text


def test_a_huge_passage_is_ignored(client, remark):
    response = client.get(remark.get_absolute_url(), {"passage": "China " * 5000})
    assert response.status_code == 200
    assert "<mark" not in response.text


def test_permalink_shows_the_published_translation_only(client, remark, make_briefing, hua):
    chinese = make_briefing(
        spokesperson=hua, language=Briefing.Language.CHINESE, title="2020年12月18日外交部发言人汪文斌主持例行记者会",
        remarks=[{"answer": "中方支持世卫组织。"}],
    )
    translated = chinese.remarks.get()
    remark.translation = translated
    remark.save()
    page = client.get(remark.get_absolute_url()).text
    assert "The same remark in Chinese" in page
    assert '<blockquote lang="zh"><p>中方支持世卫组织。</p></blockquote>' in page
    assert f'<link rel="alternate" hreflang="zh" href="http://testserver/remarks/{translated.pk}/">' in page
    assert f'<link rel="alternate" hreflang="en" href="http://testserver/remarks/{remark.pk}/">' in page
    assert f'<link rel="alternate" hreflang="x-default" href="http://testserver/remarks/{remark.pk}/">' in page
    Briefing.objects.filter(pk=chinese.pk).update(status=Briefing.Status.DRAFT)
    page = client.get(remark.get_absolute_url()).text
    assert "中方支持世卫组织" not in page
    assert "The same remark in" not in page


def test_the_permalink_reads_like_a_transcript_question_first(client, remark):
    page = client.get(remark.get_absolute_url()).text
    assert '<h1 id="remark-heading" class="remark-heading">Wang Wenbin answers AFP, 18 December 2020</h1>' in page
    page = page[page.index("<main"):]  # the body, not the meta tags
    assert page.index("AFP asked") < page.index("Does China have any comment") < page.index("Wang Wenbin answered") < page.index('id="quote"')


def test_a_news_reports_card_quotes_only_what_the_report_quotes(client, make_briefing, wang):
    """A report's text is the reporter's: the card quotes its quotation, never its paraphrase as
    the spokesperson's words; a report quoting nothing is shown as reported, without quotation marks."""
    briefing = make_briefing(spokesperson=wang, news_report=True, title="China calls for cooperation", remarks=[
        {"answer": 'Wang said that China has always put people first.\n\n"We hope all parties will work together, '
                   'so as to help recovery," he said.', "speaker": wang},
        {"answer": "China has conducted more than 60 technical exchanges with the WHO, Wang said.", "speaker": wang},
    ])
    quoting, paraphrasing = briefing.remarks.order_by("position")
    page = client.get(quoting.get_absolute_url()).text
    assert meta(page, "og:title") == "Wang Wenbin, 18 December 2020: “We hope all parties will work together, so as to help recovery”"
    assert linked_data(page)["text"] == "We hope all parties will work together, so as to help recovery"
    assert "put people first" not in meta(page, "og:title")
    page = client.get(paraphrasing.get_absolute_url()).text
    title = meta(page, "og:title")
    assert title == "Wang Wenbin, 18 December 2020, as reported: China has conducted more than 60 technical exchanges with the WHO, Wang said."
    assert "“" not in title and not meta(page, "og:description").startswith("“")
    described = linked_data(page)
    assert described["@type"] == "CreativeWork" and "spokenByCharacter" not in described
    assert described["about"] == {"@type": "Person", "name": "Wang Wenbin"}


def test_a_chinese_permalinks_card_is_in_chinese(client, make_briefing, hua, topics):
    chinese = make_briefing(
        spokesperson=hua, language=Briefing.Language.CHINESE, title="2020年12月18日外交部发言人华春莹主持例行记者会",
        remarks=[{"question": "中方对疫苗合作有何评论？", "outlet": "法新社", "answer": "中方支持世卫组织。我们将分享疫苗。", "topics": [topics["who"]]}],
    )
    page = client.get(chinese.remarks.get().get_absolute_url()).text
    assert meta(page, "og:title") == "华春莹（2020年12月18日）：“中方支持世卫组织。”"
    assert meta(page, "og:description") == "“中方支持世卫组织。我们将分享疫苗。”（法新社记者问：中方对疫苗合作有何评论？）"
    assert linked_data(page)["text"] == "中方支持世卫组织。我们将分享疫苗。"
    assert "Hua Chunying answers 法新社 on WHO cooperation, 18 December 2020" in page
