"""Text is clean at the door, and what is already stored never breaks a surface: every C0 and
C1 control character, stored behind the model's back, goes through every page, feed, export,
citation and the API without an error."""

from xml.etree import ElementTree

import pytest

from statements.models import Remark

CONTROL = "".join(chr(c) for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) not in "\t\n\r")


@pytest.fixture
def control(db):
    """Every control character the database can store: PostgreSQL's text holds no NUL at all."""
    from django.db import connection

    return CONTROL.replace("\x00", "") if connection.vendor == "postgresql" else CONTROL


@pytest.fixture
def dirty(make_briefing, topics, wang, control):
    briefing = make_briefing(
        spokesperson=wang,
        title=f"Regular press conference {control.replace(chr(0), '')}",
        remarks=[{"question": f"Q{control}?", "outlet": f"AFP{control[:5]}", "answer": f"Words{control}end.", "topics": [topics["trade"]]}],
    )
    # Written as an old import or a script would have: no validation, not even the null character.
    remark = briefing.remarks.get()
    Remark.objects.filter(pk=remark.pk).update(position=1)
    return briefing, remark


def surfaces(briefing, remark):
    return [
        f"/remarks/{remark.pk}/", f"/briefings/{briefing.pk}/", "/remarks/", "/remarks/?q=words", "/briefings/",
        "/remarks/feed/", "/topics/trade/feed/", "/spokespersons/wang-wenbin/feed/",
        "/remarks/export.csv", "/remarks/export.json", "/remarks/export.jsonl",
        f"/remarks/{remark.pk}/cite.bib", f"/remarks/{remark.pk}/cite.ris", f"/remarks/{remark.pk}/cite.json",
        f"/api/remarks/{remark.pk}/", "/api/remarks/", f"/api/briefings/{briefing.pk}/", "/", "/topics/trade/",
    ]


def test_every_surface_serves_stored_control_characters(client, dirty):
    briefing, remark = dirty
    for path in surfaces(briefing, remark):
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if "feed" in path:
            # XML 1.0 allows no C0 control but tab and line breaks, nor U+FFFE/U+FFFF: a feed
            # reader would reject the whole feed. A real XML parser reads it.
            ElementTree.fromstring(body)


@pytest.mark.parametrize("query", ["%EF%BF%BF", "%EF%BF%BE", "%01x", "trade%EF%BF%BFanswer"])
def test_a_feed_of_any_search_is_well_formed_xml(client, dirty, query):
    # U+FFFE and U+FFFF, which XML 1.0 forbids as well, stored behind the model's back too.
    _, remark = dirty
    remark.answer, remark.question = "Trade answer\ufffe\uffff.", "Q\uffff?"
    remark.save()
    response = client.get(f"/remarks/feed/?q={query}")
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        ElementTree.fromstring(response.content)


def test_the_admin_refuses_control_characters_and_implausible_dates_with_a_message(editor_client, make_briefing):
    from rendered_forms import RenderedForm

    briefing = make_briefing(status="draft", remarks=[{"answer": "Clean."}])
    form = RenderedForm.open(editor_client, f"/admin/statements/briefing/{briefing.pk}/change/")
    form["remarks-0-answer"] = "Pasted\x1b[0m from a terminal\x08."
    form["date"] = "2999-12-31"
    response = form.submit()
    assert response.status_code == 200
    assert "Control characters are not allowed (U+0008, U+001B)" in response.text
    assert "2999-12-31 is not a briefing&#x27;s date" in response.text
    assert briefing.remarks.get().answer == "Clean."


def test_the_importer_refuses_them_with_a_message(ministry, wang):
    from statements.importers import Hints, TranscriptError, parse_transcript
    from statements.import_store import store_briefing

    text = "Title: Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on May 6, 2021\n\nQ: What?\n\nA: Words\x1b here.\n"
    with pytest.raises(TranscriptError, match=r"answer: Control characters are not allowed \(U\+001B\)"):
        store_briefing(parse_transcript(text.encode(), Hints()))
    dated = text.replace("May 6, 2021", "May 6, 2999").replace("\x1b", "")
    with pytest.raises(TranscriptError, match="not a briefing's date"):
        store_briefing(parse_transcript(dated.encode(), Hints()))


def test_the_migration_strips_what_was_stored(dirty):
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    briefing, remark = dirty
    migration = "0013_clean_text_and_plausible_dates"
    apps = MigrationLoader(connection).project_state(("statements", migration)).apps  # as the migration sees them
    import_module(f"statements.migrations.{migration}").strip_control_characters(apps, None)
    remark.refresh_from_db()
    briefing.refresh_from_db()
    assert remark.answer == "Wordsend." and remark.question == "Q?" and remark.outlet == "AFP"
    assert briefing.title == "Regular press conference "
