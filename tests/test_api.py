"""The JSON API: published material only, the same filters as the HTML pages, cursor pages that
visit every item once, a fixed number of queries per page, and a schema that validates."""

import base64
import datetime
import json
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from drf_spectacular.validation import validate_schema

from statements.filters import RemarkFilter
from statements.models import Briefing, Remark, Spokesperson
from statements.querystrings import without_empty_values
from querycount import budget_queries

MARKER = "DRAFTMARKER-api-5c1e"


@pytest.fixture
def corpus(make_briefing, ministry, other_ministry, wang, hua, topics, entities):
    """Four published briefings on three dates (two on one day, a translation pair), and a
    draft with the marker in every text field, tagged like the public ones."""
    day = datetime.date(2020, 12, 18)
    english = make_briefing(
        spokesperson=wang,
        date=day,
        title="Regular Press Conference on December 18, 2020",
        remarks=[
            {"kind": "announcement", "answer": "State Councilor Wang Yi will visit France."},
            {
                "question": "Will the WHO expert team visit China?",
                "outlet": "Reuters",
                "answer": "China will continue to strengthen vaccine cooperation with the WHO.",
                "topics": [topics["who"], topics["covid"]],
                "entities": [entities["who"]],
            },
            {
                "question": "The US may add Chinese companies to its export blacklist.",
                "answer": "China firmly opposes the abuse of export controls by the United States.",
                "topics": [topics["trade"]],
                "entities": [entities["us"]],
            },
            {"answer": "Cooperation on vaccines serves the whole world.", "topics": [topics["covid"]]},
            {"answer": "Taiwan is an inalienable part of China.", "topics": [topics["taiwan"]]},
        ],
    )
    chinese = make_briefing(
        spokesperson=wang,
        date=day,
        language="zh",
        title="2020年12月18日外交部发言人汪文斌主持例行记者会",
        translation=english,
        remarks=[
            {"kind": "announcement", "answer": "王毅国务委员将访问法国。"},
            {"answer": "中方愿继续同世卫组织加强疫苗合作。", "topics": [topics["who"]], "entities": [entities["who"]]},
        ],
    )
    for en, zh in zip(english.remarks.order_by("position"), chinese.remarks.order_by("position")):
        en.translation, zh.translation = zh, en
        en.save()
        zh.save()
    spring = make_briefing(
        spokesperson=hua,
        date=datetime.date(2021, 3, 2),
        remarks=[
            {"answer": "The trade war helps no one.", "topics": [topics["trade"]], "entities": [entities["us"]]},
            {"answer": "We urge the US to stop interfering.", "entities": [entities["us"]]},
            {"kind": "announcement", "answer": "The Foreign Minister will attend the summit."},
            {
                "answer": "Vaccine cooperation continues, and the trade talks too.",
                "topics": [topics["covid"], topics["trade"]],
            },
        ],
    )
    kirby = Spokesperson.objects.create(ministry=other_ministry, name="John Kirby", slug="john-kirby")
    washington = make_briefing(
        ministry=other_ministry,
        spokesperson=kirby,
        date=datetime.date(2019, 5, 10),
        remarks=[
            {"answer": "We will keep export controls in place.", "topics": [topics["trade"]]},
            {"answer": "Cooperation with the WHO matters.", "entities": [entities["who"]]},
            {"answer": "We have nothing to announce on Taiwan.", "topics": [topics["taiwan"]]},
        ],
    )
    draft = make_briefing(
        spokesperson=wang,
        status=Briefing.Status.DRAFT,
        date=day,
        title=f"Draft briefing {MARKER}",
        source_name=MARKER,
        remarks=[
            {
                "question": f"Q {MARKER} vaccine",
                "outlet": MARKER,
                "answer": f"Secret {MARKER} trade cooperation vaccine",
                "topics": [topics["trade"], topics["covid"], topics["taiwan"]],
                "entities": [entities["us"], entities["who"]],
            }
        ],
    )
    # A published briefing whose translation is still a draft: no link may point there.
    spring.translation = draft
    spring.save()
    first = spring.remarks.get(position=1)
    first.translation = draft.remarks.get()
    first.save()
    return {"english": english, "chinese": chinese, "spring": spring, "washington": washington, "draft": draft}


