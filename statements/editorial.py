"""Editorial operations, and the one rule of who may change what the public sees.

Visibility changes in five ways: a briefing's status, a remark's withdrawal, a merge, a remark
entering or leaving a published briefing (added to one, or moved between briefings), and a topic,
entity or spokesperson listed before a published remark uses it (models.ReferenceQuerySet).
Editors correct text and tags, published or not; only Publishers change visibility
(statements/roles.py). Every write path passes here: the admin's forms and inlines, History →
Revert (which builds the same forms), and the list actions.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import POSITION_PARKING_OFFSET, Briefing, Remark

PUBLISH = "statements.publish_briefing"
WITHDRAW = "statements.withdraw_remark"
MERGE = "statements.merge_remark"


def may(user, permission):
    return user is not None and user.has_perm(permission)


def require(user, permission, doing):
    if not may(user, permission):
        raise PermissionDenied(f"Only publishers {doing}.")


def check_form_change(user, instance, form_fields):
    """Called by each admin form once its values are on `instance` (statements/admin.py).

    A form changes only what it shows: every other field keeps its stored value, so History →
    Revert restores text and tags but never a withdrawal, a merge, a publication date or a
    status the page did not offer. Changes of visibility the form does show need the permission.
    Raises ValidationError (by field) for what the user may not do.
    """
    stored = type(instance).objects.filter(pk=instance.pk).first() if instance.pk else None
    if stored is not None:
        for field in instance._meta.concrete_fields:
            if field.name not in form_fields and not field.primary_key and field.name != "version":
                setattr(instance, field.attname, getattr(stored, field.attname))
    if isinstance(instance, Briefing):
        _check_status(user, instance, stored)
    elif isinstance(instance, Remark):
        _check_placement(user, instance, stored)
    elif hasattr(instance, "listed") and instance.listed != bool(stored and stored.listed) and not may(user, PUBLISH):
        raise ValidationError({"listed": "Only publishers list a topic, entity or spokesperson before it is used."})


def _check_status(user, briefing, stored):
    before = stored.status if stored else Briefing.Status.DRAFT
    if briefing.status != before and not may(user, PUBLISH):
        raise ValidationError({"status": "Only publishers publish or unpublish a briefing."})


def _check_placement(user, remark, stored):
    """A remark's briefing decides whether it is public: adding it to a published briefing
    publishes it, moving it between a draft and a published briefing publishes or unpublishes it."""
    if stored is not None and stored.briefing_id == remark.briefing_id:
        return
    # An inline's briefing is the one on the same page, as posted: read its status there.
    try:
        now_published = remark.briefing.is_published
    except Briefing.DoesNotExist:  # no briefing chosen: the form says so
        now_published = False
    was_published = stored is not None and stored.briefing.is_published
    if was_published and not now_published:
        raise ValidationError({"briefing": (
            f"Remark {stored.pk} belongs to a published briefing: moved into a draft, its permalink "
            "would stop working. Withdraw it instead, or move it to another published briefing."
        )})
    if now_published and not was_published and not may(user, PUBLISH):
        if stored is None:
            message = ("This briefing is published: a remark added to it is public at once, which only "
                       "publishers do. Ask a publisher, or add it while the briefing is a draft.")
        else:
            message = "Moving a draft remark into a published briefing publishes it, which only publishers do."
        raise ValidationError({"briefing" if stored is not None else NON_FIELD_ERRORS: message})


def publish(user, briefings):
    require(user, PUBLISH, "publish briefings")
    return publish_drafts(briefings, user)


def publish_drafts(briefings, user=None):
    """Every draft among `briefings` published in one transaction, however many: one UPDATE
    (the remarks' copies and the months' tokens follow it: BriefingQuerySet.update) and a
    history row each, written in bulk. A briefing published before keeps its first
    publication date. One save per briefing took 25-44 s for a few hundred (issue 28).
    `user`: who, for the history; None for the operator's command."""
    with transaction.atomic():
        # Locked by a plain query of the rows: the admin's queryset is annotated (counts), and
        # PostgreSQL refuses FOR UPDATE with GROUP BY.
        drafts = Briefing.objects.filter(pk__in=briefings.values("pk")).exclude(status=Briefing.Status.PUBLISHED)
        ids = list(drafts.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        now = timezone.now()
        Briefing.objects.filter(pk__in=ids).update(
            status=Briefing.Status.PUBLISHED, published_at=Coalesce("published_at", Value(now)), updated_at=now,
        )
        Briefing.history.bulk_history_create(
            list(Briefing.objects.filter(pk__in=ids)), update=True, default_user=user,
            default_change_reason="Published", default_date=now,
        )
    return len(ids)


def unpublish(user, briefings):
    """One save per briefing, like any edit: its version moves, so a form opened before the
    unpublishing is stale and cannot publish it again by saving."""
    require(user, PUBLISH, "unpublish briefings")
    count = 0
    with transaction.atomic():
        for briefing in briefings.filter(status=Briefing.Status.PUBLISHED):
            briefing.status = Briefing.Status.DRAFT
            briefing._change_reason = "Unpublished"
            briefing.save(update_fields=["status", "updated_at"])
            count += 1
    return count


def withdraw(user, remarks, note):
    require(user, WITHDRAW, "withdraw remarks")
    remarks = list(remarks.filter(withdrawn_at__isnull=True, merged_into__isnull=True))
    with transaction.atomic():
        for remark in remarks:
            remark._change_reason = f"Withdrawn: {note}"[:100]
            remark.withdraw(note)
    return len(remarks)


def restore(user, remarks):
    require(user, WITHDRAW, "restore withdrawn remarks")
    remarks = list(remarks.filter(withdrawn_at__isnull=False))
    with transaction.atomic():
        for remark in remarks:
            remark._change_reason = "Restored after its withdrawal"
            remark.restore()
    return len(remarks)


def merge(user, remarks, survivor):
    """Merge every remark of `remarks` but the survivor into it; all or nothing."""
    require(user, MERGE, "merge remarks")
    merged = [remark for remark in remarks if remark.pk != survivor.pk]
    with transaction.atomic():
        for remark in merged:
            remark._change_reason = f"Merged into remark {survivor.pk}"
            remark.merge_into(survivor)
    return len(merged)


def park_positions(briefing, remarks=None):
    """Move remarks of a briefing (all, or the queryset `remarks`) above every position it uses,
    so that positions can be handed out again without two remarks ever sharing one (the unique
    constraint holds at every statement). The one way the admin, imports and renumbering do it."""
    top = briefing.remarks.aggregate(top=Max("position"))["top"] or 0
    (briefing.remarks.all() if remarks is None else remarks).update(position=F("position") + top + POSITION_PARKING_OFFSET)


def renumber_positions(briefing):
    """Close gaps and undo parking so positions read 1, 2, 3… in the editor's order."""
    remarks = list(briefing.remarks.order_by("position", "pk").only("pk", "position"))
    if all(remark.position == index for index, remark in enumerate(remarks, start=1)):
        return
    park_positions(briefing)
    for index, remark in enumerate(remarks, start=1):
        Remark.objects.filter(pk=remark.pk).update(position=index)
