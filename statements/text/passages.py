"""A passage of a remark, marked in its text: what “copy link to this passage” links to.

The link is the permalink with `?passage=<the selected words>`. The server marks the passage, so
the highlight needs no JavaScript. Words are matched whatever the whitespace between them, since
a browser's selection joins lines and paragraphs its own way.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Longer than any remark's paragraph a reader would select; beyond it the parameter is ignored.
MAX_PASSAGE_LENGTH = 2000

PARAGRAPH_BREAK = re.compile(r"\n{2,}")


def find(text: str, passage: str) -> tuple[int, int] | None:
    """(start, end) of the passage in the text, or None."""
    words = passage.split()
    if not words or len(passage) > MAX_PASSAGE_LENGTH:
        return None
    match = re.search(r"\s+".join(re.escape(word) for word in words), text)
    return match.span() if match else None


def render(text: str, passage: str = "") -> SafeString:
    """The text as paragraphs (like Django's `linebreaks`), the passage in <mark> elements.

    Returns (html, found). A passage across paragraphs is marked in each of them; the first
    mark has id="passage" so the link can scroll to it.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    span = find(text, passage) if passage else None
    paragraphs, start = [], 0
    for separator in [*PARAGRAPH_BREAK.finditer(text), None]:
        end = separator.start() if separator else len(text)
        paragraphs.append((start, end))
        start = separator.end() if separator else end
    html, marked = [], False
    for start, end in paragraphs:
        pieces = [(start, end, False)]
        if span and span[0] < end and span[1] > start:
            mark_start, mark_end = max(start, span[0]), min(end, span[1])
            pieces = [(start, mark_start, False), (mark_start, mark_end, True), (mark_end, end, False)]
        body = ""
        for piece_start, piece_end, is_mark in pieces:
            piece = escape(text[piece_start:piece_end]).replace("\n", "<br>")
            if is_mark:
                attribute = "" if marked else ' id="passage"'
                piece = f"<mark{attribute}>{piece}</mark>"
                marked = True
            body += piece
        html.append(f"<p>{body}</p>")
    return mark_safe("\n\n".join(html)), span is not None
