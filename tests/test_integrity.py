"""Editorial integrity: history with diffs and restore, stale forms refused, withdrawing (410)
and merging (301), and roles that can do exactly what they should."""

import re

import pytest
from django.contrib.auth.models import Group, User

from statements.models import Briefing, Remark, Topic
from statements.roles import ROLES


@pytest.fixture
def remark(make_briefing, wang, topics):
    briefing = make_briefing(
        spokesperson=wang,
        remarks=[
            {"question": "On trade?", "answer": "Trade wars have no winners.", "topics": [topics["trade"]]},
            {"question": "On WHO?", "answer": "China supports the WHO.", "topics": [topics["who"]]},
        ],
    )
    return briefing.remarks.get(position=1)


def change_form_data(client, url):
    """The change form's fields as the browser would submit them unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
    return data


# --- History ----------------------------------------------------------------------------------


def test_every_edit_is_kept_with_its_author_and_shown_as_a_diff(editor_client, editor, remark):
    url = f"/admin/statements/remark/{remark.pk}/change/"
    data = change_form_data(editor_client, url)
    data["answer"] = "Trade wars have no winners at all."
    assert editor_client.post(url, data).status_code == 302
    latest = remark.history.first()
    assert latest.answer == "Trade wars have no winners at all."
    assert latest.history_user == editor
    page = editor_client.get(f"/admin/statements/remark/{remark.pk}/history/").text
    assert "Trade wars have no winners at all." in page and "Trade wars have no winners." in page


def test_an_old_version_can_be_restored_from_the_admin(editor_client, remark):
    original = remark.history.first()
    remark.answer = "A mistaken edit."
    remark.save()
    before = remark.history.count()
    url = f"/admin/statements/remark/{remark.pk}/history/{original.history_id}/"
    data = change_form_data(editor_client, url)
    assert data["answer"] == "Trade wars have no winners."
    assert editor_client.post(url, data).status_code == 302
    remark.refresh_from_db()
    assert remark.answer == "Trade wars have no winners."
    # The restore is one more version; the mistaken one stays in history.
    assert remark.history.count() == before + 1
    assert remark.history.filter(answer="A mistaken edit.").exists()


@pytest.mark.parametrize("model", [Briefing, Remark, Topic])
def test_history_covers_content_models(remark, model):
    obj = model.objects.first()
    before = obj.history.count()
    obj.save()
    assert obj.history.count() == before + 1


def test_topic_changes_of_a_remark_are_in_its_history(remark, topics):
    remark.topics.add(topics["taiwan"])
    remark.save()
    assert {t.topic_id for t in remark.history.first().topics.all()} == {topics["trade"].pk, topics["taiwan"].pk}


# --- Two editors, one remark --------------------------------------------------------------------


@pytest.fixture
def second_editor(editor):
    user = User.objects.create_user("bob", password="another long passphrase", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def test_a_stale_remark_form_is_refused_with_what_changed(client, editor, second_editor, remark):
    from django.test import Client

    alice, bob = Client(), Client()
    alice.force_login(editor)
    bob.force_login(second_editor)
    url = f"/admin/statements/remark/{remark.pk}/change/"
    alice_form, bob_form = change_form_data(alice, url), change_form_data(bob, url)

    alice_form["answer"] = "Alice's correction."
    assert alice.post(url, alice_form).status_code == 302

    bob_form["answer"] = "Bob's correction."
    response = bob.post(url, bob_form)
    assert response.status_code == 200
    text = response.content.decode()
    assert "was changed by editor" in text
    assert "answer: “Trade wars have no winners.” → “Alice&#x27;s correction.”" in text
    assert "Bob&#x27;s correction." in text  # Bob's edit is still in the form
    remark.refresh_from_db()
    assert remark.answer == "Alice's correction."

    # Having seen the message, Bob saves again on purpose: now it goes through.
    resubmitted = {**bob_form, "base_version": str(response.context["adminform"].form["base_version"].value())}
    assert bob.post(url, resubmitted).status_code == 302
    remark.refresh_from_db()
    assert remark.answer == "Bob's correction."


def test_a_stale_briefing_form_and_its_inline_remarks_are_refused(editor_client, remark):
    briefing = remark.briefing
    url = f"/admin/statements/briefing/{briefing.pk}/change/"
    data = change_form_data(editor_client, url)
    response = editor_client.get(url)
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-{key}": str(value) for key, value in fs.management_form.initial.items()})
        for form in fs.forms:
            for name in form.fields:
                value = form[name].value()
                if value is not None:
                    data[form.add_prefix(name)] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
    briefing.title = "Renamed meanwhile"
    briefing.save()
    remark.answer = "Edited meanwhile."
    remark.save()
    data["title"] = "My title"
    data["remarks-0-answer"] = "My answer."
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "This briefing was changed" in response.text
    assert "This remark was changed" in response.text
    briefing.refresh_from_db()
    remark.refresh_from_db()
    assert (briefing.title, remark.answer) == ("Renamed meanwhile", "Edited meanwhile.")


# --- Withdrawing and merging --------------------------------------------------------------------


def run_action(client, action, remarks, **extra):
    return client.post(
        "/admin/statements/remark/",
        {"action": action, "_selected_action": [r.pk for r in remarks], **extra},
    )


def test_a_withdrawn_remark_answers_410_with_its_briefing(client, publisher_client, remark):
    confirm = run_action(publisher_client, "withdraw", [remark])
    assert confirm.status_code == 200 and "410 Gone" in confirm.text
    done = run_action(publisher_client, "withdraw", [remark], apply="1", note="Misattributed: said by another ministry.")
    assert done.status_code == 302
    response = client.get(remark.get_absolute_url())
    assert response.status_code == 410
    assert "Misattributed: said by another ministry." in response.text
    assert f'href="/briefings/{remark.briefing_id}/#remark-{remark.pk}"' in response.text
    # Gone from every list, count and search, while the briefing marks where it stood.
    assert "Trade wars" not in client.get("/remarks/").text
    assert "1 remark" in client.get("/remarks/").text
    assert "0 remarks" in client.get("/remarks/?q=winners").text
    transcript = client.get(f"/briefings/{remark.briefing_id}/").text
    assert "Trade wars" not in transcript and "was withdrawn by the editors" in transcript
    gone = client.get(f"/api/remarks/{remark.pk}/")
    assert gone.status_code == 410
    assert gone.json()["note"] == "Misattributed: said by another ministry."
    assert gone.json()["briefing"] == f"http://testserver/briefings/{remark.briefing_id}/"
    assert "Trade wars" not in b"".join(client.get("/remarks/export.csv").streaming_content).decode()

    run_action(publisher_client, "restore", [remark])
    assert client.get(remark.get_absolute_url()).status_code == 200


def test_a_merged_remark_redirects_permanently_to_the_survivor(client, publisher_client, remark, make_briefing, wang, topics):
    duplicate = make_briefing(spokesperson=wang, remarks=[{"answer": "Trade wars have no winners!", "topics": [topics["taiwan"]]}]).remarks.get()
    confirm = run_action(publisher_client, "merge", [remark, duplicate])
    assert confirm.status_code == 200 and "Choose the remark to keep" in confirm.text
    assert run_action(publisher_client, "merge", [remark, duplicate], apply="1", survivor=remark.pk).status_code == 302
    response = client.get(duplicate.get_absolute_url())
    assert response.status_code == 301 and response["Location"] == remark.get_absolute_url()
    api = client.get(f"/api/remarks/{duplicate.pk}/")
    assert api.status_code == 301 and api["Location"] == f"/api/remarks/{remark.pk}/"
    assert set(remark.topics.values_list("slug", flat=True)) == {"trade", "taiwan"}
    assert "Trade wars have no winners!" not in client.get("/remarks/").text

    # Merged again, the survivor's duplicates follow it: still one hop.
    third = make_briefing(spokesperson=wang, remarks=[{"answer": "No winners."}]).remarks.get()
    run_action(publisher_client, "merge", [remark, third], apply="1", survivor=third.pk)
    assert client.get(duplicate.get_absolute_url())["Location"] == third.get_absolute_url()
    assert client.get(remark.get_absolute_url())["Location"] == third.get_absolute_url()


def test_a_remark_of_a_draft_stays_404_whatever_its_state(client, make_briefing, wang):
    draft = make_briefing(spokesperson=wang, status=Briefing.Status.DRAFT, remarks=[{"answer": "x"}, {"answer": "y"}, {"answer": "z"}])
    withdrawn, merged, survivor = draft.remarks.all()
    withdrawn.withdraw("gone")
    merged.merge_into(survivor)
    for remark in (withdrawn, merged, survivor):
        assert client.get(remark.get_absolute_url()).status_code == 404
        assert client.get(f"/api/remarks/{remark.pk}/").status_code == 404
    assert client.get("/remarks/999999/").status_code == 404


# --- Roles ----------------------------------------------------------------------------------------


def test_roles_hold_exactly_their_permissions(db):
    from statements.roles import setup_roles

    setup_roles()
    for name, codenames in ROLES.items():
        granted = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert granted == set(codenames)
    editors = set(ROLES["Editors"])
    assert not {"publish_briefing", "withdraw_remark", "merge_remark"} & editors
    assert not any(codename.startswith("delete_") for codenames in ROLES.values() for codename in codenames)
    assert set(ROLES["Publishers"]) - editors == {"publish_briefing", "withdraw_remark", "merge_remark", "add_source", "change_source"}


def action_choices(client, model):
    html = client.get(f"/admin/statements/{model}/").text
    if 'name="action"' not in html:  # no action the user may take: the admin shows no menu
        return set()
    return set(re.findall(r'<option value="(\w+)"', html.split('name="action"', 1)[1].split("</select>", 1)[0]))


def test_editors_add_and_change_but_cannot_publish_withdraw_merge_or_delete(editor_client, remark, make_briefing, wang):
    draft = make_briefing(spokesperson=wang, status=Briefing.Status.DRAFT, remarks=[{"answer": "draft words"}])
    assert editor_client.get("/admin/statements/briefing/add/").status_code == 200
    assert editor_client.get(f"/admin/statements/remark/{remark.pk}/change/").status_code == 200
    assert action_choices(editor_client, "briefing") == set()
    assert action_choices(editor_client, "remark") == set()
    editor_client.post("/admin/statements/briefing/", {"action": "publish", "_selected_action": [draft.pk]})
    run_action(editor_client, "withdraw", [remark], apply="1", note="no")
    draft.refresh_from_db()
    remark.refresh_from_db()
    assert draft.status == Briefing.Status.DRAFT and remark.withdrawn_at is None
    # The status field is read-only for them, and posting it anyway changes nothing.
    url = f"/admin/statements/briefing/{draft.pk}/change/"
    data = change_form_data(editor_client, url)
    assert "status" not in data
    for model, obj in (("briefing", draft), ("remark", remark)):
        assert editor_client.get(f"/admin/statements/{model}/{obj.pk}/delete/").status_code == 403


def test_editors_cannot_publish_by_restoring_a_published_version(editor_client, make_briefing, wang):
    briefing = make_briefing(spokesperson=wang, remarks=[{"answer": "words"}])  # published
    published_version = briefing.history.first()
    briefing.status = Briefing.Status.DRAFT
    briefing.save()
    url = f"/admin/statements/briefing/{briefing.pk}/history/{published_version.history_id}/"
    data = change_form_data(editor_client, url)
    data.update({"remarks-TOTAL_FORMS": "0", "remarks-INITIAL_FORMS": "0", "remarks-MIN_NUM_FORMS": "0", "remarks-MAX_NUM_FORMS": "1000"})
    editor_client.post(url, data)
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT


def test_publishers_publish_withdraw_and_merge_but_cannot_delete(publisher_client, remark):
    assert action_choices(publisher_client, "briefing") == {"publish", "unpublish"}
    assert action_choices(publisher_client, "remark") == {"withdraw", "restore", "merge"}
    assert publisher_client.get(f"/admin/statements/remark/{remark.pk}/delete/").status_code == 403
    assert publisher_client.get(f"/admin/statements/briefing/{remark.briefing_id}/delete/").status_code == 403


def test_rows_loaded_without_history_keep_their_state_before_the_first_edit(editor_client, make_briefing, wang):
    remark = make_briefing(spokesperson=wang, remarks=[{"answer": "As loaded."}]).remarks.get()
    remark.history.all().delete()  # as after loaddata or a bulk import: no history yet
    url = f"/admin/statements/remark/{remark.pk}/change/"
    data = change_form_data(editor_client, url)
    data["answer"] = "First edit."
    assert editor_client.post(url, data).status_code == 302
    assert list(remark.history.order_by("history_date").values_list("answer", flat=True)) == ["As loaded.", "First edit."]
