from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from . import editorial, translations
from .admin_import import import_view
from .admin_review import AutoTagAdmin, rule_preview_view  # noqa: F401 (registers the review queue)
from .models import (
    AutoTag,
    Briefing,
    Entity,
    Ministry,
    Outlet,
    Remark,
    Source,
    SourcePage,
    Spokesperson,
    Subscriber,
    Topic,
)
from .signals import BASELINE_REASON
from .tagging.apply import resolve_outlets
from .views import render_transcript


@admin.register(Ministry)
class MinistryAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "country", "language"]
    search_fields = ["name", "short_name", "country"]
    prepopulated_fields = {"slug": ["short_name"]}


class EditorialForm(forms.ModelForm):
    """Every content form: statements/editorial.py decides what its user may change."""

    # Set by the admin (EditorialAdmin.get_form) to whoever fills the form.
    user = None

    def clean(self):
        cleaned = super().clean()
        # Browsers send a textarea's line breaks as CRLF: stored as sent, every save of an
        # unchanged page would change the text (and its history) from "\n" to "\r\n".
        for name, value in cleaned.items():
            if isinstance(value, str) and "\r" in value:
                cleaned[name] = value.replace("\r\n", "\n").replace("\r", "\n")
        return cleaned

    def _post_clean(self):
        super()._post_clean()  # the form's values are on the instance now
        try:
            editorial.check_form_change(self.user, self.instance, set(self.fields))
        except ValidationError as error:
            self._update_errors(error)


class EditorialAdmin(SimpleHistoryAdmin):
    """History with diffs and restore (django-simple-history), forms that know their user."""

    form = EditorialForm

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})


class ReferenceAdmin(EditorialAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if editorial.may(request.user, editorial.PUBLISH) else [*fields, "listed"]


@admin.register(Spokesperson)
class SpokespersonAdmin(ReferenceAdmin):
    list_display = ["name", "native_name", "ministry", "term_start", "term_end", "listed"]
    list_filter = ["ministry", "listed"]
    search_fields = ["name", "native_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(ReferenceAdmin):
    list_display = ["name", "parent", "remark_count", "to_review", "listed"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter), "listed"]
    search_fields = ["name", "keywords", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "parent", "description", "listed"]}),
        (
            "Rule",
            {
                "fields": ["keywords", "context_words", "exclusions", "answer_matches", "tagged_from"],
                "description": "How imports and re-tagging find the topic in a remark. Preview a "
                "change below before saving; it applies to imports at once and to remarks already "
                "imported at the next re-tagging (manage.py retag).",
            },
        ),
    ]

    def get_urls(self):
        preview = self.admin_site.admin_view(lambda request, object_id: rule_preview_view(self, request, object_id))
        return [path("<int:object_id>/rule/", preview, name="statements_topic_rule_preview"), *super().get_urls()]

    @admin.display(description="To review")
    def to_review(self, obj):
        return review_link("topic", obj)

    def get_queryset(self, request):
        # Aggregating drops Meta.ordering, so the order is restated for the autocomplete pages.
        return (
            super()
            .get_queryset(request)
            .annotate(remark_count=Count("remarks"), pending=pending_tags("topic"))
            .order_by("name")
        )

    @admin.display(ordering="remark_count", description="Remarks")
    def remark_count(self, obj):
        return obj.remark_count


@admin.register(Entity)
class EntityAdmin(ReferenceAdmin):
    list_display = ["name", "name_zh", "iso_code", "kind", "to_review", "listed"]
    list_filter = ["kind", "listed"]
    search_fields = ["name", "name_zh", "iso_code", "aliases"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pending=pending_tags("entity"))

    @admin.display(description="To review")
    def to_review(self, obj):
        return review_link("entity", obj)


