"""Cursor pages on the list's whole sort key (keyset pagination).

A `next` link carries the sort key of the page's last item, a `previous` link that of its
first; the following page is what comes strictly after (or before) that key. Every list here is
ordered on a unique key — remarks on (date, briefing, position), briefings on (date, id),
reference data on (name, slug) — so a walk visits each item exactly once, whatever is published
meanwhile, and costs an index seek per page rather than an offset.
"""

import base64
import binascii
import json
from collections import OrderedDict

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


def _encode(key, backwards):
    payload = json.dumps({"k": key, "b": backwards}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _field_name(term):
    return term.lstrip("-")


class KeysetPages(BasePagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_param = "cursor"
    invalid_cursor_message = "Invalid cursor: follow the `next` and `previous` links as given."

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.ordering = [str(term) for term in queryset.query.order_by]
        if not self.ordering:
            raise ImproperlyConfigured("Keyset pages need a queryset ordered on a unique key.")
        self.model = queryset.model
        size = self.get_page_size(request)
        cursor = self.decode_cursor(request)
        backwards = bool(cursor and cursor[1])
        if cursor:
            queryset = queryset.filter(self.beyond(cursor[0], backwards))
        if backwards:
            queryset = queryset.order_by(*(self.reversed(term) for term in self.ordering))
        items = list(queryset[: size + 1])
        more = len(items) > size
        items = items[:size]
        if backwards:
            items.reverse()
        # Going forwards, there is a next page when one more item came back, and a previous one
        # whenever a cursor brought us here; going backwards, the other way round.
        self.has_next = more if not backwards else bool(cursor)
        self.has_previous = bool(cursor) if not backwards else more
        self.page = items
        return items

    def get_page_size(self, request):
        try:
            size = int(request.query_params.get(self.page_size_query_param, self.page_size))
        except (TypeError, ValueError):
            return self.page_size
        return min(size, self.max_page_size) if size > 0 else self.page_size

    @staticmethod
    def reversed(term):
        return term[1:] if term.startswith("-") else f"-{term}"

    def beyond(self, key, backwards):
        """Items after `key` in the list's order (before it, going backwards): (a > x) or
        (a = x and b > y) or …, each comparison in its own field's direction."""
        condition = Q(pk__in=[])
        equal = Q()
        for term, value in zip(self.ordering, key):
            descending = term.startswith("-") != backwards
            lookup = "lt" if descending else "gt"
            condition |= equal & Q(**{f"{_field_name(term)}__{lookup}": value})
            equal &= Q(**{_field_name(term): value})
        return condition

    def key_of(self, item):
        values = []
        for term in self.ordering:
            field = self.model._meta.get_field(_field_name(term).removesuffix("_id"))
            value = getattr(item, field.attname)
            values.append(value.isoformat() if hasattr(value, "isoformat") else value)
        return values

    def decode_cursor(self, request):
        """(key, backwards) from the cursor parameter, every value checked by its model field,
        or None; anything malformed is a 400, never a database error."""
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
            key, backwards = payload["k"], payload["b"]
            if not isinstance(key, list) or len(key) != len(self.ordering) or not isinstance(backwards, bool):
                raise ValueError
            checked = []
            for term, value in zip(self.ordering, key):
                if not isinstance(value, (str, int)) or isinstance(value, bool) or "\x00" in str(value):
                    raise ValueError
                field = self.model._meta.get_field(_field_name(term).removesuffix("_id"))
                field = getattr(field, "target_field", field)  # a foreign key's id
                checked.append(field.to_python(value))
                field.run_validators(checked[-1])
            return checked, backwards
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError, DjangoValidationError):
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    def link(self, item, backwards):
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, _encode(self.key_of(item), backwards))

    def get_next_link(self):
        if not self.has_next or not self.page:
            return None
        return self.link(self.page[-1], backwards=False)

    def get_previous_link(self):
        if not self.has_previous or not self.page:
            return None
        return self.link(self.page[0], backwards=True)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict([("next", self.get_next_link()), ("previous", self.get_previous_link()), ("results", data)])
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: take it from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page, {self.page_size} by default, at most {self.max_page_size}.",
                "schema": {"type": "integer"},
            },
        ]
