from django.core.management.base import BaseCommand

from statements.roles import setup_roles


class Command(BaseCommand):
    help = "Create or update the admin groups (Editors, Publishers) with exactly their permissions. Idempotent."

    def handle(self, *args, **options):
        summary = setup_roles()
        for name, count in summary.items():
            self.stdout.write(f"{name}: {count} permissions")
        self.stdout.write(self.style.SUCCESS(f"{len(summary)} role(s) up to date."))