@admin.register(Outlet)
class OutletAdmin(ReferenceAdmin):
    list_display = ["name", "name_zh", "remark_count", "listed"]
    list_filter = ["listed"]
    search_fields = ["name", "name_zh", "aliases"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(remark_count=Count("remarks")).order_by("name")

    @admin.display(ordering="remark_count", description="Remarks")
    def remark_count(self, obj):
        return obj.remark_count

    def get_urls(self):
        unknown = self.admin_site.admin_view(self.unknown_view)
        return [path("unknown/", unknown, name="statements_outlet_unknown"), *super().get_urls()]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Its names may now be what some remarks' labels say: they follow at once.
        moved = resolve_outlets()
        if moved:
            self.message_user(request, f"{moved} remark(s) now say they were asked by another outlet.", messages.INFO)

    def unknown_view(self, request):
        """The outlets transcripts name that no outlet's name or alias is: for an editor to add
        as an outlet, or as an alias of one."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        labels = (
            Remark.objects.filter(asked_by__isnull=True).exclude(outlet="")
            .values("outlet").annotate(n=Count("pk")).order_by("-n", "outlet")[:500]
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Outlets named in transcripts and not known",
            "opts": self.model._meta,
            "labels": labels,
            "add_url": reverse("admin:statements_outlet_add"),
        }
        return TemplateResponse(request, "admin/statements/outlet/unknown.html", context)


def pending_tags(field):
    """How many automatic tags of a topic or entity nobody has reviewed, as an annotation."""
    pending = (
        AutoTag.objects.filter(**{field: OuterRef("pk")}, decision=AutoTag.Decision.PENDING)
        .order_by()
        .values(field)
        .annotate(count=Count("pk"))
        .values("count")[:1]
    )
    return Coalesce(Subquery(pending), 0)


def review_link(field, obj):
    """The tag's pending count (pending_tags), linked to the review queue filtered to it."""
    if not obj.pending:
        return "–"
    url = reverse("admin:statements_autotag_changelist") + f"?{field}__id__exact={obj.pk}"
    return format_html('<a href="{}">{}</a>', url, obj.pending)


class TagsToReviewFilter(admin.SimpleListFilter):
    """Remarks (or briefings with remarks) carrying automatic tags nobody has reviewed."""

    title = "automatic tags"
    parameter_name = "tags"
    lookup = "remark"  # from an AutoTag to the listed row

    def lookups(self, request, model_admin):
        return [("to-review", "Not reviewed"), ("reviewed", "All reviewed")]

    def queryset(self, request, queryset):
        pending = Exists(AutoTag.objects.filter(**{self.lookup: OuterRef("pk")}, decision=AutoTag.Decision.PENDING))
        if self.value() == "to-review":
            return queryset.filter(pending)
        if self.value() == "reviewed":
            return queryset.exclude(pending)
        return queryset


class BriefingTagsToReviewFilter(TagsToReviewFilter):
    lookup = "remark__briefing"


class ToCheckFilter(admin.SimpleListFilter):
    """Remarks (or briefings with remarks) the import asks an editor to check: an answer the
    page left without its label, a question with no answer found (Remark.review_note)."""

    title = "needs review"
    parameter_name = "check"
    prefix = ""  # from the listed row to its remarks' fields

    def lookups(self, request, model_admin):
        return [("yes", "To check"), ("no", "Nothing to check")]

    def queryset(self, request, queryset):
        flagged = Q(**{f"{self.prefix}review_note__gt": ""})
        if self.value() == "yes":
            return queryset.filter(flagged).distinct()
        if self.value() == "no":
            return queryset.exclude(flagged)
        return queryset


class BriefingToCheckFilter(ToCheckFilter):
    prefix = "remarks__"


admin.site.site_header = "Diplomatic statements: editing"
admin.site.site_title = "Diplomatic statements admin"
admin.site.index_title = "Briefings, remarks and reference data"
admin.site.site_url = "/"


class StaleEditCheck(EditorialForm):
    """Refuses to save a form opened on an older version of its object (models.Versioned).

    The version the form was opened on travels in a hidden field. If someone saved in between,
    the form comes back with the reader's edits, a message saying who changed what, and the
    hidden version moved on: saving again then overwrites knowingly, never silently.
    """

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Set by VersionedHistoryAdmin: a form opened on an old version, to restore it, is based on
    # the version stored now, not on the old one it shows.
    restoring = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = (
                type(self.instance).objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
                if self.restoring
                else self.instance.version
            )

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            return cleaned
        # Locked until the admin's transaction ends, so two saves cannot both pass this check.
        current = (
            type(self.instance).objects.select_for_update().filter(pk=self.instance.pk)
            .values_list("version", flat=True).first()
        )
        base = cleaned.get("base_version")
        if current is not None and base != current:
            self.data = self.data.copy()
            self.data[self.add_prefix("base_version")] = current
            raise ValidationError(stale_message(self.instance, base, current), code="stale")
        return cleaned


def stale_message(instance, base, current):
    noun = instance._meta.verbose_name
    history = instance.history.order_by("-history_date", "-history_id")
    latest, opened = history.first(), history.filter(version=base).first() if base else None
    who = f" by {latest.history_user}" if latest and latest.history_user else ""
    when = f" at {latest.history_date:%H:%M:%S}" if latest else ""
    changes = ""
    if latest and opened:
        shown = []
        for change in latest.diff_against(opened).changes:
            if change.field in {"version", "updated_at"}:
                continue
            old, new = where_they_differ(str(change.old), str(change.new))
            shown.append(f"{change.field}: “{old}” → “{new}”")
        changes = " What changed: " + "; ".join(shown) + "." if shown else ""
    return (
        f"This {noun} was changed{who}{when} after you opened it (version {base} → {current}).{changes} "
        "Your edits are kept below and nothing was saved: check them against the current "
        "version (open it in a new tab), then save again to keep yours."
    )


def where_they_differ(old, new, context=40):
    """Both values around their first difference, so a change at the end of a long answer
    reads as itself and not as two identical beginnings."""
    start = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old, end_new = end_old - 1, end_new - 1

    def excerpt(text, end):
        head = "…" if start > context else ""
        tail = "…" if end + context < len(text) else ""
        middle = text[max(0, start - context) : end + context]
        return head + Truncator(middle).chars(2 * context + 160) + tail

    return excerpt(old, end_old), excerpt(new, end_new)


class VersionedHistoryAdmin(EditorialAdmin):
    """For models with a StaleEditCheck form: one history row per save, restore checked like a save."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.restoring_version = True
        # Like the change view, in one transaction: the stale check locks the row it compares.
        with transaction.atomic():
            response = super().history_form_view(request, object_id, version_id, extra_context)
            if request.method == "POST" and response.status_code == 302:
                one_history_row(self.model.objects.get(pk=object_id), request.saving_since, RESTORED, created=False)
            return response

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"restoring": getattr(request, "restoring_version", False)})

    def get_fieldsets(self, request, obj=None):
        """The hidden version travels with every form the page renders, fieldsets or not."""
        fieldsets = super().get_fieldsets(request, obj)
        if any("base_version" in options["fields"] for _, options in fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "base_version"]}), *rest]

    def save_model(self, request, obj, form, change):
        request.saving_since = timezone.now()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        one_history_row(form.instance, request.saving_since, CHANGED if change else ADDED, created=not change)
        for formset in formsets:
            for obj in formset.new_objects:
                one_history_row(obj, request.saving_since, ON_BRIEFING_PAGE, created=True)
            for obj, _ in formset.changed_objects:
                one_history_row(obj, request.saving_since, ON_BRIEFING_PAGE, created=False)


ADDED, CHANGED, RESTORED = "Added in the admin", "Changed in the admin", "Restored an earlier version from History"
ON_BRIEFING_PAGE = "Changed on its briefing's page"


def one_history_row(obj, since, reason, created):
    """One admin save, one history row with a reason a reader can use. The model's save and each
    change of its topics or mentions write a row of their own (django-simple-history); the last
    one holds the whole saved state, so the others go. The baseline row is kept (signals.py)."""
    rows = obj.history.filter(history_date__gte=since).exclude(history_change_reason=BASELINE_REASON)
    latest = rows.order_by("-history_id").first()
    if latest is None:
        return
    rows.exclude(pk=latest.pk).delete()
    type(latest).objects.filter(pk=latest.pk).update(history_change_reason=reason, history_type="+" if created else "~")


class SpeakerFollowsHost:
    """The speaker field is left empty while the remark's speaker is the briefing's host, so a
    remark keeps following the host when it changes (models.Briefing._remarks_follow_host)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        remark = self.instance
        if remark.pk and remark.speaker_id and remark.briefing_id and remark.speaker_id == remark.briefing.spokesperson_id:
            self.initial["speaker"] = None
        if "speaker" in self.fields:
            self.fields["speaker"].help_text = "Left empty, it is the briefing's host (and follows it if the host changes)."


class RemarkInlineForm(SpeakerFollowsHost, StaleEditCheck):
    class Meta:
        model = Remark
        fields = [
            "position", "kind", "speaker", "outlet", "question", "answer",
            "topics", "entities",
        ]
        widgets = {
            "question": forms.Textarea(attrs={"rows": 3, "cols": 90}),
            "answer": forms.Textarea(attrs={"rows": 6, "cols": 90}),
        }

    def _get_validation_exclusions(self):
        # The position is checked across the whole formset (RemarkInlineFormSet.clean), not
        # against the rows as they stand in the database, which the same save may be moving.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("position")
        return exclusions


class RemarkInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        positions = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            position = form.cleaned_data.get("position")
            if position is None:
                continue
            if position in positions:
                form.add_error(
                    "position", f"Position {position} is already used by another remark here."
                )
            positions[position] = form

    def save(self, commit=True):
        if commit and self.instance.pk:
            moving = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk and "position" in form.changed_data
            ]
            deleted = [form.instance.pk for form in self.deleted_forms if form.instance.pk]
            editorial.park_positions(self.instance, Remark.objects.filter(pk__in=moving + deleted))
            # New remarks may take a position an existing remark is leaving.
        return super().save(commit=commit)


