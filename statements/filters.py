"""The one definition of every filter on remarks and briefings.

The HTML lists, their facet counts (and later exports, feeds and the API) all filter through
these FilterSets. Several values of one filter combine with OR; filters combine with AND.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from . import dates
from .validators import validate_no_control_characters
from .models import Briefing, Entity, Ministry, Outlet, Remark, Spokesperson, Topic
from .search import matching
from .search.engine import AnyOf, Range, Search, Terms, day_number
from .text.query import MAX_QUERY_LENGTH, SCOPES, parse_query



class YearsField(forms.Field):
    """Repeated `year=2019&year=2020` values, each a plausible year."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        years = []
        for raw in values:
            try:
                year = int(raw)
            except (TypeError, ValueError):
                raise forms.ValidationError(f"“{raw}” is not a year.", code="invalid")
            if not dates.plausible_year(year):
                raise forms.ValidationError(
                    f"{year} is outside {dates.first_year()}–{dates.last_year()}.", code="out_of_range"
                )
            years.append(year)
        return sorted(set(years))


class YearsFilter(django_filters.Filter):
    field_class = YearsField

    def filter(self, qs, value):
        if not value:
            return qs
        # Date ranges rather than EXTRACT(year) so the date index serves the query.
        condition = Q()
        for year in value:
            condition |= Q(
                **{
                    f"{self.field_name}__gte": datetime.date(year, 1, 1),
                    f"{self.field_name}__lte": datetime.date(year, 12, 31),
                }
            )
        return qs.filter(condition)


class SlugsField(django_filters.fields.ModelMultipleChoiceField):
    """No slug given: an empty list, not an empty queryset. Each use of a queryset's emptiness
    (filtering, counting, naming a cache entry) builds its SQL first: a few milliseconds of every
    request for the filters nobody set."""

    def clean(self, value):
        if not value and not self.required:
            return []
        return super().clean(value)


class SlugsFilter(django_filters.ModelMultipleChoiceFilter):
    """Repeated slugs (`topic=taiwan&topic=trade`), any of which may match."""

    field_class = SlugsField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        # Foreign keys cannot duplicate rows; many-to-many filters use EXISTS below.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        # The cleaned value holds model instances; match them by key, not by slug text.
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs


class ManyToManySlugsFilter(SlugsFilter):
    """Any of the values through a many-to-many table, as EXISTS so no row is repeated."""

    def filter(self, qs, value):
        if not value:
            return qs
        field = qs.model._meta.get_field(self.field_name)
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        matches = through.objects.filter(**{source: OuterRef("pk"), f"{target}__in": value})
        return qs.filter(Exists(matches))


