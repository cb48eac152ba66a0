"""A remark's share card: the picture a link preview shows (og:image), 1200 × 630 as the main
platforms expect, drawn on the server with Pillow.

It quotes the speaker's own words (the gist of the answer, statements/text/gist.py, never the
question, nor a news report's own words), then who said it, the ministry and the date, in the remark's language. A Chinese card
needs a font with Chinese glyphs (settings.CARD_FONTS; Debian's fonts-wqy-zenhei, which the set-up
installs); where none is found, `draw_card` answers None and the view serves the site's generic
card rather than boxes in place of characters.
"""

import functools
import io
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from .text.gist import spoken

SIZE = (1200, 630)
MARGIN = 80
BACKGROUND, INK, MUTED, ACCENT, RULE = "#fdfcf9", "#1d1f21", "#5a5f66", "#1f5fa8", "#dcd8cf"
# The quote's type, largest first: the first size at which it fits in its lines is taken.
QUOTE_SIZES = [(72, 3), (60, 4), (52, 5), (44, 6), (38, 7)]
QUOTE_LIMIT = {"en": 220, "zh": 110}
# A line never starts with these: they close what came before.
CLOSING = set("，。、；：？！）》」』”’,.;:?!)]")


@functools.cache
def _font_file(kind):
    """The first font file of settings.CARD_FONTS[kind] present on this machine, or None."""
    return next((path for path in settings.CARD_FONTS.get(kind, []) if Path(path).is_file()), None)


def _font(kind, size):
    path = _font_file(kind)
    if path is None:
        if kind == "cjk":
            return None
        return ImageFont.load_default(size)  # Pillow's own scalable Latin font
    return ImageFont.truetype(path, size)


def fonts_for(language):
    """(regular, bold) font loaders for a card in `language`, or None when no font has its glyphs."""
    if language == "zh":
        if _font_file("cjk") is None:
            return None
        return (lambda size: _font("cjk", size)), (lambda size: _font("cjk", size))
    return (lambda size: _font("latin", size)), (lambda size: _font("latin_bold", size) or _font("latin", size))


def wrap(text, font, width, draw):
    """The text in lines no wider than `width`: at spaces for words, anywhere between Chinese
    characters (never before closing punctuation)."""
    lines, line = [], ""
    for token in _tokens(text):
        candidate = line + token
        if line and draw.textlength(candidate.rstrip(), font=font) > width and token.strip() and token[0] not in CLOSING:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line = candidate
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _tokens(text):
    """Words with their following space, and single Chinese characters."""
    token = ""
    for character in text:
        if "\u3000" <= character <= "\u9fff" or "\uff00" <= character <= "\uffef":
            if token:
                yield token
                token = ""
            yield character
        else:
            token += character
            if character == " ":
                yield token
                token = ""
    if token:
        yield token


def draw_card(quote, attribution, site_name, language, quoted=True):
    """The card as PNG bytes, or None when this machine has no font for the language."""
    fonts = fonts_for(language)
    if fonts is None:
        return None
    regular, bold = fonts
    image = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    width = SIZE[0] - 2 * MARGIN
    draw.rectangle([0, 0, 16, SIZE[1]], fill=ACCENT)

    shown = f"“{quote}”" if quoted else quote
    for size, most_lines in QUOTE_SIZES:
        font = bold(size)
        lines = wrap(shown, font, width, draw)
        if len(lines) <= most_lines:
            break
    else:
        lines = lines[:most_lines]
        lines[-1] = lines[-1].rstrip("”") + ("…”" if quoted else "…")
    y = MARGIN
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=INK)
        y += int(size * 1.3)

    footer = SIZE[1] - MARGIN
    draw.line([MARGIN, footer - 70, SIZE[0] - MARGIN, footer - 70], fill=RULE, width=2)
    small = regular(30)
    attribution_lines = wrap(attribution, small, width, draw)[:1]
    draw.text((MARGIN, footer - 52), attribution_lines[0] if attribution_lines else "", font=small, fill=INK)
    draw.text((MARGIN, footer - 8), site_name, font=regular(24), fill=MUTED)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def card_for(remark, terms=()):
    """The share card of a published remark (views.remark_card), quoting the sentence `terms`
    match when they do, or None (no font for its language)."""
    briefing = remark.briefing
    date = briefing.date
    quote, quoted = spoken(
        remark.answer, limit=QUOTE_LIMIT.get(briefing.language, 220), reported_speech=briefing.news_report, terms=terms
    )
    chinese = briefing.language == "zh"
    who = [remark.speaker_label(native=chinese)] if remark.speaker else []
    when = f"{date.year}年{date.month}月{date.day}日" if chinese else f"{date.day} {date:%B %Y}"
    attribution = " · ".join([*who, briefing.ministry.short_name, when])
    if not quoted:  # a news report's own words, not the speaker's: shown as reported
        attribution = " · ".join([*who, "据报道" if chinese else "as reported", briefing.ministry.short_name, when])
    return draw_card(quote, attribution, "Diplomatic statements", briefing.language, quoted)
