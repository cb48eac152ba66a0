"""Exports of a /remarks/ state: every matching row, the documented columns, streamed."""

import csv
import datetime
import io
import json
import tracemalloc

import pytest

from statements import exports
from statements.models import Briefing, Remark

COLUMN_NAMES = [column.name for column in exports.COLUMNS]


@pytest.fixture
def corpus(make_briefing, wang, hua, topics, entities):
    english = make_briefing(
        spokesperson=wang,
        date=datetime.date(2021, 3, 1),
        remarks=[
            {"kind": Remark.Kind.ANNOUNCEMENT, "answer": "Opening words on trade.", "topics": [topics["trade"]]},
            {
                "question": "On Taiwan, \"quoted\", and a comma?",
                "outlet": "Reuters",
                "answer": "First line.\nSecond line, after a break.",
                "topics": [topics["taiwan"], topics["trade"]],
                "entities": [entities["us"]],
            },
            {"question": "Vaccines?", "answer": "=1+1 is not a formula here; vaccines help.", "speaker": hua},
        ],
    )
    chinese = make_briefing(
        spokesperson=hua,
        date=datetime.date(2021, 3, 1),
        language=Briefing.Language.CHINESE,
        title="2021年3月1日外交部发言人华春莹主持例行记者会",
        remarks=[{"question": "关于台湾？", "answer": "中方坚决反对美台官方往来。", "topics": [topics["taiwan"]], "entities": [entities["us"]]}],
    )
    english_qa, chinese_qa = english.remarks.get(position=2), chinese.remarks.get()
    english_qa.translation = chinese_qa
    english_qa.save()
    draft = make_briefing(
        spokesperson=wang,
        status=Briefing.Status.DRAFT,
        language=Briefing.Language.CHINESE,
        remarks=[{"answer": "DRAFTMARKER in a draft", "topics": [topics["trade"]]}],
    )
    chinese_qa.translation = draft.remarks.get()
    chinese_qa.save()
    make_briefing(spokesperson=wang, date=datetime.date(2019, 5, 2), remarks=[{"answer": "Older words on trade."}])
    return {"english": english, "chinese": chinese, "draft": draft}


