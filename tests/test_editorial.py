"""The editorial rules, exercised through the admin pages as rendered (tests/rendered_forms.py):
who may change what the public sees, on every write path; derived data kept right."""

from io import StringIO

import pytest
from django.db.models import QuerySet
from django.test import Client

from rendered_forms import RenderedForm
from statements import editorial
from statements.models import Briefing, Remark


def change_url(obj):
    return f"/admin/statements/{obj._meta.model_name}/{obj.pk}/change/"


def test_an_editor_corrects_a_published_briefing_and_a_remark_from_its_page(editor_client, make_briefing, wang):
    briefing = make_briefing(spokesperson=wang, remarks=[{"question": "Q?", "answer": "China opposes this."}])
    remark = briefing.remarks.get()
    form = RenderedForm.open(editor_client, change_url(briefing))
    assert "status" not in form.rendered  # editors do not publish
    form["title"] = "Regular Press Conference, corrected title"
    form["remarks-0-answer"] = "China firmly opposes this."
    response = form.submit()
    assert response.status_code == 302, response.context["errors"] if response.context else response

    page = Client().get(f"/briefings/{briefing.pk}/").text
    assert "Regular Press Conference, corrected title" in page and "China firmly opposes this." in page
    permalink = Client().get(f"/remarks/{remark.pk}/").text
    assert "Corrected on" in permalink and "wording of the answer" in permalink
    # One save, one history row each, with a reason.
    assert [r.history_change_reason for r in remark.history.order_by("history_id")][-1] == "Changed on its briefing's page"
    briefing_rows = list(briefing.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert briefing_rows[-1] == "Changed in the admin" and briefing_rows.count("Changed in the admin") == 1


def test_an_unchanged_save_of_every_change_form_succeeds_and_changes_nothing(publisher_client, make_briefing, wang, topics, entities):
    briefing = make_briefing(
        spokesperson=wang, original_text="Q: One?\nA: One.\n\nQ: Two?",
        remarks=[{"question": "One?\nReally?", "answer": "One.\n\nTwo.", "topics": [topics["trade"]], "entities": [entities["us"]]}],
    )
    remark = briefing.remarks.get()
    for obj in (briefing, remark, wang, topics["trade"], entities["us"]):
        response = RenderedForm.open(publisher_client, change_url(obj)).submit()
        assert response.status_code == 302, (obj, response.context["errors"] if response.context else response)
    briefing.refresh_from_db()
    remark.refresh_from_db()
    assert briefing.original_text == "Q: One?\nA: One.\n\nQ: Two?"  # the browser's CRLF is not stored
    assert (remark.question, remark.answer, remark.corrected_at) == ("One?\nReally?", "One.\n\nTwo.", None)


def test_an_editor_cannot_publish_by_moving_a_draft_remark_into_a_published_briefing(editor_client, make_briefing):
    published = make_briefing()
    draft = make_briefing(status="draft", remarks=[{"answer": "Not for the public yet."}])
    remark = draft.remarks.get()
    form = RenderedForm.open(editor_client, change_url(remark))
    form["briefing"] = published.pk
    form["position"] = 5
    response = form.submit()
    assert response.status_code == 200 and "only publishers do" in response.text
    assert Client().get(f"/remarks/{remark.pk}/").status_code == 404


def test_a_public_remark_never_moves_into_a_draft(publisher_client, make_briefing):
    published = make_briefing(remarks=[{"answer": "Public."}])
    draft = make_briefing(status="draft")
    remark = published.remarks.get()
    form = RenderedForm.open(publisher_client, change_url(remark))
    form["briefing"] = draft.pk
    response = form.submit()
    assert response.status_code == 200 and "Withdraw it instead" in response.text
    assert Client().get(f"/remarks/{remark.pk}/").status_code == 200


def test_an_editor_adding_a_remark_to_a_published_briefing_is_told_to_ask_a_publisher(editor_client, make_briefing):
    briefing = make_briefing(remarks=[{"answer": "One."}])
    form = RenderedForm.open(editor_client, change_url(briefing))
    form["remarks-1-position"] = 2
    form["remarks-1-answer"] = "An exchange typed in."
    response = form.submit()
    assert response.status_code == 200 and "a remark added to it is public at once" in response.text
    assert briefing.remarks.count() == 1


def test_revert_by_an_editor_keeps_a_withdrawal_and_a_merge(editor_client, publisher, make_briefing):
    briefing = make_briefing(remarks=[{"answer": "First."}, {"answer": "Second."}, {"answer": "Third."}])
    first, second, third = briefing.remarks.order_by("position")
    before = first.history.latest("history_id")  # the version before the withdrawal
    editorial.withdraw(publisher, Remark.objects.filter(pk=first.pk), "Mistranscribed.")
    before_merge = second.history.latest("history_id")
    editorial.merge(publisher, [second, third], third)
    for remark, version in ((first, before), (second, before_merge)):
        url = f"/admin/statements/remark/{remark.pk}/history/{version.history_id}/"
        response = RenderedForm.open(editor_client, url).submit()
        assert response.status_code == 302, response.context["errors"] if response.context else response
    assert Client().get(f"/remarks/{first.pk}/").status_code == 410
    assert Client().get(f"/remarks/{second.pk}/").status_code == 301


def test_a_briefing_restored_from_history_saves(editor_client, make_briefing):
    briefing = make_briefing(title="Old title")
    first = briefing.history.latest("history_id")
    briefing.title = "New title"
    briefing.save()
    response = RenderedForm.open(editor_client, f"/admin/statements/briefing/{briefing.pk}/history/{first.history_id}/").submit()
    assert response.status_code == 302, response.context["errors"] if response.context else response
    briefing.refresh_from_db()
    assert briefing.title == "Old title" and briefing.status == Briefing.Status.PUBLISHED
    assert briefing.history.latest("history_id").history_change_reason == "Restored an earlier version from History"


def test_a_form_opened_before_an_unpublish_cannot_publish_again(publisher_client, publisher, make_briefing):
    briefing = make_briefing(remarks=[{"answer": "Soon hidden."}])
    form = RenderedForm.open(publisher_client, change_url(briefing))
    editorial.unpublish(publisher, Briefing.objects.filter(pk=briefing.pk))
    response = form.submit()
    assert response.status_code == 200 and "after you opened it" in response.text
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT


def test_remarks_follow_the_host_set_after_an_import(editor_client, make_briefing, wang, hua):
    briefing = make_briefing(status="draft", remarks=[{"answer": "One."}, {"answer": "Two.", "speaker": hua}])
    assert set(briefing.remarks.values_list("speaker", flat=True)) == {None, hua.pk}
    form = RenderedForm.open(editor_client, change_url(briefing))
    form["spokesperson"] = wang.pk
    assert form.submit().status_code == 302
    speakers = dict(briefing.remarks.values_list("answer", "speaker"))
    assert speakers == {"One.": wang.pk, "Two.": hua.pk}  # the one who was not the host keeps their name
    form = RenderedForm.open(editor_client, change_url(briefing))
    assert form["remarks-0-speaker"] == ""  # shown empty: it is the host
    form["spokesperson"] = hua.pk
    assert form.submit().status_code == 302
    assert set(briefing.remarks.values_list("speaker", flat=True)) == {hua.pk}


def test_a_merge_into_a_draft_survivor_is_refused(publisher, make_briefing):
    public = make_briefing(remarks=[{"answer": "Public."}]).remarks.get()
    draft = make_briefing(status="draft", remarks=[{"answer": "Draft."}]).remarks.get()
    with pytest.raises(Exception, match="not on the public site"):
        editorial.merge(publisher, [public, draft], draft)
    assert Client().get(f"/remarks/{public.pk}/").status_code == 200


def test_linking_a_translation_that_has_a_partner_is_refused(editor_client, make_briefing):
    english = make_briefing(language="en")
    chinese = make_briefing(language="zh", translation=english)
    draft = make_briefing(status="draft", language="en")
    form = RenderedForm.open(editor_client, change_url(draft))
    form["translation"] = chinese.pk
    response = form.submit()
    assert response.status_code == 200 and "unlink it there first" in response.text
    chinese.refresh_from_db()
    assert chinese.translation == english


def test_bulk_updates_keep_derived_data(make_briefing, wang):
    briefing = make_briefing(remarks=[{"answer": "One."}])
    remark = briefing.remarks.get()
    with pytest.raises(TypeError, match="is_public"):
        Remark.objects.filter(pk=remark.pk).update(is_public=False)
    with pytest.raises(TypeError, match="answer"):
        Remark.objects.filter(pk=remark.pk).update(answer="Rewritten behind the history's back.")
    draft = make_briefing(status="draft")
    version = remark.version
    Remark.objects.filter(pk=remark.pk).update(briefing=draft)
    remark.refresh_from_db()
    assert not remark.is_public and remark.version == version + 1


def test_check_derived_data_finds_a_stale_copy_and_a_stale_month(client, make_briefing, wang, settings):
    from django.core.management import CommandError, call_command

    settings.SEARCH_ENGINE_DIR = ""  # the months counted in the database (the engine's check: test_engine.py)
    briefing = make_briefing(spokesperson=wang, remarks=[{"answer": "One."}, {"answer": "Two."}])
    assert client.get("/remarks/").status_code == 200  # counts the months into the cache
    call_command("check_derived_data", stdout=StringIO())

    remark = briefing.remarks.first()
    # A write that bypasses every rule: the raw QuerySet update, no token moved.
    QuerySet.update(Remark.objects.filter(pk=remark.pk), is_public=False, speaker=None)
    out = StringIO()
    with pytest.raises(CommandError, match="difference"):
        call_command("check_derived_data", stdout=out)
    assert f"remark {remark.pk}: is_public is False, should be True" in out.getvalue()
    assert f"remark {remark.pk}: speaker is None, should be {wang.pk}" in out.getvalue()
    assert "cached counts of month 202012 differ from a fresh count" in out.getvalue()


def test_the_migration_clears_stored_source_urls_that_are_not_web_addresses(make_briefing):
    from importlib import import_module

    from django.apps import apps

    bad = make_briefing(source_url="javascript:alert(1)")
    good = make_briefing(source_url="HTTPS://example.org/a.html")
    import_module("statements.migrations.0011_clear_non_web_source_urls").clear_non_web_source_urls(apps, None)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.source_url == "" and good.source_url == "HTTPS://example.org/a.html"


def test_a_stale_edit_message_shows_a_change_at_the_end_of_a_long_answer():
    from statements.admin import where_they_differ

    opening = "China's position on this question is consistent and clear. " * 5
    old, new = where_they_differ(opening + "We oppose it.", opening + "We firmly oppose it.")
    assert old.endswith("We oppose it.") and new.endswith("We firmly oppose it.")
    assert old.startswith("…") and len(new) < len(opening)


def test_the_host_set_after_an_import_is_every_remarks_speaker_on_the_public_site(editor_client, publisher, make_briefing, wang):
    briefing = make_briefing(status="draft", remarks=[{"answer": "One."}, {"answer": "Two."}])
    form = RenderedForm.open(editor_client, change_url(briefing))
    form["spokesperson"] = wang.pk
    assert form.submit().status_code == 302
    editorial.publish(publisher, Briefing.objects.filter(pk=briefing.pk))
    assert "2 published remarks" in Client().get("/spokespersons/wang-wenbin/").text
    assert "Wang Wenbin" in Client().get("/remarks/?spokesperson=wang-wenbin").text


def test_citations_of_a_withdrawn_or_merged_remark_answer_like_its_permalink(publisher, make_briefing):
    briefing = make_briefing(remarks=[{"answer": "One."}, {"answer": "Two."}, {"answer": "Three."}])
    first, second, third = briefing.remarks.order_by("position")
    editorial.withdraw(publisher, Remark.objects.filter(pk=first.pk), "Wrong.")
    editorial.merge(publisher, [second, third], third)
    for extension in ("bib", "ris", "json"):
        assert Client().get(f"/remarks/{first.pk}/cite.{extension}").status_code == 410
        response = Client().get(f"/remarks/{second.pk}/cite.{extension}")
        assert response.status_code == 301 and response["Location"] == f"/remarks/{third.pk}/cite.{extension}"


def test_the_admin_is_branded_and_its_home_page_offers_the_import(editor_client):
    page = editor_client.get("/admin/").text
    assert "Diplomatic statements: editing" in page and "Django administration" not in page
    assert 'href="/admin/statements/briefing/import/"' in page
