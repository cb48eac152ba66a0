"""SQLite full-text search: an FTS5 table holding each remark's analyzed text.

Rows are keyed by the remark id (rowid) and written from Python on every save (see
search/__init__.py), so the analysis (Chinese characters, stems) matches PostgreSQL's exactly.
User input never reaches MATCH directly: only analyzed tokens, each double-quoted.

FTS5 folds case as it tokenizes, so the index cannot tell WHO from who: a term written in
capitals is found through its stem, then checked on the text (SearchBackend.exact_q, whose
pattern is case-sensitive only for the words in capitals).
"""

from django.db import connection
from django.db.models import FloatField, Q
from django.db.models.expressions import RawSQL

from statements.text.analysis import index_text

from .base import RowSQL, SearchBackend

TABLE = "statements_remark_fts"
COLUMN = {"answers": "answer", "questions": "question", "all": None}


def quote_token(token):
    return '"' + token.replace('"', '""') + '"'


class SQLiteSearch(SearchBackend):
    vendor = "sqlite"

    @property
    def materialized(self):
        return "MATERIALIZED " if connection.Database.sqlite_version_info >= (3, 35) else ""

    def checks_literally(self, term):
        return bool(term.exact) or term.cased

    def term_match(self, term):
        if term.prefix:
            stems = [quote_token(stem) for stem in term.prefix_stems()]
            return "(" + " OR ".join([quote_token(term.tokens[0]) + " *", *stems]) + ")"
        if term.adjacent or len(term.tokens) == 1:
            return quote_token(" ".join(term.tokens))
        return "(" + " AND ".join(quote_token(token) for token in term.tokens) + ")"

    def match(self, parsed, scope, with_exclusions=True, clauses=None):
        clauses = parsed.clauses if clauses is None else clauses
        expression = " AND ".join(
            "(" + " OR ".join(self.term_match(term) for term in clause) + ")" for clause in clauses
        )
        if with_exclusions:
            for term in parsed.excluded:
                if not self.checks_literally(term):
                    expression = f"({expression}) NOT {self.term_match(term)}"
        column = COLUMN[scope]
        return f"{column} : ({expression})" if column else expression

    def matches(self, match, among=None):
        if among is None:
            return Q(pk__in=RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [match]))
        # SQLite would list every match of the index, then look each up in the table; FTS5
        # checks given rowids alone, ten times faster for a page's worth (docs/benchmarks.md, "Measured reasons").
        ids = [int(pk) for pk in among]
        if not ids:
            return Q(pk__in=[])
        placeholders = ", ".join(["%s"] * len(ids))
        return Q(pk__in=RawSQL(
            f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s AND rowid IN ({placeholders})", [match, *ids]
        ))

    def index_q(self, parsed, scope, clauses=None, among=None):
        return self.matches(self.match(parsed, scope, with_exclusions=clauses is None, clauses=clauses), among)

    def rank(self, queryset, parsed, scope="all"):
        # bm25() is lower for better matches; answers weigh twice as much as questions.
        expression = RowSQL(
            f"(SELECT -bm25({TABLE}, 1.0, 2.0) FROM {TABLE} "
            f"WHERE {TABLE} MATCH %s AND {TABLE}.rowid = {{table}}.id)",
            [self.match(parsed, scope, with_exclusions=False)],
            FloatField(),
        )
        return queryset.annotate(search_rank=expression)

    ranks_every_match = True

    def ranked_page(self, queryset, parsed, scope, offset, limit):
        # One FTS5 pass ranks every match (bm25 in C), materialised before the filtered remarks
        # are checked against it: as a plain subquery, SQLite ran the MATCH again per candidate
        # (docs/benchmarks.md, "Measured reasons").
        filtered_sql, params = queryset.order_by().values("pk").query.sql_with_params()
        sql = (
            f"WITH m(rowid, score) AS MATERIALIZED (SELECT rowid, bm25({TABLE}, 1.0, 2.0) FROM {TABLE} "
            f"WHERE {TABLE} MATCH %s) SELECT m.rowid FROM m WHERE m.rowid IN ({filtered_sql}) "
            "ORDER BY m.score, m.rowid DESC LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.match(parsed, scope, with_exclusions=False), *params, limit, offset])
            return [row[0] for row in cursor.fetchall()]

    @staticmethod
    def payload(question, answer):
        return (index_text(question), index_text(answer))

    def write(self, rows):
        """Store [(remark id, payload)], replacing any row the id had."""
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(pk,) for pk, _ in rows])
                cursor.executemany(
                    f"INSERT INTO {TABLE} (rowid, question, answer) VALUES (%s, %s, %s)",
                    [(pk, question, answer) for pk, (question, answer) in rows],
                )

    def unindex(self, remark_ids):
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", [(pk,) for pk in remark_ids])

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
