"""The admin's review of automatic tags, and the preview of a topic's rule.

The review queue lists the tags the rules put on remarks and no editor has looked at yet, per
topic or country, each with the words that matched marked in its remark. One click (or a key:
j/k to move, a to accept, r to reject) decides one tag; the list's actions decide a whole
filtered batch after reading it. Decisions stick: re-tagging never undoes them
(tagging/apply.py).

The rule preview runs a topic's rule as the form holds it, unsaved, over the latest remarks and
shows how many it would tag, how that differs from the tags the rule put on them now, and a
sample with the matching words marked.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from .models import AutoTag, Remark, Topic
from .tagging import review
from .tagging.rules import KEYWORD, TermMatcher, TopicRule, Words, split_lines

PASSAGE_WIDTH = 110


def marked_passages(text, terms, limit=2):
    """HTML: the stretches of `text` around the first `limit` matches of `terms`, each match in
    <mark>, the rest escaped; empty when nothing matches."""
    matches = TermMatcher([(term, KEYWORD) for term in terms]).find(Words(text))
    if not matches:
        return ""
    pieces, shown = [], 0
    for match in matches:
        if match.start < shown:
            continue
        start, end = max(shown, match.start - PASSAGE_WIDTH), min(len(text), match.end + PASSAGE_WIDTH)
        inside = [m for m in matches if m.start >= start and m.end <= end]
        html, position = [], start
        for m in inside:
            html += [escape(text[position : m.start]), "<mark>", escape(text[m.start : m.end]), "</mark>"]
            position = m.end
        html.append(escape(text[position:end]))
        pieces.append(("…" if start > 0 else "") + "".join(html) + ("…" if end < len(text) else ""))
        shown = end
        if len(pieces) == limit:
            break
    return mark_safe("<br>".join(pieces))


def tag_terms(row):
    return [term for term in row.matched.split(" · ") if term]


class DecisionFilter(admin.SimpleListFilter):
    """Not reviewed by default: the queue is what waits for an editor."""

    title = "decision"
    parameter_name = "decision"

    def lookups(self, request, model_admin):
        return [*AutoTag.Decision.choices, ("all", "All")]

    def choices(self, changelist):
        value = self.value() or AutoTag.Decision.PENDING
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or AutoTag.Decision.PENDING
        return queryset if value == "all" else queryset.filter(decision=value)


class KindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("topic", "Topics"), ("mention", "Countries and organisations")]

    def queryset(self, request, queryset):
        if self.value() == "topic":
            return queryset.filter(topic__isnull=False)
        if self.value() == "mention":
            return queryset.filter(entity__isnull=False)
        return queryset


class TagFilter(admin.RelatedOnlyFieldListFilter):
    """A topic or an entity among those the queue holds; every tag is one or the other, so no
    "empty" choice."""

    @property
    def include_empty_choice(self):
        return False


@admin.register(AutoTag)
class AutoTagAdmin(admin.ModelAdmin):
    list_display = ["tag_name", "remark_passage", "remark_link", "decision_buttons"]
    list_display_links = None
    list_filter = [DecisionFilter, KindFilter, ("topic", TagFilter), ("entity", TagFilter)]
    list_per_page = 50
    ordering = ["-remark__date", "-remark_id", "pk"]
    actions = ["accept_selected", "reject_selected"]
    readonly_fields = ["remark", "topic", "entity", "decision", "matched", "tagged_at", "reviewed_at", "reviewed_by"]

    class Media:
        css = {"all": ["statements/admin/review.css"]}
        js = ["statements/admin/review.js"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("topic", "entity", "remark__briefing")
            .defer("remark__briefing__original_text", "remark__briefing__imported_values")
        )

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Automatic tags to review", **(extra_context or {})})

    def has_add_permission(self, request):
        return False  # the rules add them

    def has_delete_permission(self, request, obj=None):
        return False  # a decision is kept; rejecting is how a tag goes

    def get_urls(self):
        decide = self.admin_site.admin_view(lambda request, pk, decision: self.decide_view(request, pk, decision))
        return [
            path("<int:pk>/decide/<str:decision>/", decide, name="statements_autotag_decide"),
            *super().get_urls(),
        ]

    @admin.display(description="Tag")
    def tag_name(self, row):
        kind = "Topic" if row.topic_id else "Mention"
        return format_html('<span class="review-kind">{}</span> <strong>{}</strong>', kind, row.tag)

    @admin.display(description="Where it matched")
    def remark_passage(self, row):
        remark, terms = row.remark, tag_terms(row)
        parts = []
        for label, text in (("Q", remark.question), ("A", remark.answer)):
            passage = marked_passages(text, terms)
            if passage:
                parts.append(format_html('<p class="review-passage" lang="{}"><b>{}:</b> {}</p>', remark.language or "en", label, passage))
        return mark_safe("".join(parts)) or format_html("<p>{}</p>", row.matched)

    @admin.display(description="Remark")
    def remark_link(self, row):
        remark = row.remark
        return format_html(
            '<a href="{}">#{}</a><br><span class="review-date">{}</span>',
            reverse("admin:statements_remark_change", args=[remark.pk]),
            remark.pk,
            remark.briefing.date,
        )

    @admin.display(description="Decide")
    def decision_buttons(self, row):
        # The buttons post the list's own form (its CSRF token) to the decision's address.
        accept = reverse("admin:statements_autotag_decide", args=[row.pk, "accept"])
        reject = reverse("admin:statements_autotag_decide", args=[row.pk, "reject"])
        if row.decision == AutoTag.Decision.PENDING:
            return format_html(
                '<button type="submit" class="review-accept" formaction="{}" title="Accept (a)">Accept</button> '
                '<button type="submit" class="review-reject" formaction="{}" title="Reject (r)">Reject</button>',
                accept,
                reject,
            )
        other, url = ("Reject", reject) if row.decision == AutoTag.Decision.ACCEPTED else ("Accept", accept)
        return format_html(
            '{} <button type="submit" class="review-{}" formaction="{}">{}</button>',
            row.get_decision_display(),
            other.lower(),
            url,
            other,
        )

    def decide_view(self, request, pk, decision):
        if request.method != "POST" or decision not in ("accept", "reject"):
            return redirect(reverse("admin:statements_autotag_changelist"))
        if not self.has_change_permission(request):
            raise PermissionDenied
        row = get_object_or_404(AutoTag, pk=pk)
        rows = AutoTag.objects.filter(pk=row.pk)
        if decision == "accept":
            review.accept(rows, request.user)
            self.message_user(request, f"Accepted {row.tag} on remark #{row.remark_id}.", messages.SUCCESS)
        else:
            review.reject(rows, request.user)
            self.message_user(request, f"Rejected {row.tag} on remark #{row.remark_id}: it is off the remark.", messages.SUCCESS)
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            back = reverse("admin:statements_autotag_changelist")
        return redirect(back)

    @admin.action(description="Accept the selected tags", permissions=["change"])
    def accept_selected(self, request, queryset):
        count = review.accept(queryset, request.user)
        self.message_user(request, f"Accepted {count} tag(s).", messages.SUCCESS)

    @admin.action(description="Reject the selected tags (they come off their remarks)", permissions=["change"])
    def reject_selected(self, request, queryset):
        count = review.reject(queryset, request.user)
        self.message_user(request, f"Rejected {count} tag(s).", messages.SUCCESS)


# --- A topic's rule, previewed ----------------------------------------------------------------

PREVIEW_REMARKS = 5000
PREVIEW_SAMPLE = 20


class RuleForm(forms.Form):
    """The rule's fields of the topic's form (Topic's help texts say what each does)."""

    keywords = forms.CharField(required=False, widget=forms.Textarea)
    context_words = forms.CharField(label="Context words", required=False, widget=forms.Textarea)
    exclusions = forms.CharField(required=False, widget=forms.Textarea)
    answer_matches = forms.IntegerField(label="Answer matches", min_value=1, max_value=100, required=False)
    tagged_from = forms.DateField(label="Tagged from", required=False, help_text="YYYY-MM-DD")


def rule_preview_view(model_admin, request, object_id):
    """The topic's rule as the form holds it (POSTed from the change form), or as saved (GET)."""
    topic = get_object_or_404(Topic, pk=object_id)
    if not model_admin.has_view_permission(request, topic):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = RuleForm(
        data,
        initial={
            "keywords": topic.keywords,
            "context_words": topic.context_words,
            "exclusions": topic.exclusions,
            "answer_matches": topic.answer_matches,
            "tagged_from": topic.tagged_from,
        },
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Preview the rule of {topic}",
        "topic": topic,
        "form": form,
        "opts": Topic._meta,
        "limit": PREVIEW_REMARKS,
        "change_url": reverse("admin:statements_topic_change", args=[topic.pk]),
    }
    if data is not None and not form.is_valid():
        return TemplateResponse(request, "admin/statements/topic/rule_preview.html", context)
    values = form.cleaned_data if data is not None else form.initial
    rule = TopicRule(
        split_lines(values["keywords"]), split_lines(values["exclusions"]), values["answer_matches"] or 2,
        split_lines(values["context_words"]),
    )
    tagged_from = values["tagged_from"]
    remarks = list(
        Remark.objects.order_by("-date", "-pk")
        .only("pk", "question", "answer", "date", "language")[:PREVIEW_REMARKS]
    )
    now_tagged = set(
        Remark.topics.through.objects.filter(topic=topic, remark_id__in=[r.pk for r in remarks]).values_list(
            "remark_id", flat=True
        )
    )
    would, sample = set(), []
    for remark in remarks:
        if tagged_from and remark.date and remark.date < tagged_from:
            continue
        decision = rule.decide(Words(remark.question), Words(remark.answer))
        if decision.tagged:
            would.add(remark.pk)
            if len(sample) < PREVIEW_SAMPLE:
                sample.append((remark, decision.terms, remark.pk not in now_tagged))
    rows = [
        {
            "remark": remark,
            "new": new,
            "terms": ", ".join(terms),
            "question": marked_passages(remark.question, terms),
            "answer": marked_passages(remark.answer, terms),
        }
        for remark, terms, new in sample
    ]
    context.update(
        read=len(remarks),
        would=len(would),
        now=len(now_tagged),
        gained=len(would - now_tagged),
        lost=len(now_tagged - would),
        rows=rows,
    )
    return TemplateResponse(request, "admin/statements/topic/rule_preview.html", context)

