import functools
import gc
import json
import logging
from urllib.parse import urlencode
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe

from . import budget, cards, citations, exports, querystrings, trends
from .catalogue import (
    BRIEFING_FACETS,
    BRIEFINGS_PER_PAGE,
    ENTITY_COUNTS,
    FEED_LENGTH,
    LANGUAGE_COUNTS,
    POSITIONS_PER_PAGE,
    REMARK_FACETS,
    REMARK_SORTS,
    REMARKS_PER_PAGE,
    SPEAKER_COUNTS,
    TOPIC_COUNTS,
    VERSION_LABELS,
    briefing_counts,
    briefing_filterset,
    remark_counts,
    remark_filterset,
    remark_tally,
)
from .facets import build_facets
from .histogram import build_histogram
from .listing import RANK_LIMIT, IdsFirst, months_in_order
from .models import Briefing, Entity, Remark, Spokesperson, Topic, content_version, provenance_fields
from .pagecache import cached_page
from .responses import bad_request, renamed_or_404, renamed_redirect
from .search import matching
from .search.engine import search_engine
from .text import passages
from .text.gist import shortened, spoken
from .text.highlight import highlight, highlight_remark
from .text.query import SCOPES, parse_query

logger = logging.getLogger(__name__)


def with_public_remark_counts(briefings):
    """Each briefing's remark count as the public sees it (withdrawn and merged ones left out).

    A subquery per briefing shown rather than a join grouped over every briefing: the home
    page's eight newest cost eight index lookups, not a count of all remarks (docs/benchmarks.md, "Measured reasons").
    """
    public = (
        Remark.objects.filter(briefing=OuterRef("pk"), is_public=True)
        .order_by()
        .values("briefing")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return briefings.annotate(remark_count=Coalesce(Subquery(public), 0))


def active_filters(filterset, params, facets):
    """Removable chips for every active filter, labelled as a person would read them."""
    titles = {facet.param: facet.title for facet in facets}
    chips = []
    for facet in facets:
        for option in facet.options:
            if option.selected:
                chips.append(
                    (f"{titles[facet.param]}: {option.label}",
                     querystrings.without(params, facet.param, option.value))
                )
    cleaned = filterset.form.cleaned_data
    if cleaned.get("q"):
        chips.insert(0, (f"Search: {cleaned['q']}", querystrings.without(params, "q")))
    for name, label in (("date_from", "From"), ("date_to", "To")):
        if cleaned.get(name):
            chips.append((f"{label}: {cleaned[name]:%Y-%m-%d}", querystrings.without(params, name)))
    return chips


def paginate(request, results, per_page):
    # get_page() turns a malformed or out-of-range `page` into the nearest real page. Results
    # that know their total (IdsFirst, RelevanceResults) give it without a query.
    return Paginator(results, per_page).get_page(request.GET.get("page"))


def fragment_key(version, params):
    """Facet and histogram HTML depend on the content and on every parameter but `page`."""
    kept = sorted((key, sorted(values)) for key, values in params.lists() if key != "page")
    return f"{version}:{kept!r}"


@cached_page
def home(request):
    remark_total, topic_counts = published_counts(TOPIC_COUNTS)
    latest_briefings = (
        with_public_remark_counts(Briefing.objects.published())
        .select_related("ministry", "spokesperson")
        .order_by("-date", "-id")[:8]
    )
    return render(
        request,
        "statements/home.html",
        {
            "topics": top_level_topics_with_counts(topic_counts),
            "latest_briefings": latest_briefings,
            "remark_total": remark_total,
        },
    )


@cached_page
def remark_list(request):
    params, filterset = remark_filterset(request.GET, drop_unknown=True)
    if filterset.renamed:
        return renamed_redirect(request, params)
    if not filterset.is_valid():
        return bad_request(request, filterset.errors)

    cleaned = filterset.form.cleaned_data
    query, scope = (cleaned.get("q") or "").strip(), cleaned.get("scope") or "all"
    sorts = {k: v for k, v in REMARK_SORTS.items() if query or k != "relevance"}
    sort = params.get("sort") if params.get("sort") in sorts else next(iter(sorts))
    version = content_version()
    counts = remark_counts(filterset, version)
    results = sorts[sort][1](filterset, query, scope, counts, version)
    facets = build_facets(filterset, REMARK_FACETS, params, counts["facets"])
    page = paginate(request, results, REMARKS_PER_PAGE)
    if query:
        terms = parse_query(query).positive_terms
        for remark in page:
            remark.question_html = highlight(remark.question, terms, 240)
            remark.answer_html = highlight(remark.answer, terms)
    return render(
        request,
        "statements/remark_list.html",
        {
            "filterset": filterset,
            "facets": facets,
            "active_filters": active_filters(filterset, params, facets),
            # Called by the template only when the fragment is not cached.
            "histogram": lambda: build_histogram(counts["months"], params),
            "fragment_key": fragment_key(version, params),
            "page": page,
            "sort": sort,
            "sorts": [
                (key, label, querystrings.with_value(params, "sort", key))
                for key, (label, _) in sorts.items()
            ],
            "page_links": page_links(params, page),
            "search_hidden": querystrings.hidden_fields(params, "q", "scope"),
            "ranked_among": RANK_LIMIT if not getattr(results, "exact", True) else None,
            "scopes": SCOPES.items(),
            "scope": scope,
            "versions": version_links(params, cleaned.get("version")),
            "version_label": {code: counted for code, _, counted in VERSION_LABELS}[cleaned.get("version") or ""],
            "dates_hidden": querystrings.hidden_fields(params, "date_from", "date_to"),
            "exports": export_links(params),
            "feed_url": reverse("remark_feed") + querystrings.without(params, "sort"),
            "feed_title": "Newest remarks of this search (Atom)",
        },
    )


def version_links(params, chosen):
    """Links between counting each language version of an exchange and counting one."""
    return [
        (label, querystrings.with_value(params, "version", code) if code else querystrings.without(params, "version"),
         code == (chosen or ""))
        for code, label, _ in VERSION_LABELS
    ]


def export_links(params):
    state = querystrings.without(params, "page")
    return [
        (label, reverse("remark_export", args=[extension]) + state)
        for extension, (_, label) in exports.FORMATS.items()
    ]


def remark_export(request, extension):
    """Every remark of a /remarks/ state as a file, streamed; date order (the page's, if chosen)."""
    if extension not in exports.FORMATS:
        raise Http404("No such export format.")
    params, filterset = remark_filterset(request.GET)
    if filterset.renamed:
        return renamed_redirect(request, params)
    if not filterset.is_valid():
        return bad_request(request, filterset.errors)
    remarks = filterset.qs.oldest_first() if params.get("sort") == "oldest" else filterset.qs.newest_first()
    site = request.build_absolute_uri("/").rstrip("/")
    content = exports.WRITERS[extension](remarks, site)
    if not (request.user.is_authenticated and request.user.is_staff):
        slots = budget.Slots(request, "export")
        if refusal := slots.take():
            return budget.busy_response(refusal, settings.RATE_LIMIT_RETRY_AFTER, "Other exports are running just now.")
        content = budget.held_while_streaming(content, slots)
    content_type, _ = exports.FORMATS[extension]
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = exports.attachment(exports.file_name(filterset, extension))
    return response


@cached_page
def data(request):
    """What can be taken away, and the columns of every export, read from exports.COLUMNS."""
    return render(
        request,
        "statements/data.html",
        {"columns": exports.COLUMNS, "formats": exports.FORMATS, "feed_length": FEED_LENGTH},
    )


def robots_txt(request):
    """Crawl the pages; leave out what only repeats them (exports, feeds, search states)."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /remarks/export.",
        "Disallow: /remarks/feed/",
        "Disallow: /remarks/?",
        "Disallow: /briefings/?",
        "Disallow: /alerts/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap_index'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_links(params, page):
    """Previous/next links that keep the filters."""
    return {
        "previous": querystrings.with_page(params, page.previous_page_number())
        if page.has_previous()
        else None,
        "next": querystrings.with_page(params, page.next_page_number()) if page.has_next() else None,
    }


def published_remark(pk):
    """The public remark with its briefing, ministry, host and speaker in one query. Its
    translation (public_translation) and tags (remark.topics, remark.entities) come in small
    queries of their own: two joins more cost PostgreSQL's planner more than they save, and
    prefetching costs more than asking (docs/benchmarks.md, "Measured reasons")."""
    return get_object_or_404(
        Remark.objects.published()
        .select_related("briefing__ministry", "briefing__spokesperson", "speaker")
        .defer(*provenance_fields("briefing__"))
        .order_by(),  # one row: the remarks' default order would only cost a sort
        pk=pk,
    )


def public_translation(remark):
    """The remark's translation with its briefing, where it has a public one."""
    if remark.translation_id is None:
        return None
    return (
        Remark.objects.published().select_related("briefing").defer(*provenance_fields("briefing__"))
        .order_by().filter(pk=remark.translation_id).first()
    )


@cached_page
def remark_card(request, pk):
    """The remark's share card (statements/cards.py), quoting the sentence its search matched
    (?q=, as the page's og:title does); drafts are not found. Where the server has no font for
    the remark's language, the site's generic card."""
    terms = parse_query(request.GET.get("q", "")).positive_terms
    png = cards.card_for(published_remark(pk), terms)
    if png is None:
        return HttpResponseRedirect(static("statements/card.png"))
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = f"public, max-age={settings.PAGE_CACHE_SECONDS or 0}"
    return response


def remark_heading(remark, briefing, topics):
    """The remark in a line, for its heading: who answered whom, on what (the first of its
    topics), when ("Hua Chunying answers AFP on Trade, 15 November 2018")."""
    who = remark.speaker_label()
    if remark.kind == Remark.Kind.QUESTION_AND_ANSWER and (remark.outlet or remark.question):
        act = f"answers {remark.outlet}" if remark.outlet else "answers a question"
    elif briefing.news_report:
        # Words a news report gives without the question that prompted them.
        act = "speaks"
    else:
        act = "announces"
    about = f" on {topics[0].name}" if topics else ""
    return f"{who} {act}{about}, {briefing.date.day} {briefing.date:%B %Y}"


def share_card(remark, briefing, permalink, passage="", terms=()):
    """What a link preview shows of a remark, in the remark's language: the speaker's own
    words (the answer's first sentence, or the passage the link marks) attributed with the
    date, then the question as context, said to be the journalist's; and the same as
    schema.org JSON-LD. The question is never quoted as the speaker's, nor a news report's
    own words (text/gist.spoken: its first quotation, or the report shown as the reporter's)."""
    date, question = briefing.date, " ".join(remark.question.split())
    quote, quoted = spoken(remark.answer, passage, reported_speech=briefing.news_report, terms=terms)
    answer = shortened(remark.answer, 200)
    if briefing.language == "zh":
        speaker = remark.speaker_label(native=True)
        when = f"{date.year}年{date.month}月{date.day}日"
        title = f"{speaker}（{when}）：“{quote}”" if quoted else f"{speaker}（{when}，据报道）：{quote}"
        asker = remark.outlet if remark.outlet.endswith("记者") else f"{remark.outlet}记者"
        context = f"（{asker}问：{shortened(question, 60)}）" if question else ""
        description = (f"“{answer}”" if not briefing.news_report else answer) + context
    else:
        speaker = remark.speaker_label()
        when = f"{date.day} {date:%B %Y}"
        title = f"{speaker}, {when}: “{quote}”" if quoted else f"{speaker}, {when}, as reported: {quote}"
        context = f" Asked by {remark.outlet or 'a journalist'}: {shortened(question, 90)}" if question else ""
        description = (f"“{answer}”" if not briefing.news_report else answer) + context
    person = {"@type": "Person", "name": remark.speaker.name} if remark.speaker else None
    ministry = {"@type": "GovernmentOrganization", "name": briefing.ministry.name}
    linked = {
        "@context": "https://schema.org",
        "@type": "Quotation",
        # A transcript's answer is the speaker's words; a report's, only what it quotes.
        "text": remark.answer if not briefing.news_report else quote,
        "inLanguage": briefing.language,
        "spokenByCharacter": person or ministry,
        "dateCreated": date.isoformat(),
        "url": permalink,
        "isPartOf": {"@type": "CreativeWork", "name": briefing.title, "publisher": ministry},
    }
    if briefing.news_report and not quoted:
        about = linked.pop("spokenByCharacter")
        linked = {**linked, "@type": "CreativeWork", "text": remark.answer, "about": about}
    # As django's json_script escapes: no text can close the script element.
    as_json = json.dumps(linked, ensure_ascii=False).replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return {"title": title, "description": description, "json_ld": mark_safe(as_json)}


@cached_page
def remark_detail(request, pk):
    try:
        remark = published_remark(pk)
    except Http404:
        gone = Remark.objects.taken_off(pk)
        if gone is None:
            raise
        if gone.merged_into_id:
            return HttpResponsePermanentRedirect(reverse("remark_detail", args=[gone.merged_into_id]))
        return render(request, "statements/remark_withdrawn.html", {"remark": gone, "briefing": gone.briefing}, status=410)
    # The briefing's public remarks in one small query: place, neighbours and total.
    sequence = list(remark.briefing.remarks.published().values_list("pk", flat=True))
    index = sequence.index(remark.pk)
    permalink = request.build_absolute_uri(remark.get_absolute_url())
    reference = citations.Reference.for_remark(remark, len(sequence), permalink)
    passage = request.GET.get("passage", "")
    answer_html, passage_found = passages.render(remark.answer, passage, reported_speech=remark.briefing.news_report)
    translation = public_translation(remark)
    topics, entities = list(remark.topics.all()), list(remark.entities.all())
    heading = remark_heading(remark, remark.briefing, topics)
    # A result list links here with its search (?q=): the card quotes the sentence it matched.
    terms = parse_query(request.GET.get("q", "")).positive_terms
    card = share_card(remark, remark.briefing, permalink, passage if passage_found else "", terms)
    alternates = [(remark.briefing.language, permalink)]
    if translation:
        alternates.append((translation.language, request.build_absolute_uri(translation.get_absolute_url())))
    # x-default: the English page where there is one, the site being in English.
    default = next((url for language, url in alternates if language == "en"), permalink)
    return render(
        request,
        "statements/remark_detail.html",
        {
            "remark": remark,
            "heading": heading,
            "card": card,
            "card_image": request.build_absolute_uri(
                reverse("remark_card", args=[remark.pk]) + (f"?{urlencode({'q': request.GET['q']})}" if terms else "")
            ),
            "alternates": alternates,
            "x_default": default,
            "briefing": remark.briefing,
            "place": index + 1,
            "total": len(sequence),
            "previous_url": Remark(pk=sequence[index - 1]).get_absolute_url() if index > 0 else None,
            "next_url": Remark(pk=sequence[index + 1]).get_absolute_url()
            if index + 1 < len(sequence)
            else None,
            "permalink": permalink,
            "reference": reference,
            "citations": [(key, label, style(reference)) for key, label, style in citations.STYLES],
            "citation_downloads": [
                (label, reverse("remark_citation", args=[remark.pk, extension]))
                for extension, (_, _, label) in citations.DOWNLOADS.items()
            ],
            "answer_html": answer_html,
            "passage": passage if passage.strip() else "",
            "passage_found": passage_found,
            "translation": translation,
            "topics": topics,
            "entities": entities,
        },
    )


def remark_citation(request, pk, extension):
    """The remark's reference as a BibTeX, RIS or CSL-JSON file for reference managers."""
    if extension not in citations.DOWNLOADS:
        raise Http404("No such citation format.")
    try:
        remark = published_remark(pk)
    except Http404:
        # Like the permalink: a merged remark's reference is the survivor's, a withdrawn one is gone.
        if (gone := Remark.objects.taken_off(pk)) is None:
            raise
        if gone.merged_into_id:
            return HttpResponsePermanentRedirect(reverse("remark_citation", args=[gone.merged_into_id, extension]))
        return render(request, "statements/remark_withdrawn.html", {"remark": gone, "briefing": gone.briefing}, status=410)
    permalink = request.build_absolute_uri(remark.get_absolute_url())
    reference = citations.Reference.for_remark(remark, remark.briefing.remarks.published().count(), permalink)
    write, content_type, _ = citations.DOWNLOADS[extension]
    response = HttpResponse(write(reference), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="remark-{remark.pk}.{extension}"'
    return response


@cached_page
def briefing_list(request):
    params, filterset = briefing_filterset(request.GET, drop_unknown=True)
    if filterset.renamed:
        return renamed_redirect(request, params)
    if not filterset.is_valid():
        return bad_request(request, filterset.errors)
    cleaned = filterset.form.cleaned_data
    query, scope = (cleaned.get("q") or "").strip(), cleaned.get("scope") or "all"
    version = content_version()
    counts, ids = briefing_counts(filterset, version)
    results = IdsFirst(
        filterset.qs.order_by("-date", "-id"),
        counts["total"],
        rows=with_public_remark_counts(Briefing.objects.all()).select_related("ministry", "spokesperson"),
        months=months_in_order(counts, newest=True),
        cache_version=version if query else None,
        ids=ids,
    )
    facets = build_facets(filterset, BRIEFING_FACETS, params, counts["facets"])
    page = paginate(request, results, BRIEFINGS_PER_PAGE)
    if query:
        show_matching_remarks(page, query, scope)
    return render(
        request,
        "statements/briefing_list.html",
        {
            "filterset": filterset,
            "facets": facets,
            "active_filters": active_filters(filterset, params, facets),
            "page": page,
            "page_links": page_links(params, page),
            "search_hidden": querystrings.hidden_fields(params, "q", "scope"),
            "scopes": SCOPES.items(),
            "scope": scope,
            # The same search over remarks (the briefing filters mean other things there).
            "remarks_url": reverse("remark_list") + querystrings.with_values(QueryDict(), q=query, scope=scope)
            if query
            else None,
            "dates_hidden": querystrings.hidden_fields(params, "date_from", "date_to"),
        },
    )


def show_matching_remarks(briefings, query, scope):
    """Each briefing of a search's page: how many of its remarks match, and the first of them
    highlighted, linked in its transcript: the page's remarks, then which of them match."""
    public = Remark.objects.published()
    candidates = list(public.filter(briefing_id__in=[briefing.pk for briefing in briefings]).values_list("pk", flat=True))
    matches = matching(public, query, scope, among=candidates).order_by("briefing_id", "position").values_list("briefing_id", "pk")
    first, found = {}, Counter()
    for briefing_id, pk in matches:
        first.setdefault(briefing_id, pk)
        found[briefing_id] += 1
    remarks = Remark.objects.only("question", "answer", "briefing_id").in_bulk(first.values())
    terms = parse_query(query).positive_terms
    for briefing in briefings:
        briefing.match_count = found[briefing.pk]
        remark = remarks.get(first.get(briefing.pk))
        if remark is not None:
            briefing.first_match = remark
            briefing.match_html = highlight_remark(remark, terms, scope)


@cached_page
def briefing_detail(request, pk):
    briefing = get_object_or_404(
        Briefing.objects.published()
        .select_related("ministry", "spokesperson", "translation")
        .defer(*provenance_fields("", "translation__")),
        pk=pk,
    )
    # Public remarks, and a marker where a withdrawn one stood; merged duplicates are left out,
    # but a news report keeps a pointer where an exchange it reported is read in the transcript.
    shown = Q(is_public=True) | Q(withdrawn_at__isnull=False, merged_into__isnull=True)
    if briefing.news_report:
        shown |= Q(merged_into__is_public=True)
    remarks = briefing.remarks.filter(shown)
    return render_transcript(request, briefing, remarks)


def render_transcript(request, briefing, remarks, preview=False):
    """A briefing as the public reads it; with `preview`, a draft as it will read once published
    (staff only: statements/admin.py)."""
    translation = briefing.translation
    return render(
        request,
        "statements/briefing_detail.html",
        {
            "briefing": briefing,
            "remarks": remarks.select_related("speaker").prefetch_related("topics", "entities"),
            "translation": translation if translation and translation.is_published else None,
            "preview": preview,
        },
    )


def published_counts(facet):
    """(number of published remarks, {slug: count} of them per value of a facet)."""
    return remark_tally(Remark.objects.published(), QueryDict(), [facet], lambda counts: (
        counts["total"], {value: count for value, _, count in counts["facets"][facet.param]}
    ))


def top_values(rows, limit=10):
    return sorted(rows, key=lambda row: (-row[2], str(row[1]).lower()))[:limit]


def top_level_topics_with_counts(counts):
    """Topics as a tree, each with its number of published remarks from `counts` ({slug: n})."""
    topics = list(Topic.objects.public())
    for topic in topics:
        topic.remark_count = counts.get(topic.slug, 0)
        topic.subtopics = [t for t in topics if t.parent_id == topic.pk]
        for child in topic.subtopics:
            child.remark_count = counts.get(child.slug, 0)
    return [topic for topic in topics if topic.parent_id is None]


@cached_page
def topic_list(request):
    return render(request, "statements/topic_list.html", {"topics": top_level_topics_with_counts(published_counts(TOPIC_COUNTS)[1])})


def subject_figures(remarks, param, slug, tops):
    """Count, timeline and top related values for a topic, spokesperson or entity page.

    `param` and `slug` are the /remarks/ filter the page stands for; the timeline's bars and the
    related values link there. Counted by the search engine where there is one (catalogue.remark_tally).
    """
    def finish(counts):
        figures = {"remark_count": counts["total"], "months": counts["months"]}
        for key, facet in tops.items():
            rows = top_values(counts["facets"][facet.param], limit=11)
            figures[key] = [row for row in rows if not (facet.param == param and row[0] == slug)][:10]
        return figures

    state = QueryDict(mutable=True)
    state[param] = slug
    figures = remark_tally(remarks, state, list(tops.values()), finish)
    return {
        **figures,
        "timeline": build_histogram(figures["months"], state, base=reverse("remark_list")),
        "list_url": reverse("remark_list") + querystrings.with_values(state),
    }


@dataclass(frozen=True)
class SubjectPage:
    """A topic's, spokesperson's or entity's page: its remarks are those of the /remarks/ filter
    `param`, found through the remark's `field`; it shows their timeline, latest remarks and the
    related values `tops` counts, and has a feed."""

    param: str
    field: str
    feed: str
    tops: dict


TOPIC_PAGE = SubjectPage("topic", "topics", "topic_feed", {
    "top_topics": TOPIC_COUNTS, "top_spokespersons": SPEAKER_COUNTS, "top_entities": ENTITY_COUNTS,
})
SPOKESPERSON_PAGE = SubjectPage("spokesperson", "speaker", "spokesperson_feed", {
    "top_topics": TOPIC_COUNTS, "top_entities": ENTITY_COUNTS,
})
ENTITY_PAGE = SubjectPage("mentions", "entities", "entity_feed", {
    "top_topics": TOPIC_COUNTS, "top_spokespersons": SPEAKER_COUNTS, "top_entities": ENTITY_COUNTS,
})


def subject_page(page, subject, title):
    """What every subject page shows, for `subject` (a Topic, Spokesperson or Entity)."""
    remarks = Remark.objects.published().filter(**{page.field: subject})
    return {
        "feed_url": reverse(page.feed, args=[subject.slug]),
        "feed_title": f"{title} (Atom)",
        "latest": remarks.newest_first().for_listing()[:10],
        **subject_figures(remarks, page.param, subject.slug, page.tops),
    }


def follows_renames(model):
    """A subject page (and its feed) found under an old slug redirects; only then is history read."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, slug, **kwargs):
            try:
                return view(request, *args, slug=slug, **kwargs)
            except Http404:
                return renamed_or_404(request, model, slug)
        return wrapper
    return decorate


@cached_page
@follows_renames(Topic)
def topic_detail(request, slug):
    topic = get_object_or_404(Topic.objects.public().select_related("parent"), slug=slug)
    return render(request, "statements/topic_detail.html", {
        "topic": topic,
        "subtopics": topic.children.all(),
        **subject_page(TOPIC_PAGE, topic, f"Remarks on {topic.name}"),
    })


@cached_page
@follows_renames(Topic)
def topic_positions(request, slug):
    """Every remark on a topic, oldest first and condensed: how the wording changed."""
    topic = get_object_or_404(Topic.objects.public(), slug=slug)
    remarks = Remark.objects.published().filter(topics=topic)
    languages = remark_tally(
        remarks, QueryDict(f"topic={topic.slug}"), [LANGUAGE_COUNTS],
        lambda counts: {code: n for code, _, n in counts["facets"]["lang"]},
    )
    # One language at a time: a translated briefing would otherwise say everything twice.
    lang = request.GET.get("lang")
    if lang not in languages:
        lang = max(sorted(languages), key=languages.get, default=None)  # a tie: the first code
    if lang:
        remarks = remarks.filter(language=lang)
    listing = IdsFirst(remarks.oldest_first(), languages.get(lang, 0), rows=Remark.objects.select_related("speaker"))
    page = paginate(request, listing, POSITIONS_PER_PAGE)
    params = QueryDict(mutable=True)
    if lang:
        params["lang"] = lang
    return render(
        request,
        "statements/topic_positions.html",
        {
            "topic": topic,
            "page": page,
            "page_links": page_links(params, page),
            "lang": lang,
            "languages": [
                (code, label, languages[code], querystrings.with_value(params, "lang", code))
                for code, label in Briefing.Language.choices
                if code in languages
            ],
        },
    )


@cached_page
def compare_terms(request):
    """Up to three searches, their monthly frequency on one chart (statements/trends.py)."""
    params = querystrings.without_empty_values(request.GET)
    terms = list(dict.fromkeys(" ".join(term.split()) for term in params.getlist("term")))
    if len(terms) > trends.MAX_TERMS:
        return bad_request(request, {"term": [f"Compare at most {trends.MAX_TERMS} terms; {len(terms)} were given."]})
    try:
        lang, detected = trends.language(terms, params.getlist("lang"))
    except ValueError as error:
        return bad_request(request, {"lang": [str(error)]})
    base, per_term = trends.filtersets(terms, params, lang)
    for filterset in [base, *per_term]:
        if not filterset.is_valid():
            return bad_request(request, filterset.errors)
    series, totals = trends.compare(base, per_term, content_version()) if terms else ([], {})
    return render(
        request,
        "statements/compare.html",
        {
            "terms": terms,
            "series": series,
            "chart": trends.build_chart(series, totals) if series else None,
            "slots": [terms[i] if i < len(terms) else "" for i in range(trends.MAX_TERMS)],
            "hidden": querystrings.hidden_fields(params, "term", "q", "sort", "lang"),
            "lang": lang,
            "lang_chosen": params.get("lang", ""),
            "counted": trends.COUNTED[lang],
            "detected_name": trends.LANGUAGES[detected] if terms else "",
            "languages": trends.LANGUAGES.items(),
            "examples": [] if terms else trends.example_links(params),
        },
    )


@cached_page
def spokesperson_list(request):
    _, counts = published_counts(SPEAKER_COUNTS)
    spokespersons = list(Spokesperson.objects.public().select_related("ministry"))
    for spokesperson in spokespersons:
        spokesperson.remark_count = counts.get(spokesperson.slug, 0)
    return render(
        request, "statements/spokesperson_list.html", {"spokespersons": spokespersons}
    )


@cached_page
@follows_renames(Spokesperson)
def spokesperson_detail(request, slug):
    spokesperson = get_object_or_404(Spokesperson.objects.public().select_related("ministry"), slug=slug)
    hosted = spokesperson.briefings.published()
    return render(request, "statements/spokesperson_detail.html", {
        "spokesperson": spokesperson,
        "held": hosted.aggregate(count=Count("pk"), first=Min("date"), last=Max("date")),
        "briefings": with_public_remark_counts(hosted).select_related("ministry", "spokesperson").order_by("-date", "-id")[:10],
        **subject_page(SPOKESPERSON_PAGE, spokesperson, f"Remarks by {spokesperson.name}"),
    })


@cached_page
def entity_list(request):
    _, counts = published_counts(ENTITY_COUNTS)
    entities = list(Entity.objects.public())
    for entity in entities:
        entity.remark_count = counts.get(entity.slug, 0)
    return render(request, "statements/entity_list.html", {"entities": entities})


@cached_page
@follows_renames(Entity)
def entity_detail(request, slug):
    entity = get_object_or_404(Entity.objects.public(), slug=slug)
    return render(request, "statements/entity_detail.html", {
        "entity": entity,
        **subject_page(ENTITY_PAGE, entity, f"Remarks mentioning {entity.name}"),
    })


def warm_up():
    """What a worker's first request would otherwise pay, done as it starts (gunicorn's
    post_worker_init): every template compiled, the URLs resolved once, the search engine's
    index opened and brought up to date. A database that does not answer is left for the
    requests to meet (they answer 503). Then all that, which lives as long as the worker, is
    put out of the garbage collector's sight: a full collection walks what requests made,
    not Django's and the templates' objects (a 67 ms pause became 9, docs/benchmarks.md)."""
    for path in sorted((settings.BASE_DIR / "templates").rglob("*.html")):
        get_template(str(path.relative_to(settings.BASE_DIR / "templates")))
    reverse("remark_list")
    highlight("Warming up", parse_query("warm").positive_terms)  # the stemmer's module
    try:
        if (engine := search_engine()) is not None:
            engine.view()
    except DatabaseError:
        logger.warning("The search engine was not opened at start: the database did not answer", exc_info=True)
    gc.freeze()
