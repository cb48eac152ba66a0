import datetime

import pytest
from django.db import IntegrityError, transaction

from statements.models import Briefing, Remark


def test_position_is_unique_within_a_briefing(make_briefing):
    briefing = make_briefing(remarks=[{"answer": "first"}])
    with pytest.raises(IntegrityError), transaction.atomic():
        Remark.objects.create(briefing=briefing, position=1, answer="again")


def test_same_position_in_two_briefings_is_fine(make_briefing):
    make_briefing(remarks=[{"answer": "a"}])
    make_briefing(remarks=[{"answer": "b"}])
    assert Remark.objects.filter(position=1).count() == 2


def test_source_url_identifies_at_most_one_briefing(make_briefing):
    make_briefing(source_url="https://www.fmprc.gov.cn/t1.shtml")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_briefing(source_url="https://www.fmprc.gov.cn/t1.shtml")


def test_briefings_without_source_url_may_coexist(make_briefing):
    make_briefing(source_url="")
    make_briefing(source_url="")
    assert Briefing.objects.filter(source_url="").count() == 2


def test_translation_link_is_kept_on_both_sides(make_briefing):
    english = make_briefing(language="en")
    chinese = make_briefing(language="zh", translation=english)
    english.refresh_from_db()
    assert english.translation == chinese
    assert chinese.translation == english


def test_relinking_a_translation_unlinks_the_old_partner(make_briefing):
    english = make_briefing(language="en")
    first = make_briefing(language="zh", translation=english)
    second = make_briefing(language="zh")
    english.translation = second
    english.save()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.translation is None
    assert second.translation == english


def test_speaker_defaults_to_the_briefing_host(make_briefing, wang):
    briefing = make_briefing(spokesperson=wang, remarks=[{"answer": "Hello."}])
    assert briefing.remarks.get().speaker == wang


def test_published_querysets_hide_drafts(make_briefing):
    make_briefing(remarks=[{"answer": "public"}])
    make_briefing(status=Briefing.Status.DRAFT, remarks=[{"answer": "secret"}])
    assert [r.answer for r in Remark.objects.published()] == ["public"]
    assert Briefing.objects.published().count() == 1


def test_every_model_has_a_url(make_briefing, wang, topics, entities):
    briefing = make_briefing(remarks=[{"answer": "x"}])
    remark = briefing.remarks.get()
    assert remark.get_absolute_url() == f"/remarks/{remark.pk}/"
    assert briefing.get_absolute_url() == f"/briefings/{briefing.pk}/"
    assert topics["trade"].get_absolute_url() == "/topics/trade/"
    assert wang.get_absolute_url() == "/spokespersons/wang-wenbin/"
    assert entities["us"].get_absolute_url() == "/entities/united-states/"
    assert briefing.ministry.get_absolute_url() == "/remarks/?ministry=prc-mfa"


def test_excerpt_shortens_long_answers_at_a_word(make_briefing):
    briefing = make_briefing(remarks=[{"answer": "word " * 100}], date=datetime.date(2021, 1, 1))
    excerpt = briefing.remarks.get().excerpt
    assert len(excerpt) <= 160 and excerpt.endswith("word…")


def test_remarks_copy_their_briefings_columns_on_every_write(make_briefing, other_ministry):
    briefing = make_briefing(status=Briefing.Status.DRAFT, remarks=[{"answer": "a"}, {"answer": "b"}])
    assert not Remark.objects.published().exists()
    briefing.status = Briefing.Status.PUBLISHED
    briefing.date = datetime.date(2019, 7, 4)
    briefing.language = "zh"
    briefing.ministry = other_ministry
    briefing.save()
    copies = set(Remark.objects.values_list("is_public", "date", "year_month", "language", "ministry"))
    assert copies == {(True, datetime.date(2019, 7, 4), 201907, "zh", other_ministry.pk)}
    Briefing.objects.filter(pk=briefing.pk).update(status=Briefing.Status.DRAFT)
    assert not Remark.objects.published().exists()
    new = Remark.objects.create(briefing=briefing, position=3, answer="c")
    assert Remark.objects.filter(pk=new.pk, date=datetime.date(2019, 7, 4), is_public=False).exists()
