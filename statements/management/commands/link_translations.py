from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from statements import translations
from statements.importers.base import title_kind
from statements.management.commands.sync_transcripts import iso_date
from statements.models import Briefing


def pairs(briefings):
    return {tuple(sorted(pair)) for pair in briefings.exclude(translation=None).values_list("pk", "translation")}


class Command(BaseCommand):
    help = (
        "Read the kind of each imported briefing from its title again and link translations as an "
        "import does now (statements/translations.py): for an archive imported before the rules "
        "changed, or after the reference data did. A kind an editor changed is kept; an existing "
        "link is never removed, only named when the remarks do not bear it out. --dry-run writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", type=iso_date, help="Only briefings dated on or after YYYY-MM-DD.")
        parser.add_argument("--until", type=iso_date, help="Only briefings dated on or before YYYY-MM-DD.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would change; write nothing.")

    def handle(self, *args, since, until, dry_run, **options):
        if since and until and since > until:
            raise CommandError("--since is after --until.")
        briefings = Briefing.objects.filter(news_report=False).order_by("date", "pk")
        if since:
            briefings = briefings.filter(date__gte=since)
        if until:
            briefings = briefings.filter(date__lte=until)
        rekinded, notes = 0, []
        with transaction.atomic():
            for briefing in briefings:
                rekinded += self.read_kind_again(briefing)
            linked_before = pairs(briefings)
            for briefing in briefings.select_related("ministry"):
                found = []
                translations.link_imported(briefing, found)
                notes += [f"#{briefing.pk} ({briefing.date}, {briefing.get_language_display()}): {note}" for note in found]
            linked_now = pairs(briefings)
            if dry_run:
                transaction.set_rollback(True)
        self.stdout.write(
            f"{'Would read' if dry_run else 'Read'} the kind again of {rekinded} briefing(s); "
            f"{len(linked_now - linked_before)} more pair(s) of translations linked "
            f"({len(linked_now)} in all); {len(notes)} note(s) for an editor."
        )
        for note in notes:
            self.stdout.write(f"  {note}")

    @staticmethod
    def read_kind_again(briefing):
        """1 when the title names another kind than the one the import set (and no editor changed it)."""
        kind = title_kind(briefing.title)
        imported = (briefing.imported_values or {}).get("kind")
        if kind is None or kind == briefing.kind or imported != briefing.kind:
            return 0
        briefing.kind = kind
        briefing.imported_values = {**briefing.imported_values, "kind": kind}
        briefing._change_reason = "Kind read again from the title (manage.py link_translations)"
        briefing.save()
        return 1
