"""Every page of the shared MFA corpus (../shared/corpus/mfa), where it exists: each briefing
imports or fails for a true, specific reason; exchanges equal the questions counted straight
from the HTML; date, language, kind and host are right; no remark holds markup or navigation.

A fresh clone has no corpus, so this skips there; .ci/run points MFA_CORPUS at it and sets
REQUIRE_CORPUS, so CI cannot skip it.
"""

import csv
import html
import json
import os
import random
import re
from pathlib import Path

import pytest

from statements.importers import Hints, TranscriptError, parse_transcript
from statements.import_store import store_briefing
from statements.models import Briefing, Remark, Spokesperson
from statements.search import matching

CANDIDATES = [os.environ.get("MFA_CORPUS", ""), Path(__file__).resolve().parents[2] / "shared/corpus/mfa"]
CORPUS = next((Path(c) for c in CANDIDATES if c and (Path(c) / "manifest.tsv").is_file()), None)

if CORPUS is None:
    if os.environ.get("REQUIRE_CORPUS"):
        raise RuntimeError("REQUIRE_CORPUS is set but no corpus was found (set MFA_CORPUS).")
    pytest.skip("The shared MFA corpus is not on this machine (set MFA_CORPUS).", allow_module_level=True)

MANIFEST = list(csv.DictReader((CORPUS / "manifest.tsv").open(encoding="utf-8"), delimiter="\t"))
KINDS = {"briefing": "press_conference", "remarks": "remarks"}
BRIEFINGS = sum(row["kind"] == "briefing" for row in MANIFEST)
# Questions are counted on the raw HTML split at <p> and <br> with regular expressions, independently
# of the parser. Older pages label each question "Q:"/"问：" (or announce one asked after the
# briefing); current pages label it with whoever asks ("Reuters:", "总台央视记者提问："), which no
# regular expression can tell from the host's label or from a sentence that reaches a colon. What
# marks it on every page is the ministry's typography: a question's paragraph opens in bold
# (<b>/<strong>), an answer's does not (one remarks page bolds an "答：", hence the answer labels
# below). So a question is a paragraph opening with "Q:"/"问：" or the after-briefing phrase, or a
# paragraph opening in bold with a short label that is neither an answer's ("A:"/"答：", the host
# named in the title) nor a follow-up's ("Follow-up:", "追问：", "记者：", …), which are not
# questions of their own. Nothing here calls the parser or shares its patterns.
QUESTION_LINE = re.compile(
    r"^\s*(?:Q|问|有记者问)\s*[:：]|following question was raised|^\s*会后有记者问", re.I
)
BOLD_START = re.compile(r"^(?:\s|&nbsp;|<(?!/?(?:b|strong)\b)[^>]*>)*<(?:b|strong)\b", re.I)
BOLD_LABEL = re.compile(r"^([^:：]{1,40})[:：]")
NOT_A_QUESTION_LABEL = re.compile(r"^(?:A|答|Follow-up(?: question)?|Journalist(?: clarifies)?|追问|记者问|记者)$", re.I)
MARKUP = re.compile(r"<[a-zA-Z/!]|&[a-z]+;|&#\d+;|\{|function\(|document\.(?:get|write)|\u3000|\xa0")
NAVIGATION = re.compile(r"Press and Media Service|Spokesperson's Remarks >|首页|打印本页|字体：|Appendix:|附件：")


def raw_question_count(text):
    title = re.search(r"<title>(.*?)</title>", text, re.S | re.I).group(1)
    body = text[text.index('class="content"') :]
    count = 0
    for paragraph in re.split(r"<(?:/?p|br)\b[^>]*>", body, flags=re.I):
        line = html.unescape(re.sub(r"<[^>]+>", "", paragraph)).replace("\u3000", " ").strip()
        label = BOLD_LABEL.match(line)
        bold_question = (
            BOLD_START.match(paragraph)
            and label
            and not NOT_A_QUESTION_LABEL.match(label[1].strip())
            and label[1].strip() not in title
        )
        if QUESTION_LINE.search(line) or bold_question:
            count += 1
    return count


@pytest.fixture
def mfa_spokespersons(mfa_spokespersons, ministry):
    """The hosts of the 2018 pages (conftest.py), and Zhao Lijian, who hosts most 2020 ones."""
    zhao = Spokesperson.objects.create(ministry=ministry, name="Zhao Lijian", native_name="赵立坚", slug="zhao-lijian")
    return [*mfa_spokespersons, zhao]


def host_in_title(title):
    for spokesperson in Spokesperson.objects.all():
        if spokesperson.name in title or spokesperson.native_name in title:
            return spokesperson.name
    return None


