"""Change over time: subject timelines, related values, the position timeline, compare terms."""

import datetime
import re
from collections import Counter

import pytest

from statements import trends
from statements.models import Briefing, Remark, Topic


@pytest.fixture
def corpus(make_briefing, wang, hua, topics, entities):
    """Remarks over several months, some months without any, in two languages, and a draft."""
    plan = [
        (datetime.date(2020, 1, 10), wang, "en", [("China and trade", ["trade", "taiwan"], ["us"]), ("Vaccines work.", ["covid"], ["who"])]),
        (datetime.date(2020, 1, 20), hua, "en", [("Trade talks go on.", ["trade"], ["us", "who"])]),
        (datetime.date(2020, 2, 3), wang, "zh", [("中国 贸易", ["trade"], [])]),
        (datetime.date(2020, 5, 5), hua, "en", [("China trade again. Second sentence here.", ["trade"], ["us"]), ("Taiwan.", ["taiwan"], [])]),
    ]
    for date, speaker, language, remarks in plan:
        make_briefing(
            spokesperson=speaker,
            date=date,
            language=language,
            remarks=[
                {"answer": answer, "topics": [topics[t] for t in tags], "entities": [entities[e] for e in ents]}
                for answer, tags, ents in remarks
            ],
        )
    make_briefing(
        spokesperson=wang,
        status=Briefing.Status.DRAFT,
        date=datetime.date(2020, 3, 1),
        remarks=[{"answer": "DRAFTMARKER trade", "topics": [topics["trade"], topics["covid"]], "entities": [entities["us"]]}],
    )


def table_rows(html):
    """(month label, count) from the timeline's table."""
    table = html[html.index('<details class="histogram-table">'):]
    return re.findall(r'<tr><td><a href="[^"]*">([^<]+)</a></td><td>(\d+)</td></tr>', table)


def brute_force_months(remarks):
    return Counter(r.briefing.date.strftime("%B %Y") for r in remarks)


@pytest.mark.parametrize(
    "path, subject",
    [
        ("/topics/trade/", lambda: Remark.objects.published().filter(topics__slug="trade")),
        ("/spokespersons/hua-chunying/", lambda: Remark.objects.published().filter(speaker__slug="hua-chunying")),
        ("/entities/united-states/", lambda: Remark.objects.published().filter(entities__slug="united-states")),
    ],
)
def test_subject_timeline_counts_each_month(client, corpus, path, subject):
    response = client.get(path)
    html = response.text
    assert '<svg viewBox="0 0 720 90"' in html
    assert re.search(r'<span class="visually-hidden">Remarks [^<]+ per month: from January 2020 to', html)
    expected = brute_force_months(subject())
    assert {month: int(n) for month, n in table_rows(html)} == expected
    assert "DRAFTMARKER" not in html


def test_timeline_bars_link_to_the_month_on_remarks(client, corpus):
    html = client.get("/topics/trade/").text
    assert 'href="/remarks/?topic=trade&amp;date_from=2020-01-01&amp;date_to=2020-01-31"' in html
    assert "<title>January 2020: 2 remarks</title>" in html
    assert "<title>May 2020: 1 remark</title>" in html
    # March and April 2020 had no remark on trade: no bar, but the axis still spans them.
    assert "March 2020:" not in html


def test_related_topics_and_entities_leave_out_the_subject(client, corpus):
    topic_page = client.get("/topics/trade/").text
    related = topic_page[topic_page.index('id="related-topic_detail"'):]
    assert '<a href="/topics/taiwan/">Taiwan</a> <span class="count">1</span>' in related
    assert '<a href="/topics/trade/">' not in related
    assert "COVID" not in related  # only the draft tags covid with trade
    entity_page = client.get("/entities/united-states/").text
    alongside = entity_page[entity_page.index('id="related-entity_detail"'):]
    assert '<a href="/entities/who/">World Health Organization</a> <span class="count">1</span>' in alongside
    assert '<a href="/entities/united-states/">' not in alongside