def download(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    assert response.streaming, "exports must stream, not build the file in memory"
    return b"".join(response.streaming_content).decode("utf-8")


def read_csv(text):
    assert text.startswith("\ufeff"), "the byte-order mark tells spreadsheets the file is UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


@pytest.mark.parametrize(
    "state",
    ["", "topic=trade", "topic=trade&topic=taiwan", "lang=zh", "q=trade", 'q="second line"',
     "spokesperson=hua-chunying", "mentions=united-states&year=2021", "date_to=2020-01-01", "q=nothingmatchesthis"],
)
def test_every_format_has_as_many_rows_as_the_page_counts(client, corpus, state):
    count = client.get(f"/remarks/?{state}").context["page"].paginator.count
    assert len(read_csv(download(client, f"/remarks/export.csv?{state}"))) == count
    assert len(json.loads(download(client, f"/remarks/export.json?{state}"))) == count
    assert len(download(client, f"/remarks/export.jsonl?{state}").splitlines()) == count


def test_rows_are_the_pages_remarks_in_the_pages_order(client, corpus):
    page_ids = [remark.pk for remark in client.get("/remarks/?sort=oldest").context["page"]]
    rows = json.loads(download(client, "/remarks/export.json?sort=oldest"))
    assert [row["remark_id"] for row in rows] == page_ids


def test_csv_keeps_text_exactly_with_documented_columns(client, corpus):
    rows = read_csv(download(client, "/remarks/export.csv?sort=oldest"))
    assert list(rows[0].keys()) == COLUMN_NAMES
    by_answer = {row["answer"]: row for row in rows}
    qa = by_answer["First line.\nSecond line, after a break."]
    remark = corpus["english"].remarks.get(position=2)
    assert qa["question"] == 'On Taiwan, "quoted", and a comma?'
    assert qa["outlet"] == "Reuters"
    assert qa["remark_id"] == str(remark.pk)
    assert qa["permalink"] == f"http://testserver/remarks/{remark.pk}/"
    assert qa["date"] == "2021-03-01"
    assert qa["ministry"] == "PRC MFA"
    assert qa["spokesperson"] == "Wang Wenbin"
    assert qa["kind"] == "qa"
    assert qa["language"] == "en"
    assert qa["topics"] == "Taiwan; Trade"
    assert qa["entities"] == "United States"
    assert qa["briefing_id"] == str(corpus["english"].pk)
    assert qa["source_url"] == corpus["english"].source_url
    assert qa["translation_remark_id"] == str(corpus["chinese"].remarks.get().pk)
    # A formula-like cell is text in a spreadsheet (OWASP): an apostrophe first. JSON keeps it exact.
    assert by_answer["'=1+1 is not a formula here; vaccines help."]["spokesperson"] == "Hua Chunying"
    exact = json.loads(download(client, "/remarks/export.json"))
    assert "=1+1 is not a formula here; vaccines help." in {row["answer"] for row in exact}
    chinese = by_answer["中方坚决反对美台官方往来。"]
    assert chinese["question"] == "关于台湾？"
    assert chinese["briefing_title"] == "2021年3月1日外交部发言人华春莹主持例行记者会"


def test_csv_bytes_are_utf8_with_crlf_rows(client, corpus):
    response = client.get("/remarks/export.csv?lang=zh")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="remarks-')
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf" + b"remark_id,permalink,")
    assert "中方坚决反对美台官方往来。".encode() in raw
    assert raw.count(b"\r\n") == 2  # header and one row


def test_json_and_json_lines_hold_lists_and_nulls(client, corpus):
    rows = json.loads(download(client, "/remarks/export.json?topic=taiwan&sort=oldest"))
    lines = [json.loads(line) for line in download(client, "/remarks/export.jsonl?topic=taiwan&sort=oldest").splitlines()]
    assert rows == lines
    assert all(list(row) == COLUMN_NAMES for row in rows)
    english = next(row for row in rows if row["language"] == "en")
    assert english["topics"] == ["Taiwan", "Trade"]
    assert english["entities"] == ["United States"]


def test_a_draft_never_leaks_into_an_export_not_even_as_a_translation(client, corpus):
    for extension in exports.FORMATS:
        text = download(client, f"/remarks/export.{extension}")
        assert "DRAFTMARKER" not in text
        assert str(corpus["draft"].remarks.get().pk) not in {
            row["translation_remark_id"] for row in read_csv(download(client, "/remarks/export.csv"))
        }
    chinese = next(row for row in json.loads(download(client, "/remarks/export.json?lang=zh")))
    assert chinese["translation_remark_id"] is None


def test_an_empty_result_is_a_valid_empty_file(client, corpus):
    assert json.loads(download(client, "/remarks/export.json?q=nothingmatchesthis")) == []
    assert download(client, "/remarks/export.jsonl?q=nothingmatchesthis") == ""
    assert read_csv(download(client, "/remarks/export.csv?q=nothingmatchesthis")) == []


def test_bad_parameters_are_a_400_and_unknown_formats_a_404(client, corpus):
    response = client.get("/remarks/export.csv?date_from=yesterday")
    assert response.status_code == 400
    assert "date" in response.text.lower()
    assert client.get("/remarks/export.csv?year=99999").status_code == 400
    assert client.get("/remarks/export.xml").status_code == 404


def test_results_page_links_every_format_with_its_state(client, corpus):
    response = client.get("/remarks/?topic=trade&lang=en&page=1")
    for extension in exports.FORMATS:
        assert f'href="/remarks/export.{extension}?topic=trade&amp;lang=en"' in response.text


def test_data_page_documents_every_column(client, db):
    response = client.get("/data/")
    assert response.status_code == 200
    for column in exports.COLUMNS:
        assert f"<code>{column.name}</code>" in response.text


def bulk_remarks(ministry, count, per_briefing=50):
    """Published remarks in bulk, with their briefing columns copied as the models would."""
    briefings = Briefing.objects.bulk_create(
        Briefing(
            ministry=ministry,
            date=datetime.date(2000, 1, 1) + datetime.timedelta(days=n),
            title=f"Briefing {n}",
            status=Briefing.Status.PUBLISHED,
            source_url=f"https://example.org/bulk/{n}",
        )
        for n in range(count // per_briefing)
    )
    Remark.objects.bulk_create(
        (
            Remark(
                briefing=briefing,
                position=position,
                question=f"Question {briefing.pk}.{position} about trade and vaccines?",
                answer="The spokesperson's answer, about as long as a real one. " * 8,
            )
            for briefing in briefings
            for position in range(1, per_briefing + 1)
        ),
        batch_size=5000,
    )
    Remark.objects.copy_from_briefing()


def test_an_export_of_100k_rows_streams_in_bounded_memory(client, ministry, topics):
    bulk_remarks(ministry, 100_000)
    Remark.objects.first().topics.add(topics["trade"])
    response = client.get("/remarks/export.csv")
    tracemalloc.start()
    try:
        rows = size = 0
        for chunk in response.streaming_content:
            rows += chunk.count(b"\r\n")
            size += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 100_000 + 1
    # The file is about 60 MB; one chunk of rows (exports.CHUNK_SIZE) is what may be held at
    # once: about 7 MB measured, whether the file has 20,000 rows or 80,000.
    assert size > 55_000_000
    assert peak < 15_000_000, f"peak {peak / 1e6:.1f} MB while streaming {size / 1e6:.0f} MB"


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://example.org\")", "+1", "-2 degrees", "@SUM(A1)", "\tTab", "\rReturn"])
def test_csv_cells_never_start_a_formula(client, make_briefing, text):
    make_briefing(remarks=[{"question": text, "outlet": text, "answer": text}])
    row = read_csv(download(client, "/remarks/export.csv"))[0]
    assert row["question"] == row["outlet"] == row["answer"] == "'" + text
    assert json.loads(download(client, "/remarks/export.json"))[0]["answer"] == text


@pytest.mark.parametrize(
    "query, name",
    [
        ("", "remarks.csv"),
        ("?topic=taiwan&year=2019", "remarks-taiwan-2019.csv"),
        ("?spokesperson=hua-chunying&lang=zh&q=Tariffs+talks", "remarks-hua-chunying-zh-tariffs-talks.csv"),
        ("?date_from=2021-03-01&date_to=2021-03-31&version=original", "remarks-from-2021-03-01-to-2021-03-31-original-version.csv"),
    ],
)
def test_an_exported_file_is_named_for_what_it_holds(client, corpus, query, name):
    response = client.get("/remarks/export.csv" + query)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"


def test_a_chinese_search_names_the_file_in_chinese_with_an_ascii_fallback(client, corpus):
    response = client.get("/remarks/export.json?q=台湾&year=2021")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"remarks-2021.json\"; filename*=UTF-8''remarks-2021-%E5%8F%B0%E6%B9%BE.json"
    )
