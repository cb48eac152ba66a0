from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from .models import POSITION_PARKING_OFFSET, Briefing, Entity, Ministry, Remark, Spokesperson, Topic


@admin.register(Ministry)
class MinistryAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "country"]
    search_fields = ["name", "short_name", "country"]
    prepopulated_fields = {"slug": ["short_name"]}


@admin.register(Spokesperson)
class SpokespersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "native_name", "ministry", "term_start", "term_end"]
    list_filter = ["ministry"]
    search_fields = ["name", "native_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
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
class EntityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


class StaleEditCheck(forms.ModelForm):
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
            old, new = (Truncator(str(value)).chars(80) for value in (change.old, change.new))
            shown.append(f"{change.field}: “{old}” → “{new}”")
        changes = " What changed: " + "; ".join(shown) + "." if shown else ""
    return (
        f"This {noun} was changed{who}{when} after you opened it (version {base} → {current}).{changes} "
        "Your edits are kept below and nothing was saved: check them against the current "
        "version (open it in a new tab), then save again to keep yours."
    )


class VersionedHistoryAdmin(SimpleHistoryAdmin):
    """History with diffs and restore (django-simple-history) for models with a StaleEditCheck form."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.restoring_version = True
        # Like the change view, in one transaction: the stale check locks the row it compares.
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if getattr(request, "restoring_version", False):
            form = type(form.__name__, (form,), {"restoring": True})
        return form


class RemarkInlineForm(StaleEditCheck):
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


class BriefingAdminForm(StaleEditCheck):
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
class BriefingAdmin(VersionedHistoryAdmin):
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
        if not self.has_publish_permission(request):
            # The status field is read-only for editors, but restoring an old version from the
            # history page sets every field: publishing stays with publishers either way.
            stored = Briefing.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
            if obj.status != (stored or Briefing.Status.DRAFT):
                obj.status = stored or Briefing.Status.DRAFT
                self.message_user(request, "Only publishers change whether a briefing is published; the status was kept.", messages.WARNING)
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


class RemarkAdminForm(StaleEditCheck):
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
    list_display = ["__str__", "briefing_date", "speaker", "kind", "outlet", "state"]
    list_filter = ["kind", "briefing__status", "briefing__language", "speaker", "topics"]
    search_fields = ["question", "answer", "outlet", "briefing__title"]
    autocomplete_fields = ["briefing", "speaker", "topics", "entities", "suggested_topics", "suggested_entities"]
    list_select_related = ["briefing", "speaker"]
    readonly_fields = ["translation", "withdrawn_at", "withdrawal_note", "merged_into"]
    actions = ["confirm_suggestions", "withdraw", "restore", "merge"]
    date_hierarchy = "briefing__date"

    @admin.action(description="Confirm their suggested topics and mentions", permissions=["change"])
    def confirm_suggestions(self, request, queryset):
        count = confirm_suggestions(queryset)
        self.message_user(request, f"Confirmed the suggestions of {count} remark(s).", messages.SUCCESS)

    def has_withdraw_permission(self, request):
        return request.user.has_perm("statements.withdraw_remark")

    def has_merge_permission(self, request):
        return request.user.has_perm("statements.merge_remark")

    @admin.action(description="Withdraw selected remarks (their permalinks answer 410)", permissions=["withdraw"])
    def withdraw(self, request, queryset):
        remarks = list(queryset.filter(withdrawn_at__isnull=True, merged_into__isnull=True))
        form = WithdrawForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            with transaction.atomic():
                for remark in remarks:
                    remark.withdraw(form.cleaned_data["note"])
            self.message_user(request, f"Withdrew {len(remarks)} remark(s).", messages.SUCCESS)
            return None
        return self.confirmation(request, "withdraw", remarks, form=form, title="Withdraw remarks")

    @admin.action(description="Restore selected withdrawn remarks", permissions=["withdraw"])
    def restore(self, request, queryset):
        remarks = list(queryset.filter(withdrawn_at__isnull=False))
        with transaction.atomic():
            for remark in remarks:
                remark.restore()
        self.message_user(request, f"Restored {len(remarks)} remark(s).", messages.SUCCESS)

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
            with transaction.atomic():
                for remark in remarks:
                    if remark.pk != survivor.pk:
                        remark.merge_into(survivor)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        self.message_user(
            request, f"Merged {len(remarks) - 1} remark(s) into remark {survivor.pk}.", messages.SUCCESS
        )
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

    @admin.display(ordering="briefing__date", description="Date")
    def briefing_date(self, obj):
        return obj.briefing.date

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.briefing.is_published else None
