"""One version per exchange: an exchange published in two languages counted once, on request."""

import datetime

import pytest

from statements.models import Briefing, Remark


@pytest.fixture
def exchanges(make_briefing, wang, ministry):
    ministry.language = "zh"
    ministry.save()
    day = datetime.date(2021, 3, 1)
    english = make_briefing(spokesperson=wang, date=day, language="en", remarks=[
        {"question": "On vaccines?", "answer": "China supports vaccine cooperation."},
        {"question": "On trade?", "answer": "Trade benefits both."},
        {"question": "On Tibet?", "answer": "Only in English."},
    ])
    chinese = make_briefing(spokesperson=wang, date=day, language="zh", translation=english, remarks=[
        {"question": "关于疫苗？", "answer": "中方支持疫苗合作。"},
        {"question": "关于贸易？", "answer": "贸易互利。"},
    ])
    en, zh = list(english.remarks.order_by("position")), list(chinese.remarks.order_by("position"))
    for a, b in zip(en, zh):
        Remark.objects.filter(pk__in=[a.pk, b.pk]).update(translation=None)
        Remark.objects.filter(pk=a.pk).update(translation=b.pk)
        Remark.objects.filter(pk=b.pk).update(translation=a.pk)
    return {"en": en, "zh": zh, "english": english, "chinese": chinese}


def answers(queryset):
    return sorted(queryset.values_list("answer", flat=True))


def test_one_version_per_exchange_prefers_the_original_or_the_language_chosen(exchanges):
    public = Remark.objects.published()
    assert public.count() == 5
    assert answers(public.one_version_per_exchange()) == sorted(["中方支持疫苗合作。", "贸易互利。", "Only in English."])
    assert answers(public.one_version_per_exchange("en")) == sorted(
        ["China supports vaccine cooperation.", "Trade benefits both.", "Only in English."]
    )
    assert answers(public.one_version_per_exchange("zh")) == answers(public.one_version_per_exchange())


def test_an_exchange_whose_other_version_is_a_draft_keeps_its_public_one(exchanges):
    chinese = exchanges["chinese"]
    chinese.status = Briefing.Status.DRAFT
    chinese.save()
    assert answers(Remark.objects.published().one_version_per_exchange()) == sorted(
        ["China supports vaccine cooperation.", "Trade benefits both.", "Only in English."]
    )


def test_a_ministry_without_a_known_language_keeps_both(exchanges, ministry):
    ministry.language = ""
    ministry.save()
    assert Remark.objects.published().one_version_per_exchange().count() == 5


def test_the_list_offers_one_version_and_says_what_it_counts(client, exchanges):
    page = client.get("/remarks/")
    assert "5 remarks" in page.text and "each language version counted" in page.text
    assert 'href="?version=original"' in page.text
    original = client.get("/remarks/?version=original")
    assert "3 remarks" in original.text and "one version per exchange, the original" in original.text
    assert "中方支持疫苗合作。" in original.text and "China supports vaccine cooperation." not in original.text
    english = client.get("/remarks/?version=en")
    assert "3 remarks" in english.text and "China supports vaccine cooperation." in english.text
    assert client.get("/remarks/?version=xx").status_code == 400


def test_exports_and_feeds_follow_the_version(client, exchanges):
    export = client.get("/remarks/export.csv?version=original")
    rows = b"".join(export.streaming_content).decode().strip().splitlines()
    assert len(rows) == 1 + 3
    feed = client.get("/remarks/feed/?version=en").content.decode()
    assert feed.count("<entry>") == 3
