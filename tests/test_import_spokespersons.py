"""Spokespersons the database does not know yet: found in the title or the answer labels, named
in the command's summary, added when asked (command) or offered in the admin's preview, and never
added twice when the English and Chinese transcripts of a day name one person in two scripts."""

import shutil
from pathlib import Path

from django.urls import reverse

from test_import_command import run

from statements.importers import Hints, parse_transcript
from statements.import_store import store_briefing
from statements.models import Briefing, Remark, Spokesperson

DATA = Path(__file__).parent / "data" / "mfa"
EN = DATA / "en/2018-08-03-briefing-t1583054.html"
ZH = DATA / "zh/2018-08-03-briefing-t1582927.html"
URL = reverse("admin:statements_briefing_import")


def test_an_unknown_host_is_named_in_the_summary_and_left_empty(db):
    out, error = run(EN)
    assert error is None, out
    assert "unknown spokespersons, hosts left empty: Geng Shuang (1 briefing)" in out
    assert "--create-spokespersons" in out
    assert Briefing.objects.get().spokesperson is None and not Spokesperson.objects.exists()


def test_create_spokespersons_adds_one_person_for_both_languages(db):
    out, error = run(EN, ZH, "--create-spokespersons")
    assert error is None, out
    geng = Spokesperson.objects.get()
    assert (geng.name, geng.native_name, geng.slug, geng.ministry.slug) == ("Geng Shuang", "耿爽", "geng-shuang", "prc-mfa")
    assert set(Briefing.objects.values_list("spokesperson", flat=True)) == {geng.pk}
    assert not Remark.objects.filter(speaker=None).exists()
    assert "spokespersons added or completed: Geng Shuang" in out


def test_the_chinese_name_alone_stands_in_until_the_english_transcript_names_the_person(db):
    out, _ = run(ZH, "--create-spokespersons")
    placeholder = Spokesperson.objects.get()
    assert (placeholder.name, placeholder.native_name, placeholder.slug) == ("耿爽", "耿爽", "prc-mfa-spokesperson")
    assert "耿爽 has no name in Latin script yet" in out and "slug is a placeholder" in out
    out, _ = run(EN, "--create-spokespersons")
    geng = Spokesperson.objects.get()  # completed, not duplicated
    assert (geng.pk, geng.name, geng.native_name, geng.slug) == (placeholder.pk, "Geng Shuang", "耿爽", "geng-shuang")
    assert "taken to be 耿爽" in out
    assert set(Briefing.objects.values_list("spokesperson", flat=True)) == {geng.pk}


def test_a_public_spokesperson_keeps_their_slug_when_the_latin_name_is_added(db):
    run(ZH, "--create-spokespersons")
    Briefing.objects.update(status=Briefing.Status.PUBLISHED)
    run(EN, "--create-spokespersons")
    geng = Spokesperson.objects.get()
    assert (geng.name, geng.slug) == ("Geng Shuang", "prc-mfa-spokesperson")  # a permalink never breaks


def test_the_english_name_first_then_the_native_name_is_recorded(db):
    run(EN, "--create-spokespersons")
    assert Spokesperson.objects.get().native_name == ""
    run(ZH, "--create-spokespersons")
    assert list(Spokesperson.objects.values_list("name", "native_name")) == [("Geng Shuang", "耿爽")]


def test_without_permission_to_create_the_other_language_does_not_change_anyone(db, ministry):
    Spokesperson.objects.create(ministry=ministry, name="Geng Shuang", slug="geng-shuang")
    run(EN)
    out, _ = run(ZH)
    assert Spokesperson.objects.get().native_name == ""
    assert "unknown spokespersons, hosts left empty: 耿爽" in out


def test_a_new_slug_never_takes_an_existing_one(db, other_ministry):
    Spokesperson.objects.create(ministry=other_ministry, name="Someone Else", slug="geng-shuang")
    run(EN, "--create-spokespersons")
    assert Spokesperson.objects.get(name="Geng Shuang").slug == "geng-shuang-2"