@pytest.mark.parametrize("row", MANIFEST, ids=[row["path"] for row in MANIFEST])
def test_corpus_page_imports_truthfully(row, mfa_spokespersons):
    data = (CORPUS / row["path"]).read_bytes()
    hints = Hints(source_url=row["source_url"])
    text = data.decode("utf-8")
    page_date = re.search(r'id="News_Body_Time">(\d{4}-\d\d-\d\d)<', text)
    expected_date = row["date_from_title"] or (page_date and page_date.group(1))
    if not expected_date:
        # Nothing on the page dates it: the only truthful answer is to ask for the date.
        with pytest.raises(TranscriptError, match="or --date YYYY-MM-DD"):
            parse_transcript(data, hints)
        return
    parsed = parse_transcript(data, hints)
    assert parsed.date.isoformat() == expected_date
    assert parsed.language == row["language"]
    assert parsed.kind == KINDS[row["kind"]]
    assert parsed.title == row["title"]
    assert parsed.exchange_count == raw_question_count(text) > 0
    for remark in parsed.remarks:
        for field in (remark.question, remark.answer):
            assert not MARKUP.search(field), field[:200]
            assert not NAVIGATION.search(field), field[:200]
    briefing = store_briefing(parsed).briefing
    assert briefing.spokesperson and briefing.spokesperson.name == host_in_title(row["title"])
    assert briefing.remarks.count() == len(parsed.remarks)


@pytest.mark.django_db
def test_english_and_chinese_pages_of_a_day_have_the_same_exchanges():
    by_day = {}
    for row in MANIFEST:
        if row["kind"] == "briefing":
            parsed = parse_transcript((CORPUS / row["path"]).read_bytes())
            by_day.setdefault(row["date_from_title"], {})[row["language"]] = parsed
    # Every day's briefing is in the corpus in both languages (40 days of 2018, 16 of 2020).
    pairs = [day for day in by_day.values() if len(day) == 2]
    assert len(pairs) == len(by_day) and 2 * len(pairs) == BRIEFINGS
    for day in pairs:
        assert day["en"].exchange_count == day["zh"].exchange_count, day["en"].title


def test_whole_corpus_imports_with_translations_linked(mfa_spokespersons, reference_data):
    for row in MANIFEST:
        try:
            store_briefing(parse_transcript((CORPUS / row["path"]).read_bytes(), Hints(source_url=row["source_url"])))
        except TranscriptError:
            assert row["path"] == "en/undated-remarks-t1686638.html"
    briefings = Briefing.objects.filter(kind="press_conference")
    assert briefings.count() == BRIEFINGS
    assert all(b.translation_id for b in briefings)


def test_any_stretch_of_an_imported_chinese_remark_finds_it(mfa_spokespersons):
    """What a researcher copies from a real transcript, one to eight characters wherever the
    selection falls (across the words a segmenter would cut), finds the remark it came from."""
    for row in MANIFEST:
        if row["language"] == "zh":
            store_briefing(parse_transcript((CORPUS / row["path"]).read_bytes(), Hints(source_url=row["source_url"])))
    remarks = list(Remark.objects.filter(briefing__language="zh").order_by("pk"))  # imported as drafts
    rng = random.Random(1)
    tried = []
    for remark in rng.sample(remarks, min(300, len(remarks))):
        runs = re.findall(r"[\u4e00-\u9fff]{8,}", remark.answer)
        for run in rng.sample(runs, min(2, len(runs))):
            length = rng.randint(1, 8)
            start = rng.randrange(len(run) - length + 1)
            tried.append((run[start : start + length], remark.pk))
    unfound = [(stretch, pk) for stretch, pk in tried if not matching(Remark.objects.filter(pk=pk), stretch).exists()]
    assert len(tried) > 400 and unfound == []


@pytest.mark.django_db
def test_demo_briefings_typed_from_the_corpus_are_what_the_importer_makes():
    """fixtures/demo.json was cut by hand by the rules the importer follows (fixtures/README.md)."""
    fixture = json.loads((Path(__file__).resolve().parents[1] / "fixtures/demo.json").read_text())
    paths = {row["source_url"]: row["path"] for row in MANIFEST}
    briefings = {o["pk"]: o["fields"] for o in fixture if o["model"] == "statements.briefing"}
    remarks = [o["fields"] for o in fixture if o["model"] == "statements.remark"]
    compared = 0
    for pk, fields in briefings.items():
        if fields["source_url"] not in paths:
            continue
        parsed = parse_transcript((CORPUS / paths[fields["source_url"]]).read_bytes())
        typed = sorted((r for r in remarks if r["briefing"] == pk), key=lambda r: r["position"])
        assert [(r["kind"], r["question"], r["answer"]) for r in typed] == [
            (r.kind, r.question, r.answer) for r in parsed.remarks
        ]
        assert parsed.original_text == fields["original_text"]
        compared += len(typed)
    assert compared == 192
