"""Issue 29: a card image per remark (statements/cards.py), 1200 × 630, quoting the answer's
gist with the speaker, ministry and date, legible in English and Chinese; a draft has none; a
server without a font for the language serves the generic card rather than boxes."""

import io

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from statements import cards
from statements.models import Briefing


@pytest.fixture
def english(make_briefing, wang):
    briefing = make_briefing(spokesperson=wang, remarks=[
        {"question": "Does China have any comment on the vaccine trials?", "outlet": "AFP",
         "answer": "China supports the WHO. We will share vaccines and data.", "speaker": wang},
    ])
    return briefing.remarks.get()


@pytest.fixture
def chinese(make_briefing, hua):
    briefing = make_briefing(
        spokesperson=hua, language=Briefing.Language.CHINESE, title="2020年12月18日外交部发言人华春莹主持例行记者会",
        remarks=[{"question": "中方对疫苗合作有何评论？", "outlet": "法新社", "answer": "中方支持世卫组织。我们将分享疫苗。", "speaker": hua}],
    )
    return briefing.remarks.get()


def picture(response):
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content)).convert("RGB")


def ink(image, box):
    """How many pixels of the box are dark: text drawn there."""
    return sum(1 for pixel in image.crop(box).get_flattened_data() if sum(pixel) < 200)


@pytest.mark.parametrize("which", ["english", "chinese"])
def test_each_remark_has_a_card_of_its_own(client, request, which):
    remark = request.getfixturevalue(which)
    response = client.get(f"/remarks/{remark.pk}/card.png")
    image = picture(response)
    assert image.size == (1200, 630)
    assert response["Cache-Control"].startswith("public, max-age=")
    # The quote in large type at the top, the attribution below the rule.
    assert ink(image, (80, 60, 1120, 200)) > 2000
    assert ink(image, (80, 480, 1120, 540)) > 300
    generic = Image.open("static/statements/card.png").convert("RGB").resize((1200, 630))
    assert ImageChops.difference(image, generic).getbbox() is not None


def test_two_remarks_have_different_cards(client, english, chinese):
    first = picture(client.get(f"/remarks/{english.pk}/card.png"))
    second = picture(client.get(f"/remarks/{chinese.pk}/card.png"))
    assert ImageChops.difference(first, second).getbbox() is not None


def test_the_card_quotes_the_answer_and_names_who_said_it_when(english, chinese, monkeypatch):
    drawn = []
    monkeypatch.setattr(cards, "draw_card", lambda *args: drawn.append(args) or b"")
    cards.card_for(english)
    cards.card_for(chinese)
    assert drawn == [
        ("China supports the WHO.", "Wang Wenbin · PRC MFA · 18 December 2020", "Diplomatic statements", "en", True),
        ("中方支持世卫组织。", "华春莹 · PRC MFA · 2020年12月18日", "Diplomatic statements", "zh", True),
    ]


def glyph(font, character):
    image = Image.new("L", (60, 60), 0)
    ImageDraw.Draw(image).text((5, 5), character, font=font, fill=255)
    return image


def test_chinese_is_drawn_with_a_font_that_has_its_glyphs():
    """The set-up installs a CJK font (Makefile, `fonts`). A font without the glyphs draws every
    character as the same empty box; this one draws each its own."""
    regular, _ = cards.fonts_for("zh")
    font = regular(40)
    drawn = [glyph(font, character).tobytes() for character in "中方支持世卫组织"]
    assert len(set(drawn)) == 8 and all(any(image) for image in drawn)
    # The check itself tells a font without them: DejaVu draws the same box for each.
    boxes = [glyph(ImageFont.truetype(cards._font_file("latin"), 40), character).tobytes() for character in "中方支持"]
    assert len(set(boxes)) == 1


def test_the_card_of_a_search_quotes_the_sentence_it_matched(english, monkeypatch, client):
    drawn = []
    monkeypatch.setattr(cards, "draw_card", lambda *args: drawn.append(args) or b"png")
    client.get(f"/remarks/{english.pk}/card.png", {"q": "vaccines"})
    assert drawn[0][0] == "We will share vaccines and data."


def test_a_draft_has_no_card(client, english):
    english.briefing.status = Briefing.Status.DRAFT
    english.briefing.save()
    assert client.get(f"/remarks/{english.pk}/card.png").status_code == 404
    assert client.get("/remarks/999999/card.png").status_code == 404


def test_without_a_chinese_font_the_generic_card_is_served(client, chinese, settings):
    settings.CARD_FONTS = {**settings.CARD_FONTS, "cjk": ["/nowhere/no-font.ttc"]}
    cards._font_file.cache_clear()
    try:
        response = client.get(f"/remarks/{chinese.pk}/card.png")
    finally:
        cards._font_file.cache_clear()
    assert response.status_code == 302 and response["Location"].endswith("/static/statements/card.png")
