"""The page catalogue: what each list of remarks or briefings is made of.

Per list page, its FilterSet, facets, sort orders, page size and feed length, and the one way a
state of the page (its query string) becomes a filterset. Views, feeds, exports, alerts, the
API's documentation and the tests read them here: a new filter is declared on the FilterSet
(statements/filters.py), given a facet here if it has one, and tested.
"""

from . import querystrings, slugs
from .countcache import cached_by_month, cached_counts, computation
from .facets import (
    ChoiceFacet, ManyToManyFacet, RelatedFacet, YearFacet, cached_tally, combine, counts_by_month, engine_briefing_counts,
    engine_counts,
)
from .filters import ORIGINAL, BriefingFilter, RemarkFilter, engine_constraints
from .listing import IdsFirst, RelevanceResults, months_in_order
from .models import Briefing, Remark
from .search.engine import search_engine

REMARKS_PER_PAGE = 20
POSITIONS_PER_PAGE = 50
BRIEFINGS_PER_PAGE = 25

REMARK_FACETS = [
    ManyToManyFacet("topic", "Topic", "topics"),
    RelatedFacet("spokesperson", "Spokesperson", "speaker"),
    ManyToManyFacet("mentions", "Mentions", "entities"),
    RelatedFacet("asked_by", "Asked by", "asked_by"),
    RelatedFacet("ministry", "Ministry", "ministry", label_field="short_name"),
    ChoiceFacet("kind", "Kind", "kind", Remark.Kind.choices),
    ChoiceFacet("lang", "Language", "language", Briefing.Language.choices),
    YearFacet("year", "Year", "date", year_month="year_month"),
]

BRIEFING_FACETS = [
    RelatedFacet("spokesperson", "Spokesperson", "spokesperson"),
    RelatedFacet("ministry", "Ministry", "ministry", label_field="short_name"),
    ChoiceFacet("kind", "Kind", "kind", Briefing.Kind.choices),
    ChoiceFacet("lang", "Language", "language", Briefing.Language.choices),
    YearFacet("year", "Year", "date", year_month="year_month"),  # Briefing...with_month()
]

# Entries in an Atom feed (statements/feeds.py): what a reader polling it needs, no more.
FEED_LENGTH = 50

# Sort orders offered on /remarks/: relevance only with a query, and then by default.
# Each sort: (label, results from (filterset, query, scope, counts of remark_counts, content version)).
# Relevance is ranked by the search engine over every match where there is one (the filterset's
# state as its constraints), else in the database.
REMARK_SORTS = {
    "relevance": ("Relevance", lambda filterset, query, scope, counts, version: RelevanceResults(
        filterset.qs, query, scope, counts["total"], version, months_in_order(counts, newest=True),
        engine_constraints=engine_constraints(filterset),
    )),
    "newest": ("Newest first", lambda filterset, query, scope, counts, version: IdsFirst(
        filterset.qs.newest_first(), counts["total"], months=months_in_order(counts, newest=True)
    )),
    "oldest": ("Oldest first", lambda filterset, query, scope, counts, version: IdsFirst(
        filterset.qs.oldest_first(), counts["total"], months=months_in_order(counts, newest=False)
    )),
}

# What the subject pages (a topic, a spokesperson, an entity) count about their remarks.
TOPIC_COUNTS = ManyToManyFacet("topic", "Topic", "topics")
ENTITY_COUNTS = ManyToManyFacet("mentions", "Mentions", "entities")
SPEAKER_COUNTS = RelatedFacet("spokesperson", "Spokesperson", "speaker")
LANGUAGE_COUNTS = next(facet for facet in REMARK_FACETS if facet.param == "lang")

# What /remarks/ counts, by its `version` parameter (filters.RemarkFilter): the link's label
# and what the count then says.
VERSION_LABELS = [
    ("", "both versions", "each language version counted"),
    (ORIGINAL, "the original", "one version per exchange, the original"),
    *((code, label, f"one version per exchange, {label} where published") for code, label in Briefing.Language.choices),
]


def remark_counts_computation(filterset):
    """What /remarks/ counts for a state: its facets over the state, added up month by month."""
    return computation(REMARK_FACETS, filterset, combine)


def remark_counts(filterset, version=None):
    """Total, months and facet counts of a /remarks/ state: by the search engine where there is
    one (the cache only spares repeating it); else in the database, cached, and recounted after
    a change only for the months it touched (countcache.cached_by_month)."""
    if search_engine() is not None:
        counted = cached_counts(remark_counts_computation(filterset), lambda: engine_counts(filterset, REMARK_FACETS), version)
        if counted is not None:
            return counted
    return cached_by_month(
        remark_counts_computation(filterset),
        lambda months: counts_by_month(filterset, REMARK_FACETS, months),
        lambda per_month: combine(per_month, REMARK_FACETS),
        version,
    )


def briefing_counts(filterset, version=None):
    """(total, months and facet counts of a /briefings/ state, its briefings newest first as a
    sliceable sequence of ids, or None): a search by the search engine where there is one (the
    briefings its matching remarks are in, listed at once); else, and always without a search
    (a briefing with no remark yet is listed too), counted in the database and kept month by
    month like /remarks/: a publication recounts its month only."""
    if search_engine() is not None:
        found = engine_briefing_counts(filterset, BRIEFING_FACETS)
        if found is not None:
            return found
    counts = cached_by_month(
        computation(BRIEFING_FACETS, filterset, combine),
        lambda months: counts_by_month(filterset, BRIEFING_FACETS, months),
        lambda per_month: combine(per_month, BRIEFING_FACETS),
        version,
    )
    return counts, None


def remark_tally(remarks, state, specs, finish):
    """finish(counts) of `remarks`, the public remarks of the /remarks/ state `state` (a
    subject page's one filter, or none), each spec counted among them with no filter left out
    (facets.tally_by_month): by the search engine where there is one, else in the database,
    cached month by month."""
    _, filterset = remark_filterset(state)
    if search_engine() is not None and filterset.is_valid():
        counted = engine_counts(filterset, specs, disjunctive=False, remarks=remarks)
        if counted is not None:
            return finish(counted)
    return cached_tally(remarks, specs, finish)


def state_filterset(filterset_class, queryset, query, drop_unknown=False):
    """The one way a state of a list page (a QueryDict: a request's GET, an alert's stored
    query) becomes a filterset over `queryset`: `(params, filterset)`.

    Renamed slugs are replaced by their current ones (the filterset's `renamed` says to
    redirect); with `drop_unknown` (the pages), unknown ones are left out with a notice
    (`notices`); otherwise (exports, feeds, alerts) the filterset refuses them: statements/slugs.py."""
    params = querystrings.without_empty_values(query)
    filterset = filterset_class(params, queryset=queryset)
    filterset.renamed, filterset.notices = False, []
    # Slugs are looked up only when one did not validate: no query more for every other state.
    if not filterset.is_valid() and slugs.SLUG_PARAMS.keys() & filterset.errors.keys():
        resolution = slugs.resolve(params, drop_unknown)
        params = resolution.params
        filterset = filterset_class(params, queryset=queryset)
        filterset.renamed, filterset.notices = resolution.renamed, resolution.notices
    return params, filterset


def remark_filterset(query, drop_unknown=False):
    """A /remarks/ state: for the page, its exports, its feed and email alerts."""
    return state_filterset(RemarkFilter, Remark.objects.published(), query, drop_unknown)


def briefing_filterset(query, drop_unknown=False):
    """A /briefings/ state (with each briefing's month, for the counts kept by month)."""
    return state_filterset(BriefingFilter, Briefing.objects.published().with_month(), query, drop_unknown)
