"""Who may do what in the admin, defined once and applied by `manage.py setup_roles`.

Editors enter and correct content but cannot publish or delete; Publishers also publish,
withdraw and merge. Nobody but a superuser deletes: a withdrawn remark keeps its permalink.
"""

from django.contrib.auth.models import Group, Permission

CONTENT_MODELS = ["briefing", "remark", "topic", "entity", "spokesperson"]

EDITING = [f"{action}_{model}" for model in CONTENT_MODELS for action in ("add", "change", "view")] + [
    "view_ministry"
]

ROLES = {
    "Editors": EDITING,
    "Publishers": EDITING + ["publish_briefing", "withdraw_remark", "merge_remark"],
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
