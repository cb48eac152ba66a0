"""What both search backends share: the query language, the text analyzer and highlighting.

Query language (the `q` parameter):
    words            every word must match, stemmed ("vaccines" finds "vaccination")
    "a phrase"       the words in this exact order, never loosened to separate words
    a OR b           either side; OR binds the terms right next to it
    -word, -"a b"    remarks containing it are left out
    WHO              a word of 2–6 letters written in capitals matches only in capitals:
                     WHO the organisation, not "who"; "who" and "Who" match every case
    cooperat*        words beginning with it (cooperate, cooperation, cooperative)

Both databases index the same analyzed text: words lowercased and stemmed with the Snowball
English stemmer (the algorithm PostgreSQL's `english` configuration uses), Chinese segmented
into words with jieba. Analyzing in Python once, for both, keeps one behaviour on both vendors.
How each backend keeps capitals apart is its own affair (search/postgres.py, search/sqlite.py).
"""

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import BooleanField, Expression, F
from django.utils.html import escape
from django.utils.safestring import mark_safe

from statements.listing import date_slice

MAX_QUERY_LENGTH = 500
# Ranking reads every matching remark's vector; above this many matches PostgreSQL ranks the
# newest ones only and the page says so. (SQLite's FTS5 ranks all matches cheaply.)
RANK_LIMIT = 5000
MAX_TERMS = 20

SCOPES = {
    "all": "Questions and answers",
    "answers": "Answers only",
    "questions": "Questions only",
}

# Han ideographs (with extensions and compatibility forms): text that needs segmenting.
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
CJK_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
# A token is a run of letters and digits; underscores and punctuation separate tokens, as they
# do for SQLite's unicode61 tokenizer, so both indexes see the same tokens.
WORD_RE = re.compile(r"[^\W_]+")
QUERY_TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# A prefix shorter than this would match too many words to mean anything.
MIN_PREFIX_LENGTH = 3


_per_thread = threading.local()


def _stemmer():
    """One Snowball stemmer per thread: a stemmer keeps working state between calls, and two
    threads sharing one (gunicorn's gthread workers) garble words or raise IndexError."""
    stemmer = getattr(_per_thread, "stemmer", None)
    if stemmer is None:
        import snowballstemmer

        stemmer = _per_thread.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=1)
def jieba_module():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def normalize(text):
    # NFKC folds full-width letters and digits (Ｃｈｉｎａ, ２０２０) into their usual forms.
    return unicodedata.normalize("NFKC", text).lower()


# Longer words in capitals are shouted, not acronyms (VACCINATING): they match in any case.
MAX_ACRONYM_LENGTH = 6


def in_capitals(word):
    """An acronym as written: two to six characters, every letter a capital (WHO, EU, G20,
    UNESCO)."""
    return 2 <= len(word) <= MAX_ACRONYM_LENGTH and word.isupper()


@lru_cache(maxsize=50_000)
def stem(word):
    return _stemmer().stemWord(word)


def segment(run, for_index):
    """Words of a run of Chinese characters. The index also gets the shorter words inside long
    ones (新冠疫苗 → 新冠, 疫苗, 新冠疫苗) so that a search for 疫苗 finds it."""
    jieba = jieba_module()
    words = jieba.cut_for_search(run) if for_index else jieba.cut(run)
    return [word for word in words if word.strip()]


# Longer "words" are noise (URLs, base64) and would overflow PostgreSQL's lexeme limit.
MAX_TOKEN_LENGTH = 60


def analyze(text, for_index=True):
    """The index tokens of a text: stemmed lowercase words, Chinese segmented into words."""
    return [token for token, _ in analyze_cased(text, for_index)]


def analyze_cased(text, for_index=True):
    """The tokens of `analyze`, each with the word as written when it is in capitals (else "")."""
    return [
        (token, capitals if len(capitals) <= MAX_TOKEN_LENGTH else "")
        for token, capitals in _tokens(text, for_index)
        if len(token) <= MAX_TOKEN_LENGTH
    ]


def _latin_tokens(text):
    return [(stem(word.lower()), word if in_capitals(word) else "") for word in WORD_RE.findall(text)]


def _tokens(text, for_index):
    tokens = []
    # Lowercased word by word, after splitting: the capitals are still there to be seen.
    for chunk in WORD_RE.findall(unicodedata.normalize("NFKC", text)):
        position = 0
        for match in CJK_RUN_RE.finditer(chunk):
            tokens.extend(_latin_tokens(chunk[position:match.start()]))
            tokens.extend((word, "") for word in segment(match.group(), for_index))
            position = match.end()
        tokens.extend(_latin_tokens(chunk[position:]))
    return tokens


