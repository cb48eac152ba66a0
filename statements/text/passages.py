"""A passage of a remark, marked in its text: what “copy link to this passage” links to.

The link is the permalink with `?passage=<the selected words>`. The server marks the passage, so
the highlight needs no JavaScript. Words are matched whatever the whitespace between them, since
a browser's selection joins lines and paragraphs its own way.
"""

import bisect
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import speech

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


def _inside(spans, starts, start, end):
    """Whether [start, end) lies inside one of the sorted, disjoint spans."""
    index = bisect.bisect_right(starts, start) - 1
    return index >= 0 and spans[index][1] >= end


def render(text: str, passage: str = "", reported_speech: bool = False) -> SafeString:
    """The text as paragraphs (like Django's `linebreaks`), the passage in <mark> elements.

    Returns (html, found). A passage across paragraphs is marked in each of them; the first
    mark has id="passage" so the link can scroll to it. With `reported_speech` (a news report's
    text), what is not inside quotation marks is marked as the reporter's words
    (<span class="reported">, speech.quotations).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    span = find(text, passage) if passage else None
    quoted = speech.quotations(text) if reported_speech else None
    quoted_starts = [q[0] for q in quoted or ()]
    quoted_ends = [q[1] for q in quoted or ()]
    paragraphs, start = [], 0
    for separator in [*PARAGRAPH_BREAK.finditer(text), None]:
        end = separator.start() if separator else len(text)
        paragraphs.append((start, end))
        start = separator.end() if separator else end
    html, marked = [], False
    for start, end in paragraphs:
        cuts = {start, end}
        if span:
            cuts.update(point for point in span if start < point < end)
        if quoted:
            # The quotations that touch this paragraph (sorted and apart: found by bisection).
            first, last = bisect.bisect_right(quoted_ends, start), bisect.bisect_left(quoted_starts, end)
            cuts.update(point for q in quoted[first:last] for point in q if start < point < end)
        points = sorted(cuts)
        body = ""
        for piece_start, piece_end in zip(points, points[1:]):
            piece = escape(text[piece_start:piece_end]).replace("\n", "<br>")
            if quoted is not None and not _inside(quoted, quoted_starts, piece_start, piece_end):
                piece = f'<span class="reported">{piece}</span>'
            if span and span[0] <= piece_start and piece_end <= span[1]:
                attribute = "" if marked else ' id="passage"'
                piece = f"<mark{attribute}>{piece}</mark>"
                marked = True
            body += piece
        html.append(f"<p>{body}</p>")
    return mark_safe("\n\n".join(html)), span is not None
