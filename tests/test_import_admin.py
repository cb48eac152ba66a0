"""The admin's "Import transcript" page, posted as an editor uses it: upload, preview, correct, save."""

import datetime
from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from statements.models import Briefing, Remark

DATA = Path(__file__).parent / "data" / "mfa"
URL = reverse("admin:statements_briefing_import")


def upload(name):
    return SimpleUploadedFile(Path(name).name, (DATA / name).read_bytes(), content_type="text/html")


def review_data(response):
    """The preview's formset as the browser would post it back."""
    formset = response.context["formset"]
    data = {"step": "save", **{f"review-{k}": v for k, v in formset.management_form.initial.items()}}
    for form in formset.forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif hasattr(value, "pk"):
                value = value.pk
            data[form.add_prefix(name)] = "" if value is None else value
    return data


def test_the_briefing_list_links_to_the_import_page(editor_client):
    response = editor_client.get(reverse("admin:statements_briefing_changelist"))
    assert URL.encode() in response.content
    assert editor_client.get(URL).status_code == 200


def test_upload_preview_save_lands_on_the_draft(editor_client, geng):
    preview = editor_client.post(URL, {"step": "preview", "files": [upload("en/2018-08-03-briefing-t1583054.html")]})
    assert preview.status_code == 200
    assert "Geng Shuang&#x27;s Regular Press Conference on August 3, 2018" in preview.content.decode()
    assert "The investigation team on the missing" in preview.content.decode()
    assert not Briefing.objects.exists()  # the preview writes nothing
    saved = editor_client.post(URL, review_data(preview))
    briefing = Briefing.objects.get()
    assert saved.status_code == 302 and saved["Location"] == reverse("admin:statements_briefing_change", args=[briefing.pk])
    assert briefing.status == Briefing.Status.DRAFT and briefing.spokesperson == geng
    assert briefing.remarks.filter(kind="qa").count() == 9


def test_editor_corrects_date_and_host_in_the_preview(editor_client, geng, hua):
    preview = editor_client.post(URL, {"step": "preview", "files": [upload("en/2018-08-03-briefing-t1583054.html")]})
    data = review_data(preview)
    data["review-0-date"] = "2018-08-02"
    data["review-0-spokesperson"] = hua.pk
    editor_client.post(URL, data)
    briefing = Briefing.objects.get()
    assert briefing.date == datetime.date(2018, 8, 2) and briefing.spokesperson == hua


def test_undated_upload_asks_for_the_date_and_writes_nothing(editor_client, geng):
    response = editor_client.post(URL, {"step": "preview", "files": [upload("en/undated-remarks-t1686638.html")]})
    assert "Enter the briefing&#x27;s date in the Date field" in response.content.decode()
    assert not Briefing.objects.exists()
    preview = editor_client.post(
        URL, {"step": "preview", "files": [upload("en/undated-remarks-t1686638.html")], "date": "2019-08-07"}
    )
    editor_client.post(URL, review_data(preview))
    assert Briefing.objects.get().date == datetime.date(2019, 8, 7)


def test_pasted_text_with_markup_is_kept_as_text(editor_client, wang):
    text = "Title: Remarks on May 6, 2021\n\nQ: <script>alert(1)</script>?\nA: <b>No.</b>"
    preview = editor_client.post(URL, {"step": "preview", "text": text})
    assert b"<script>alert(1)</script>" not in preview.content
    editor_client.post(URL, review_data(preview))
    assert Remark.objects.get().question == "<script>alert(1)</script>?"


def test_nothing_chosen_is_a_clear_error(editor_client):
    response = editor_client.post(URL, {"step": "preview"})
    assert "Choose a file or paste a transcript." in response.content.decode()


def test_several_files_at_once_land_on_the_list(editor_client, geng):
    files = [upload("en/2018-08-03-briefing-t1583054.html"), upload("zh/2018-08-03-briefing-t1582927.html")]
    preview = editor_client.post(URL, {"step": "preview", "files": files})
    saved = editor_client.post(URL, review_data(preview))
    assert saved["Location"] == reverse("admin:statements_briefing_changelist")
    english, chinese = Briefing.objects.order_by("language")
    assert english.translation == chinese


