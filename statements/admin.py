from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, F, Max
from django.urls import path

from .models import POSITION_PARKING_OFFSET, Briefing, Entity, Ministry, Remark, Spokesperson, Topic


@admin.register(Ministry)
class MinistryAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "country"]
    search_fields = ["name", "short_name", "country"]
    prepopulated_fields = {"slug": ["short_name"]}


@admin.register(Spokesperson)
class SpokespersonAdmin(admin.ModelAdmin):
    list_display = ["name", "native_name", "ministry", "term_start", "term_end"]
    list_filter = ["ministry"]
    search_fields = ["name", "native_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "remark_count"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "keywords", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]

    def get_queryset(self, request):
        # Aggregating drops Meta.ordering, so the order is restated for the autocomplete pages.
        return super().get_queryset(request).annotate(remark_count=Count("remarks")).order_by("name")

    @admin.display(ordering="remark_count", description="Remarks")
    def remark_count(self, obj):
        return obj.remark_count


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


class RemarkInlineForm(forms.ModelForm):
    class Meta:
        model = Remark
        fields = [
            "position", "kind", "speaker", "outlet", "question", "answer",
            "topics", "entities", "suggested_topics", "suggested_entities",
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
            Remark.objects.filter(pk__in=moving + deleted).update(
                position=F("position") + POSITION_PARKING_OFFSET
            )
            # New remarks may take a position an existing remark is leaving.
        return super().save(commit=commit)


class RemarkInline(admin.StackedInline):
    model = Remark
    form = RemarkInlineForm
    formset = RemarkInlineFormSet
    extra = 1
    ordering = ["position"]
    autocomplete_fields = ["speaker", "topics", "entities", "suggested_topics", "suggested_entities"]
    show_change_link = True

    def get_extra(self, request, obj=None, **kwargs):
        return 2 if obj is None else 1

    def view_on_site(self, obj):
        # A draft briefing's remarks are 404 on the public site: no link to them.
        return obj.get_absolute_url() if obj.briefing.is_published else None


class BriefingAdminForm(forms.ModelForm):
    class Meta:
        model = Briefing
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        translation = cleaned.get("translation")
        if translation:
            if self.instance.pk and translation.pk == self.instance.pk:
                self.add_error("translation", "A briefing cannot be its own translation.")
            elif translation.language == cleaned.get("language"):
                self.add_error("translation", "The translation must be in another language.")
        return cleaned


@admin.register(Briefing)
class BriefingAdmin(admin.ModelAdmin):
    form = BriefingAdminForm
    inlines = [RemarkInline]
    list_display = ["date", "title", "spokesperson", "language", "kind", "status", "remark_count"]
    list_display_links = ["date", "title"]
    list_filter = ["status", "language", "kind", "ministry", "spokesperson"]
    search_fields = ["title", "source_url", "source_name"]
    date_hierarchy = "date"
    ordering = ["-date", "-id"]
    autocomplete_fields = ["spokesperson", "translation"]
    actions = ["publish", "unpublish", "confirm_suggestions"]
    readonly_fields = ["published_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["ministry", "date", "kind", "language", "title", "spokesperson"]}),
        ("Source", {"fields": ["source_name", "source_url", "translation"]}),
        ("Publication", {"fields": ["status", "published_at", "created_at", "updated_at"]}),
        (
            "Original transcript",
            {"fields": ["original_text"], "classes": ["collapse"]},
        ),
    ]

    def get_urls(self):
        from .admin_import import import_view

        urls = super().get_urls()
        view = self.admin_site.admin_view(lambda request: import_view(self, request))
        return [path("import/", view, name="statements_briefing_import"), *urls]

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
        return request.user.has_perm("statements.publish_briefing")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            fields.append("status")
        return fields

    def view_on_site(self, obj):
        # Drafts are 404 on the public site, so only published briefings get the link.
        return obj.get_absolute_url() if obj.is_published else None

    def save_model(self, request, obj, form, change):
        if obj.is_published:
            obj.publish()  # stamps published_at the first time
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            renumber_positions(form.instance)

    @admin.action(description="Publish selected briefings", permissions=["publish"])
    def publish(self, request, queryset):
        count = 0
        for briefing in queryset.exclude(status=Briefing.Status.PUBLISHED):
            briefing.publish()
            briefing.save(update_fields=["status", "published_at", "updated_at"])
            count += 1
        self.message_user(request, f"Published {count} briefing(s).", messages.SUCCESS)

    @admin.action(description="Confirm the suggested topics and mentions of their remarks", permissions=["change"])
    def confirm_suggestions(self, request, queryset):
        count = confirm_suggestions(Remark.objects.filter(briefing__in=queryset))
        self.message_user(request, f"Confirmed the suggestions of {count} remark(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected briefings", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = queryset.filter(status=Briefing.Status.PUBLISHED).update(
            status=Briefing.Status.DRAFT
        )
        self.message_user(request, f"Unpublished {count} briefing(s).", messages.SUCCESS)


def renumber_positions(briefing):
    """Close gaps and undo parking so positions read 1, 2, 3… in the editor's order."""
    remarks = list(briefing.remarks.order_by("position", "pk").only("pk", "position"))
    if all(remark.position == index for index, remark in enumerate(remarks, start=1)):
        return
    top = briefing.remarks.aggregate(top=Max("position"))["top"] or 0
    # Two passes so no intermediate state collides with the unique constraint.
    briefing.remarks.update(position=F("position") + top + POSITION_PARKING_OFFSET)
    for index, remark in enumerate(remarks, start=1):
        Remark.objects.filter(pk=remark.pk).update(position=index)


def confirm_suggestions(remarks):
    """Turn import suggestions into topics and mentions, and clear them."""
    count = 0
    with transaction.atomic():
        for remark in remarks.prefetch_related("suggested_topics", "suggested_entities"):
            topics, entities = list(remark.suggested_topics.all()), list(remark.suggested_entities.all())
            if not (topics or entities):
                continue
            remark.topics.add(*topics)
            remark.entities.add(*entities)
            remark.suggested_topics.clear()
            remark.suggested_entities.clear()
            count += 1
    return count


@admin.register(Remark)
class RemarkAdmin(admin.ModelAdmin):
    list_display = ["__str__", "briefing_date", "speaker", "kind", "outlet"]
    list_filter = ["kind", "briefing__status", "briefing__language", "speaker", "topics"]
    search_fields = ["question", "answer", "outlet", "briefing__title"]
    autocomplete_fields = ["briefing", "speaker", "topics", "entities", "suggested_topics", "suggested_entities"]
    list_select_related = ["briefing", "speaker"]
    readonly_fields = ["translation"]
    actions = ["confirm_suggestions"]

    @admin.action(description="Confirm their suggested topics and mentions", permissions=["change"])
    def confirm_suggestions(self, request, queryset):
        count = confirm_suggestions(queryset)
        self.message_user(request, f"Confirmed the suggestions of {count} remark(s).", messages.SUCCESS)
    date_hierarchy = "briefing__date"

    @admin.display(ordering="briefing__date", description="Date")
    def briefing_date(self, obj):
        return obj.briefing.date

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.briefing.is_published else None
