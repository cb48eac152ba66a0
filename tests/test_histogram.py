"""The per-month histogram above the results: right numbers, accessible, bars that filter."""

import datetime
import re

import pytest


@pytest.fixture
def spread(make_briefing, topics):
    for date, n in [((2020, 1, 10), 3), ((2020, 1, 20), 1), ((2020, 4, 2), 2)]:
        make_briefing(date=datetime.date(*date), remarks=[{"answer": f"Trade {i}", "topics": [topics["trade"]]} for i in range(n)])
    make_briefing(date=datetime.date(2020, 2, 5), remarks=[{"answer": "Taiwan", "topics": [topics["taiwan"]]}])
    make_briefing(date=datetime.date(2020, 3, 5), status="draft", remarks=[{"answer": "Draft trade", "topics": [topics["trade"]]}] * 5)


def table_rows(html):
    table = html.split('class="histogram-table"')[1]
    return re.findall(r"<td><a href=\"([^\"]+)\">([^<]+)</a></td><td>(\d+)</td>", table)


def test_histogram_counts_matching_remarks_per_month(client, spread):
    response = client.get("/remarks/?topic=trade")
    rows = table_rows(response.text)
    assert [(month, int(n)) for _, month, n in rows] == [("January 2020", 4), ("April 2020", 2)]
    svg = response.text.split("<svg")[1].split("</svg>")[0]
    # The chart is hidden from assistive technology and out of the Tab order: its links live
    # in the table, not inside an image (axe: nested-interactive).
    assert 'aria-hidden="true"' in svg.split(">")[0] and 'role="img"' not in svg
    assert svg.count("<a ") == svg.count('tabindex="-1"') == 2
    # January to April: four slots, two with bars; the taller bar is the full height.
    assert svg.count("<rect") == 2
    assert "<title>January 2020: 4 remarks</title>" in svg and 'height="90.0"' in svg
    assert "<title>April 2020: 2 remarks</title>" in svg and 'height="45.0"' in svg


def test_bar_links_narrow_to_its_month_and_keep_filters(client, spread):
    rows = table_rows(client.get("/remarks/?topic=trade&page=2").text)
    url = rows[0][0].replace("&amp;", "&")
    assert url == "?topic=trade&date_from=2020-01-01&date_to=2020-01-31"
    response = client.get("/remarks/" + url)
    assert "4 remarks" in response.text


def test_no_histogram_without_results(client, spread):
    response = client.get("/remarks/?q=nothingmatchesthis")
    assert "0 remarks" in response.text and "<svg" not in response.text
