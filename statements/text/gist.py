"""A remark's gist in a sentence: what a share card or a link preview quotes.

A quote must be the speaker's own words, whole: the first sentence of the answer (or the
passage a reader chose, when the link carries one, or the sentence matching the search the
reader came from), cut at a word only when a sentence runs
past what a card holds, and then marked as cut.
"""

import re

from .highlight import first_match
from .speech import quotations

# A sentence ends at . ! ? (and their full-width forms, and 。) with what closes it (quotes,
# brackets), before a space or the end; in Chinese the mark itself ends it.
_END = re.compile(r"""(?:[.!?]["'”’)\]]*(?=\s|$)|[。！？][”’」』）]*)""")
# A full stop after these is an abbreviation's, not a sentence's end: single letters (U.S.,
# U.K.), titles and the like.
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|No|Co|Corp|Inc|Ltd|Jr|Sr|vs|etc|e\.g|i\.e|Gen|Gov|Sen|Rep|Prof|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec))\.$")


def first_sentence(text: str) -> str:
    """The text's first sentence, its whitespace collapsed; the whole text when it has no end."""
    text = " ".join(text.split())
    for end in _END.finditer(text):
        if end.group().startswith(".") and _ABBREVIATION.search(text[: end.start() + 1]):
            continue
        return text[: end.end()]
    return text


def shortened(text: str, limit: int) -> str:
    """`text` whole if it fits in `limit` characters, else cut at a word (Chinese: anywhere)
    with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not re.search(r"[\u3400-\u9fff]", cut[-1]):
        cut = cut.rsplit(" ", 1)[0]
    cut = cut.rstrip(" ,;:，、；：")
    return cut + (" …" if cut.endswith((".", "!", "?")) else "…")  # "attitude. …", not "attitude.…"


def gist(answer: str, passage: str = "", limit: int = 120, terms=()) -> str:
    """What a card quotes of an answer: the reader's chosen passage when the answer holds it,
    else the first sentence matching the search that led there (`terms`), else its first
    sentence, within `limit` characters."""
    if passage and " ".join(passage.split()) in " ".join(answer.split()):
        return shortened(passage, limit)
    return shortened(matching_sentence(answer, terms) or first_sentence(answer), limit)


def matching_sentence(text: str, terms) -> str:
    """The sentence of `text` holding its first match of `terms`, or ""."""
    text = " ".join(text.split())
    at = first_match(text, list(terms))
    if at is None:
        return ""
    start = 0
    while start < len(text):
        sentence = first_sentence(text[start:])
        if at < start + len(sentence):
            return sentence
        start += len(sentence)
        while start < len(text) and text[start] == " ":
            start += 1
    return ""


def spoken(answer: str, passage: str = "", limit: int = 120, reported_speech: bool = False, terms=()) -> tuple[str, bool]:
    """(what a card shows of an answer, whether those are the speaker's own words to quote). A
    news report's text (`reported_speech`) is the reporter's, but for its quotations: the card
    quotes the first of them (or the chosen passage inside one); a report with none is shown
    as the reporter's words, not in quotation marks."""
    if not reported_speech:
        return gist(answer, passage, limit, terms), True
    spans = quotations(answer)
    if passage:
        found = " ".join(passage.split())
        for start, end in spans:
            if found in " ".join(answer[start:end].split()):
                return shortened(found, limit), True
    if spans:
        start, end = spans[0]
        inner = answer[start:end].strip("“”「」\"").strip(" ,，")
        return shortened(first_sentence(inner).rstrip(","), limit), True
    return gist(answer, passage, limit), False
