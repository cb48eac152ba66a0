"""An editor's decisions on automatic tags (the admin's review queue, statements/admin_review.py).

Accepting keeps a tag whatever the rules later say; rejecting takes it off the remark, and
re-tagging never puts it back (tagging/apply.py). Both go through the remark's own many-to-many
methods, so the counts' months move as for any other change of tags (signals.py).
"""

from django.db import transaction
from django.utils import timezone

from ..models import AutoTag


def accept(rows, user):
    """Accept these AutoTags; returns how many changed."""
    return rows.exclude(decision=AutoTag.Decision.ACCEPTED).update(
        decision=AutoTag.Decision.ACCEPTED, reviewed_by=user, reviewed_at=timezone.now()
    )


def reject(rows, user):
    """Reject these AutoTags and take their tags off their remarks; returns how many changed."""
    count = 0
    with transaction.atomic():
        for row in rows.exclude(decision=AutoTag.Decision.REJECTED).select_related("remark"):
            if row.topic_id:
                row.remark.topics.remove(row.topic_id)
            else:
                row.remark.entities.remove(row.entity_id)
            AutoTag.objects.filter(pk=row.pk).update(
                decision=AutoTag.Decision.REJECTED, reviewed_by=user, reviewed_at=timezone.now()
            )
            count += 1
    return count
