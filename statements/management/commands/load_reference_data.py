from django.core.management.base import BaseCommand

from statements.tagging import reference
from statements.tagging.apply import resolve_outlets


class Command(BaseCommand):
    help = (
        "Load the reference data tagging reads: every country and territory (ISO 3166-1, names "
        "from CLDR), the international organisations briefings name, the outlets that ask (each "
        "remark's 'asked by' follows), and the default topics with their rules. Idempotent; an "
        "editor's changes to a name, an alias or a rule are kept. Run `retag` afterwards to apply "
        "changed rules to remarks already imported."
    )

    def handle(self, *args, **options):
        reports = reference.load()
        for kind, report in reports.items():
            self.stdout.write(f"{kind}: {report}")
            for instance, field in report.kept_edits:
                self.stdout.write(f"  kept the editor's {field} of {instance}")
        self.stdout.write(f"remarks: {resolve_outlets()} asked by another outlet than before")
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
