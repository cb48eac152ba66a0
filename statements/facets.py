"""Facet counts with disjunctive semantics (ARCHITECTURE.md, "Counting").

A facet's counts are computed with every *other* active filter applied, so each count says how
many results a click on that value gives: values of one facet combine with OR, facets with AND.
Counts are exact. counts_by_month counts a state month by month, so that a cache of them
(countcache.cached_by_month) recounts only the months a change touched.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F
from django.db.models.functions import ExtractYear
from django.utils.text import slugify

from .countcache import cached_by_month, computation
from .models import month_filter
from .dates import plausible_year
from .filters import engine_constraints, filter_without
from .querystrings import toggled_urls
from .search import search_backend
from .search.engine import search_engine

# Facets show their top values first; the rest fold under "show more".
VISIBLE_OPTIONS = 8


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    url: str
    anchor: str  # the link's id, so that the page it opens scrolls back to it


@dataclass
class Facet:
    param: str
    title: str
    options: list = field(default_factory=list)

    @property
    def top(self):
        return self.options[:VISIBLE_OPTIONS]

    @property
    def more(self):
        return self.options[VISIBLE_OPTIONS:]


class RelatedFacet:
    """Counts per related object (speaker, ministry) reached through foreign keys."""

    def __init__(self, param, title, path, label_field="name"):
        self.param, self.title, self.path, self.label_field = param, title, path, label_field

    def counts(self, queryset, by=()):
        """[(value, label, n)]; with `by` (fields of the remark), [(*by values, value, label, n)]."""
        slug, label = f"{self.path}__slug", f"{self.path}__{self.label_field}"
        rows = (
            queryset.order_by()
            .filter(**{f"{self.path}__isnull": False})
            .values(*by, slug, label)
            .annotate(n=Count("pk"))
        )
        return [(*(row[f] for f in by), row[slug], row[label], row["n"]) for row in rows]

    def label(self, value):
        return getattr(value, self.label_field)

    def value(self, cleaned):
        return cleaned.slug

    def column(self, model):
        return model._meta.get_field(self.path).column

    def pass_value(self, month, raw):
        """The value counted in counts_by_month's pass, from the month and the column's text."""
        return raw

    @property
    def engine_field(self):
        """The search engine's column of these values (search/engine.py)."""
        return self.path

    def engine_rows(self, model, buckets, names=None):
        """{value: n} of the engine's column → [(value, label, n)] as combine() gives them;
        `names` as reference_names() gives them, read here if not given."""
        rows = [(None, str(value), n) for value, n in buckets.items() if value not in (0, "")]
        return [(value, label, n) for _, value, label, n in self.decode(model, rows, names)]

    def names_needed(self, model, values):
        """What reference_names() must read for these values (ids) of the facet."""
        return (model._meta.get_field(self.path).related_model, self.label_field), {int(v) for v in values if v}

    def decode(self, model, rows, names=None):
        """[(month, id as text, n)] of counts_by_month's pass → [(month, slug, label, n)]."""
        key, ids = self.names_needed(model, [value for _, value, _ in rows])
        found = (names or reference_names({key: ids}))[key]
        return [(month, *found[int(value)], n) for month, value, n in rows if int(value) in found]


def reference_names(needed):
    """{(model, label field): {pk: (slug, label)}} for {(model, label field): ids}: the names of
    the values a count found, read from every table in one query."""
    quote = connection.ops.quote_name
    keys = [key for key, ids in needed.items() if ids]
    parts, params = [], []
    for index, (target, label_field) in enumerate(keys):
        ids = sorted(needed[(target, label_field)])
        columns = ", ".join(quote(target._meta.get_field(f).column) for f in ("id", "slug", label_field))
        placeholders = ", ".join(["%s"] * len(ids))
        parts.append(f"SELECT {index}, {columns} FROM {quote(target._meta.db_table)} WHERE {quote(target._meta.pk.column)} IN ({placeholders})")
        params += ids
    names = {key: {} for key in needed}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for index, pk, slug, label in cursor.fetchall():
                names[keys[index]][pk] = (slug, label)
    return names


class ManyToManyFacet(RelatedFacet):
    """Counts per tag (topic, entity) through the many-to-many table: one row per pair."""

    def counts(self, queryset, by=()):
        field = queryset.model._meta.get_field(self.path)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        slug, label = f"{target}__slug", f"{target}__{self.label_field}"
        grouped = [f"{source}__{f}" for f in by]
        rows = (
            through.objects.filter(**{f"{source}__in": queryset.order_by().values("pk")})
            .values(*grouped, slug, label)
            .annotate(n=Count("pk"))
            .order_by()
        )
        return [(*(row[f] for f in grouped), row[slug], row[label], row["n"]) for row in rows]

    def column(self, model):
        return None  # counted through the many-to-many table, not a column of m

    def pass_sql(self, model, quote, month, width):
        """Its part of counts_by_month's pass, `width` value columns wide like the others."""
        field = model._meta.get_field(self.path)
        through = field.remote_field.through._meta
        source = quote(through.get_field(field.m2m_field_name()).column)
        target = quote(through.get_field(field.m2m_reverse_field_name()).column)
        padding = ", NULL" * (width - 1)
        return (
            f"SELECT %s, m.{month}, CAST(t.{target} AS TEXT){padding}, COUNT(*) FROM m "
            f"JOIN {quote(through.db_table)} t ON t.{source} = m.id GROUP BY m.{month}, t.{target}"
        )