def test_the_host_is_found_in_the_answer_labels_when_the_title_names_nobody(ministry):
    text = (
        "Title: Spokesperson's Remarks on May 6, 2021\n\n"
        "Reuters: Any comment on the talks?\n\n"
        "Zhao Lijian: We welcome them.\n\n"
        "AFP: And on the visit?\n\n"
        "Zhao Lijian: I have nothing to offer.\n"
    )
    parsed = parse_transcript(text.encode(), Hints())
    assert parsed.spokesperson_name == "Zhao Lijian"
    assert [(r.outlet, r.answer) for r in parsed.remarks] == [
        ("Reuters", "We welcome them."), ("AFP", "I have nothing to offer."),
    ]
    result = store_briefing(parsed, create_spokespersons=True)
    assert result.briefing.spokesperson.name == "Zhao Lijian"
    assert not Remark.objects.filter(speaker=None).exists()


def test_an_outlet_asking_every_question_is_not_taken_for_the_host():
    exchanges = "新华社：问题一？\n\n赵立坚：回答一。\n\n新华社：问题二？\n\n赵立坚：回答二。\n\n新华社：问题三？\n\n赵立坚：回答三。\n"
    title = "Title: 2021年5月6日外交部发言人表态\n\n"
    # The host answers the last question; the outlet's first question follows no one.
    assert parse_transcript((title + exchanges).encode(), Hints()).spokesperson_name == "赵立坚"
    # Opened by the host, either label follows the other as often: the tie is not broken by guessing.
    opened = title + "赵立坚：今天有一项消息。\n\n" + exchanges
    assert parse_transcript(opened.encode(), Hints()).spokesperson_name == ""


# --- The admin's preview ---------------------------------------------------------------------------------


def test_the_preview_offers_to_add_an_unknown_host_and_the_save_adds_them(editor_client):
    from rendered_forms import RenderedForm

    preview = editor_client.post(URL, {"step": "preview", "files": [open(ZH, "rb")]})
    assert "not in the database" in preview.text
    review = RenderedForm.from_response(editor_client, URL, preview)
    assert review["review-0-create_spokesperson"] and review["review-0-new_native_name"] == "耿爽"
    review["review-0-new_name"] = "Geng Shuang"
    saved = review.submit(button=None)
    assert saved.status_code == 302
    geng = Spokesperson.objects.get()
    assert (geng.name, geng.native_name, geng.slug) == ("Geng Shuang", "耿爽", "geng-shuang")
    briefing = Briefing.objects.get()
    assert briefing.spokesperson == geng and not briefing.remarks.filter(speaker=None).exists()


def test_the_preview_recognises_the_person_from_the_other_language(editor_client, ministry):
    from rendered_forms import RenderedForm

    run(EN, "--create-spokespersons")
    geng = Spokesperson.objects.get()
    preview = editor_client.post(URL, {"step": "preview", "files": [open(ZH, "rb")]})
    assert "耿爽 is taken to be Geng Shuang" in preview.text
    review = RenderedForm.from_response(editor_client, URL, preview)
    assert review["review-0-spokesperson"] == str(geng.pk)
    review.submit(button=None)
    geng.refresh_from_db()
    assert geng.native_name == "耿爽" and Spokesperson.objects.count() == 1


def test_an_editor_may_leave_an_unknown_host_empty(editor_client):
    from rendered_forms import RenderedForm

    preview = editor_client.post(URL, {"step": "preview", "files": [open(EN, "rb")]})
    review = RenderedForm.from_response(editor_client, URL, preview)
    review["review-0-create_spokesperson"] = ""
    review.submit(button=None)
    assert Briefing.objects.get().spokesperson is None and not Spokesperson.objects.exists()


def test_adding_and_choosing_a_host_at_once_is_refused(editor_client, hua):
    from rendered_forms import RenderedForm

    preview = editor_client.post(URL, {"step": "preview", "files": [open(EN, "rb")]})
    review = RenderedForm.from_response(editor_client, URL, preview)
    review["review-0-spokesperson"] = str(hua.pk)
    response = review.submit(button=None)
    assert response.status_code == 200 and "Choose a spokesperson or add a new one, not both." in response.text
    assert not Briefing.objects.exists()


def test_a_single_file_copied_elsewhere_says_it_has_no_source_url(db, tmp_path):
    shutil.copy(EN, tmp_path / "page.html")
    out, _ = run(tmp_path / "page.html")
    assert "note: no source URL" in out and "1 without a source URL" in out