class RemarkInline(admin.StackedInline):
    model = Remark
    form = RemarkInlineForm
    formset = RemarkInlineFormSet
    extra = 1
    ordering = ["position"]
    autocomplete_fields = ["speaker", "topics", "entities"]
    show_change_link = True

    def get_extra(self, request, obj=None, **kwargs):
        return 2 if obj is None else 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"user": request.user})
        return formset

    def view_on_site(self, obj):
        return remark_on_site(obj)


def remark_on_site(remark):
    """The public permalink, or for a draft the staff preview of its briefing at the remark."""
    if remark.briefing.is_published:
        return remark.get_absolute_url()
    return reverse("admin:statements_briefing_preview", args=[remark.briefing_id]) + f"#remark-{remark.pk}"


class BriefingAdminForm(StaleEditCheck):
    class Meta:
        model = Briefing
        fields = "__all__"

    def save(self, commit=True):
        if "date" in self.changed_data:
            self.instance.date_source = "editor"  # where the date comes from now
        return super().save(commit)

    def clean(self):
        cleaned = super().clean()
        translation = cleaned.get("translation")
        if translation:
            if self.instance.pk and translation.pk == self.instance.pk:
                self.add_error("translation", "A briefing cannot be its own translation.")
            elif translation.language == cleaned.get("language"):
                self.add_error("translation", "The translation must be in another language.")
            elif translation.translation_id not in (None, self.instance.pk):
                # Linking would silently unlink that pair (Briefing._mirror_translation).
                self.add_error("translation", (
                    f"“{translation}” is already the translation of briefing #{translation.translation_id}; "
                    "unlink it there first."
                ))
        return cleaned


