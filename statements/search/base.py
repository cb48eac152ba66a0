import re

from django.db.models import Q

MAX_QUERY_LENGTH = 500

# A term is a "quoted phrase" or a run of non-space characters, optionally preceded by "-".
TERM_RE = re.compile(r'(-?)(?:"([^"]*)"|(\S+))')


def parse_query(query):
    """Split a query into (required, excluded) lists of terms, keeping phrases whole."""
    required, excluded = [], []
    for minus, phrase, word in TERM_RE.findall(query):
        term = (phrase if phrase else word).strip().strip('"')
        if not term:
            continue
        (excluded if minus else required).append(term)
    return required, excluded


class ContainsSearch:
    """Portable search: every term must occur in the question or the answer, case-insensitively.

    No stemming and no ranking; it is exact and works the same on every database.
    """

    fields = ("question", "answer")

    def term_q(self, term):
        q = Q()
        for field in self.fields:
            q |= Q(**{f"{field}__icontains": term})
        return q

    def filter(self, queryset, query):
        required, excluded = parse_query(query)
        for term in required:
            queryset = queryset.filter(self.term_q(term))
        for term in excluded:
            queryset = queryset.exclude(self.term_q(term))
        return queryset
