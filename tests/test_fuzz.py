"""Random and malformed requests to every public URL: a 4xx or a page, never a 5xx.

Hypothesis builds query strings from the parameters the site knows and from junk: repeated
and unknown keys, huge values, NUL bytes, bad percent-encoding and invalid UTF-8, and path
segments of the same kind.
"""

import datetime
import string
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statements.models import Briefing

PARAMETERS = [
    "q", "scope", "topic", "spokesperson", "ministry", "mentions", "kind", "lang", "year", "date_from",
    "date_to", "sort", "page", "term", "passage", "cursor", "page_size", "format", "p", "state",
]

ROUTES = [
    "/", "/remarks/", "/remarks/{remark}/", "/remarks/{remark}/cite.bib", "/remarks/export.csv",
    "/remarks/export.jsonl", "/remarks/feed/", "/briefings/", "/briefings/{briefing}/", "/topics/",
    "/topics/trade/", "/topics/trade/positions/", "/topics/trade/feed/", "/spokespersons/wang-wenbin/",
    "/entities/united-states/", "/compare/", "/data/", "/sitemap.xml", "/sitemap-remarks.xml",
    "/api/remarks/", "/api/remarks/{remark}/", "/api/briefings/", "/api/topics/", "/api/topics/trade/",
    "/alerts/new/",
]

# Values that have broken query parsers and ORMs elsewhere, beside whatever hypothesis draws.
NASTY = [
    "", " ", "%", "%%", "%zz", "%ff%fe", "%00", "\x00", "-1", "0", "1e309", "99999999999999999999999",
    "2020-02-30", "0000-00-00", "9999-12-31", "1899-12-31", "NaN", "[]", "{}", "'", '"', "\\", "--",
    "\"unclosed phrase", "OR", "OR OR", "-", "- -", "* ", "NEAR(a b)", "a:b", "^", "()", "中文", "🙂" * 50,
    "x" * 5000, "<script>", "../../etc/passwd", "AND OR NOT", '"" ""', "%E4%B8", "\ud800",
]

value = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.text(alphabet=string.printable, max_size=300),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates(min_value=datetime.date(1, 1, 1)).map(str),
)
key = st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=20))


def encode(text):
    # Lone surrogates cannot be UTF-8: send their percent-escaped replacement as raw bytes would.
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


raw_query = st.one_of(
    st.lists(st.tuples(key, value), max_size=8).map(lambda pairs: "&".join(f"{encode(k)}={encode(v)}" for k, v in pairs)),
    # Invalid UTF-8 and broken escapes, sent as they are.
    st.binary(max_size=80).map(lambda data: "".join(f"%{byte:02x}" for byte in data)),
    st.sampled_from(["a=%ff", "q=%e4%b8", "%=%", "&&&", "=", "q", "q=a&q=b&q=c", "topic=trade&topic=%ff"]),
)


@pytest.fixture
def content(make_briefing, wang, topics, entities):
    published = make_briefing(
        spokesperson=wang,
        remarks=[
            {"question": "Trade?", "answer": "Trade wars have no winners.", "topics": [topics["trade"]], "entities": [entities["us"]]},
            {"answer": "China supports the WHO.", "topics": [topics["who"]]},
        ],
    )
    make_briefing(spokesperson=wang, status=Briefing.Status.DRAFT, remarks=[{"answer": "draft"}])
    return {"remark": published.remarks.first().pk, "briefing": published.pk}


FUZZ = settings(
    max_examples=200,
    deadline=None,
    # The fixture's rows are only read: sharing them across examples is what we want.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(route=st.sampled_from(ROUTES), query=raw_query)
def test_no_query_string_gets_a_server_error(client, content, route, query):
    path = route.format(**content)
    response = client.generic("GET", path, QUERY_STRING=query)
    assert response.status_code < 500, f"{path}?{query} -> {response.status_code}"
    if response.streaming:
        b"".join(response.streaming_content)  # errors while streaming count too


segment = st.one_of(
    st.sampled_from(["%ff", "%00", "..", "%2e%2e", "x" * 3000, "%e4%b8", "feed", "export.xml", "99999999999999999999"]),
    st.text(min_size=1, max_size=30).map(encode),
)


@FUZZ
@given(route=st.sampled_from(ROUTES), extra=st.lists(segment, min_size=1, max_size=3))
def test_no_path_gets_a_server_error(client, content, route, extra):
    path = route.format(**content).rstrip("/") + "/" + "/".join(extra) + "/"
    response = client.get(path)
    assert response.status_code < 500, f"{path} -> {response.status_code}"


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("query", ["q=" + "x" * 100_000, "page=" + "9" * 5000, "topic=" + "&topic=".join(["trade"] * 500)])
def test_huge_values_are_refused_or_served_not_crashed(client, content, route, query):
    response = client.generic("GET", route.format(**content), QUERY_STRING=query)
    assert response.status_code < 500
