"""Links that change one parameter of the current URL and keep every other.

Facet links, removable filter chips and pagination all build on the request's QueryDict, so
every state stays shareable. Changing a filter drops `page`: page 7 of the old result set means
nothing in the new one.
"""

from django.http import QueryDict


def without_empty_values(params: QueryDict):
    """The parameters minus blank values (`?topic=&year=`), which forms submit for empty fields."""
    cleaned = QueryDict(mutable=True)
    for key, values in params.lists():
        kept = [value for value in values if value.strip()]
        if kept:
            cleaned.setlist(key, kept)
    return cleaned


def _encode(params):
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def encoded(params: QueryDict):
    """The parameters as a query string, or nothing when there are none."""
    return f"?{params.urlencode()}" if params else ""


def with_value_toggled(params: QueryDict, key, value):
    """Add `value` to the repeated parameter `key`, or remove it if it is already there."""
    params = params.copy()
    params.pop("page", None)
    values = params.getlist(key)
    value = str(value)
    params.setlist(key, [v for v in values if v != value] if value in values else values + [value])
    return _encode(params)


def without(params: QueryDict, key, value=None):
    """Drop parameter `key` entirely, or only one of its values."""
    params = params.copy()
    params.pop("page", None)
    if value is None:
        params.pop(key, None)
    else:
        params.setlist(key, [v for v in params.getlist(key) if v != str(value)])
    return _encode(params)


def with_page(params: QueryDict, number):
    params = params.copy()
    params["page"] = str(number)
    return _encode(params)


def with_value(params: QueryDict, key, value):
    """Set `key` to a single value (sort order)."""
    return with_values(params, **{key: value})


def with_values(params: QueryDict, **values):
    """Set several single-valued parameters at once (a date range)."""
    params = params.copy()
    params.pop("page", None)
    for key, value in values.items():
        params[key] = str(value)
    return _encode(params)


def hidden_fields(params: QueryDict, *excluded):
    """(name, value) pairs for hidden inputs, so a form that sets some parameters keeps the rest."""
    skip = set(excluded) | {"page"}
    return [(key, value) for key, values in params.lists() if key not in skip for value in values]
