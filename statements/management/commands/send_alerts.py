from django.core.management.base import BaseCommand, CommandError

from statements import alerts


class Command(BaseCommand):
    help = (
        "Email each subscriber one digest of the remarks its alerts matched that were published "
        "since its last one (docs/alerts.md). Run it daily from cron or a systemd timer. It first "
        "sends what an interrupted run wrote but did not send; running it again, or twice at once, "
        "never puts a remark in a second digest."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be sent, and send and write nothing.",
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        summary = alerts.run(dry_run=dry_run, progress=self.stdout.write if verbosity > 1 else None)
        self.stdout.write(str(summary))
        if summary.failed:
            # A non-zero exit, so that cron mails it and systemd marks the unit failed.
            raise CommandError(f"{summary.failed} digest(s) could not be sent; the next run tries again.")
