"""Read-only viewsets of the JSON API.

A list runs the pipeline of the HTML pages (statements/views.py): published queryset →
FilterSet from statements/filters.py → date order → one page. There is no relevance order here:
with `q` the API still orders by date, so that a cursor can walk every match exactly once.
Topics, spokespersons and entities are public reference data; the remarks they lead to are
reached through /api/remarks/, which only ever lists published ones.
"""

from django.db.models import F, Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.response import Response
from rest_framework.settings import api_settings

from statements import querystrings, slugs
from statements.filters import BriefingFilter, RemarkFilter
from statements.models import Briefing, Entity, Remark, Spokesperson, Topic, provenance_fields

from . import serializers
from .pagination import KeysetPages


def with_remark_details(remarks):
    """Everything RemarkSerializer shows, in a fixed number of queries."""
    return (
        remarks.for_listing()
        .select_related("asked_by")
        .prefetch_related("entities")
        .annotate(translation_is_public=F("translation__is_public"))
    )


def with_briefing_details(briefings):
    """Everything BriefingSerializer shows, in a fixed number of queries."""
    return (
        briefings.select_related("ministry", "spokesperson")
        .defer(*provenance_fields())
        .annotate(translation_status=F("translation__status"))
        .prefetch_related(
            Prefetch(
                "remarks",
                queryset=Remark.objects.published().only("pk", "briefing_id").order_by("position"),
                to_attr="ordered_remarks",
            )
        )
    )


class Filters(DjangoFilterBackend):
    """The HTML pages' FilterSets with the HTML pages' parameters: blank values dropped
    (`?topic=&year=`, as forms submit them), a bad value a 400 that names the parameter."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["data"] = querystrings.without_empty_values(request.query_params)
        return kwargs

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            # "__all__" is the date range form's own check; DRF calls that key non_field_errors.
            raise ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name: errors
                    for name, errors in filterset.errors.items()
                }
            )
        return filterset.qs


class DateOrder(BaseFilterBackend):
    """`sort=newest` (the default) or `sort=oldest`; any other value is ignored, as on /remarks/.

    The pages (statements/api/pagination.py) walk whatever order this sets.
    """

    methods = {"newest": "newest_first", "oldest": "oldest_first"}

    def get_ordering(self, request, queryset, view):
        method = self.methods.get(request.query_params.get("sort"), self.methods["newest"])
        # The field names of RemarkQuerySet's own ordering methods: one definition of each order.
        return getattr(queryset, method)().query.order_by

    def filter_queryset(self, request, queryset, view):
        return queryset.order_by(*self.get_ordering(request, queryset, view))

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "sort",
                "required": False,
                "in": "query",
                "description": "Date order. With `q` too: the API does not rank by relevance.",
                "schema": {"type": "string", "enum": list(self.methods), "default": "newest"},
            }
        ]


def filter_parameters(filterset_class):
    """What the schema cannot read off the FilterSets: `year` holds years (not dates, as
    YearsFilter's field_name suggests), and the slug filters take slugs, any of which match
    (the slug filters and their nouns as statements/slugs.py names them)."""
    slug_filters = [
        (name, slugs.NOUNS[model].capitalize())
        for name, model in slugs.SLUG_PARAMS.items()
        if name in filterset_class.base_filters
    ]
    return extend_schema(
        parameters=[
            OpenApiParameter(
                "year", int, many=True, description="Year of the briefing; repeat for any of several."
            ),
            *(
                OpenApiParameter(
                    name, str, many=True, description=f"{what} slug; repeat for any of several."
                )
                for name, what in slug_filters
            ),
        ]
    )


@extend_schema_view(
    list=filter_parameters(RemarkFilter)
)
class RemarkViewSet(viewsets.ReadOnlyModelViewSet):
    """Published remarks, with the filters of /remarks/ (repeat a parameter to OR its values),
    newest first or oldest first."""

    serializer_class = serializers.RemarkSerializer
    lookup_value_regex = "[0-9]+"  # as /remarks/<int:pk>/: other text is no remark's address
    filter_backends = [Filters, DateOrder]
    filterset_class = RemarkFilter
    pagination_class = KeysetPages

    def get_queryset(self):
        remarks = Remark.objects.published()
        return remarks if self.action == "list" else with_remark_details(remarks)

    def retrieve(self, request, *args, **kwargs):
        # As on the HTML permalink: a merged remark moved (301), a withdrawn one is gone (410).
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            gone = Remark.objects.taken_off(kwargs[self.lookup_field])
            if gone is None:
                raise
            if gone.merged_into_id:
                return HttpResponsePermanentRedirect(reverse("api:remark-detail", args=[gone.merged_into_id]))
            return Response(
                {
                    "detail": "This remark was withdrawn.",
                    "withdrawn_at": gone.withdrawn_at,
                    "note": gone.withdrawal_note,
                    "briefing": request.build_absolute_uri(gone.briefing.get_absolute_url()),
                },
                status=status.HTTP_410_GONE,
            )

    def list(self, request, *args, **kwargs):
        # The page's ids from the remark table alone, then those rows with their joins:
        # statements/listing.py says why the HTML list does the same.
        # Only what the sort key needs: the cursor is read off the page's items.
        remarks = self.filter_queryset(self.get_queryset()).only("pk", "date", "briefing", "position")
        ids = [remark.pk for remark in self.paginate_queryset(remarks)]
        # published() again: a briefing withdrawn between the two queries stays out.
        rows = with_remark_details(Remark.objects.published()).in_bulk(ids)
        serializer = self.get_serializer([rows[pk] for pk in ids if pk in rows], many=True)
        return self.get_paginated_response(serializer.data)


@extend_schema_view(
    list=filter_parameters(BriefingFilter)
)
class BriefingViewSet(viewsets.ReadOnlyModelViewSet):
    """Published briefings, with the filters of /briefings/, newest first."""

    serializer_class = serializers.BriefingSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends = [Filters]
    filterset_class = BriefingFilter
    pagination_class = KeysetPages

    def get_queryset(self):
        return with_briefing_details(Briefing.objects.published()).order_by("-date", "-id")


class ReferenceViewSet(viewsets.ReadOnlyModelViewSet):
    """Reference data: listed by name, found by slug as on the HTML pages."""

    pagination_class = KeysetPages
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"  # Django's slug path converter


class TopicViewSet(ReferenceViewSet):
    """Topics, by name; `remarks` links to each one's published remarks."""

    queryset = Topic.objects.public().select_related("parent").order_by("name", "slug")
    serializer_class = serializers.TopicSerializer


class SpokespersonViewSet(ReferenceViewSet):
    """Spokespersons, by name; `remarks` links to what each one said."""

    queryset = Spokesperson.objects.public().select_related("ministry").order_by("name", "slug")
    serializer_class = serializers.SpokespersonSerializer


class EntityViewSet(ReferenceViewSet):
    """Countries and organisations, by name; `remarks` links to the remarks that mention each."""

    queryset = Entity.objects.public().order_by("name", "slug")
    serializer_class = serializers.EntitySerializer
