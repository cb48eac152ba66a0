"""The admin as editors use it: real forms posted, inline remarks, publishing, roles."""

import pytest
from django.test import Client

from statements.models import Briefing, Remark
from statements.roles import setup_roles


def inline_management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def briefing_form(ministry, spokesperson, **overrides):
    data = {
        "ministry": ministry.pk,
        "date": "2020-12-18",
        "kind": "press_conference",
        "language": "en",
        "title": "Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on December 18, 2020",
        "spokesperson": spokesperson.pk,
        "source_name": "Ministry of Foreign Affairs of the PRC",
        "source_url": "https://www.fmprc.gov.cn/mfa_eng/t1840000.shtml",
        "status": "draft",
        "original_text": "Q: ...",
        "translation": "",
    }
    data.update(overrides)
    return data


def remark_fields(index, position, answer, question="", kind="qa", topics=(), pk=None, briefing=None, version=None):
    prefix = f"remarks-{index}"
    data = {
        f"{prefix}-position": str(position),
        f"{prefix}-kind": kind,
        f"{prefix}-speaker": "",
        f"{prefix}-outlet": "",
        f"{prefix}-question": question,
        f"{prefix}-answer": answer,
        f"{prefix}-id": str(pk) if pk else "",
        f"{prefix}-briefing": str(briefing) if briefing else "",
        # The version the form was opened on, as the admin renders it in a hidden field.
        f"{prefix}-base_version": str(version) if version else "",
    }
    if topics:
        data[f"{prefix}-topics"] = [str(t.pk) for t in topics]
    return data


