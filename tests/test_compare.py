"""/compare/ that does not mislead: labelled axes, rates counted in the terms'
language, no rate drawn from a handful of remarks, lone months visible, examples on the empty
page, and a chart without links inside its picture."""

import datetime
import re
from html.parser import HTMLParser

import pytest

from statements import trends

MIN = trends.MIN_REMARKS


def month(year, number):
    return datetime.date(year, number, 10)


@pytest.fixture
def briefings(make_briefing, wang):
    """make(date, language, matching, others): a briefing of `matching` remarks on trade (贸易 in
    Chinese) and `others` on something else."""

    def make(date, language="en", matching=0, others=0):
        trade, other = ("中美 贸易 谈判", "天气 很好") if language == "zh" else ("Trade talks go on.", "The weather is fine.")
        make_briefing(
            spokesperson=wang,
            date=date,
            language=language,
            remarks=[{"answer": trade}] * matching + [{"answer": other}] * others,
        )

    return make


@pytest.fixture
def bilingual(briefings):
    """Two months of 20 English and 20 Chinese remarks each: both drawn."""
    assert MIN <= 20
    for number in (1, 2):
        briefings(month(2020, number), "en", matching=2, others=18)
        briefings(month(2020, number), "zh", matching=1, others=19)


def rows(html):
    """{month: (remarks counted, [cell per term])} from the table under the chart."""
    table = html[html.index("<details"):]
    found = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td>((?:<td>[^<]+</td>)+)</tr>", table)
    return {label: (int(total), re.findall(r"<td>([^<]+)</td>", cells)) for label, total, cells in found}


def picture(html):
    """The markup of the chart's role="img" element."""
    start = html.index('<svg class="trend-chart" role="img"')
    return html[start:html.index("</div>", start)]


def y_labels(html):
    axis = html[html.index('<svg class="trend-y"'):]
    return re.findall(r"<text [^>]*>([^<]+)</text>", axis[:axis.index("</svg>")])


def x_labels(html):
    return re.findall(r'<text class="tick"[^>]*>([^<]+)</text>', picture(html))


# --- Language: the rate's denominator counts remarks a term can match -----------------------


def test_english_terms_are_counted_against_english_remarks_only(client, bilingual):
    html = client.get("/compare/?term=trade").text
    # 20 English and 20 Chinese remarks in January; 2 English ones about trade: 100 per 1,000,
    # not the 50 that counting the Chinese remarks would give.
    assert rows(html)["January 2020"] == (20, ["2 (100.0)"])
    assert "per 1,000 English remarks" in html
    assert '<option value="" selected>As the terms (English)</option>' in html
    assert '<a href="/remarks/?lang=en&amp;q=trade">trade</a>' in html


def test_chinese_terms_are_counted_against_chinese_remarks_only(client, bilingual):
    html = client.get("/compare/?term=贸易").text
    assert rows(html)["January 2020"] == (20, ["1 (50.0)"])
    assert "per 1,000 Chinese remarks" in html
    assert '<option value="" selected>As the terms (Chinese)</option>' in html
    assert '<a href="/remarks/?lang=zh&amp;q=%E8%B4%B8%E6%98%93" lang="zh">贸易</a>' in html


def test_terms_in_both_languages_count_every_remark(client, bilingual):
    html = client.get("/compare/?term=trade&term=贸易").text
    assert rows(html)["January 2020"] == (40, ["2 (50.0)", "1 (25.0)"])
    assert '<option value="" selected>As the terms (All languages)</option>' in html


@pytest.mark.parametrize("lang, total, cell", [("all", 40, "2 (50.0)"), ("zh", 20, "0 (0.0)"), ("en", 20, "2 (100.0)")])
def test_the_reader_can_choose_another_language_or_all(client, bilingual, lang, total, cell):
    html = client.get(f"/compare/?term=trade&lang={lang}").text
    assert rows(html)["January 2020"] == (total, [cell])
    assert f'<option value="{lang}" selected>' in html