@admin.register(Briefing)
class BriefingAdmin(VersionedHistoryAdmin):
    form = BriefingAdminForm
    inlines = [RemarkInline]
    list_display = ["date", "title", "spokesperson", "language", "kind", "status", "remark_count"]
    list_display_links = ["date", "title"]
    list_filter = ["status", BriefingToCheckFilter, BriefingTagsToReviewFilter, "language", "kind", "ministry", "spokesperson"]
    search_fields = ["title", "source_url", "source_name"]
    date_hierarchy = "date"
    ordering = ["-date", "-id"]
    autocomplete_fields = ["spokesperson", "translation"]
    actions = ["publish", "unpublish"]
    readonly_fields = ["published_at", "created_at", "updated_at", "date_source"]
    fieldsets = [
        (None, {"fields": ["ministry", "date", "date_source", "kind", "language", "title", "spokesperson"]}),
        ("Source", {"fields": ["source_name", "source_url", "news_report", "translation"]}),
        ("Publication", {"fields": ["status", "published_at", "created_at", "updated_at"]}),
        (
            "Original transcript",
            {"fields": ["original_text"], "classes": ["collapse"]},
        ),
    ]

    def get_urls(self):
        urls = super().get_urls()
        importing = self.admin_site.admin_view(lambda request: import_view(self, request))
        preview = self.admin_site.admin_view(lambda request, object_id: preview_view(self, request, object_id))
        return [
            path("import/", importing, name="statements_briefing_import"),
            path("<int:object_id>/preview/", preview, name="statements_briefing_preview"),
            *urls,
        ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("spokesperson")
            .annotate(remark_count=Count("remarks"))
        )

    @admin.display(ordering="remark_count", description="Remarks")
    def remark_count(self, obj):
        return obj.remark_count

    def has_publish_permission(self, request):
        return editorial.may(request.user, editorial.PUBLISH)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("status")
        if obj is not None:
            fields.append("original_text")  # provenance: kept as received, never edited
        return fields

    def view_on_site(self, obj):
        # A draft is 404 on the public site; staff see it in the preview instead.
        if obj.is_published:
            return obj.get_absolute_url()
        return reverse("admin:statements_briefing_preview", args=[obj.pk])

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            editorial.renumber_positions(form.instance)
            if "translation" in form.changed_data:
                # An editor's link pairs the remarks as an import's would (statements/translations.py).
                translations.relink(form.instance, form.initial.get("translation"))

    @admin.action(description="Publish selected briefings", permissions=["publish"])
    def publish(self, request, queryset):
        """A page naming what goes public first (how many briefings and remarks, of which
        dates, how many remarks still to check); then every draft in one step."""
        if "apply" in request.POST:
            count = editorial.publish(request.user, queryset)
            self.message_user(request, f"Published {count} briefing(s).", messages.SUCCESS)
            return None
        drafts = queryset.exclude(status=Briefing.Status.PUBLISHED).order_by("date", "pk")
        summary = drafts.aggregate(
            remark_count=Count("remarks"), to_check=Count("remarks", filter=Q(remarks__review_note__gt="")),
            first=Min("date"), last=Max("date"),
        )
        return TemplateResponse(request, "admin/statements/briefing/publish.html", {
            **self.admin_site.each_context(request),
            "title": "Publish briefings",
            "opts": self.model._meta,
            "ids": list(drafts.values_list("pk", flat=True)),
            "shown": list(drafts[:PUBLISH_LISTED]),
            "summary": summary,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })

    @admin.action(description="Unpublish selected briefings", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = editorial.unpublish(request.user, queryset)
        self.message_user(request, f"Unpublished {count} briefing(s).", messages.SUCCESS)


# The confirmation page lists this many of the briefings it publishes, and counts them all.
PUBLISH_LISTED = 100


def preview_view(model_admin, request, object_id):
    """A briefing, draft or not, as the public will read it: only staff who may view it."""
    briefing = get_object_or_404(Briefing.objects.select_related("ministry", "spokesperson", "translation"), pk=object_id)
    if not model_admin.has_view_permission(request, briefing):
        raise PermissionDenied
    response = render_transcript(request, briefing, briefing.remarks.filter(merged_into__isnull=True), preview=True)
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response


class RemarkAdminForm(SpeakerFollowsHost, StaleEditCheck):
    class Meta:
        model = Remark
        fields = "__all__"


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=1000,
        help_text="Shown to readers on the permalink, which will answer 410 Gone.",
    )


