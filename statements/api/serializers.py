"""How remarks, briefings and the reference data look in JSON.

Every object carries `url`, the absolute address of its HTML page (the link a researcher cites),
and `api_url`, its address in this API. Links to translations are given only when the
translation is itself published: a draft must not even be hinted at.
"""

from urllib.parse import urlencode

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from statements.models import Briefing, Entity, Ministry, Outlet, Remark, Spokesperson, Topic


@extend_schema_field(OpenApiTypes.URI)
class PageURLField(serializers.Field):
    """The absolute address of the object's HTML page (get_absolute_url)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


@extend_schema_field(OpenApiTypes.URI)
class RemarksLinkField(serializers.Field):
    """/api/remarks/ filtered to this object, e.g. ?topic=taiwan: its published remarks."""

    def __init__(self, param, **kwargs):
        self.param = param
        kwargs.setdefault("help_text", f"The published remarks with `{param}` set to this slug.")
        super().__init__(source="slug", read_only=True, **kwargs)

    def to_representation(self, slug):
        path = reverse("api:remark-list") + "?" + urlencode({self.param: slug})
        return self.context["request"].build_absolute_uri(path)


class MinistryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ministry
        fields = ["slug", "short_name"]


class SpokespersonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Spokesperson
        fields = ["slug", "name"]


class TopicRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name"]


class EntityRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Entity
        fields = ["slug", "name"]


class OutletRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["slug", "name"]


class BriefingRefSerializer(serializers.ModelSerializer):
    url = PageURLField()
    api_url = serializers.HyperlinkedIdentityField(view_name="api:briefing-detail")

    class Meta:
        model = Briefing
        fields = ["id", "title", "url", "api_url"]


class RemarkSerializer(serializers.ModelSerializer):
    url = PageURLField(help_text="The remark's permalink.")
    api_url = serializers.HyperlinkedIdentityField(view_name="api:remark-detail")
    ministry = MinistryRefSerializer(source="briefing.ministry")
    spokesperson = SpokespersonRefSerializer(
        source="speaker", allow_null=True, help_text="Who spoke; null when the transcript does not say."
    )
    topics = TopicRefSerializer(many=True)
    entities = EntityRefSerializer(many=True, help_text="Countries and organisations mentioned.")
    asked_by = OutletRefSerializer(
        allow_null=True, help_text="Who asked, `outlet` as written normalised; null when unknown or not a question."
    )
    briefing = BriefingRefSerializer()
    source_url = serializers.URLField(
        source="briefing.source_url", help_text="Where the transcript was published."
    )
    translation = serializers.SerializerMethodField(
        help_text="Id of the same remark in the briefing's published translation."
    )
    # The remark's copies of its briefing's date and language (models.py), never empty once
    # published.
    date = serializers.DateField(read_only=True)
    language = serializers.ChoiceField(choices=Briefing.Language.choices, read_only=True)

    class Meta:
        model = Remark
        fields = [
            "id", "url", "api_url", "date", "ministry", "spokesperson", "kind", "language",
            "position", "question", "outlet", "asked_by", "answer", "topics", "entities", "briefing",
            "source_url", "translation",
        ]

    def get_translation(self, remark) -> int | None:
        # translation_is_public is annotated by the view (views.with_remark_details).
        return remark.translation_id if remark.translation_is_public else None


class BriefingSerializer(serializers.ModelSerializer):
    url = PageURLField(help_text="The briefing's transcript page.")
    api_url = serializers.HyperlinkedIdentityField(view_name="api:briefing-detail")
    ministry = MinistryRefSerializer()
    spokesperson = SpokespersonRefSerializer(allow_null=True, help_text="The host.")
    translation = serializers.SerializerMethodField(
        help_text="Id of the same briefing in the other language, when that is published."
    )
    remark_count = serializers.SerializerMethodField()
    remarks = serializers.SerializerMethodField(help_text="Ids of the remarks, in order.")

    class Meta:
        model = Briefing
        fields = [
            "id", "url", "api_url", "date", "ministry", "spokesperson", "kind", "language",
            "title", "source_name", "source_url", "translation", "remark_count", "remarks",
        ]

    # translation_status and ordered_remarks are set by the view (views.with_briefing_details).
    def get_translation(self, briefing) -> int | None:
        published = briefing.translation_status == Briefing.Status.PUBLISHED
        return briefing.translation_id if published else None

    def get_remark_count(self, briefing) -> int:
        return len(briefing.ordered_remarks)

    def get_remarks(self, briefing) -> list[int]:
        return [remark.pk for remark in briefing.ordered_remarks]


class TopicSerializer(serializers.ModelSerializer):
    url = PageURLField()
    api_url = serializers.HyperlinkedIdentityField(view_name="api:topic-detail", lookup_field="slug")
    parent = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="Slug of the broader topic, if any."
    )
    remarks = RemarksLinkField("topic")

    class Meta:
        model = Topic
        fields = ["slug", "name", "parent", "description", "url", "api_url", "remarks"]


class SpokespersonSerializer(serializers.ModelSerializer):
    url = PageURLField()
    api_url = serializers.HyperlinkedIdentityField(
        view_name="api:spokesperson-detail", lookup_field="slug"
    )
    ministry = MinistryRefSerializer()
    remarks = RemarksLinkField("spokesperson")

    class Meta:
        model = Spokesperson
        fields = [
            "slug", "name", "native_name", "ministry", "term_start", "term_end", "url", "api_url",
            "remarks",
        ]


class EntitySerializer(serializers.ModelSerializer):
    url = PageURLField()
    api_url = serializers.HyperlinkedIdentityField(view_name="api:entity-detail", lookup_field="slug")
    aliases = serializers.ListField(
        source="alias_list", child=serializers.CharField(), help_text="Other names it goes by."
    )
    remarks = RemarksLinkField("mentions")

    class Meta:
        model = Entity
        fields = ["slug", "name", "kind", "aliases", "url", "api_url", "remarks"]
