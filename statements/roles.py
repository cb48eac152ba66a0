"""Who may do what in the admin, defined once and applied by `manage.py setup_roles`."""

from django.contrib.auth.models import Group, Permission

CONTENT_MODELS = ["briefing", "remark", "topic", "entity", "spokesperson"]

ROLES = {
    # Editors enter and correct briefings and publish them once reviewed.
    "Editors": [f"{action}_{model}" for model in CONTENT_MODELS for action in ("add", "change", "view")]
    + ["view_ministry", "publish_briefing"],
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
