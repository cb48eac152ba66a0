"""Who may do what in the admin, defined once and applied by `manage.py setup_roles`.

Editors enter and correct content but cannot publish or delete; Publishers also publish,
withdraw, merge and manage the sync's sources. Nobody but a superuser deletes: a withdrawn remark keeps its permalink.
"""

from django.contrib.auth.models import Group, Permission

CONTENT_MODELS = ["briefing", "remark", "topic", "entity", "outlet", "spokesperson"]

EDITING = [f"{action}_{model}" for model in CONTENT_MODELS for action in ("add", "change", "view")] + [
    "view_ministry",
    "view_source",  # what the daily sync did: new drafts, pages to review, failures
    # The review queue of automatic tags: deciding is changing; the rules add them.
    "view_autotag",
    "change_autotag",
]

ROLES = {
    "Editors": EDITING,
    # Publishers also decide where the sync reads (a source brings drafts in every day).
    "Publishers": EDITING + ["publish_briefing", "withdraw_remark", "merge_remark", "add_source", "change_source"],
}


def setup_roles():
    """Create or update each group so it has exactly its listed permissions. Idempotent."""
    summary = {}
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = list(
            Permission.objects.filter(content_type__app_label="statements", codename__in=codenames)
        )
        missing = set(codenames) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"Unknown permissions for {name}: {sorted(missing)}; run migrate first.")
        group.permissions.set(permissions)
        summary[name] = len(permissions)
    return summary
