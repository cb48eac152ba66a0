"""Atom feeds: the newest remarks of any /remarks/ state, and of each topic, spokesperson and entity.

A feed reader polls these, so each is the newest FEED_LENGTH published remarks in date order
(never relevance), from the same FilterSet as the page.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks

from . import querystrings
from .models import Briefing, Entity, Remark, Spokesperson, Topic
from .catalogue import FEED_LENGTH, REMARK_FACETS, remark_filterset
from .responses import bad_request, renamed_or_404


class InvalidState(Exception):
    def __init__(self, errors):
        super().__init__("invalid parameters")
        self.errors = errors


# What XML 1.0 cannot carry: every C0 control but tab and line breaks, lone surrogates, and the
# non-characters U+FFFE and U+FFFF. The model refuses controls now; text stored before, or a
# search typed with them, must not take a feed down with it (UnserializableContentError, or a
# feed no reader parses).
NOT_IN_XML = dict.fromkeys(
    [*(c for c in range(0x20) if chr(c) not in "\t\n\r"), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF]
)


def xml_safe(value):
    if isinstance(value, str):
        return value.translate(NOT_IN_XML)
    if isinstance(value, (list, tuple)):
        return type(value)(xml_safe(item) for item in value)
    return value


class CleanAtom1Feed(Atom1Feed):
    """Atom whose every text is XML-safe, whatever is stored."""

    def __init__(self, *args, **kwargs):
        super().__init__(*[xml_safe(a) for a in args], **{k: xml_safe(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*[xml_safe(a) for a in args], **{k: xml_safe(v) for k, v in kwargs.items()})


# The newest publications first, looked for among the most recently published briefings: a
# window of them holds the newest remarks of any state unless the state is rare there, and then
# the next, wider window is tried (the last: all of them).
PUBLICATION_WINDOWS = (100, 2_000, 40_000, None)


def newest_published(remarks):
    """The FEED_LENGTH remarks of `remarks` published last (their briefing's publication time),
    without sorting every match by a joined column at a million remarks."""
    by_publication = remarks.order_by("-briefing__published_at", "-briefing_id", "position")
    published = Briefing.objects.published().order_by("-published_at", "-pk").values_list("pk", flat=True)
    for window in PUBLICATION_WINDOWS:
        if window is None:
            return list(by_publication[:FEED_LENGTH])
        briefings = list(published[:window])
        found = list(by_publication.filter(briefing_id__in=briefings)[:FEED_LENGTH])
        # Enough found, or the window already held every published briefing.
        if len(found) == FEED_LENGTH or len(briefings) < window:
            return found
    return []


class RemarkFeedBase(Feed):
    """Entries shared by every remark feed: one entry per remark, its permalink as id."""

    feed_type = CleanAtom1Feed
    author_name = "Diplomatic statements"

    def remarks(self, obj):
        raise NotImplementedError

    def items(self, obj):
        return newest_published(self.remarks(obj).select_related("briefing__ministry", "speaker").prefetch_related("topics"))

    def item_title(self, remark):
        who = remark.speaker_label()
        gist = remark.question or remark.answer
        gist = " ".join(gist.split())
        return f"{who}, {remark.date.day} {remark.date:%B %Y}: {gist[:117] + '…' if len(gist) > 120 else gist}"

    def item_description(self, remark):
        # Atom summaries are HTML: the text is escaped here, so markup in a remark stays text.
        question = f"Q{f' ({remark.outlet})' if remark.outlet else ''}: {remark.question}\n\n" if remark.question else ""
        return linebreaks(question + remark.answer, autoescape=True)

    def item_link(self, remark):
        return remark.get_absolute_url()

    def item_author_name(self, remark):
        return remark.speaker.name if remark.speaker else remark.briefing.ministry.name

    def item_pubdate(self, remark):
        # When the public could first read it: a briefing of 2018 published today is news today.
        return remark.briefing.published_at or datetime.datetime.combine(remark.date, datetime.time(), tzinfo=datetime.UTC)

    def item_updateddate(self, remark):
        return remark.updated_at

    def item_categories(self, remark):
        return [topic.name for topic in remark.topics.all()]


class SearchFeed(RemarkFeedBase):
    """/remarks/feed/?…: the parameters of /remarks/ (page and sort aside)."""

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidState as error:
            return bad_request(request, error.errors)

    def get_object(self, request):
        params, filterset = remark_filterset(request.GET)
        if not filterset.is_valid():
            raise InvalidState(filterset.errors)
        state = querystrings.without(params, "sort")  # and page
        return {"filterset": filterset, "state": "" if state == "?" else state}

    def remarks(self, obj):
        return obj["filterset"].qs

    def title(self, obj):
        described = describe_state(obj["filterset"])
        return f"Remarks: {described}" if described else "All remarks"

    def subtitle(self, obj):
        return "The newest published remarks matching this search on Diplomatic statements."

    def link(self, obj):
        return reverse("remark_list") + obj["state"]

    def feed_url(self, obj):
        return reverse("remark_feed") + obj["state"]


def describe_state(filterset):
    """“search “vaccine” · Topic: Taiwan, Trade · Language: Chinese”, for a feed's title."""
    titles = {facet.param: facet.title for facet in REMARK_FACETS} | {"date_from": "From", "date_to": "To"}
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if name == "q" and value:
            parts.append(f"search “{value}”")
        elif name in titles and value not in (None, ""):
            field = filterset.form.fields[name]
            labels = dict(getattr(field, "choices", []))
            values = value if isinstance(value, list) or hasattr(value, "model") else [value]
            shown = ", ".join(str(labels.get(item, item)) for item in values)
            if shown:
                parts.append(f"{titles[name]}: {shown}")
    return " · ".join(parts)


class SubjectFeed(RemarkFeedBase):
    """The newest remarks of one topic, spokesperson or entity, found by its slug."""

    def __init__(self, model, field, title, subtitle):
        super().__init__()
        self.model, self.field = model, field  # field: the remark's relation to the subject
        self.title_template, self.subtitle_template = title, subtitle

    def __call__(self, request, *args, slug, **kwargs):
        try:
            return super().__call__(request, *args, slug=slug, **kwargs)
        except Http404:
            return renamed_or_404(request, self.model, slug)  # a renamed subject's feed moves with it

    def get_object(self, request, slug):
        return get_object_or_404(self.model.objects.public(), slug=slug)

    def remarks(self, subject):
        return Remark.objects.published().filter(**{self.field: subject})

    def title(self, subject):
        return self.title_template.format(subject.name)

    def subtitle(self, subject):
        return getattr(subject, "description", "") or self.subtitle_template.format(subject.name)

    def link(self, subject):
        return subject.get_absolute_url()


TOPIC_FEED = SubjectFeed(Topic, "topics", "Remarks on {}", "The newest published remarks on {}.")
SPOKESPERSON_FEED = SubjectFeed(Spokesperson, "speaker", "Remarks by {}", "The newest published remarks by {}.")
ENTITY_FEED = SubjectFeed(Entity, "entities", "Remarks mentioning {}", "The newest published remarks that mention {}.")
