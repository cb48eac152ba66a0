"""Keep derived data correct on every write: the remarks' copies of their briefing's columns,
and the content version that keys cached counts (countcache.py).

post_save also fires for fixtures (raw saves), so loaddata, the admin and imports all pass here.
Bulk writes that send no signals (QuerySet.update, bulk_create) bump the version themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from .countcache import bump_content_version
from .models import Briefing, Entity, Ministry, Remark, Spokesperson, Topic

CONTENT_MODELS = [Ministry, Spokesperson, Topic, Entity, Briefing, Remark]


@receiver(post_save, sender=Briefing, dispatch_uid="briefing-copies-to-remarks")
def copy_briefing_to_its_remarks(sender, instance, **kwargs):
    Remark.objects.filter(briefing_id=instance.pk).copy_from_briefing()


@receiver(post_save, sender=Remark, dispatch_uid="remark-copies-from-briefing")
def copy_briefing_to_saved_remark(sender, instance, **kwargs):
    Remark.objects.filter(pk=instance.pk).copy_from_briefing()


# Models whose every change is kept (django-simple-history).
HISTORY_MODELS = [Spokesperson, Topic, Entity, Briefing, Remark]


def keep_the_state_before_the_first_recorded_change(sender, instance, raw=False, **kwargs):
    """Rows written without history (fixtures, bulk imports, rows older than the history
    tables) get their stored state recorded before their first change, so it can be restored."""
    if raw or instance._state.adding or not instance.pk or instance.history.exists():
        return
    stored = sender.objects.filter(pk=instance.pk).first()
    if stored is not None:
        sender.history.bulk_history_create([stored], default_change_reason="State before the first recorded change")


for model in HISTORY_MODELS:
    pre_save.connect(keep_the_state_before_the_first_recorded_change, sender=model, dispatch_uid=f"history-baseline-{model.__name__}")


def content_changed(sender, **kwargs):
    bump_content_version()


for model in CONTENT_MODELS:
    post_save.connect(content_changed, sender=model, dispatch_uid=f"content-version-save-{model.__name__}")
    post_delete.connect(content_changed, sender=model, dispatch_uid=f"content-version-delete-{model.__name__}")
for through in (Remark.topics.through, Remark.entities.through):
    m2m_changed.connect(content_changed, sender=through, dispatch_uid=f"content-version-m2m-{through.__name__}")