@admin.register(Remark)
class RemarkAdmin(VersionedHistoryAdmin):
    form = RemarkAdminForm
    list_display = ["__str__", "briefing_date", "speaker", "kind", "outlet", "state", "to_check"]
    list_filter = [ToCheckFilter, TagsToReviewFilter, "kind", "briefing__status", "briefing__language", "speaker", "topics"]
    search_fields = ["question", "answer", "outlet", "briefing__title"]
    autocomplete_fields = ["briefing", "speaker", "topics", "entities"]
    list_select_related = ["briefing", "speaker"]
    readonly_fields = ["translation", "withdrawn_at", "withdrawal_note", "merged_into"]
    actions = ["withdraw", "restore", "merge"]
    date_hierarchy = "briefing__date"

    def has_withdraw_permission(self, request):
        return editorial.may(request.user, editorial.WITHDRAW)

    def has_merge_permission(self, request):
        return editorial.may(request.user, editorial.MERGE)

    @admin.action(description="Withdraw selected remarks (their permalinks answer 410)", permissions=["withdraw"])
    def withdraw(self, request, queryset):
        form = WithdrawForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            count = editorial.withdraw(request.user, queryset, form.cleaned_data["note"])
            self.message_user(request, f"Withdrew {count} remark(s).", messages.SUCCESS)
            return None
        remarks = list(queryset.filter(withdrawn_at__isnull=True, merged_into__isnull=True))
        return self.confirmation(request, "withdraw", remarks, form=form, title="Withdraw remarks")

    @admin.action(description="Restore selected withdrawn remarks", permissions=["withdraw"])
    def restore(self, request, queryset):
        count = editorial.restore(request.user, queryset)
        self.message_user(request, f"Restored {count} remark(s).", messages.SUCCESS)

    @admin.action(description="Merge duplicates: keep one, redirect the others (301)", permissions=["merge"])
    def merge(self, request, queryset):
        remarks = list(queryset.select_related("briefing").order_by("pk"))
        if len(remarks) < 2:
            self.message_user(request, "Select at least two remarks to merge.", messages.ERROR)
            return None
        chosen = request.POST.get("survivor") if "apply" in request.POST else None
        survivor = next((r for r in remarks if str(r.pk) == chosen), None)
        if survivor is None:
            return self.confirmation(request, "merge", remarks, title="Merge duplicate remarks")
        try:
            count = editorial.merge(request.user, remarks, survivor)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        self.message_user(request, f"Merged {count} remark(s) into remark {survivor.pk}.", messages.SUCCESS)
        return None

    def confirmation(self, request, action, remarks, title, form=None):
        return TemplateResponse(
            request,
            f"admin/statements/remark/{action}.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "remarks": remarks,
                "form": form,
                "action": action,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.display(description="State")
    def state(self, obj):
        if obj.merged_into_id:
            return f"merged into {obj.merged_into_id}"
        if obj.withdrawn_at:
            return "withdrawn"
        return "published" if obj.is_public else "draft"

    @admin.display(description="To check")
    def to_check(self, obj):
        return Truncator(obj.review_note).chars(60) if obj.review_note else "–"

    @admin.display(ordering="briefing__date", description="Date")
    def briefing_date(self, obj):
        return obj.briefing.date

    def view_on_site(self, obj):
        return remark_on_site(obj)


# --- The sync's sources (statements/sync.py, docs/importing.md: Keeping current) ---------------------

ATTENTION_SHOWN = 50


def _page_rows(pages):
    """A list of pages as links: the page on the ministry's site, its briefing here, and why."""
    rows = format_html_join(
        "",
        "<li><a href=\"{}\" rel=\"noopener noreferrer\">{}</a>{}{}{}</li>",
        (
            (
                page.url,
                page.title or page.url,
                format_html(" ({})", page.listing_date) if page.listing_date else "",
                format_html(" → <a href=\"{}\">briefing #{}</a>", reverse("admin:statements_briefing_change", args=[page.briefing_id]), page.briefing_id)
                if page.briefing_id else "",
                format_html("<br><small>{}</small>", Truncator(page.message).chars(400)) if page.message else "",
            )
            for page in pages
        ),
    )
    return format_html("<ul>{}</ul>", rows) if rows else "—"


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """Where the daily sync reads, and what its last run did: new drafts, pages that changed
    upstream after publication (never written without review), failures."""

    list_display = ["name", "language", "enabled", "last_run_at", "last_success_at", "new_drafts", "needs_review", "failed"]
    list_filter = ["enabled", "language"]
    search_fields = ["name", "slug", "listing_url"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = [
        "last_run_at", "last_success_at", "last_summary", "last_error",
        "needs_review_pages", "new_draft_pages", "failed_pages",
    ]
    fieldsets = [
        (None, {"fields": ["name", "slug", "listing_url", "language", "ministry", "format", "enabled"]}),
        ("Last run", {"fields": ["last_run_at", "last_success_at", "last_summary", "last_error"]}),
        ("Needs attention", {"fields": ["needs_review_pages", "new_draft_pages", "failed_pages"]}),
    ]

    def get_queryset(self, request):
        transcripts = Q(pages__is_listing=False)
        return super().get_queryset(request).annotate(
            needs_review_count=Count("pages", filter=transcripts & Q(pages__state=SourcePage.State.NEEDS_REVIEW)),
            failed_count=Count("pages", filter=transcripts & Q(pages__state=SourcePage.State.FAILED)),
        )

    @admin.display(description="New drafts (last run)")
    def new_drafts(self, obj):
        return (obj.last_counts or {}).get("created", 0)

    @admin.display(description="Changed upstream, needs review", ordering="needs_review_count")
    def needs_review(self, obj):
        return obj.needs_review_count or 0

    @admin.display(description="Failed pages", ordering="failed_count")
    def failed(self, obj):
        return obj.failed_count or 0

    @admin.display(description="Changed upstream, needs review")
    def needs_review_pages(self, obj):
        pages = obj.pages.filter(is_listing=False, state=SourcePage.State.NEEDS_REVIEW).order_by("-listing_date")
        return _page_rows(pages[:ATTENTION_SHOWN])

    @admin.display(description="New drafts of the last run")
    def new_draft_pages(self, obj):
        if obj.last_run_at is None:
            return "—"
        pages = obj.pages.filter(
            is_listing=False, imported_at__gte=obj.last_run_at, briefing__status=Briefing.Status.DRAFT
        ).order_by("-listing_date")
        return _page_rows(pages[:ATTENTION_SHOWN])

    @admin.display(description="Failed pages (retried by later runs)")
    def failed_pages(self, obj):
        pages = obj.pages.filter(is_listing=False, state=SourcePage.State.FAILED).order_by("-listing_date")
        total = pages.count()
        shown = _page_rows(pages[:ATTENTION_SHOWN])
        if total > ATTENTION_SHOWN:
            return format_html("{}<p>… and {} more.</p>", shown, total - ATTENTION_SHOWN)
        return shown


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """Email addresses are personal data: superusers only, read-only. Deleting one (an erasure
    request) takes its alerts and digests with it, as unsubscribing does."""

    list_display = ["email", "created_at", "confirmed_at", "alert_count"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    fields = ["email", "created_at", "confirmed_at", "confirmation_sent_at", "digested_until", "followed"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(alerts_total=Count("alerts"))

    @admin.display(description="Alerts", ordering="alerts_total")
    def alert_count(self, obj):
        return obj.alerts_total

    @admin.display(description="Follows")
    def followed(self, obj):
        rows = format_html_join(
            "", "<li>{}{}</li>", ((alert.label, "" if alert.confirmed_at else " (not confirmed)") for alert in obj.alerts.all())
        )
        return format_html("<ul>{}</ul>", rows) if rows else "—"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
