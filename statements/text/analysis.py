"""The text analyzer both search indexes share: words lowercased and stemmed with the Snowball
English stemmer (the algorithm PostgreSQL's `english` configuration uses), Chinese as characters
and pairs of characters (analyze_cased). Analyzing in Python once, for both databases, keeps
one behaviour on both.

Pure text: nothing here reads the database.
"""

import re
import threading
import unicodedata
from functools import lru_cache

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
# A token is a run of letters and digits; underscores and punctuation separate tokens, as they
# do for SQLite's unicode61 tokenizer, so both indexes see the same tokens.
WORD_RE = re.compile(r"[^\W_]+")


_per_thread = threading.local()


def _stemmer():
    """One Snowball stemmer per thread: a stemmer keeps working state between calls, and two
    threads sharing one (gunicorn's gthread workers) garble words or raise IndexError. It is
    PyStemmer's compiled one, which snowballstemmer returns when it is installed (0.2 µs a word
    instead of 24)."""
    stemmer = getattr(_per_thread, "stemmer", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _per_thread.stemmer = snowballstemmer.stemmer("english")
    return stemmer


def normalize(text: str) -> str:
    # NFKC folds full-width letters and digits (Ｃｈｉｎａ, ２０２０) into their usual forms.
    return unicodedata.normalize("NFKC", text).lower()


# Longer words in capitals are shouted, not acronyms (VACCINATING): they match in any case.
MAX_ACRONYM_LENGTH = 6


def in_capitals(word: str) -> bool:
    """An acronym as written: two to six characters, every letter a capital (WHO, EU, G20,
    UNESCO)."""
    return 2 <= len(word) <= MAX_ACRONYM_LENGTH and word.isupper()


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


# Longer "words" are noise (URLs, base64) and would overflow PostgreSQL's lexeme limit.
MAX_TOKEN_LENGTH = 60


def analyze(text: str) -> list[str]:
    """The index tokens of a text (analyze_cased)."""
    return [token for token, _ in analyze_cased(text)]


def analyze_cased(text: str) -> list[tuple[str, str]]:
    """The index tokens of a text, each with the word as written when it is in capitals (else
    ""): each Latin word lowercased and stemmed; each Chinese character, and before it its
    pair with the character before it where nothing but punctuation or spaces stands between
    them (中美关系 → 中 中美 美 美关 关 关系 系; 认为，中美 → … 为 为中 中 …).

    Chinese is indexed by characters and pairs, not by words: words depend on their context (a
    segmenter cuts 中美 alone into two words and keeps 中美关系 whole), characters do not, so a
    text holding any stretch of Chinese holds its pairs, and a search for it finds it
    (query.chinese_term_tokens). Search engines do the same for Chinese (Lucene's CJK bigrams)."""
    tokens, previous = [], ""
    # Lowercased word by word, after splitting: the capitals are still there to be seen.
    for chunk in WORD_RE.findall(unicodedata.normalize("NFKC", text)):
        position = 0
        for match in CJK_RE.finditer(chunk):
            if match.start() > position:
                tokens.extend(_latin_tokens(chunk[position : match.start()]))
                previous = ""
            character = match.group()
            if previous:
                tokens.append((previous + character, ""))
            tokens.append((character, ""))
            previous, position = character, match.end()
        if position < len(chunk):
            tokens.extend(_latin_tokens(chunk[position:]))
            previous = ""
    return [
        (token, capitals if len(capitals) <= MAX_TOKEN_LENGTH else "")
        for token, capitals in tokens
        if len(token) <= MAX_TOKEN_LENGTH
    ]


def _latin_tokens(text):
    return [(stem(word.lower()), word if in_capitals(word) else "") for word in WORD_RE.findall(text)]


def index_text(text: str | None) -> str:
    """The analyzed text both indexes store: tokens separated by single spaces."""
    return " ".join(analyze(text or ""))


def literal_tokens(text: str) -> list[tuple[str, str]]:
    """The words of a text as a literal check reads them, in order: each run of Latin letters
    and digits lowercased, with the run as written when it is in capitals (else ""), and each
    Chinese character on its own, so that any stretch of Chinese text is a sequence of them.
    Punctuation and spaces separate; they are not tokens (between two words of a phrase
    query.join_words allows any, and needs some between two Latin words)."""
    return [token for run in literal_runs(text) for token in run]


def literal_runs(text: str) -> list[list[tuple[str, str]]]:
    """literal_tokens, in runs of tokens with nothing between them (中美, WHO的): what a phrase
    written without a space or a mark between its words needs to find them without one."""
    runs = []
    for chunk in WORD_RE.findall(unicodedata.normalize("NFKC", text)):
        run, position = [], 0
        for match in CJK_RE.finditer(chunk):
            if match.start() > position:
                run.append(_literal_word(chunk[position:match.start()]))
            run.append((match.group(), ""))
            position = match.end()
        if position < len(chunk):
            run.append(_literal_word(chunk[position:]))
        runs.append([])
        for token in run:
            if len(token[0]) > MAX_TOKEN_LENGTH:
                runs.append([])  # a word too long to keep parts what it stood between
            else:
                runs[-1].append(token)
    return [run for run in runs if run]


def _literal_word(word):
    return word.lower(), (word if in_capitals(word) else "")
