"""Keep derived data correct on every write: the remarks' copies of their briefing's columns,
and the content version that keys cached counts (countcache.py).

The version changes exactly when what the public sees may change: any write to a published
briefing or a public remark, to a briefing or remark entering or leaving the public site, and to
the reference data that names facets (ministries, spokespersons, topics, entities). Work on
drafts — most of an editor's day — leaves every cached count valid. Each change also says which
months of counts it can move (models.bump_content_version), so the next visitor waits for
those months only.

post_save also fires for fixtures (raw saves), so loaddata, the admin and imports all pass here.
Bulk writes that send no signals (QuerySet.update, bulk_create) bump the version themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from .models import AutoTag, Briefing, Entity, Ministry, Outlet, Remark, Spokesperson, Topic, bump_content_version


@receiver(post_save, sender=Briefing, dispatch_uid="briefing-copies-to-remarks")
def copy_briefing_to_its_remarks(sender, instance, **kwargs):
    Remark.objects.filter(briefing_id=instance.pk).copy_from_briefing()


@receiver(post_save, sender=Remark, dispatch_uid="remark-copies-from-briefing")
def copy_briefing_to_saved_remark(sender, instance, **kwargs):
    Remark.objects.filter(pk=instance.pk).copy_from_briefing()


# Models whose every change is kept (django-simple-history).
HISTORY_MODELS = [Spokesperson, Topic, Entity, Outlet, Briefing, Remark]


BASELINE_REASON = "State before the first recorded change"


def keep_the_state_before_the_first_recorded_change(sender, instance, raw=False, **kwargs):
    """Rows written without history (fixtures, bulk imports, rows older than the history
    tables) get their stored state recorded before their first change, so it can be restored."""
    if raw or instance._state.adding or not instance.pk or instance.history.exists():
        return
    stored = sender.objects.filter(pk=instance.pk).first()
    if stored is not None:
        sender.history.bulk_history_create([stored], default_change_reason=BASELINE_REASON)


for model in HISTORY_MODELS:
    pre_save.connect(keep_the_state_before_the_first_recorded_change, sender=model, dispatch_uid=f"history-baseline-{model.__name__}")


# The fields of reference data that cached counts read: the facet value (slug) and the label
# the facet shows (facets.RelatedFacet.label_field). Counts are kept with their labels, so a
# rename recounts everything; any other field (a description, a term of office, aliases) shows
# only on pages rendered afresh under the new version, and no count moves.
COUNTED_FIELDS = {
    Ministry: {"slug", "short_name"},
    Spokesperson: {"slug", "name"},
    Topic: {"slug", "name"},
    Entity: {"slug", "name"},
    Outlet: {"slug", "name"},
}


def note_counted_fields_before(sender, instance, raw=False, **kwargs):
    stored = sender.objects.filter(pk=instance.pk).values(*COUNTED_FIELDS[sender]).first() if instance.pk else None
    instance._counted_fields_before = stored


def reference_saved(sender, instance, created, **kwargs):
    stored = getattr(instance, "_counted_fields_before", None)
    if created:  # no remark refers to it yet, so no count can move
        bump_content_version(months=())
    elif stored is None or any(getattr(instance, name) != value for name, value in stored.items()):
        bump_content_version()
    else:
        bump_content_version(months=())


def reference_deleted(sender, **kwargs):
    bump_content_version()  # its tags go with it, in every month they were in


for model in COUNTED_FIELDS:
    pre_save.connect(note_counted_fields_before, sender=model, dispatch_uid=f"counted-fields-{model.__name__}")
    post_save.connect(reference_saved, sender=model, dispatch_uid=f"content-version-save-{model.__name__}")
    post_delete.connect(reference_deleted, sender=model, dispatch_uid=f"content-version-delete-{model.__name__}")


@receiver(pre_save, sender=Briefing, dispatch_uid="briefing-public-months-before")
def note_public_months_before(sender, instance, raw=False, **kwargs):
    instance._public_months_before = Briefing.objects.filter(pk=instance.pk).public_months() if instance.pk else set()


@receiver(post_save, sender=Briefing, dispatch_uid="briefing-content-version")
def briefing_saved(sender, instance, **kwargs):
    # Its remarks are seen to by copy_from_briefing; /briefings/ counts the briefing itself in
    # its month, before and after the change, while it is published.
    months = getattr(instance, "_public_months_before", set()) | Briefing.objects.filter(pk=instance.pk).public_months()
    if months:
        bump_content_version(months)


@receiver(pre_delete, sender=Briefing, dispatch_uid="briefing-public-months-before-delete")
@receiver(pre_delete, sender=Remark, dispatch_uid="remark-public-months-before-delete")
def note_public_months_before_delete(sender, instance, **kwargs):
    # Read from the database: the instance may have been loaded before a change to its row.
    instance._public_months_before = sender.objects.filter(pk=instance.pk).public_months()


@receiver(post_delete, sender=Briefing, dispatch_uid="briefing-deleted-content-version")
@receiver(post_delete, sender=Remark, dispatch_uid="remark-deleted-content-version")
def deleted(sender, instance, **kwargs):
    # A briefing's remarks are deleted with it, each passing here.
    if months := getattr(instance, "_public_months_before", None):
        bump_content_version(months)


def remark_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    # Forward (remark.topics.add): the remark; reverse (topic.remarks.add): the remarks in pk_set.
    # Asked of the database, since an instance's is_public may predate its briefing's publication.
    remark_ids = [instance.pk] if not reverse else pk_set
    if remark_ids is None:  # a tag's remarks all cleared: which months is not known here
        bump_content_version()
    elif months := Remark.objects.filter(pk__in=remark_ids).public_months():
        bump_content_version(months)


for through in (Remark.topics.through, Remark.entities.through):
    m2m_changed.connect(remark_tags_changed, sender=through, dispatch_uid=f"content-version-m2m-{through.__name__}")


def editor_changed_tags(sender, instance, action, reverse, pk_set, **kwargs):
    """An editor's hand on a remark's tags outside the review queue (the remark's form, a
    merge) is a decision too: an automatic tag taken off is rejected, so re-tagging never puts
    it back; a rejected one put back is accepted. The tagger writes its own rows in
    bulk (tagging/apply.py), which sends no signal, and so never passes here."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    field = "topic" if sender is Remark.topics.through else "entity"
    if reverse:
        rows = AutoTag.objects.filter(**{f"{field}_id": instance.pk})
        rows = rows if pk_set is None else rows.filter(remark_id__in=pk_set)
    else:
        rows = AutoTag.objects.filter(remark_id=instance.pk, **{f"{field}__isnull": False})
        rows = rows if pk_set is None else rows.filter(**{f"{field}_id__in": pk_set})
    if action == "post_add":
        rows.filter(decision=AutoTag.Decision.REJECTED).update(decision=AutoTag.Decision.ACCEPTED, reviewed_at=timezone.now())
    else:
        rows.exclude(decision=AutoTag.Decision.REJECTED).update(decision=AutoTag.Decision.REJECTED, reviewed_at=timezone.now())


for through in (Remark.topics.through, Remark.entities.through):
    m2m_changed.connect(editor_changed_tags, sender=through, dispatch_uid=f"tag-decisions-{through.__name__}")