def test_an_imported_remark_carries_its_tags_for_review(editor_client, wang, topics):
    text = "Title: Remarks on May 6, 2021\n\nQ: On trade?\nA: Trade is good."
    editor_client.post(URL, review_data(editor_client.post(URL, {"step": "preview", "text": text})))
    remark = Briefing.objects.get().remarks.get()
    assert list(remark.topics.all()) == [topics["trade"]]
    queue = editor_client.get(reverse("admin:statements_autotag_changelist")).content.decode()
    assert "<mark>trade</mark>" in queue and f"#{remark.pk}" in queue


def test_an_exchange_the_page_left_irregular_is_imported_and_flagged_for_review(editor_client, wang):
    """Issue 28: never refused for one exchange; the preview, the remark and the admin's
    "needs review" filters say which remark to check."""
    text = (
        "Title: Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on May 6, 2021\n\n"
        "Q: Reports say talks will be held. Can you confirm?\n\nWang Wenbin said China welcomes the talks.\n\n"
        "Q: On trade?\n\nA: Trade is good."
    )
    preview = editor_client.post(URL, {"step": "preview", "text": text})
    page = preview.content.decode()
    assert "1 to check" in page and "To check:" in page
    editor_client.post(URL, review_data(preview))
    flagged, fine = Briefing.objects.get().remarks.order_by("position")
    assert flagged.answer == "Wang Wenbin said China welcomes the talks." and flagged.review_note and not fine.review_note
    remarks = editor_client.get(reverse("admin:statements_remark_changelist") + "?check=yes").context["cl"].result_list
    assert list(remarks) == [flagged]
    briefings = editor_client.get(reverse("admin:statements_briefing_changelist") + "?check=yes").context["cl"].result_list
    assert list(briefings) == [flagged.briefing]
    assert not editor_client.get(reverse("admin:statements_briefing_changelist") + "?check=no").context["cl"].result_list


def test_staff_without_add_permission_cannot_import(client, db):
    user = User.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403


PASTED = """Title: Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on March 2, 2021
Source: {source}

Q: Any comment on the trade talks?

A: Trade talks should proceed on an equal footing.
"""


def preview_pasted(client, text, source_url=""):
    """The preview page, from the upload form as rendered; returns the preview's own form."""
    from rendered_forms import RenderedForm

    upload_form = RenderedForm.open(client, URL)
    upload_form["text"] = text
    upload_form["source_url"] = source_url
    preview = upload_form.submit(button=None)
    assert preview.status_code == 200
    return RenderedForm.from_response(client, URL, preview)


def test_what_the_model_refuses_is_a_clear_message_at_the_save_step(editor_client, wang):
    review = preview_pasted(editor_client, PASTED.format(source="A" * 250))
    response = editor_client.post(URL, {k: review.data.getlist(k) for k in review.data}, follow=True)
    assert response.status_code == 200
    assert "cannot be saved as it stands" in response.text and "source name" in response.text
    assert not Briefing.objects.exists()


def test_a_tampered_language_or_address_is_refused_with_a_message(editor_client, wang):
    review = preview_pasted(editor_client, PASTED.format(source="MFA"))
    for name, value, message in [
        ("review-0-language", "xx", "Select a valid choice"),
        ("review-0-source_url", "javascript:alert(1)", "Enter a valid URL"),
        ("review-0-source_url", "https://example.org/" + "a" * 600, "at most 500 characters"),
    ]:
        data = {k: review.data.getlist(k) for k in review.data}
        data[name] = value
        response = editor_client.post(URL, data)
        assert response.status_code == 200 and message in response.text, name
    assert not Briefing.objects.exists()


def test_a_javascript_source_url_is_refused_at_upload(editor_client, wang):
    from rendered_forms import RenderedForm

    form = RenderedForm.open(editor_client, URL)
    form["text"] = PASTED.format(source="MFA")
    form["source_url"] = "javascript:alert(1)"
    response = form.submit(button=None)
    assert "Enter a valid URL" in response.text
