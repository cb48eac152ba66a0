"""Direct quotation and reported speech in a news report's text.

A report gives the spokesperson's words two ways: inside quotation marks, as said ("“We hope…,” he
said"), and in the reporter's own words ("Wang said that China…"). A reader citing the report
must see which is which; `quotations` finds the quoted stretches and the rest is reported speech.

Quotation marks as agencies print them: curly “…”, straight "…", Chinese “…” and 「…」. A quotation
running over paragraphs is left open at a paragraph's end and reopened at the next one's start
(the English convention), or simply left open until closed (as Chinese reports do).
"""

import re

OPENING = "“「"
CLOSING = "”」"
MARK = re.compile(r"[“”「」\"]")


def quotations(text):
    """(start, end) of each quoted stretch, marks included, in order; one scan of the text."""
    return _scan(text)[0]


def left_open(text, open_before=False):
    """Whether a quotation is still open at the end of `text` (a paragraph), `open_before`
    saying whether one was open when it began: the spokesperson's words run on."""
    return _scan(text, 0 if open_before else None)[1] is not None


def _scan(text, start=None):
    """(quoted spans, where the quotation left open at the end began, or None)."""
    spans = []
    for match in MARK.finditer(text):
        mark, at = match.group(), match.start()
        reopening = at == 0 or text[at - 1] == "\n"  # a mark opening a paragraph
        if start is None:
            if mark not in CLOSING:  # a stray closing mark quotes nothing
                start = at
        elif mark in CLOSING or (mark == '"' and not reopening):
            spans.append((start, at + 1))
            start = None
        # else: an opening mark while open reopens the quotation at a new paragraph; it goes on.
    if start is not None:
        spans.append((start, len(text)))
    return spans, start