def test_editor_adds_a_briefing_with_two_remarks(editor_client, ministry, wang, topics):
    data = briefing_form(ministry, wang)
    data.update(inline_management("remarks", 2))
    data.update(remark_fields(0, 1, "China will cooperate with the WHO.", "Will the WHO visit?", topics=[topics["who"]]))
    data.update(remark_fields(1, 2, "China firmly opposes this.", "On the blacklist?"))
    response = editor_client.post("/admin/statements/briefing/add/", data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    briefing = Briefing.objects.get()
    assert briefing.status == Briefing.Status.DRAFT
    remarks = list(briefing.remarks.order_by("position"))
    assert [r.answer for r in remarks] == ["China will cooperate with the WHO.", "China firmly opposes this."]
    assert remarks[0].speaker == wang  # defaults to the host
    assert list(remarks[0].topics.all()) == [topics["who"]]


def test_duplicate_positions_in_one_form_are_refused(editor_client, ministry, wang):
    data = briefing_form(ministry, wang)
    data.update(inline_management("remarks", 2))
    data.update(remark_fields(0, 1, "one"))
    data.update(remark_fields(1, 1, "two"))
    response = editor_client.post("/admin/statements/briefing/add/", data)
    assert response.status_code == 200
    assert "Position 1 is already used" in response.text
    assert not Briefing.objects.exists()


def test_editor_swaps_two_remarks_and_keeps_their_ids(editor_client, ministry, wang, make_briefing):
    briefing = make_briefing(spokesperson=wang, status="draft", remarks=[{"answer": "first"}, {"answer": "second"}])
    first, second = briefing.remarks.order_by("position")
    data = briefing_form(ministry, wang, source_url=briefing.source_url, title=briefing.title, base_version=briefing.version)
    data.update(inline_management("remarks", 2, initial=2))
    data.update(remark_fields(0, 2, "first", pk=first.pk, briefing=briefing.pk, version=first.version))
    data.update(remark_fields(1, 1, "second", pk=second.pk, briefing=briefing.pk, version=second.version))
    response = editor_client.post(f"/admin/statements/briefing/{briefing.pk}/change/", data)
    assert response.status_code == 302
    assert list(briefing.remarks.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]


def test_positions_are_renumbered_without_gaps(editor_client, ministry, wang):
    data = briefing_form(ministry, wang)
    data.update(inline_management("remarks", 2))
    data.update(remark_fields(0, 10, "ten"))
    data.update(remark_fields(1, 20, "twenty"))
    editor_client.post("/admin/statements/briefing/add/", data)
    assert list(Remark.objects.order_by("position").values_list("position", "answer")) == [(1, "ten"), (2, "twenty")]


def test_duplicate_source_url_is_refused_with_a_message(editor_client, ministry, wang, make_briefing):
    make_briefing(source_url="https://www.fmprc.gov.cn/mfa_eng/t1840000.shtml")
    data = briefing_form(ministry, wang)
    data.update(inline_management("remarks", 0))
    response = editor_client.post("/admin/statements/briefing/add/", data)
    assert response.status_code == 200
    assert "Another briefing already has this source URL." in response.text


def test_publish_action_names_what_goes_public_then_makes_it_public(publisher_client, make_briefing, client):
    briefing = make_briefing(status="draft", remarks=[{"answer": "Now public."}, {"answer": "Two.", "review_note": "Check it."}])
    asked = {"action": "publish", "_selected_action": [briefing.pk]}
    confirmation = publisher_client.post("/admin/statements/briefing/", asked)
    page = confirmation.content.decode()
    assert "1 briefing" in page and "2 remarks" in page and "1 remark</strong> among them still has a note to check" in page
    assert 'value="Publish 1 briefing"' in page
    briefing.refresh_from_db()
    assert not briefing.is_published  # nothing before the confirmation
    response = publisher_client.post("/admin/statements/briefing/", {**asked, "apply": "Publish 1 briefing"})
    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.is_published and briefing.published_at is not None
    assert publisher_client.get(f"/briefings/{briefing.pk}/").status_code == 200


def test_unpublish_action_hides_a_briefing(publisher_client, make_briefing):
    briefing = make_briefing(remarks=[{"answer": "Soon hidden."}])
    publisher_client.post("/admin/statements/briefing/", {"action": "unpublish", "_selected_action": [briefing.pk]})
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT
    assert publisher_client.get(f"/briefings/{briefing.pk}/").status_code == 404


def test_view_on_site_opens_the_public_page_or_for_a_draft_the_staff_preview(editor_client, make_briefing):
    draft = make_briefing(status="draft", remarks=[{"answer": "Not public yet."}])
    published = make_briefing()
    preview = f"/admin/statements/briefing/{draft.pk}/preview/"
    assert f'href="{preview}"' in editor_client.get(f"/admin/statements/briefing/{draft.pk}/change/").text
    assert f'href="/briefings/{published.pk}/"' in editor_client.get(f"/admin/statements/briefing/{published.pk}/change/").text
    response = editor_client.get(preview)
    assert "Not public yet." in response.text and "is a <strong>draft</strong>" in response.text
    assert response["X-Robots-Tag"] == "noindex"
    assert Client().get(preview).status_code == 302  # to the login page
    assert Client().get(f"/briefings/{draft.pk}/").status_code == 404


@pytest.mark.parametrize("model", ["briefing", "remark", "topic", "entity", "spokesperson", "ministry"])
def test_every_admin_changelist_opens(editor_client, make_briefing, topics, entities, model):
    make_briefing(remarks=[{"answer": "x", "topics": [topics["trade"]]}])
    assert editor_client.get(f"/admin/statements/{model}/").status_code == 200


def test_autocomplete_finds_spokespersons_by_native_name(editor_client, wang):
    response = editor_client.get(
        "/admin/autocomplete/",
        {"term": "汪", "app_label": "statements", "model_name": "briefing", "field_name": "spokesperson"},
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["text"] == "Wang Wenbin"


def test_editors_cannot_delete(editor_client, make_briefing):
    briefing = make_briefing()
    assert editor_client.get(f"/admin/statements/briefing/{briefing.pk}/delete/").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/admin/statements/briefing/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_setup_roles_is_idempotent(db):
    first = setup_roles()
    second = setup_roles()
    assert first == second == {"Editors": 22, "Publishers": 27}


def test_remarks_of_a_draft_link_to_the_preview_and_once_published_to_their_permalinks(publisher_client, make_briefing):
    draft = make_briefing(status=Briefing.Status.DRAFT, remarks=[{"answer": "Not public yet."}])
    remark = draft.remarks.get()
    page = publisher_client.get(f"/admin/statements/briefing/{draft.pk}/change/").content.decode()
    assert f'href="/admin/statements/briefing/{draft.pk}/preview/#remark-{remark.pk}"' in page
    assert f'href="/remarks/{remark.pk}/"' not in page
    draft.publish()
    draft.save()
    page = publisher_client.get(f"/admin/statements/briefing/{draft.pk}/change/").content.decode()
    assert page.count("View on site") == 2  # the briefing's and its remark's
    assert f'href="/remarks/{remark.pk}/"' in page