def index_text(text):
    """The analyzed text both indexes store: tokens separated by single spaces."""
    return " ".join(analyze(text or "", for_index=True))


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


def make_term(text, phrase):
    if not phrase and text.endswith("*"):
        word = text.rstrip("*")
        if len(word) >= MIN_PREFIX_LENGTH and WORD_RE.fullmatch(word) and not CJK_RE.search(word):
            return Term(text=text, tokens=(normalize(word),), adjacent=False, prefix=True)
    analyzed = analyze_cased(text, for_index=False)
    if not analyzed:
        return None
    tokens = tuple(token for token, _ in analyzed)
    capitals = tuple(capitals for _, capitals in analyzed)
    has_cjk = bool(CJK_RE.search(text))
    exact = text if (phrase and len(tokens) > 1) or has_cjk else ""
    # A word that splits into several tokens (U.S., COVID-19) keeps them together, like a phrase.
    return Term(
        text=text,
        tokens=tokens,
        adjacent=len(tokens) > 1 and not has_cjk,
        exact=exact,
        capitals=capitals if any(capitals) else (),
    )


def parse_query(query):
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


def exact_regex_python(term):
    """A Python regex for the literal text of a term: its words in order, any punctuation or
    space between them, word boundaries at Latin ends (Chinese has no spaces to bound). Case
    is ignored except in the words the user wrote in capitals."""
    written = WORD_RE.findall(unicodedata.normalize("NFKC", term.exact or term.text))
    capitals = set(term.capitals)
    parts = [re.escape(w) if w in capitals else f"(?i:{re.escape(w)})" for w in written]
    body = r"[\W_]*".join(parts)
    # A Latin end is bounded by anything but a Latin letter or digit: Chinese runs on (支持WHO的).
    latin = rf"(?!{CJK_RE.pattern})[^\W_]"
    if not CJK_RE.match(written[0]):
        body = rf"(?<!{latin})" + body
    if not CJK_RE.search(written[-1][-1]):
        body = body + rf"(?!{latin})"
    return body


# --- Highlighting -----------------------------------------------------------------------------

SNIPPET_LENGTH = 320


def _match_spans(text, terms):
    """Spans of `text` that match any term: literal text for phrases, Chinese and words in
    capitals, words beginning with a prefix, otherwise any word whose stem is a term's token."""
    spans = []
    written = unicodedata.normalize("NFKC", text)
    if len(written) != len(text) or len(written.lower()) != len(text):
        written = text  # NFKC or lowercasing changed lengths: spans would not fit the text
    lowered = written.lower()
    literal = [term for term in terms if term.exact or term.cased]
    stems = {token for term in terms if term not in literal and not term.prefix for token in term.tokens}
    prefixes = tuple(term.tokens[0] for term in terms if term.prefix)
    if stems or prefixes:
        for match in WORD_RE.finditer(lowered):
            word = match.group()
            if CJK_RE.match(word):
                continue
            if stem(word) in stems or (prefixes and word.startswith(prefixes)):
                spans.append(match.span())
    for term in literal:
        for match in re.finditer(exact_regex_python(term), written):
            spans.append(match.span())
    spans.sort()
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text, terms, length=SNIPPET_LENGTH):
    """The passage of `text` around its first match, HTML-escaped, matches wrapped in <mark>.

    Everything from the text is escaped; the only markup in the result is ours. Without a match
    (a remark found through its other field) the start of the text is shown.
    """
    spans = _match_spans(text, terms) if terms else []
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


def highlight_remark(remark, terms, scope="all"):
    """One passage of a remark, highlighted: its answer, unless only the question was searched
    or only the question matches."""
    if scope == "questions" or (scope == "all" and remark.question and not _match_spans(remark.answer, terms)):
        return highlight(remark.question, terms)
    return highlight(remark.answer, terms)


