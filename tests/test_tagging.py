"""Tags on real use: the reference data loaded and reloaded, remarks tagged and re-tagged, and
an editor's decisions, which no re-tagging undoes (statements/tagging/)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from statements.models import AutoTag, Entity, Remark, Topic
from statements.tagging import review
from statements.tagging.apply import tag_remarks


def load():
    call_command("load_reference_data", stdout=io.StringIO())


@pytest.fixture
def loaded(db, ministry):
    load()


def test_every_iso_country_and_territory_is_loaded_with_english_and_chinese_names(loaded):
    countries = Entity.objects.filter(kind=Entity.Kind.COUNTRY)
    assert countries.exclude(iso_code="").count() == 249  # ISO 3166-1's assigned codes
    assert not countries.filter(name_zh="").exists()
    us = Entity.objects.get(iso_code="US")
    assert (us.name, us.name_zh) == ("United States", "美国")
    assert {"US", "U.S.", "America", "美方"} <= set(us.alias_list)
    # CLDR's names where they are not the running text's: "&", brackets
    assert Entity.objects.get(iso_code="TT").name == "Trinidad and Tobago"
    assert Entity.objects.get(iso_code="MM").name == "Myanmar" and "Burma" in Entity.objects.get(iso_code="MM").alias_list
    # Named as the ministry's transcripts name them (docs/tagging.md), CLDR's forms kept as aliases
    hong_kong = Entity.objects.get(iso_code="HK")
    assert (hong_kong.name, hong_kong.name_zh) == ("Hong Kong", "香港")
    assert "Hong Kong SAR China" in hong_kong.alias_list and "香港特区" in hong_kong.alias_list
    assert Entity.objects.get(iso_code="TW").name_zh == "台湾"


def test_organisations_and_default_topics_are_loaded(loaded):
    who = Entity.objects.get(reference_key="who")
    assert (who.name, who.name_zh, who.kind) == ("World Health Organization", "世界卫生组织", Entity.Kind.ORGANISATION)
    assert {"un", "unsc", "wto", "iaea", "eu", "asean", "nato", "african-union", "sco", "brics", "g20", "g7", "apec", "imf", "world-bank"} <= set(
        Entity.objects.exclude(reference_key="").values_list("reference_key", flat=True)
    )
    taiwan = Topic.objects.get(slug="taiwan")
    assert "台湾" in taiwan.keywords and taiwan.answer_matches == 2
    assert Topic.objects.get(slug="covid-19-origins-tracing").parent.slug == "covid-19-response"


def test_loading_again_changes_nothing(loaded):
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()


def test_an_editors_changes_survive_a_reload(loaded):
    japan = Entity.objects.get(iso_code="JP")
    japan.name = "Japan (State of)"
    japan.aliases = "\n".join([alias for alias in japan.alias_list if alias != "日方"] + ["Nippon"])
    japan.save()
    taiwan = Topic.objects.get(slug="taiwan")
    taiwan.keywords += "\nTaiwan compatriots"
    taiwan.answer_matches = 3
    taiwan.slug = "taiwan-question"  # renamed: the loader finds it by its history
    taiwan.save()
    load()
    japan.refresh_from_db()
    assert japan.name == "Japan (State of)"
    assert "Nippon" in japan.alias_list and "日方" not in japan.alias_list and "Japanese" in japan.alias_list
    taiwan = Topic.objects.get(slug="taiwan-question")
    assert "Taiwan compatriots" in taiwan.keywords and taiwan.answer_matches == 3
    assert not Topic.objects.filter(slug="taiwan").exists()


def test_a_country_typed_by_hand_is_taken_over_not_duplicated(db, ministry, entities):
    load()
    us = Entity.objects.get(iso_code="US")
    assert us.pk == entities["us"].pk and us.slug == "united-states"
    assert Entity.objects.filter(name="United States").count() == 1
    assert Entity.objects.get(reference_key="who").pk == entities["who"].pk


TEXT = {
    "question": "What is your comment on the Japanese side's remarks on the South China Sea?",
    "answer": "Japan is not a party to the South China Sea issue. We urge the Japanese side to stop.",
}


@pytest.fixture
def tagged(loaded, make_briefing, wang):
    briefing = make_briefing(spokesperson=wang, remarks=[TEXT, {"question": "", "answer": "Good afternoon.", "kind": "announcement"}])
    tag_remarks(Remark.objects.filter(briefing=briefing))
    return briefing.remarks.get(position=1)


def test_tags_are_public_with_the_remark_and_counted(tagged, client):
    assert set(tagged.topics.values_list("slug", flat=True)) == {"south-china-sea"}
    assert set(tagged.entities.values_list("iso_code", flat=True)) == {"JP"}  # China, the ministry's own, is not
    page = client.get("/remarks/?topic=south-china-sea&mentions=japan")
    assert page.status_code == 200 and "1 remark" in page.content.decode()
    out = io.StringIO()
    call_command("check_derived_data", stdout=out)
    assert "0 difference(s)" in out.getvalue()


def test_retagging_after_a_rule_change_moves_only_unreviewed_tags(tagged):
    japan, sea = Entity.objects.get(iso_code="JP"), Topic.objects.get(slug="south-china-sea")
    AutoTag.objects.filter(remark=tagged, entity=japan).update(decision=AutoTag.Decision.ACCEPTED)
    hand_made = Topic.objects.get(slug="china-us-relations")
    tagged.topics.add(hand_made)
    # The rules change so that neither tag matches any more.
    japan.aliases, japan.name_zh, japan.name = "", "", "Nihon"
    japan.save()
    sea.keywords = "Spratly"
    sea.save()
    call_command("retag", stdout=io.StringIO())
    assert list(tagged.entities.all()) == [japan]  # accepted: kept
    assert list(tagged.topics.all()) == [hand_made]  # pending: gone; the editor's own: kept
    assert not AutoTag.objects.filter(remark=tagged, topic=sea).exists()


def test_a_rejected_tag_never_comes_back(tagged, editor):
    row = AutoTag.objects.get(remark=tagged, topic__slug="south-china-sea")
    review.reject(AutoTag.objects.filter(pk=row.pk), editor)
    assert not tagged.topics.exists()
    tag_remarks(Remark.objects.filter(pk=tagged.pk))
    assert not tagged.topics.exists()
    row.refresh_from_db()
    assert row.decision == AutoTag.Decision.REJECTED and row.reviewed_by == editor


def test_a_topic_is_not_tagged_before_its_first_day(loaded, make_briefing, wang):
    text = {"question": "Is the epidemic over?", "answer": "The epidemic is over. The outbreak has ended."}
    before = make_briefing(spokesperson=wang, date=datetime.date(2018, 7, 18), remarks=[text])
    after = make_briefing(spokesperson=wang, date=datetime.date(2020, 7, 18), remarks=[text])
    tag_remarks(Remark.objects.filter(briefing__in=[before, after]))
    assert not before.remarks.get().topics.exists()
    assert after.remarks.get().topics.filter(slug="covid-19-response").exists()


def test_the_review_queue_shows_the_matching_words_and_decides_in_one_click(tagged, editor_client):
    queue = reverse("admin:statements_autotag_changelist")
    page = editor_client.get(queue + "?kind=topic").content.decode()
    assert "<mark>South China Sea</mark>" in page and "South China Sea</strong>" in page
    row = AutoTag.objects.get(remark=tagged, topic__slug="south-china-sea")
    response = editor_client.post(reverse("admin:statements_autotag_decide", args=[row.pk, "reject"]), HTTP_REFERER="http://testserver" + queue)
    assert response.status_code == 302 and response["Location"] == "http://testserver" + queue
    assert not tagged.topics.exists()
    row.refresh_from_db()
    assert row.decision == AutoTag.Decision.REJECTED
    assert "South China Sea</strong>" not in editor_client.get(queue + "?kind=topic").content.decode()


def test_a_whole_batch_is_accepted_at_once(tagged, publisher_client):
    queue = reverse("admin:statements_autotag_changelist")
    pending = list(AutoTag.objects.filter(decision=AutoTag.Decision.PENDING).values_list("pk", flat=True))
    publisher_client.post(queue, {"action": "accept_selected", "_selected_action": pending})
    assert not AutoTag.objects.filter(decision=AutoTag.Decision.PENDING).exists()
    assert tagged.topics.exists() and tagged.entities.exists()


def test_the_queue_is_for_staff_only(tagged, client):
    row = AutoTag.objects.first()
    response = client.post(reverse("admin:statements_autotag_decide", args=[row.pk, "reject"]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert tagged.topics.exists()


def test_a_rule_is_previewed_before_it_is_saved(tagged, editor_client):
    sea = Topic.objects.get(slug="south-china-sea")
    url = reverse("admin:statements_topic_rule_preview", args=[sea.pk])
    page = editor_client.post(url, {"keywords": "Japanese side", "exclusions": "", "answer_matches": "1"}).content.decode()
    assert "this rule would tag <strong>1</strong>" in page and "<mark>Japanese side</mark>" in page
    page = editor_client.post(url, {"keywords": "Spratly", "answer_matches": "2"}).content.decode()
    assert "would tag <strong>0</strong>" in page and "take it off <strong>1</strong>" in page
    sea.refresh_from_db()
    assert sea.keywords != "Spratly"  # nothing saved



@pytest.fixture
def asked(loaded, make_briefing, wang):
    return make_briefing(
        spokesperson=wang,
        remarks=[
            {"question": "On the talks?", "outlet": "Reuters", "answer": "They go well."},
            {"question": "关于会谈？", "outlet": "路透社记者", "answer": "进展顺利。"},
            {"question": "On trade?", "outlet": "总台央视", "answer": "Trade is good."},
            {"question": "On weather?", "outlet": "Daily Planet", "answer": "Sunny."},
        ],
    )


def test_who_asked_is_one_outlet_whatever_the_transcript_calls_it(asked, client):
    reuters, chinese, cctv, unknown = asked.remarks.order_by("position")
    assert reuters.asked_by.name == chinese.asked_by.name == "Reuters"
    assert cctv.asked_by.name == "China Media Group/CCTV" and unknown.asked_by is None
    page = client.get("/remarks/").content.decode()
    assert "Asked by" in page and "China Media Group/CCTV" in page
    filtered = client.get("/remarks/?asked_by=reuters")
    assert "2 remarks" in filtered.content.decode()
    export = client.get("/remarks/export.csv?asked_by=reuters")
    csv = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    header = csv[0].split(",")
    assert "asked_by" in header and all(",Reuters," in line for line in csv[1:]) and len(csv) == 3
    out = io.StringIO()
    call_command("check_derived_data", stdout=out)
    assert "0 difference(s)" in out.getvalue()


def test_an_unknown_outlet_is_listed_and_follows_once_an_editor_names_it(asked, editor_client):
    listed = editor_client.get(reverse("admin:statements_outlet_unknown")).content.decode()
    assert "<td>Daily Planet</td>" in listed and "<td>Reuters</td>" not in listed
    add = reverse("admin:statements_outlet_add")
    response = editor_client.post(add, {"name": "Daily Planet", "name_zh": "星球日报", "slug": "daily-planet", "aliases": ""})
    assert response.status_code == 302
    assert asked.remarks.get(position=4).asked_by.slug == "daily-planet"
    assert "<td>Daily Planet</td>" not in editor_client.get(reverse("admin:statements_outlet_unknown")).content.decode()


def test_an_automatic_tags_own_page_shows_it_read_only(tagged, editor_client):
    row = AutoTag.objects.filter(remark=tagged).first()
    page = editor_client.get(reverse("admin:statements_autotag_change", args=[row.pk]))
    assert page.status_code == 200 and row.matched in page.content.decode()