class ChoiceFacet:
    """Counts per value of a field with fixed choices (kind, language)."""

    def __init__(self, param, title, path, choices):
        self.param, self.title, self.path = param, title, path
        self.labels = dict(choices)

    def counts(self, queryset, by=()):
        rows = queryset.order_by().values(*by, self.path).annotate(n=Count("pk"))
        return [
            (*(row[f] for f in by), row[self.path], self.labels.get(row[self.path], row[self.path]), row["n"])
            for row in rows
        ]

    def label(self, value):
        return self.labels.get(value, value)

    def value(self, cleaned):
        return cleaned

    def column(self, model):
        return model._meta.get_field(self.path).column

    def pass_value(self, month, raw):
        return raw

    def decode(self, model, rows, names=None):
        return [(month, value, self.labels.get(value, value), n) for month, value, n in rows]

    engine_field = RelatedFacet.engine_field
    engine_rows = RelatedFacet.engine_rows


class YearFacet:
    """Counts per calendar year of a date field; newest year first."""

    sort_by_value = True

    def __init__(self, param, title, path, year_month=None):
        self.param, self.title, self.path, self.year_month = param, title, path, year_month

    def counts(self, queryset, by=()):
        # A stored YYYYMM integer groups without a date function per row (slow on SQLite).
        year = F(self.year_month) / 100 if self.year_month else ExtractYear(self.path)
        rows = (
            queryset.order_by()
            .annotate(facet_year=year)
            .values(*by, "facet_year")
            .annotate(n=Count("pk"))
        )
        return [(*(row[f] for f in by), row["facet_year"], str(row["facet_year"]), row["n"]) for row in rows]

    def label(self, value):
        return str(value)

    def value(self, cleaned):
        return cleaned

    def column(self, model):
        return self.year_month  # the pass needs the stored YYYYMM column (set for remarks)

    def pass_value(self, month, raw):
        return str(month // 100) if month else None  # the year is the month's

    def decode(self, model, rows):
        return [(month, int(value), value, n) for month, value, n in rows]

    @property
    def engine_field(self):
        return self.year_month

    def engine_rows(self, model, buckets, names=None):
        years = Counter()
        for month, n in buckets.items():
            if month:
                years[month // 100] += n
        return [(year, str(year), n) for year, n in years.items()]

    def shown(self, value):
        """Only years the filter accepts get a link (statements/dates.py)."""
        return plausible_year(int(value))


def build_facets(filterset, specs, params, counts):
    """One Facet per spec from `counts` ({param: [(value, label, n)]}, as combine() gives them),
    options sorted by count (years by year), selected values kept."""
    cleaned = filterset.form.cleaned_data
    facets = []
    for spec in specs:
        counted = [row for row in counts[spec.param] if not hasattr(spec, "shown") or spec.shown(row[0])]
        selected = {str(spec.value(v)): spec.label(v) for v in cleaned.get(spec.param) or []}
        seen = {str(value) for value, _, _ in counted}
        # A selected value with no results must stay visible, or it could not be removed.
        counted += [(value, label, 0) for value, label in selected.items() if value not in seen]
        if getattr(spec, "sort_by_value", False):
            counted.sort(key=lambda row: int(row[0]), reverse=True)
        else:
            counted.sort(key=lambda row: (-row[2], str(row[1]).lower()))
        urls = toggled_urls(params, spec.param, [value for value, _, _ in counted])
        options = [
            Option(
                value=str(value),
                label=label,
                count=count,
                selected=str(value) in selected,
                url=urls[str(value)],
                anchor=slugify(f"option-{spec.param}-{value}"),
            )
            for value, label, count in counted
        ]
        facets.append(Facet(spec.param, spec.title, options))
    return facets


def first_day(month):
    return datetime.date(month // 100, month % 100, 1)


# Remarks are counted by the stored YYYYMM month of their date (Remark.year_month), which is also
# how countcache keeps counts month by month.
MONTH = "year_month"
TOTAL = ("", "", "")  # the key of a month's number of matches in counts_by_month


def counts_by_month(filterset, specs, months=None):
    """{month: Counter} of a filter state: TOTAL → matches, (param, value, label) → each facet's
    counts (disjunctive, see below). `months`: only those YYYYMM months (None: all).

    Facets that are not active share one base set (every filter applied), so they and the
    total are counted in a single statement over the matches materialised once: a common word
    matching half the corpus is found once, not once per facet. Each active facet needs the
    matches without its own filter (disjunctive counts), so it keeps its own query.
    """
    cleaned = filterset.form.cleaned_data
    model = filterset.queryset.model
    # The months narrow the remarks before any filter: SQLite then checks a phrase's exact
    # wording on those months' matches only, a tenth of the time (docs/benchmarks.md, "Measured reasons").
    within = filterset.queryset if months is None else filterset.queryset.filter(month_filter(months))
    active = [spec for spec in specs if cleaned.get(spec.param)]
    shared = [spec for spec in specs if not cleaned.get(spec.param)]
    per_month = {}

    def add(param, rows):
        for month, value, label, n in rows:
            per_month.setdefault(month, Counter())[(param, value, label)] += n

    for spec in active:
        add(spec.param, spec.counts(filter_without(filterset, spec.param, within), by=(MONTH,)))
    # Facets on the remark's own columns are counted together: one GROUP BY over every
    # combination of their values per month (a few thousand rows), summed per facet below; tags
    # need a join each.
    own = [spec for spec in shared if spec.column(model)]
    tags = [spec for spec in shared if not spec.column(model)]
    quote = connection.ops.quote_name
    month = quote(MONTH)
    values = sorted({spec.column(model) for spec in own} - {MONTH})
    columns = ["id", MONTH, *values]
    try:
        base_sql, base_params = filter_without(filterset, None, within).order_by().values_list(*columns).query.sql_with_params()
    except EmptyResultSet:  # e.g. a search with nothing to search for: it matches nothing
        return per_month
    width = max(len(values), 1)
    grouped = "".join(f", m.{quote(c)}" for c in values)
    selected = ", ".join(f"CAST(m.{quote(c)} AS TEXT)" for c in values) or "NULL"
    parts = [
        (f"SELECT %s, m.{month}, {selected}, COUNT(*) FROM m GROUP BY m.{month}{grouped}", [""]),
        *[(spec.pass_sql(model, quote, month, width), [spec.param]) for spec in tags],
    ]
    sql = (
        f"WITH m({', '.join(quote(c) for c in columns)}) AS {search_backend().materialized}({base_sql}) "
        + " UNION ALL ".join(part for part, _ in parts)
    )
    params = [*base_params, *[p for _, part_params in parts for p in part_params]]
    combinations, tagged = [], {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for key, row_month, *texts, n in cursor.fetchall():
            if key:
                tagged.setdefault(key, []).append((row_month, texts[0], n))
            else:
                combinations.append((row_month, dict(zip(values, texts)), n))
    add("", [(row_month, "", "", n) for row_month, _, n in combinations])
    for spec in own:
        summed = Counter()
        for row_month, texts, n in combinations:
            value = spec.pass_value(row_month, texts.get(spec.column(model)))
            if value is not None:
                summed[row_month, value] += n
        add(spec.param, spec.decode(model, [(row_month, value, n) for (row_month, value), n in summed.items()]))
    for spec in tags:
        add(spec.param, spec.decode(model, tagged.get(spec.param, [])))
    return per_month


def combine(per_month, specs):
    """counts_by_month's months added up: {"total", "facets": {param: [(value, label, n)]},
    "months": {first day of month: n}}, as the page shows them."""
    summed = Counter()
    for counts in per_month.values():
        summed.update(counts)
    facets = {spec.param: [] for spec in specs}
    for (param, value, label), n in summed.items():
        if param and n:
            facets[param].append((value, label, n))
    months = {first_day(month): counts[TOTAL] for month, counts in per_month.items() if month and counts[TOTAL]}
    return {"total": summed[TOTAL], "facets": facets, "months": months}


def tally_by_month(queryset, specs=(), months=None):
    """{month: Counter} like counts_by_month, of a plain queryset: its TOTAL and each spec's
    counts within it (no filter left out: a subject page's related topics, the home page's)."""
    if months is not None:
        queryset = queryset.filter(month_filter(months))
    per_month = {}
    for month, n in queryset.order_by().values_list(MONTH).annotate(n=Count("pk")):
        per_month.setdefault(month, Counter())[TOTAL] = n
    for spec in specs:
        for month, value, label, n in spec.counts(queryset, by=(MONTH,)):
            per_month.setdefault(month, Counter())[(spec.param, value, label)] += n
    return per_month


def cached_tally(queryset, specs, finish, version=None):
    """finish(combine(tally_by_month(queryset, specs))), cached and recounted month by month."""
    return cached_by_month(
        computation(specs, queryset, finish),
        lambda months: tally_by_month(queryset, specs, months),
        lambda per_month: finish(combine(per_month, specs)),
        version,
    )



def engine_counts(filterset, specs, disjunctive=True, remarks=None):
    """combine(counts_by_month(filterset, specs)), counted by the search engine
    (statements/search/engine.py) in one aggregation for the facets that are not active and
    one per active facet (disjunctive, as above), the months it is catching up on counted in
    the database and added; None when there is no engine or it cannot answer now.
    `filterset` filters every public remark (catalogue.remark_filterset). Not `disjunctive`:
    every facet counted among the state's matches in the one aggregation, as tally_by_month
    counts them (a subject page's related values), the moved months among `remarks` (the same
    remarks as the state's, as the page's own query finds them fastest)."""
    engine = search_engine()
    constraints = engine_constraints(filterset) if engine else None
    view = engine.view() if constraints is not None else None  # one look at the tokens
    if view is None:
        return None
    cleaned = filterset.form.cleaned_data
    model = filterset.queryset.model
    active = [spec for spec in specs if disjunctive and cleaned.get(spec.param)]
    shared = [spec for spec in specs if spec not in active]
    answer = engine.count(constraints, sorted({MONTH, *(spec.engine_field for spec in shared)}), view)
    if answer is None:  # the index failed meanwhile (search/engine.py): counted in the database
        return None
    total, counted = answer
    buckets = {spec.param: counted[spec.engine_field] for spec in shared}
    for spec in active:
        answer = engine.count(engine_constraints(filterset, spec.param), [spec.engine_field], view)
        if answer is None:
            return None
        buckets[spec.param] = answer[1][spec.engine_field]
    counts = _engine_combined(model, specs, total, buckets, counted[MONTH])
    if not view.stale:
        return counts
    if disjunctive:
        in_database = counts_by_month(filterset, specs, view.stale)
    else:
        in_database = tally_by_month(filterset.qs if remarks is None else remarks, specs, view.stale)
    return added(counts, combine(in_database, specs))


def added(counts, more):
    """Two of combine()'s counts of the same state over different months, added up."""
    facets = {}
    for param, rows in counts["facets"].items():
        summed = {}
        for value, label, n in [*rows, *more["facets"].get(param, [])]:
            summed[value] = (label, summed.get(value, (label, 0))[1] + n)
        facets[param] = [(value, label, n) for value, (label, n) in summed.items()]
    months = Counter(counts["months"])
    months.update(more["months"])
    return {"total": counts["total"] + more["total"], "facets": facets, "months": dict(months)}


def _engine_combined(model, specs, total, buckets, months):
    """combine()'s shape from the engine's {param: {value: n}} and {YYYYMM: n}, every value
    named in one query for all facets."""
    needed = {}
    for spec in specs:
        if hasattr(spec, "names_needed"):
            key, ids = spec.names_needed(model, buckets[spec.param])
            needed.setdefault(key, set()).update(ids)
    names = reference_names(needed)
    facets = {spec.param: spec.engine_rows(model, buckets[spec.param], names) for spec in specs}
    return {"total": total, "facets": facets, "months": {first_day(month): n for month, n in months.items() if month}}


def engine_briefing_counts(filterset, specs):
    """(combine(counts_by_month(filterset, specs)), the state's briefings newest first as a
    search.engine.BriefingList, whose slices are ids) of a /briefings/ search
    (catalogue.briefing_filterset), by the search engine: the briefings its matching remarks
    are in, each counted once (disjunctive, as above); None when the engine cannot answer it
    (no search, no engine, or not now). While the engine catches up on some months, those are
    counted in the database and added, and the list is left to the database (None)."""
    engine = search_engine()
    constraints = engine_constraints(filterset) if engine else None
    view = engine.view() if constraints is not None else None
    if view is None:
        return None
    found = engine.briefings(constraints, view)
    if found is None:  # the index failed meanwhile: counted in the database
        return None
    cleaned = filterset.form.cleaned_data
    buckets = {}
    for spec in specs:
        among = engine.briefings(engine_constraints(filterset, spec.param), view) if cleaned.get(spec.param) else found
        if among is None:
            return None
        buckets[spec.param] = among.tally(spec.engine_field)
    counts = _engine_combined(filterset.queryset.model, specs, len(found), buckets, found.tally(MONTH))
    if not view.stale:
        return counts, found
    return added(counts, combine(counts_by_month(filterset, specs, view.stale), specs)), None


def month_counts(filterset, version=None):
    """{first day of month: n} of a /remarks/ state (filtering every public remark): by the
    search engine where there is one, else counted in the database and cached month by month."""
    counted = engine_counts(filterset, [])
    if counted is not None:
        return counted["months"]
    return cached_tally(filterset.qs, [], _months_of, version)


def _months_of(counts):
    return counts["months"]