def get_json(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def walk(client, path):
    """Every item of a cursor-paginated list, following `next` to the end."""
    items, url = [], path
    while url:
        page = get_json(client, url)
        items += page["results"]
        url = page["next"]
        assert len(items) <= 10_000, "the cursor never ends"
    return items


def html_ids(client, params):
    """Ids of the remarks /remarks/ lists for these parameters, over all its pages."""
    ids, number = [], 1
    while True:
        response = client.get("/remarks/?" + urlencode(params + [("page", number)], doseq=True))
        assert response.status_code == 200
        page = response.context["page"]
        ids += [remark.pk for remark in page]
        if not page.has_next():
            assert len(ids) == page.paginator.count
            return ids
        number += 1


# --- Each endpoint, published material only ----------------------------------------------------


@pytest.mark.parametrize(
    "path, key, expected",
    [
        ("/api/remarks/", "answer", "China firmly opposes the abuse of export controls by the United States."),
        ("/api/briefings/", "title", "Regular Press Conference on December 18, 2020"),
        ("/api/topics/", "slug", "who-cooperation"),
        ("/api/spokespersons/", "slug", "john-kirby"),
        ("/api/entities/", "slug", "united-states"),
    ],
)
def test_each_endpoint_lists_published_items(client, corpus, path, key, expected):
    assert expected in [item[key] for item in walk(client, path)]


def test_remark_list_holds_every_published_remark_and_nothing_else(client, corpus):
    ids = [item["id"] for item in walk(client, "/api/remarks/")]
    assert sorted(ids) == sorted(Remark.objects.published().values_list("pk", flat=True))
    assert len(ids) == 14


def test_briefing_list_holds_every_published_briefing(client, corpus):
    ids = {item["id"] for item in walk(client, "/api/briefings/")}
    assert ids == {corpus[name].pk for name in ("english", "chinese", "spring", "washington")}


def test_remark_representation(client, corpus, topics, entities):
    remark = corpus["english"].remarks.get(position=3)
    data = get_json(client, f"/api/remarks/{remark.pk}/")
    assert data == {
        "id": remark.pk,
        "url": f"http://testserver/remarks/{remark.pk}/",
        "api_url": f"http://testserver/api/remarks/{remark.pk}/",
        "date": "2020-12-18",
        "ministry": {"slug": "prc-mfa", "short_name": "PRC MFA"},
        "spokesperson": {"slug": "wang-wenbin", "name": "Wang Wenbin"},
        "kind": "qa",
        "language": "en",
        "position": 3,
        "question": "The US may add Chinese companies to its export blacklist.",
        "outlet": "",
        "asked_by": None,
        "answer": "China firmly opposes the abuse of export controls by the United States.",
        "topics": [{"slug": "trade", "name": "Trade"}],
        "entities": [{"slug": "united-states", "name": "United States"}],
        "briefing": {
            "id": corpus["english"].pk,
            "title": "Regular Press Conference on December 18, 2020",
            "url": f"http://testserver/briefings/{corpus['english'].pk}/",
            "api_url": f"http://testserver/api/briefings/{corpus['english'].pk}/",
        },
        "source_url": corpus["english"].source_url,
        "translation": None,  # the Chinese transcript stops at its second remark
    }


def test_who_asked_is_the_normalised_outlet(client, corpus):
    from statements.models import Outlet
    from statements.tagging.apply import resolve_outlets

    Outlet.objects.create(name="Reuters", name_zh="路透社", slug="reuters", aliases="Reuters News Agency")
    resolve_outlets()
    remark = corpus["english"].remarks.get(position=2)
    data = get_json(client, f"/api/remarks/{remark.pk}/")
    assert (data["outlet"], data["asked_by"]) == ("Reuters", {"slug": "reuters", "name": "Reuters"})
    listed = get_json(client, "/api/remarks/?asked_by=reuters")["results"]
    assert [item["id"] for item in listed] == [remark.pk]


def test_remark_translation_links_its_published_translation(client, corpus):
    english = corpus["english"].remarks.get(position=2)
    chinese = corpus["chinese"].remarks.get(position=2)
    assert get_json(client, f"/api/remarks/{english.pk}/")["translation"] == chinese.pk
    assert get_json(client, f"/api/remarks/{chinese.pk}/")["translation"] == english.pk


def test_briefing_representation(client, corpus):
    english, chinese = corpus["english"], corpus["chinese"]
    data = get_json(client, f"/api/briefings/{english.pk}/")
    assert data["url"] == f"http://testserver/briefings/{english.pk}/"
    assert data["ministry"] == {"slug": "prc-mfa", "short_name": "PRC MFA"}
    assert data["spokesperson"] == {"slug": "wang-wenbin", "name": "Wang Wenbin"}
    assert (data["date"], data["kind"], data["language"]) == ("2020-12-18", "press_conference", "en")
    assert data["translation"] == chinese.pk
    assert data["remark_count"] == 5
    assert data["remarks"] == list(english.remarks.order_by("position").values_list("pk", flat=True))
    assert get_json(client, f"/api/briefings/{chinese.pk}/")["translation"] == english.pk


def test_reference_data_representation(client, corpus):
    assert get_json(client, "/api/topics/who-cooperation/") == {
        "slug": "who-cooperation",
        "name": "WHO cooperation",
        "parent": "covid-19-response",
        "description": "",
        "url": "http://testserver/topics/who-cooperation/",
        "api_url": "http://testserver/api/topics/who-cooperation/",
        "remarks": "http://testserver/api/remarks/?topic=who-cooperation",
    }
    spokesperson = get_json(client, "/api/spokespersons/wang-wenbin/")
    assert spokesperson["native_name"] == "汪文斌"
    assert spokesperson["ministry"] == {"slug": "prc-mfa", "short_name": "PRC MFA"}
    assert (spokesperson["term_start"], spokesperson["term_end"]) == (None, None)
    assert spokesperson["remarks"] == "http://testserver/api/remarks/?spokesperson=wang-wenbin"
    entity = get_json(client, "/api/entities/united-states/")
    assert (entity["kind"], entity["aliases"]) == ("country", ["US", "U.S.", "美国"])


# --- Drafts never leak ------------------------------------------------------------------------


def test_draft_remark_and_briefing_are_404(client, corpus):
    draft = corpus["draft"]
    get_json(client, f"/api/remarks/{draft.remarks.get().pk}/", status=404)
    get_json(client, f"/api/briefings/{draft.pk}/", status=404)


@pytest.mark.parametrize(
    "path",
    [
        "/api/remarks/", "/api/remarks/?q=vaccine", f"/api/remarks/?q={MARKER}", "/api/remarks/?topic=taiwan",
        "/api/remarks/?mentions=who&mentions=united-states", "/api/remarks/?spokesperson=wang-wenbin",
        "/api/remarks/?sort=oldest", "/api/remarks/?year=2020&lang=en", "/api/briefings/",
        "/api/briefings/?spokesperson=wang-wenbin", "/api/topics/", "/api/topics/taiwan/",
        "/api/spokespersons/", "/api/spokespersons/wang-wenbin/", "/api/entities/", "/api/entities/who/",
    ],
)
def test_draft_is_absent_everywhere(client, corpus, path):
    url, text = path, ""
    while url:
        response = client.get(url)
        assert response.status_code == 200
        text += response.content.decode()
        url = response.json().get("next")
    assert MARKER not in text
    assert f"/remarks/{corpus['draft'].remarks.get().pk}/" not in text
    assert f"/briefings/{corpus['draft'].pk}/" not in text


def test_searching_for_draft_text_finds_nothing(client, corpus):
    assert get_json(client, f"/api/remarks/?q={MARKER}")["results"] == []


def test_no_link_points_to_an_unpublished_translation(client, corpus):
    spring = corpus["spring"]
    assert Briefing.objects.get(pk=spring.pk).translation_id == corpus["draft"].pk
    assert get_json(client, f"/api/briefings/{spring.pk}/")["translation"] is None
    first = spring.remarks.get(position=1)
    assert first.translation_id == corpus["draft"].remarks.get().pk
    assert get_json(client, f"/api/remarks/{first.pk}/")["translation"] is None
    listed = {item["id"]: item["translation"] for item in walk(client, "/api/remarks/")}
    assert listed[first.pk] is None


# --- The same filters as /remarks/ ------------------------------------------------------------

FILTER_CASES = [
    [("topic", "trade")],
    [("topic", "taiwan"), ("topic", "who-cooperation")],
    [("spokesperson", "hua-chunying")],
    [("mentions", "united-states")],
    [("mentions", "who"), ("topic", "covid-19-response")],
    [("ministry", "us-dos")],
    [("kind", "announcement")],
    [("lang", "zh")],
    [("year", "2021")],
    [("year", "2019"), ("year", "2021")],
    [("date_from", "2019-06-01"), ("date_to", "2020-12-31")],
    [("q", "vaccines")],
    [("q", '"export controls"')],
    [("q", "cooperation -WHO")],
    [("q", "trade"), ("scope", "answers"), ("lang", "en")],
    [("q", "疫苗")],
    [("topic", ""), ("year", ""), ("q", "taiwan")],
]


@pytest.mark.parametrize("params", FILTER_CASES, ids=lambda params: urlencode(params))
def test_filters_agree_with_the_html_page(client, corpus, params):
    expected = set(
        RemarkFilter(without_empty_values(QueryDict(urlencode(params))), queryset=Remark.objects.published())
        .qs.values_list("pk", flat=True)
    )
    # Each case selects something, and not everything: it could tell a wrong filter apart.
    assert 0 < len(expected) < Remark.objects.published().count()
    api = [item["id"] for item in walk(client, "/api/remarks/?" + urlencode(params + [("page_size", 2)]))]
    html = html_ids(client, params)
    assert len(api) == len(set(api))
    assert set(api) == set(html) == expected


def test_briefing_filters_agree_with_the_html_page(client, corpus):
    for params in ([("spokesperson", "hua-chunying")], [("lang", "zh")], [("year", "2019"), ("year", "2020")]):
        api = {item["id"] for item in walk(client, "/api/briefings/?" + urlencode(params))}
        html = {briefing.pk for briefing in client.get("/briefings/?" + urlencode(params)).context["page"]}
        assert api == html and api


def test_blank_parameters_are_ignored_as_on_the_html_page(client, corpus):
    data = get_json(client, "/api/remarks/?topic=&year=&date_from=&q=&page_size=100")
    assert len(data["results"]) == 14


@pytest.mark.parametrize(
    "query, name, message",
    [
        ("date_from=notadate", "date_from", "Enter a valid date."),
        ("date_to=2020-13-45", "date_to", "Enter a valid date."),
        ("year=99999", "year", f"99999 is outside 1949–{datetime.date.today().year + 1}."),
        ("year=twenty", "year", "“twenty” is not a year."),
        ("topic=nonexistent-slug", "topic", "nonexistent-slug"),
        ("spokesperson=nobody", "spokesperson", "nobody"),
        ("mentions=atlantis", "mentions", "atlantis"),
        ("lang=fr", "lang", "fr"),
        ("kind=speech", "kind", "speech"),
        ("q=" + "x" * 600, "q", "at most 500"),
        ("q=%00", "q", "Null characters"),
        ("date_from=2021-01-01&date_to=2020-01-01", "non_field_errors", "ends (2020-01-01) before it starts"),
        ("cursor=not-a-cursor", "cursor", "Invalid cursor"),
        ("cursor=" + base64.b64encode(b"p=notadate").decode(), "cursor", "Invalid cursor"),
        ("cursor=" + base64.b64encode(b"o=x").decode(), "cursor", "Invalid cursor"),
        ("cursor=" + base64.urlsafe_b64encode(b'{"k":["2020-01-01",1,"1\\u0000"],"b":false}').decode(), "cursor", "Invalid cursor"),
        ("cursor=" + base64.urlsafe_b64encode(b'{"k":["2020-01-01",1,99999999999999999999],"b":false}').decode(), "cursor", "Invalid cursor"),
        ("cursor=" + base64.urlsafe_b64encode(b'{"k":["2020-02-30",1,1],"b":false}').decode(), "cursor", "Invalid cursor"),
        ("cursor=" + base64.urlsafe_b64encode(b'{"k":["2020-01-01",1],"b":false}').decode(), "cursor", "Invalid cursor"),
        ("cursor=" + base64.urlsafe_b64encode(b'{"k":[null,1,1],"b":"yes"}').decode(), "cursor", "Invalid cursor"),
        ("cursor=" + base64.urlsafe_b64encode(b'[1,2]').decode(), "cursor", "Invalid cursor"),
    ],
)
def test_bad_parameter_is_a_400_with_a_message(client, corpus, query, name, message):
    errors = get_json(client, f"/api/remarks/?{query}", status=400)
    assert message in " ".join(errors[name])


@pytest.mark.parametrize(
    "path",
    [
        "/api/briefings/?lang=xx", "/api/briefings/?year=abc", "/api/briefings/?date_from=2020-02-30",
        "/api/briefings/?cursor=%ff", "/api/topics/?cursor=" + base64.b64encode(b"p=a\x00b").decode(),
    ],
)
def test_bad_briefing_and_topic_parameters_are_400(client, corpus, path):
    assert get_json(client, path, status=400)


@pytest.mark.parametrize(
    "query",
    ["sort=nonsense", "sort=relevance", "unknown=1", "page_size=abc", "page_size=0", "page_size=100000",
     "q=-", "q=%22"],
)
def test_harmless_oddities_are_ignored(client, corpus, query):
    get_json(client, f"/api/remarks/?{query}")


@pytest.mark.parametrize(
    "path",
    ["/api/remarks/abc/", "/api/remarks/99999999999999999999999/", "/api/briefings/-1/", "/api/topics/%ff/",
     "/api/entities/nobody/"],
)
def test_odd_paths_are_404(client, corpus, path):
    assert client.get(path).status_code == 404


# --- Cursor pages -----------------------------------------------------------------------------


@pytest.fixture
def crowded_days(make_briefing, wang, hua):
    """Nine briefings of seven remarks on three days (three briefings a day): a page boundary
    falls inside a run of remarks that share one date."""
    for day in (datetime.date(2020, 1, 6), datetime.date(2020, 1, 7), datetime.date(2020, 1, 9)):
        for host in (wang, hua, wang):
            make_briefing(spokesperson=host, date=day, remarks=[{} for _ in range(7)])
    return Remark.objects.published()


@pytest.mark.parametrize("page_size", [1, 3, 5, 7, 8, 50])
@pytest.mark.parametrize("sort, order", [("newest", "newest_first"), ("oldest", "oldest_first")])
def test_cursor_walk_visits_every_remark_once_in_order(client, crowded_days, page_size, sort, order):
    walked = [item["id"] for item in walk(client, f"/api/remarks/?sort={sort}&page_size={page_size}")]
    assert walked == list(getattr(crowded_days, order)().values_list("pk", flat=True))
    assert len(walked) == 63


def test_cursor_walks_back_with_previous(client, crowded_days):
    forward, url = [], "/api/remarks/?page_size=4"
    while url:
        page = get_json(client, url)
        forward += [item["id"] for item in page["results"]]
        last, url = page, page["next"]
    backward, url = [item["id"] for item in last["results"]], last["previous"]
    while url:
        page = get_json(client, url)
        backward = [item["id"] for item in page["results"]] + backward
        url = page["previous"]
    assert backward == forward


def test_cursor_walk_over_briefings_sharing_a_date(client, crowded_days):
    walked = [item["id"] for item in walk(client, "/api/briefings/?page_size=2")]
    assert walked == list(Briefing.objects.published().order_by("-date", "-id").values_list("pk", flat=True))


@pytest.mark.parametrize("page_size", [3, 25])
def test_publishing_during_a_walk_does_not_shift_it(client, crowded_days, make_briefing, wang, page_size):
    # The cursor holds the whole sort key of the page's last remark, not an offset: remarks
    # published meanwhile, newer than all or on the very day being crossed, neither repeat nor
    # push out any remark of the walk.
    before = list(crowded_days.newest_first().values_list("pk", flat=True))
    first = get_json(client, f"/api/remarks/?page_size={page_size}")
    make_briefing(spokesperson=wang, date=datetime.date(2020, 2, 1), remarks=[{}, {}])
    make_briefing(spokesperson=wang, date=datetime.date(2020, 1, 9), remarks=[{}, {}, {}])
    walked = [item["id"] for item in first["results"] + walk(client, first["next"])]
    assert len(walked) == len(set(walked))
    assert [pk for pk in walked if pk in before] == before


def test_a_day_with_more_remarks_than_any_offset_limit_is_walked(client, make_briefing, wang):
    day = datetime.date(2021, 5, 5)
    for _ in range(3):
        make_briefing(spokesperson=wang, date=day, remarks=[{} for _ in range(400)])
    walked = [item["id"] for item in walk(client, "/api/remarks/?page_size=500")]
    assert walked == list(Remark.objects.published().newest_first().values_list("pk", flat=True))
    assert len(walked) == 1200


def test_page_size_defaults_to_50_and_caps_at_500(client, crowded_days):
    assert len(get_json(client, "/api/remarks/")["results"]) == 50
    assert len(get_json(client, "/api/remarks/?page_size=1000")["results"]) == 63


# --- Queries per page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, expected",
    [
        # The page's ids, its rows, their topics, their entities; one more per slug filter,
        # which checks that the slugs exist.
        ("/api/remarks/?topic=trade&mentions=united-states", 6),
        ("/api/remarks/?q=vaccine&sort=oldest", 4),
        # The page and its remark ids; one more for the spokesperson slugs.
        ("/api/briefings/?spokesperson=wang-wenbin&spokesperson=hua-chunying", 3),
        ("/api/topics/?", 1),
        ("/api/spokespersons/?", 1),
        ("/api/entities/?", 1),
    ],
)
def test_a_page_takes_a_fixed_number_of_queries(client, corpus, crowded_days, topics, entities, path, expected):
    for remark in Remark.objects.all():  # every remark on a page has topics and entities to fetch
        remark.topics.add(topics["trade"])
        remark.entities.add(entities["us"])
    total = len(walk(client, path))
    counts = []
    for page_size in (2, 40):
        with CaptureQueriesContext(connection) as queries:
            data = get_json(client, f"{path}&page_size={page_size}")
        assert len(data["results"]) == min(page_size, total)
        counts.append(len(queries))
    assert counts == [expected + budget_queries()] * 2


