"""An editor imports a published transcript page through the admin, reads the preview, corrects
the host, saves a draft and lands on it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from statements.models import Briefing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = Path(__file__).parents[1] / "data/mfa/en/2018-08-03-briefing-t1583054.html"


def test_editor_imports_a_transcript_page(page, editor, geng, hua):
    page.goto("/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(editor.raw_password)
    page.get_by_role("button", name="Log in").click()

    page.goto("/admin/statements/briefing/")
    page.get_by_role("link", name="Import transcript").click()
    page.locator("input[type=file]").set_input_files(str(PAGE))
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_text("Regular Press Conference on August 3, 2018").first).to_be_visible()
    expect(page.get_by_text("11 (9 questions)")).to_be_visible()
    expect(page.get_by_text("2018-08-03 (from the title)")).to_be_visible()
    expect(page.locator("#id_review-0-spokesperson")).to_have_value(str(geng.pk))
    assert not Briefing.objects.exists()

    page.locator("#id_review-0-spokesperson").select_option(label="Hua Chunying")
    page.get_by_role("button", name="Save as draft").click()

    expect(page.locator(".messagelist")).to_contain_text("Saved as draft: created")
    briefing = Briefing.objects.get()
    assert page.url.endswith(f"/admin/statements/briefing/{briefing.pk}/change/")
    assert briefing.status == Briefing.Status.DRAFT and briefing.spokesperson == hua
    assert briefing.remarks.count() == 11
