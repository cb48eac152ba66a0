"""Keep the remarks' copies of their briefing's columns correct on every write.

post_save also fires for fixtures (raw saves), so loaddata, the admin and imports all pass here.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Briefing, Remark


@receiver(post_save, sender=Briefing, dispatch_uid="briefing-copies-to-remarks")
def copy_briefing_to_its_remarks(sender, instance, **kwargs):
    Remark.objects.filter(briefing_id=instance.pk).copy_from_briefing()


@receiver(post_save, sender=Remark, dispatch_uid="remark-copies-from-briefing")
def copy_briefing_to_saved_remark(sender, instance, **kwargs):
    Remark.objects.filter(pk=instance.pk).copy_from_briefing()