def test_a_remark_takes_a_fixed_number_of_queries(client, corpus, django_assert_max_num_queries):
    remark = corpus["english"].remarks.get(position=2)
    with django_assert_max_num_queries(3 + budget_queries()):  # the row with its joins, topics, entities
        get_json(client, f"/api/remarks/{remark.pk}/")


# --- Read-only, schema and docs ----------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writing_is_not_allowed(client, corpus, method):
    remark = corpus["english"].remarks.first()
    for path in ["/api/remarks/", f"/api/remarks/{remark.pk}/", "/api/briefings/", "/api/topics/trade/"]:
        response = getattr(client, method)(path, data=json.dumps({"answer": "x"}), content_type="application/json")
        assert response.status_code == 405
    assert Remark.objects.filter(answer="x").count() == 0


def test_browsable_api_renders(client, corpus):
    response = client.get("/api/remarks/?topic=trade", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "China firmly opposes" in response.content.decode()


def test_schema_command_validates_without_warnings(tmp_path):
    # --fail-on-warn turns any warning of the generator into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/remarks/" in (tmp_path / "schema.yaml").read_text()


def test_served_schema_is_valid_openapi(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for name in ["remarks", "briefings"]:
        assert {f"/api/{name}/", f"/api/{name}/{{id}}/"} <= paths
    for name in ["topics", "spokespersons", "entities"]:
        assert {f"/api/{name}/", f"/api/{name}/{{slug}}/"} <= paths
    remark_params = {p["name"] for p in schema["paths"]["/api/remarks/"]["get"]["parameters"]}
    assert set(RemarkFilter.base_filters) | {"sort", "cursor", "page_size"} <= remark_params


def test_docs_page_serves_swagger_ui_from_our_own_static_files(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn." not in html
    script = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    assert script in html
    served = client.get(script)
    assert served.status_code == 200
    assert b"".join(served.streaming_content if served.streaming else [served.content])
