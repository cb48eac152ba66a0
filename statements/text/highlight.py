"""Highlighting: the passage of a remark around its first match, matches marked.

Pure text: nothing here reads the database.
"""

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .analysis import CJK_RE, WORD_RE, stem
from .query import Term, exact_regex_python

SNIPPET_LENGTH = 320


def _match_spans(text, terms, window=None):
    """Spans of `text` that match any term: literal text for phrases, Chinese and words in
    capitals, words beginning with a prefix, otherwise any word whose stem is a term's token.
    With `window`, words more than `window` characters after the first span are not looked at
    (a passage of that length cannot show them): a long remark is stemmed no further."""
    written = unicodedata.normalize("NFKC", text)
    if len(written) != len(text) or len(written.lower()) != len(text):
        written = text  # NFKC or lowercasing changed lengths: spans would not fit the text
    lowered = written.lower()
    literal = [term for term in terms if term.exact or term.cased]
    stems = {token for term in terms if term not in literal and not term.prefix for token in term.tokens}
    prefixes = tuple(term.tokens[0] for term in terms if term.prefix)
    spans = [match.span() for term in literal for match in re.finditer(exact_regex_python(term), written)]
    if stems or prefixes:
        limit = min(spans)[0] + window if spans and window is not None else None
        for match in WORD_RE.finditer(lowered):
            if limit is not None and match.start() > limit:
                break
            word = match.group()
            if CJK_RE.match(word):
                continue
            if stem(word) in stems or (prefixes and word.startswith(prefixes)):
                spans.append(match.span())
                if window is not None and (limit is None or match.start() + window < limit):
                    limit = match.start() + window
    spans.sort()
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def first_match(text: str, terms: list[Term]) -> int | None:
    """Where in `text` the first word matching any term begins, or None."""
    spans = _match_spans(text, terms, window=0) if terms else []
    return spans[0][0] if spans else None


def highlight(text: str, terms: list[Term], length: int = SNIPPET_LENGTH) -> SafeString:
    """The passage of `text` around its first match, HTML-escaped, matches wrapped in <mark>.

    Everything from the text is escaped; the only markup in the result is ours. Without a match
    (a remark found through its other field) the start of the text is shown.
    """
    # The passage starts at most length // 3 before the first span, so ends within `length` of it.
    return passage(text, _match_spans(text, terms, window=length) if terms else [], length)


def passage(text: str, spans: list[tuple[int, int]], length: int) -> SafeString:
    """The passage of `text` around the first of `spans`, escaped, the spans marked."""
    start = 0
    if spans and spans[0][0] > length // 3:
        start = spans[0][0] - length // 3
        # Start at a word or sentence boundary rather than mid-word.
        boundary = text.rfind(" ", 0, start + 1)
        start = boundary + 1 if boundary >= 0 and start - boundary < 30 else start
    end = min(len(text), start + length)
    if end < len(text):
        boundary = text.rfind(" ", start + length // 2, end)
        end = boundary if boundary > 0 else end
    pieces = ["…" if start > 0 else ""]
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        pieces.append(escape(text[position:span_start]))
        pieces.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    pieces.append(escape(text[position:end]))
    if end < len(text):
        pieces.append("…")
    return mark_safe("".join(pieces))


def highlight_remark(remark, terms: list[Term], scope: str = "all") -> SafeString:
    """One passage of a remark, highlighted: its answer, unless only the question was searched
    or only the question matches."""
    if scope == "questions" or (scope == "all" and remark.question and not _match_spans(remark.answer, terms, window=0)):
        return highlight(remark.question, terms)
    return highlight(remark.answer, terms)