def test_the_language_is_part_of_the_cached_counts(client, bilingual):
    # The same terms and filters in another language must not be served the first one's counts.
    assert rows(client.get("/compare/?term=trade").text)["January 2020"][0] == 20
    assert rows(client.get("/compare/?term=trade&lang=all").text)["January 2020"][0] == 40
    assert rows(client.get("/compare/?term=trade&lang=zh").text)["January 2020"][0] == 20
    assert rows(client.get("/compare/?term=trade&lang=en").text)["January 2020"] == (20, ["2 (100.0)"])
    assert rows(client.get("/compare/?term=trade").text)["January 2020"] == (20, ["2 (100.0)"])


@pytest.mark.parametrize("query", ["lang=fr", "lang=en&lang=zh", "lang=%3Cscript%3E", "lang=EN", "lang=all&lang=en"])
def test_a_bad_language_is_a_clear_400(client, bilingual, query):
    for path in (f"/compare/?term=trade&{query}", f"/compare/?{query}"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "<code>lang</code>: Choose one language to count remarks in: en (English), zh (Chinese), all (All languages)." in response.text


def test_an_empty_language_is_the_terms_language(client, bilingual):
    html = client.get("/compare/?term=trade&lang=").text
    assert rows(html)["January 2020"] == (20, ["2 (100.0)"])


def test_detection_of_the_terms_language():
    assert trends.terms_language(["trade", '"Belt and Road"', "-Taiwan"]) == "en"
    assert trends.terms_language(["贸易", "一带一路 OR 台湾"]) == "zh"
    assert trends.terms_language(["WHO 世卫组织"]) == "zh"  # a Chinese character makes a Chinese term
    assert trends.terms_language(["trade", "贸易"]) == "all"
    assert trends.terms_language([]) == "all"


# --- A minimum of remarks per month before a rate is drawn ------------------------------------


@pytest.fixture
def thin_month(briefings):
    """March 2020 has 3 English remarks, 2 of them about trade: 666.7 per 1,000 if it were drawn."""
    briefings(month(2020, 1), matching=1, others=MIN - 1)
    briefings(month(2020, 2), matching=2, others=MIN - 2)
    briefings(month(2020, 3), matching=2, others=1)
    briefings(month(2020, 4), matching=1, others=MIN)


def test_a_month_with_too_few_remarks_is_a_gap_said_so_under_the_chart(client, thin_month):
    html = client.get("/compare/?term=trade").text
    table = rows(html)
    assert table["March 2020"] == (3, ["2 (not drawn)"])
    assert table["February 2020"] == (MIN, [f"2 ({round(2000 / MIN, 1)})"])
    assert f"Months with fewer than {MIN} English remarks are not drawn" in html
    assert "Not drawn for too few remarks: March 2020 (in the table)." in html
    # The thin month neither draws a point nor sets the scale: the axis ends near the highest
    # drawn rate (200 per 1,000 with ten remarks a month), far below 666.7.
    assert "March 2020" not in picture(html)
    assert max(float(label.replace(",", "")) for label in y_labels(html)) < 666.7
    # Two lines' worth of months: January–February, then April on its own, as a marker.
    (line,) = re.findall(r'<path d="(M[^"]+)" fill="none"', html)
    assert line.count("L") == 1


def test_every_month_too_thin_gives_no_chart_but_the_table(client, briefings):
    briefings(month(2020, 1), matching=1, others=2)
    html = client.get("/compare/?term=trade").text
    assert 'role="img"' not in html
    assert f"No month has {MIN} or more English remarks yet, so there is no chart" in html
    assert rows(html)["January 2020"] == (3, ["1 (not drawn)"])


def test_a_lone_month_has_a_marker(client, thin_month):
    html = client.get("/compare/?term=trade").text
    markers = re.findall(r'<path class="marker" d="M[^"]+ l0.01,0"[^>]*><title>([^<]+)</title>', picture(html))
    assert "April 2020: 90.9 per 1,000" in markers


def test_over_years_only_lone_months_have_markers(wang):
    totals = {month(2010 + i // 12, i % 12 + 1).replace(day=1): 20 for i in range(60)}
    totals[datetime.date(2012, 5, 1)] = 3  # May 2012 too thin: April 2012 between two breaks
    totals[datetime.date(2012, 3, 1)] = 0
    series = trends.Series("trade", {m: 2 for m in totals}, "#000", "", "/remarks/?q=trade")
    chart = trends.build_chart([series], totals)
    assert [label for _, _, label in series.markers] == ["April 2012: 100.0 per 1,000"]
    assert chart["skipped"] == [datetime.date(2012, 5, 1)]
    assert [label for _, label, _, _ in chart["x_ticks"]] == ["2010", "2011", "2012", "2013", "2014"]


# --- Axes ------------------------------------------------------------------------------------


def test_axes_have_values_a_unit_and_dates(client, thin_month):
    html = client.get("/compare/?term=trade").text
    assert y_labels(html) == ["0", "50", "100", "150", "200"]
    assert '<p class="trend-unit" aria-hidden="true">per 1,000 English remarks</p>' in html
    # Four months: every month is labelled, the first with its year.
    assert x_labels(html) == ["Jan 2020", "Feb", "Mar", "Apr"]


def test_a_span_of_years_is_labelled_by_year(client, briefings):
    for year in (2019, 2020, 2021):
        briefings(month(year, 6), matching=1, others=MIN)
    html = client.get("/compare/?term=trade").text
    assert x_labels(html) == ["2020", "2021"]
    assert "From June 2019 to June 2021" in html


@pytest.mark.parametrize(
    "peak, ticks",
    [(666.7, [0, 200, 400, 600, 800]), (90.9, [0, 25, 50, 75, 100]), (0.4, [0, 0.1, 0.2, 0.3, 0.4]), (0, [0, 0.25, 0.5, 0.75, 1])],
)
def test_the_y_axis_steps_are_round(peak, ticks):
    assert trends.nice_ticks(peak) == ticks
    assert trends.tick_label(1000.0) == "1,000" and trends.tick_label(0.25) == "0.25"


# --- Accessibility -----------------------------------------------------------------------------


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.links_in_image = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and any(role == "img" for _, role in self.stack):
            self.links_in_image.append(attrs.get("href"))
        self.stack.append((tag, attrs.get("role")))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass


def test_no_link_inside_the_chart_image_and_a_table_for_screen_readers(client, thin_month):
    html = client.get("/compare/?term=trade&term=talks").text
    parser = Elements()
    parser.feed(html)
    assert parser.links_in_image == []  # axe: nested-interactive
    assert '<summary>The figures as a table</summary>' in html
    assert '<th scope="col"><span>talks</span> (per 1,000)</th>' in html
    assert 'aria-labelledby="trend-title trend-desc"' in html
    # The terms' links are in the legend, outside the picture.
    assert '<a href="/remarks/?lang=en&amp;q=talks">talks</a>' in html


# --- The empty page --------------------------------------------------------------------------


def test_the_empty_page_suggests_examples_that_work(client, bilingual):
    html = client.get("/compare/").text
    assert "Try an example" in html
    links = re.findall(r'<li><a href="(/compare/\?[^"]+)"( lang="zh")?>([^<]+)</a></li>', html)
    assert len(links) == len(trends.EXAMPLES) >= 3
    assert ("/compare/?term=trade&amp;term=tariffs", "", "trade · tariffs") in links
    assert any(lang for _, lang, _ in links)  # a Chinese pair, marked as Chinese
    for url, _, _ in links:
        response = client.get(url.replace("&amp;", "&"))
        assert response.status_code == 200 and "The figures as a table" in response.text
    assert "Try an example" not in client.get("/compare/?term=trade").text


def test_examples_keep_the_other_filters(client, bilingual):
    html = client.get("/compare/?spokesperson=wang-wenbin&lang=en").text
    assert '<a href="/compare/?spokesperson=wang-wenbin&amp;term=trade&amp;term=tariffs">' in html
    assert '<input type="hidden" name="spokesperson" value="wang-wenbin">' in html