def test_position_timeline_lists_a_topics_remarks_oldest_first_in_one_language(client, corpus):
    html = client.get("/topics/trade/positions/").text
    # English has 3 remarks on trade, Chinese 1: English first.
    assert '<strong aria-current="true">English (3)</strong>' in html
    assert '<a href="?lang=zh">Chinese (1)</a>' in html
    order = [html.index(text) for text in ("China and trade", "Trade talks go on.", "China trade again.")]
    assert order == sorted(order)
    assert "中国" not in html and "DRAFTMARKER" not in html
    chinese = client.get("/topics/trade/positions/?lang=zh").text
    assert "中国 贸易" in chinese and "Trade talks" not in chinese
    assert client.get("/topics/trade/positions/?lang=xx&page=abc").status_code == 200
    assert client.get("/topics/no-such-topic/positions/").status_code == 404


def test_position_timeline_opens_on_the_same_language_whatever_order_the_counts_came_in(client, make_briefing, wang):
    topic = Topic.objects.create(name="Even", slug="even")
    make_briefing(spokesperson=wang, language="zh", date=datetime.date(2020, 1, 2), remarks=[{"answer": "一。", "topics": [topic]}])
    make_briefing(spokesperson=wang, language="en", date=datetime.date(2021, 1, 2), remarks=[{"answer": "One.", "topics": [topic]}])
    # One remark each: a tie goes to the first code, not to whichever month was counted first.
    assert '<strong aria-current="true">English (1)</strong>' in client.get("/topics/even/positions/").text


def test_position_timeline_condenses_to_whole_opening_sentences():
    remark = Remark(answer=("The first sentence is here. " * 8) + "And then a lot more words follow. " * 20)
    opening = remark.opening(limit=120)
    assert opening.endswith("here. …")
    assert len(opening) <= 122
    assert Remark(answer="Short.").opening() == "Short."
    assert Remark(answer="中方坚决反对。" * 30 + "最后。").opening(limit=50).endswith("。 …")


def test_position_timeline_pages(client, make_briefing, wang):
    topic = Topic.objects.create(name="Busy", slug="busy")
    make_briefing(spokesperson=wang, remarks=[{"answer": f"Remark number {n}.", "topics": [topic]} for n in range(60)])
    first, second = client.get("/topics/busy/positions/").text, client.get("/topics/busy/positions/?page=2").text
    assert "Remark number 49." in first and "Remark number 50." not in first
    assert "Remark number 50." in second and 'href="?lang=en&amp;page=1"' in second


def compare_rows(html):
    table = html[html.index("<details"):]
    return re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td>((?:<td>[^<]+</td>)+)</tr>", table)


def test_compare_gives_monthly_rates_per_thousand_remarks(client, corpus, monkeypatch):
    # This corpus has a few remarks a month: every month is drawn, and every language counted
    # (tests/test_compare.py has the minimum and the language rule).
    monkeypatch.setattr(trends, "MIN_REMARKS", 1)
    response = client.get("/compare/?term=china&term=trade&lang=all")
    html = response.text
    assert response.status_code == 200
    rows = {month: (int(total), re.findall(r"<td>([^<]+)</td>", cells)) for month, total, cells in compare_rows(html)}
    # January 2020: 3 remarks; "china" matches 1 (333.3 per 1,000), "trade" 2 (666.7).
    assert rows["January 2020"] == (3, ["1 (333.3)", "2 (666.7)"])
    assert rows["May 2020"] == (2, ["1 (500.0)", "1 (500.0)"])
    assert "March 2020" not in rows  # no remark that month: no row, and a gap in the lines
    assert '<a href="/remarks/?q=china">china</a>' in html
    assert '<title id="trend-title">Remarks matching china, trade, per 1,000 remarks per month</title>' in html
    assert html.count('fill="none"') == 2  # one line per term


def test_compare_keeps_other_filters_for_every_term(client, corpus):
    html = client.get("/compare/?term=trade&lang=en").text
    rows = {month: total for month, total, _ in compare_rows(html)}
    assert "February 2020" not in rows  # the only February remark is in Chinese
    assert '<a href="/remarks/?lang=en&amp;q=trade">trade</a>' in html
    assert '<option value="en" selected>English</option>' in html  # the language control keeps it


def test_compare_refuses_more_than_three_terms_and_bad_filters(client, corpus):
    response = client.get("/compare/?term=a&term=b&term=c&term=d")
    assert response.status_code == 400
    assert "at most 3 terms" in response.text
    assert client.get("/compare/?term=a&year=abc").status_code == 400
    assert client.get("/compare/?term=" + "x" * 600).status_code == 400
    assert client.get("/compare/").status_code == 200
