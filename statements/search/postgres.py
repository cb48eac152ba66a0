"""PostgreSQL full-text search: a stored tsvector per remark with a GIN index.

The vector is written from Python (see base.analyze) as a tsvector literal with positions and
weights: answer words weigh A, question words B, so a scope is a weight restriction in the
query. Building literals ourselves keeps the analysis (Chinese characters, stems) identical to
SQLite's and independent of the database's text-search configuration and locale.

A word written in capitals is stored twice at its position: its stem, and the word as written
('who':5 'WHO':5). Lexemes are case-sensitive, stems are lowercase, so a query for WHO asks for
'WHO' and the index alone keeps the organisation apart from the pronoun, in phrases too.
"""

import re

from django.db import connection
from django.db.models import BooleanField, FloatField, Q, TextField

from statements.text.analysis import CJK_RE, analyze_cased
from statements.text.query import join_words

from .base import RowSQL, SearchBackend

WEIGHT = {"answers": "A", "questions": "B", "all": ""}
# Question positions start after the answer's, with a gap so no phrase spans the two fields.
FIELD_GAP = 8
MAX_POSITION = 16383  # PostgreSQL clamps positions here


def quote_lexeme(token):
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(question, answer):
    positions = {}
    answer_tokens = analyze_cased(answer)
    for offset, weight, tokens in (
        (0, "A", answer_tokens),
        (len(answer_tokens) + FIELD_GAP, "B", analyze_cased(question)),
    ):
        for index, (token, capitals) in enumerate(tokens, start=1):
            mark = f"{min(offset + index, MAX_POSITION)}{weight}"
            positions.setdefault(token, []).append(mark)
            if capitals:
                positions.setdefault(capitals, []).append(mark)
    return " ".join(f"{quote_lexeme(token)}:{','.join(marks)}" for token, marks in positions.items())


# One lexeme of a tsvector as PostgreSQL prints it: 'word':1A,5B (quotes doubled inside).
VECTOR_ENTRY_RE = re.compile(r"'((?:[^']|'')*)':([0-9A-D,]+)")


def tokens_from_vector(text):
    """(answer tokens, question tokens) as analyze_cased gives them, read back from a stored
    vector (tsvector_literal above): the analysis is not redone."""
    slots = {"A": {}, "B": {}}
    for lexeme, marks in VECTOR_ENTRY_RE.findall(text):
        lexeme = lexeme.replace("''", "'").replace("\\\\", "\\")
        capitals = lexeme != lexeme.lower()
        for mark in marks.split(","):
            weight = mark[-1] if mark[-1].isalpha() else "D"
            slot = slots.setdefault(weight, {}).setdefault(int(mark.rstrip("ABCD")), ["", ""])
            slot[1 if capitals else 0] = lexeme
    return tuple(
        [(stem, capitals) for _, (stem, capitals) in sorted(slots[weight].items()) if stem]
        for weight in ("A", "B")
    )


class PostgresSearch(SearchBackend):
    vendor = "postgresql"

    def stored_tokens(self):
        """The stored vector as text, for tokens_from_vector."""
        return RowSQL("{table}.search_vector::text", output_field=TextField())

    @staticmethod
    def tokens_from_stored(text):
        return tokens_from_vector(text)

    def term_tsquery(self, term, scope):
        weight = WEIGHT[scope]
        if term.prefix:
            lexemes = [quote_lexeme(term.tokens[0]) + ":*" + weight]
            lexemes += [quote_lexeme(stem) + (f":{weight}" if weight else "") for stem in term.prefix_stems()]
            return "(" + " | ".join(lexemes) + ")"
        written = term.capitals or ("",) * len(term.tokens)
        lexemes = [
            quote_lexeme(capitals or token) + (f":{weight}" if weight else "")
            for token, capitals in zip(term.tokens, written)
        ]
        return "(" + (" <-> " if term.adjacent else " & ").join(lexemes) + ")"

    def tsquery(self, parsed, scope, with_exclusions=True, clauses=None):
        parts = [
            "(" + " | ".join(self.term_tsquery(term, scope) for term in clause) + ")"
            for clause in (parsed.clauses if clauses is None else clauses)
        ]
        if with_exclusions:
            # Exact exclusions are checked on the text instead (SearchBackend.filter).
            parts += ["!" + self.term_tsquery(t, scope) for t in parsed.excluded if not t.exact]
        return " & ".join(parts)

    def matches(self, tsquery):
        return RowSQL("{table}.search_vector @@ %s::tsquery", [tsquery], BooleanField())

    def index_q(self, parsed, scope, clauses=None, among=None):
        # The planner sees `among` in the query itself and checks those rows' vectors.
        return Q(self.matches(self.tsquery(parsed, scope, with_exclusions=clauses is None, clauses=clauses)))

    def rank(self, queryset, parsed, scope="all"):
        expression = RowSQL(
            "ts_rank_cd({table}.search_vector, %s::tsquery)",
            [self.tsquery(parsed, scope, with_exclusions=False)],
            FloatField(),
        )
        return queryset.annotate(search_rank=expression)

    # Case is the index's business here (capitals are lexemes of their own): the text check
    # ignores it.
    exact_lookup = "iregex"

    def exact_regex(self, term):
        # PostgreSQL's regex dialect: POSIX classes; \\W is not allowed inside brackets.
        body = join_words(term.words, [re.escape(w) for w in term.words], "[^[:alnum:]]")
        # A Latin end is bounded by anything but a Latin letter or digit: Chinese, which
        # [[:alnum:]] counts, runs on (支持WHO的, 头9个月), as in exact_regex_python. CJK_RE's
        # \u escapes are this dialect's too.
        if not CJK_RE.match(term.words[0]):
            body = f"(?:(?<![[:alnum:]])|(?<={CJK_RE.pattern}))" + body
        if not CJK_RE.search(term.words[-1][-1]):
            body += f"(?:(?![[:alnum:]])|(?={CJK_RE.pattern}))"
        return body

    @staticmethod
    def payload(question, answer):
        return tsvector_literal(question, answer)

    def write(self, rows):
        """Store [(remark id, payload)] in one statement."""
        if rows:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE statements_remark AS r SET search_vector = v.vector::tsvector "
                    "FROM unnest(%s::bigint[], %s::text[]) AS v(id, vector) WHERE r.id = v.id",
                    [[pk for pk, _ in rows], [vector for _, vector in rows]],
                )

    def unindex(self, remark_ids):
        """Nothing to do: the vector goes with the remark's own row."""

    def clear(self):
        """Nothing to do: rebuilding overwrites every row's vector."""
