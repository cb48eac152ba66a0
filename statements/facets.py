"""Facet counts with disjunctive semantics (DESIGN.md, "Pages and URLs").

A facet's counts are computed with every *other* active filter applied, so each count says how
many results a click on that value gives: values of one facet combine with OR, facets with AND.
Counts are exact, one GROUP BY query per facet.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F
from django.db.models.functions import ExtractYear

from .filters import filter_without
from .querystrings import with_value_toggled

# Facets show their top values first; the rest fold under "show more".
VISIBLE_OPTIONS = 8


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool
    url: str


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

    @property
    def has_selection(self):
        return any(option.selected for option in self.options)


class RelatedFacet:
    """Counts per related object (speaker, ministry) reached through foreign keys."""

    def __init__(self, param, title, path, label_field="name"):
        self.param, self.title, self.path, self.label_field = param, title, path, label_field

    def counts(self, queryset):
        slug, label = f"{self.path}__slug", f"{self.path}__{self.label_field}"
        rows = (
            queryset.order_by()
            .filter(**{f"{self.path}__isnull": False})
            .values(slug, label)
            .annotate(n=Count("pk"))
        )
        return [(row[slug], row[label], row["n"]) for row in rows]

    def label(self, value):
        return getattr(value, self.label_field)

    def value(self, cleaned):
        return cleaned.slug

    def column(self, model):
        return model._meta.get_field(self.path).column

    def pass_sql(self, model, quote):
        column = quote(self.column(model))
        return f"SELECT %s, CAST({column} AS TEXT), COUNT(*) FROM m WHERE {column} IS NOT NULL GROUP BY {column}"

    def decode(self, model, rows):
        target = model._meta.get_field(self.path).related_model
        ids = [int(value) for value, _ in rows]
        names = {pk: (slug, label) for pk, slug, label in target.objects.filter(pk__in=ids).values_list("pk", "slug", self.label_field)}
        return [(*names[int(value)], n) for value, n in rows if int(value) in names]


class ManyToManyFacet(RelatedFacet):
    """Counts per tag (topic, entity) through the many-to-many table: one row per pair."""

    def counts(self, queryset):
        field = queryset.model._meta.get_field(self.path)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        slug, label = f"{target}__slug", f"{target}__{self.label_field}"
        rows = (
            through.objects.filter(**{f"{source}__in": queryset.order_by().values("pk")})
            .values(slug, label)
            .annotate(n=Count("pk"))
            .order_by()
        )
        return [(row[slug], row[label], row["n"]) for row in rows]

    def column(self, model):
        return None  # counted through the many-to-many table, not a column of m

    def pass_sql(self, model, quote):
        field = model._meta.get_field(self.path)
        through = field.remote_field.through._meta
        source = quote(through.get_field(field.m2m_field_name()).column)
        target = quote(through.get_field(field.m2m_reverse_field_name()).column)
        return (
            f"SELECT %s, CAST(t.{target} AS TEXT), COUNT(*) FROM m "
            f"JOIN {quote(through.db_table)} t ON t.{source} = m.id GROUP BY t.{target}"
        )


class ChoiceFacet:
    """Counts per value of a field with fixed choices (kind, language)."""

    def __init__(self, param, title, path, choices):
        self.param, self.title, self.path = param, title, path
        self.labels = dict(choices)

    def counts(self, queryset):
        rows = queryset.order_by().values(self.path).annotate(n=Count("pk"))
        return [(row[self.path], self.labels.get(row[self.path], row[self.path]), row["n"]) for row in rows]

    def label(self, value):
        return self.labels.get(value, value)

    def value(self, cleaned):
        return cleaned

    def column(self, model):
        return model._meta.get_field(self.path).column

    def pass_sql(self, model, quote):
        column = quote(self.column(model))
        return f"SELECT %s, CAST({column} AS TEXT), COUNT(*) FROM m GROUP BY {column}"

    def decode(self, model, rows):
        return [(value, self.labels.get(value, value), n) for value, n in rows]


class YearFacet:
    """Counts per calendar year of a date field; newest year first."""

    sort_by_value = True

    def __init__(self, param, title, path, year_month=None):
        self.param, self.title, self.path, self.year_month = param, title, path, year_month

    def counts(self, queryset):
        # A stored YYYYMM integer groups without a date function per row (slow on SQLite).
        year = F(self.year_month) / 100 if self.year_month else ExtractYear(self.path)
        rows = (
            queryset.order_by()
            .annotate(facet_year=year)
            .values("facet_year")
            .annotate(n=Count("pk"))
        )
        return [(row["facet_year"], str(row["facet_year"]), row["n"]) for row in rows]

    def label(self, value):
        return str(value)

    def value(self, cleaned):
        return cleaned

    def column(self, model):
        return self.year_month  # the pass needs the stored YYYYMM column (set for remarks)

    def pass_sql(self, model, quote):
        column = quote(self.year_month)
        return f"SELECT %s, CAST({column} / 100 AS TEXT), COUNT(*) FROM m WHERE {column} IS NOT NULL GROUP BY {column} / 100"

    def decode(self, model, rows):
        return [(int(value), value, n) for value, n in rows]


def facet_counts(filterset, specs):
    """{param: [(value, label, count), …]}: the queries, kept apart so they can be cached."""
    return {spec.param: spec.counts(filter_without(filterset, excluded=spec.param)) for spec in specs}


def build_facets(filterset, specs, params, counts=None):
    """One Facet per spec, options sorted by count (years by year), selected values kept."""
    cleaned = filterset.form.cleaned_data
    counts = counts if counts is not None else facet_counts(filterset, specs)
    facets = []
    for spec in specs:
        counted = list(counts[spec.param])
        selected = {str(spec.value(v)): spec.label(v) for v in cleaned.get(spec.param) or []}
        seen = {str(value) for value, _, _ in counted}
        # A selected value with no results must stay visible, or it could not be removed.
        counted += [(value, label, 0) for value, label in selected.items() if value not in seen]
        if getattr(spec, "sort_by_value", False):
            counted.sort(key=lambda row: int(row[0]), reverse=True)
        else:
            counted.sort(key=lambda row: (-row[2], str(row[1]).lower()))
        options = [
            Option(
                value=str(value),
                label=label,
                count=count,
                selected=str(value) in selected,
                url=with_value_toggled(params, spec.param, value),
            )
            for value, label, count in counted
        ]
        facets.append(Facet(spec.param, spec.title, options))
    return facets


def month_counts(queryset):
    """{first day of month: count} of remarks, from the stored YYYYMM column."""
    rows = queryset.order_by().values_list("year_month").annotate(n=Count("pk"))
    return {datetime.date(month // 100, month % 100, 1): n for month, n in rows if month}


def counts_in_one_pass(filterset, specs, month_column="year_month"):
    """Total, month counts and every facet's counts, scanning the matches once where possible.

    Facets that are not active share one base set (every filter applied), so they, the total
    and the months are counted in a single statement over the matches materialised once: a
    common word matching half the corpus is found once, not once per facet. Each active facet
    needs the matches without its own filter (disjunctive counts), so it keeps its own query.
    """
    cleaned = filterset.form.cleaned_data
    model = filterset.queryset.model
    active = [spec for spec in specs if cleaned.get(spec.param)]
    shared = [spec for spec in specs if not cleaned.get(spec.param)]
    quote = connection.ops.quote_name
    columns = ["id", month_column, *sorted({c for spec in shared if (c := spec.column(model))} - {month_column})]
    facets = {spec.param: spec.counts(filter_without(filterset, excluded=spec.param)) for spec in active}
    try:
        base_sql, base_params = filterset.qs.order_by().values_list(*columns).query.sql_with_params()
    except EmptyResultSet:  # e.g. a search with nothing to search for: it matches nothing
        return {"total": 0, "months": {}, "facets": {**facets, **{spec.param: [] for spec in shared}}}
    parts = [
        ("SELECT %s, '', COUNT(*) FROM m", ["__total"]),
        (f"SELECT %s, CAST({quote(month_column)} AS TEXT), COUNT(*) FROM m "
         f"WHERE {quote(month_column)} IS NOT NULL GROUP BY {quote(month_column)}", ["__months"]),
        *[(spec.pass_sql(model, quote), [spec.param]) for spec in shared],
    ]
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" or connection.Database.sqlite_version_info >= (3, 35) else ""
    sql = (
        f"WITH m({', '.join(quote(c) for c in columns)}) AS {materialized}({base_sql}) "
        + " UNION ALL ".join(part for part, _ in parts)
    )
    params = [*base_params, *[p for _, part_params in parts for p in part_params]]
    rows = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for key, value, n in cursor.fetchall():
            rows.setdefault(key, []).append((value, n))
    months = {}
    for value, n in rows.get("__months", []):
        month = int(value)
        months[datetime.date(month // 100, month % 100, 1)] = n
    facets.update({spec.param: spec.decode(model, rows.get(spec.param, [])) for spec in shared})
    return {"total": rows["__total"][0][1], "facets": facets, "months": months}