class SearchBackend:
    """The interface the vendor modules implement.

    filter(queryset, parsed, scope) → the queryset restricted to matching remarks
    rank(queryset, parsed, scope)   → the queryset ordered by relevance, best first
    index(remarks) / unindex(ids)   → keep the index in step with the table
    payload(question, answer), write([(id, payload)]) → the same, in bulk
    """

    vendor = None

    def filter(self, queryset, parsed, scope="all", among=None):
        """The index finds candidates; phrases and Chinese terms must also occur literally.
        `among`: a few remark ids to look among (see index_q)."""
        from django.db.models import Q

        if not parsed:
            return queryset.none()
        if among is not None:
            queryset = queryset.filter(pk__in=among)
        queryset = queryset.filter(self.index_q(parsed, scope, among=among))
        for clause in parsed.clauses:
            if any(self.checks_literally(term) for term in clause):
                condition = Q()
                for term in clause:
                    # A clause of one term is already required by the whole query's match above:
                    # only the literal check is left (a second index lookup would cost as much).
                    alternative = Q() if len(clause) == 1 else self.index_q(parsed, scope, [[term]], among)
                    if self.checks_literally(term):
                        alternative &= self.exact_q(term, scope)
                    condition |= alternative
                queryset = queryset.filter(condition)
        for term in parsed.excluded:
            if self.checks_literally(term):
                queryset = queryset.exclude(self.exact_q(term, scope))
        return queryset

    def checks_literally(self, term):
        """Whether the index alone cannot decide a match of `term`, so its text must be read:
        phrases and Chinese terms; for a backend whose index folds case, words in capitals."""
        return bool(term.exact)

    def index_q(self, parsed, scope, clauses=None, among=None):
        """The vendor's index match of the query (or of `clauses` alone, without exclusions);
        `among`, when given, holds every remark id that can match: an index that would list
        all its matches first may check these alone."""
        raise NotImplementedError

    def rank(self, queryset, parsed, scope="all"):
        raise NotImplementedError

    def ranked_ids(self, queryset, parsed, scope, offset, limit, total, months=None):
        """Ids of one page of `queryset` (already filtered by the search) in relevance order,
        and whether that order is exact. Beyond RANK_LIMIT matches, the newest RANK_LIMIT are
        ranked and the older ones follow newest first, so every match is still listed once.
        `months`: matches per month, newest first, when known (listing.months_in_order)."""
        order = ("-search_rank", "-date", "-briefing_id", "position")
        if total <= RANK_LIMIT:
            ranked = self.rank(queryset, parsed, scope).order_by(*order)
            return list(ranked.values_list("pk", flat=True)[offset : offset + limit]), True
        newest = queryset.newest_first().values_list("pk", flat=True)
        ids = []
        if offset < RANK_LIMIT:
            candidates = queryset.model.objects.filter(pk__in=date_slice(newest, 0, RANK_LIMIT, months))
            ranked = self.rank(candidates, parsed, scope).order_by(*order)
            ids += ranked.values_list("pk", flat=True)[offset : min(offset + limit, RANK_LIMIT)]
        if offset + limit > RANK_LIMIT:
            ids += date_slice(newest, max(offset, RANK_LIMIT), offset + limit, months)
        return ids, False

    @staticmethod
    def payload(question, answer):
        """What the index stores for one remark, computed in Python (workers may do it)."""
        raise NotImplementedError

    def write(self, rows):
        raise NotImplementedError

    def index(self, remarks):
        self.write([(r.pk, self.payload(r.question, r.answer)) for r in remarks])

    def unindex(self, remark_ids):
        raise NotImplementedError

    def clear(self):
        raise NotImplementedError

    def rebuild(self, batch_size=2000, progress=None):
        """Index every remark again, in primary-key batches; returns how many."""
        from statements.models import Remark

        self.clear()
        count, last_pk = 0, 0
        while True:
            batch = list(
                Remark.objects.filter(pk__gt=last_pk)
                .only("pk", "question", "answer")
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return count
            self.index(batch)
            count, last_pk = count + len(batch), batch[-1].pk
            if progress:
                progress(count)

    # Shared pieces -------------------------------------------------------------------------

    def fields(self, scope):
        return {"answers": ["answer"], "questions": ["question"]}.get(scope, ["question", "answer"])

    def exact_q(self, term, scope):
        """The literal-text check for phrases and Chinese terms, as a Q on the text columns."""
        from django.db.models import Q

        pattern = self.exact_regex(term)
        condition = Q()
        for name in self.fields(scope):
            condition |= Q(**{f"{name}__{self.exact_lookup}": pattern})
        return condition

    # The pattern says itself where case matters (exact_regex_python).
    exact_lookup = "regex"

    def exact_regex(self, term):
        return exact_regex_python(term)


class RowSQL(Expression):
    """SQL about the current row of the queried remark table, e.g. its search vector.

    The row is reached through the primary key column, resolved by Django, so the SQL follows
    the table's alias when the queryset becomes a subquery (facet counts, `pk__in=`).
    `sql` has one `{table}` placeholder for the quoted alias and `%s` for `params`.
    """

    def __init__(self, sql, params=(), output_field=None):
        super().__init__(output_field=output_field)
        self.sql, self.params, self.pk = sql, tuple(params), F("pk")

    @property
    def conditional(self):
        return isinstance(self.output_field, BooleanField)

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, expressions):
        (self.pk,) = expressions

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(self.pk.alias)
        return self.sql.format(table=table), list(self.params)
