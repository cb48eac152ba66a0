"""Links that change one parameter and keep every other (statements/querystrings.py): the
shared encoding of the many links of a page gives exactly what editing a copy of the request's
QueryDict gives."""

from hypothesis import given, settings
from hypothesis import strategies as st

from django.http import QueryDict

from statements import querystrings

KEYS = st.sampled_from(["q", "topic", "page", "year", "date_from", "sort", "mentions", "é &=+"])
VALUES = st.text(st.characters(blacklist_categories=["Cs"]), max_size=8)
PARAMS = st.lists(st.tuples(KEYS, VALUES), max_size=8)


def query_dict(pairs):
    params = QueryDict(mutable=True)
    for key, value in pairs:
        params.appendlist(key, value)
    return params


def toggled_by_copy(params, key, value):
    params = params.copy()
    params.pop("page", None)
    values = params.getlist(key)
    params.setlist(key, [v for v in values if v != value] if value in values else values + [value])
    return f"?{params.urlencode()}"


def with_values_by_copy(params, **values):
    params = params.copy()
    params.pop("page", None)
    for key, value in values.items():
        params[key] = value
    return f"?{params.urlencode()}"


@settings(max_examples=300, deadline=None)
@given(PARAMS, KEYS.filter(lambda key: key != "page"), st.lists(VALUES, max_size=4))
def test_toggled_links_are_those_of_editing_a_copy(pairs, key, values):
    params = query_dict(pairs)
    values += params.getlist(key)[:2]  # values already chosen are toggled off
    urls = querystrings.toggled_urls(params, key, values)
    for value in values:
        assert urls[value] == toggled_by_copy(params, key, value)
        assert querystrings.with_value_toggled(params, key, value) == toggled_by_copy(params, key, value)


@settings(max_examples=300, deadline=None)
@given(PARAMS, VALUES, VALUES)
def test_a_date_range_link_is_that_of_editing_a_copy(pairs, first, last):
    params = query_dict(pairs)
    assert querystrings.with_values(params, date_from=first, date_to=last) == with_values_by_copy(
        params, date_from=first, date_to=last
    )


def test_a_bar_keeps_every_other_parameter_in_its_place():
    params = QueryDict("q=two+sides&date_from=2020-01-01&topic=trade&page=3&topic=covid")
    variants = querystrings.Variants(params, "date_from", "date_to")
    assert variants.url(date_from=["2021-05-01"], date_to=["2021-05-31"]) == (
        "?q=two+sides&date_from=2021-05-01&topic=trade&topic=covid&date_to=2021-05-31"
    )
