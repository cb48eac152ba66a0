"""The interface both search backends implement, and what they share.

The query language and the analyzer are pure text (statements/text/query.py, analysis.py); a
backend turns parsed terms into its database's index lookups (search/postgres.py,
search/sqlite.py).
"""

from django.db.models import BooleanField, Expression, F, Q

from statements.text.query import exact_regex_python


class SearchBackend:
    """The interface the vendor modules implement.

    filter(queryset, parsed, scope) → the queryset restricted to matching remarks
    rank(queryset, parsed, scope)   → the queryset annotated with its relevance (search_rank)
    ranked_page(queryset, parsed, scope, offset, limit) → one page of ids, best first
    index(remarks) / unindex(ids)   → keep the index in step with the table
    payload(question, answer), write([(id, payload)]) → the same, in bulk
    """

    vendor = None
    # How a CTE is kept from being inlined into each of its uses (facets.counts_by_month).
    materialized = "MATERIALIZED "

    def filter(self, queryset, parsed, scope="all", among=None):
        """The index finds candidates; phrases and Chinese terms must also occur literally.
        `among`: a few remark ids to look among (see index_q)."""
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

    # Whether ranking every match is cheap enough to do for any number of matches.
    ranks_every_match = False

    def ranked_page(self, queryset, parsed, scope, offset, limit):
        """Ids of queryset[offset:offset + limit] (already filtered by the search) in relevance
        order, best first; ties newest first."""
        ranked = self.rank(queryset, parsed, scope).order_by("-search_rank", "-date", "-briefing_id", "position")
        return list(ranked.values_list("pk", flat=True)[offset : offset + limit])

    def stored_tokens(self):
        """An expression for what the index stores of a remark from which its analysed tokens
        can be read back (tokens_from_stored), or None: the text is analysed again."""
        return None

    @staticmethod
    def tokens_from_stored(value):
        """(answer tokens, question tokens) as text.analysis.analyze_cased gives them."""
        raise NotImplementedError

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