class DateRangeForm(forms.Form):
    """Refuses a range that ends before it starts instead of quietly showing nothing."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(
                f"The date range ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d}).",
                code="reversed_range",
            )
        return cleaned


class SearchFilterSet(django_filters.FilterSet):
    """`q` in the search language of statements/text/query.py, over `scope` of remark text."""

    q = django_filters.CharFilter(
        method="filter_search",
        max_length=MAX_QUERY_LENGTH,
        label="Search",
        # Like the null character Django already refuses: they match nothing, and an Atom
        # feed's title (XML 1.0) cannot carry them.
        validators=[validate_no_control_characters],
    )
    scope = django_filters.ChoiceFilter(
        choices=list(SCOPES.items()), method="filter_scope", label="Search in", empty_label=None
    )

    _form_classes = {}

    def get_form_class(self):
        # django-filter builds a form class for every filterset, each field anew; the fields do
        # not depend on the state (a choice's rows are read as the form cleans, on its own
        # copy of the field), so each FilterSet class builds its form class once.
        cls = type(self)
        if cls not in SearchFilterSet._form_classes:
            SearchFilterSet._form_classes[cls] = super().get_form_class()
        return SearchFilterSet._form_classes[cls]

    def filter_search(self, queryset, name, value):
        if not value.strip():
            return queryset
        return self.matching(queryset, value, self.form.cleaned_data.get("scope") or "all")

    def filter_scope(self, queryset, name, value):
        return queryset  # read by filter_search: a scope means nothing without a query


# `version`: one remark per exchange published in two languages, in the original language or
# in the one chosen.
ORIGINAL = "original"
VERSIONS = [(ORIGINAL, "Original language"), *Briefing.Language.choices]


class RemarkFilter(SearchFilterSet):
    topic = ManyToManySlugsFilter(field_name="topics", queryset=Topic.objects.public())
    spokesperson = SlugsFilter(field_name="speaker", queryset=Spokesperson.objects.public())
    ministry = SlugsFilter(field_name="ministry", queryset=Ministry.objects.all())
    mentions = ManyToManySlugsFilter(field_name="entities", queryset=Entity.objects.public())
    asked_by = SlugsFilter(field_name="asked_by", queryset=Outlet.objects.public())
    kind = django_filters.MultipleChoiceFilter(choices=Remark.Kind.choices, distinct=False)
    # Language, ministry and date are the remark's copies of its briefing's (models.py).
    lang = django_filters.MultipleChoiceFilter(
        field_name="language", choices=Briefing.Language.choices, distinct=False
    )
    year = YearsFilter(field_name="date")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    # Absent: every language version of an exchange, each counted.
    version = django_filters.ChoiceFilter(
        choices=VERSIONS, method="filter_version", label="One version per exchange", empty_label=None
    )

    class Meta:
        model = Remark
        fields = []
        form = DateRangeForm

    def matching(self, queryset, query, scope):
        return matching(queryset, query, scope)

    def filter_version(self, queryset, name, value):
        return queryset.one_version_per_exchange(None if value == ORIGINAL else value)


class BriefingFilter(SearchFilterSet):
    spokesperson = SlugsFilter(field_name="spokesperson", queryset=Spokesperson.objects.public())
    ministry = SlugsFilter(field_name="ministry", queryset=Ministry.objects.all())
    kind = django_filters.MultipleChoiceFilter(choices=Briefing.Kind.choices, distinct=False)
    lang = django_filters.MultipleChoiceFilter(
        field_name="language", choices=Briefing.Language.choices, distinct=False
    )
    year = YearsFilter(field_name="date")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Briefing
        fields = []
        form = DateRangeForm

    # The search engine's columns of the briefing's own values (search/engine.py); its ministry,
    # language and date are its remarks' copies of them.
    engine_fields = {"spokesperson": "briefing_spokesperson", "kind": "briefing_kind"}

    def matching(self, queryset, query, scope):
        """Briefings with at least one public remark matching the search."""
        return queryset.filter(pk__in=matching(Remark.objects.published(), query, scope).values("briefing_id"))


def filter_without(filterset, excluded=None, queryset=None):
    """The filterset's queryset (or `queryset`) with every valid filter applied but `excluded`.

    Facet counts need the results "as if this facet were not set"; reusing the cleaned data
    validates the parameters once instead of once per facet.
    """
    queryset = (filterset.queryset if queryset is None else queryset).all()
    for name, value in filterset.form.cleaned_data.items():
        if name != excluded:
            queryset = filterset.filters[name].filter(queryset, value)
    return queryset


def engine_constraints(filterset, excluded=None):
    """The same state as filter_without(filterset, excluded), as the search engine's
    constraints (statements/search/engine.py) on the public remarks (for /briefings/, on the
    remarks whose briefings it lists); None if a filter has no engine equivalent.
    Each filter's two readings sit together here: a new filter needs both."""
    cleaned = filterset.form.cleaned_data
    if isinstance(filterset, BriefingFilter) and not (cleaned.get("q") or "").strip():
        return None  # the engine holds remarks: it finds the briefings a search's remarks are in
    engine_fields = getattr(filterset, "engine_fields", {})
    constraints = []
    for name, value in cleaned.items():
        if name == excluded or name == "scope" or not value:
            continue
        declared = filterset.filters[name]
        if name == "q":
            constraint = Search(parse_query(value), cleaned.get("scope") or "all") if value.strip() else None
        elif isinstance(declared, (SlugsFilter, ManyToManySlugsFilter)):
            constraint = Terms(engine_fields.get(name, declared.field_name), tuple(sorted(item.pk for item in value)))
        elif isinstance(declared, YearsFilter):
            constraint = AnyOf(tuple(Range("day", year * 10000 + 101, year * 10000 + 1231) for year in value))
        elif isinstance(declared, django_filters.DateFilter) and declared.lookup_expr in ("gte", "lte"):
            low, high = (day_number(value), None) if declared.lookup_expr == "gte" else (None, day_number(value))
            constraint = Range("day", low, high)
        elif isinstance(declared, django_filters.MultipleChoiceFilter):
            constraint = Terms(engine_fields.get(name, declared.field_name), tuple(sorted(value)))
        elif name == "version":
            constraint = Terms("versions", (value,))
        else:
            return None
        if constraint is not None:
            constraints.append(constraint)
    return constraints
