"""The query language of the `q` parameter, parsed into analyzed terms.

    words            every word must match, stemmed ("vaccines" finds "vaccination")
    "a phrase"       the words in this exact order, never loosened to separate words
    a OR b           either side; OR binds the terms right next to it
    -word, -"a b"    remarks containing it are left out
    WHO              a word of 2–6 letters written in capitals matches only in capitals:
                     WHO the organisation, not "who"; "who" and "Who" match every case
    cooperat*        words beginning with it (cooperate, cooperation, cooperative)

How each search backend matches the terms is its own affair (statements/search/).
Pure text: nothing here reads the database.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from .analysis import CJK_RE, WORD_RE, analyze_cased, normalize

MAX_QUERY_LENGTH = 500
MAX_TERMS = 20

SCOPES = {
    "all": "Questions and answers",
    "answers": "Answers only",
    "questions": "Questions only",
}

QUERY_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# A prefix shorter than this would match too many words to mean anything.
MIN_PREFIX_LENGTH = 3


@dataclass(frozen=True)
class Term:
    """One word or phrase of a query, already analyzed.

    `tokens` are what the index must contain. `adjacent` says they must follow each other
    (an English phrase). `exact` is the original text that must occur literally, ignoring case
    and the punctuation between words: phrases and Chinese terms, whose index tokens alone
    could also match looser text. `capitals`, one per token, holds the word as written where the
    user wrote it in capitals (it must then occur in capitals), else "". `prefix`: the one token
    is the beginning of a word, not a stem.
    """

    text: str
    tokens: tuple
    adjacent: bool
    exact: str = ""
    capitals: tuple = ()
    prefix: bool = False

    @property
    def words(self):
        return [w for w in WORD_RE.findall(normalize(self.exact))]

    @property
    def cased(self):
        return any(self.capitals)

    def prefix_stems(self):
        """The stems a word beginning with the prefix may have been indexed under, besides those
        that begin with it: the stemmer cuts up to three letters of a longer word
        (cooperation → cooper for cooperat*)."""
        word = self.tokens[0]
        return [word[:-cut] for cut in (1, 2, 3) if len(word) - cut > MIN_PREFIX_LENGTH]


@dataclass
class ParsedQuery:
    """An AND of clauses, each an OR of terms, minus the excluded terms."""

    clauses: list = field(default_factory=list)
    excluded: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.clauses)

    @property
    def positive_terms(self):
        return [term for clause in self.clauses for term in clause]


def make_term(text: str, phrase: bool) -> Term | None:
    if not phrase and text.endswith("*"):
        word = text.rstrip("*")
        if len(word) >= MIN_PREFIX_LENGTH and WORD_RE.fullmatch(word) and not CJK_RE.search(word):
            return Term(text=text, tokens=(normalize(word),), adjacent=False, prefix=True)
    analyzed = analyze_cased(text)
    if not analyzed:
        return None
    has_cjk = bool(CJK_RE.search(text))
    if has_cjk:
        analyzed = chinese_term_tokens(analyzed)
    tokens = tuple(token for token, _ in analyzed)
    capitals = tuple(capitals for _, capitals in analyzed)
    exact = text if (phrase and len(tokens) > 1) or has_cjk else ""
    # A word that splits into several tokens (U.S., COVID-19) keeps them together, like a phrase.
    return Term(
        text=text,
        tokens=tokens,
        adjacent=len(tokens) > 1 and not has_cjk,
        exact=exact,
        capitals=capitals if any(capitals) else (),
    )


def chinese_term_tokens(analyzed: list) -> list:
    """What the index must hold for a term with Chinese in it: its Latin words and the pairs
    of its Chinese characters, which any text holding the term holds wherever it stands
    (analysis.analyze_cased); a character only where it has no pair (美, WHO的)."""
    paired = {character for token, _ in analyzed if CJK_RE.match(token) and len(token) == 2 for character in token}
    return list(dict.fromkeys(
        (token, capitals) for token, capitals in analyzed if not (len(token) == 1 and token in paired)
    ))


def parse_query(query: str) -> ParsedQuery:
    """Parse the query language above. Punctuation-only terms are dropped; a query made only of
    exclusions matches nothing rather than everything (there is nothing to look for)."""
    clauses, excluded = [], []
    pending_or = False
    for minus, phrase, word in QUERY_TOKEN_RE.findall(query[:MAX_QUERY_LENGTH]):
        is_phrase = bool(phrase) or (not word)
        text = phrase if is_phrase else word
        if not is_phrase and text == "OR":
            pending_or = bool(clauses)
            continue
        if not is_phrase and text.startswith("-") and len(text) > 1:
            minus, text = "-", text[1:]
        term = make_term(text, is_phrase)
        if term is None:
            pending_or = False
            continue
        if minus:
            excluded.append(term)
        elif pending_or and clauses:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        pending_or = False
        if len(clauses) + len(excluded) >= MAX_TERMS:
            break
    return ParsedQuery(clauses=clauses, excluded=excluded)


def exact_regex_python(term: Term) -> str:
    """A Python regex for the literal text of a term: its words in order, any punctuation or
    space between them, word boundaries at Latin ends (Chinese has no spaces to bound). Case
    is ignored except in the words the user wrote in capitals."""
    written = WORD_RE.findall(unicodedata.normalize("NFKC", term.exact or term.text))
    capitals = set(term.capitals)
    parts = [re.escape(w) if w in capitals else f"(?i:{re.escape(w)})" for w in written]
    body = join_words(written, parts, r"[\W_]")
    # A Latin end is bounded by anything but a Latin letter or digit: Chinese runs on (支持WHO的).
    latin = rf"(?!{CJK_RE.pattern})[^\W_]"
    if not CJK_RE.match(written[0]):
        body = rf"(?<!{latin})" + body
    if not CJK_RE.search(written[-1][-1]):
        body = body + rf"(?!{latin})"
    return body


def join_words(words, patterns, separator):
    """The patterns of a phrase's words joined by its `separator` class, which must occur
    between two Latin words ("2.5" is not "25") and need not where Chinese meets a word (Chinese
    runs on without spaces): the words a literal check reads in a row (analysis.literal_tokens)."""
    body = patterns[0]
    for previous, word, pattern in zip(words, words[1:], patterns[1:]):
        apart = not CJK_RE.match(previous[-1]) and not CJK_RE.match(word[0])
        body += separator + ("+" if apart else "*") + pattern
    return body
