"""Links that change one parameter of the current URL and keep every other.

Facet links, removable filter chips and pagination all build on the request's QueryDict, so
every state stays shareable. Changing a filter drops `page`: page 7 of the old result set means
nothing in the new one.
"""

import re
from urllib.parse import quote_plus

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
    return toggled_urls(params, key, [value])[str(value)]


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
    return Variants(params, *values).url(**{key: [value] for key, value in values.items()})


def hidden_fields(params: QueryDict, *excluded):
    """(name, value) pairs for hidden inputs, so a form that sets some parameters keeps the rest."""
    skip = set(excluded) | {"page"}
    return [(key, value) for key, values in params.lists() if key not in skip for value in values]


class Variants:
    """Query strings that differ from `params` only in `keys`, for the hundreds of links a
    page builds at once (facet options, histogram bars): every other parameter is encoded once,
    not once per link. `url(key=[values])` gives what with_values/with_value_toggled give for
    the same change, byte for byte: `page` dropped, each key in its place or appended after.
    """

    def __init__(self, params: QueryDict, *keys):
        self.parts = []  # encoded pairs, and the keys (as 1-tuples) where their values go
        for key, values in params.lists():
            if key == "page":
                continue
            if key in keys:
                self.parts.append((key,))
            else:
                self.parts.extend(_pair(key, value) for value in values)
        present = {key for key, _ in params.lists()}
        self.parts.extend((key,) for key in keys if key not in present)

    def url(self, **values):
        """`values`: {key: [value, ...]} for each of `keys`."""
        encoded = []
        for part in self.parts:
            if isinstance(part, tuple):
                encoded.extend(_pair(part[0], value) for value in values[part[0]])
            else:
                encoded.append(part)
        return "?" + "&".join(encoded)


# What quote_plus leaves as it is: most keys, slugs, numbers and dates need no quoting.
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~-]*")


def _quoted(text):
    return text if _UNQUOTED.fullmatch(text) else quote_plus(text)


def _pair(key, value):
    # As QueryDict.urlencode() encodes one value.
    return f"{_quoted(key)}={_quoted(str(value))}"


def toggled_urls(params: QueryDict, key, values):
    """{value: with_value_toggled(params, key, value)} for many values of one key."""
    variants = Variants(params, key)
    current = params.getlist(key)
    urls = {}
    for value in values:
        value = str(value)
        chosen = [v for v in current if v != value] if value in current else current + [value]
        urls[value] = variants.url(**{key: chosen})
    return urls
