from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db.models import OuterRef, Subquery

from statements import countcache
from statements.facets import combine, counts_by_month, engine_counts
from statements.filters import RemarkFilter
from statements.models import Briefing, Remark
from statements.catalogue import REMARK_FACETS, remark_counts_computation
from statements.search.engine import day_number, search_engine


class Command(BaseCommand):
    help = (
        "Recompute what the site derives and compare it with what is stored: each remark's copies "
        "of its briefing's columns (visibility, date, month, language, ministry), its speaker where "
        "the briefing has a host, the month counts cached for the unfiltered remark list, and the "
        "search engine's counts of every facet of all remarks and its list of their briefings. "
        "Prints each difference and exits with an error when there is one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="Print at most this many differences (default 50).")

    def handle(self, *args, limit, **options):
        checked, differences = 0, []
        for remark in remark_rows():
            checked += 1
            differences += remark_differences(remark)
        differences += cached_count_differences()
        differences += engine_count_differences()
        for line in differences[:limit]:
            self.stdout.write(line)
        if len(differences) > limit:
            self.stdout.write(f"… and {len(differences) - limit} more")
        summary = f"{checked} remarks, the cached counts of /remarks/ and the search engine checked: {len(differences)} difference(s)."
        if differences:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))


def remark_rows():
    briefing = Briefing.objects.filter(pk=OuterRef("briefing_id"))
    return (
        Remark.objects.order_by("pk")
        .annotate(**{
            f"briefing_{name}": Subquery(briefing.values(name)[:1])
            for name in ("status", "date", "language", "ministry", "spokesperson")
        })
        .values(
            "pk", "is_public", "date", "year_month", "language", "ministry", "speaker", "withdrawn_at",
            "merged_into", "briefing_status", "briefing_date", "briefing_language", "briefing_ministry",
            "briefing_spokesperson",
        )
        .iterator(chunk_size=5000)
    )


def remark_differences(row):
    """What the copies should be, computed here on their own (models.RemarkQuerySet.copy_from_briefing)."""
    date = row["briefing_date"]
    expected = {
        "is_public": row["briefing_status"] == Briefing.Status.PUBLISHED
        and row["withdrawn_at"] is None
        and row["merged_into"] is None,
        "date": date,
        "year_month": date.year * 100 + date.month if date else None,
        "language": row["briefing_language"],
        "ministry": row["briefing_ministry"],
    }
    if row["speaker"] is None and row["briefing_spokesperson"] is not None:
        expected["speaker"] = row["briefing_spokesperson"]
    return [
        f"remark {row['pk']}: {name} is {row[name]!r}, should be {value!r}"
        for name, value in expected.items()
        if row[name] != value
    ]


def cached_count_differences():
    """Months whose cached counts are still current (their token has not moved) must equal a
    fresh count: a write that forgot to move a month's token shows here."""
    filterset = RemarkFilter({}, queryset=Remark.objects.published())
    filterset.is_valid()
    kept = cache.get(remark_counts_computation(filterset).key("months"))
    if kept is None:
        return []
    tokens = countcache.month_tokens()
    if kept["tokens"].get(countcache.EVERY_MONTH) != tokens.get(countcache.EVERY_MONTH):
        return []
    current = {m for m, counts in kept["per_month"].items() if kept["tokens"].get(m) == tokens.get(m)}
    fresh = countcache._normalised(counts_by_month(filterset, REMARK_FACETS, current)) if current else {}
    return [
        f"cached counts of month {month} differ from a fresh count"
        for month in sorted(current)
        if +kept["per_month"][month] != +fresh.get(month, countcache.Counter())
    ]


def month_differences(indexed, stored):
    """The index's months against the database's ({first day of month: remarks}), named."""
    def named(days):
        return ", ".join(day.strftime("%Y-%m") for day in sorted(days))

    only_indexed = indexed.keys() - stored.keys()
    only_stored = stored.keys() - indexed.keys()
    unequal = {day for day in indexed.keys() & stored.keys() if indexed[day] != stored[day]}
    return [
        f"search engine: {what} {named(days)}"
        for what, days in (
            ("months the database does not hold:", only_indexed),
            ("months missing from the index:", only_stored),
            ("months counted unlike the database:", unequal),
        )
        if days
    ]


def engine_count_differences():
    """The search engine, brought up to date, counts every facet value of all public remarks as
    the database does: an index that missed a change, or holds a draft, shows here."""
    engine = search_engine()
    if engine is None:
        return []
    engine.sync()
    filterset = RemarkFilter({}, queryset=Remark.objects.published())
    filterset.is_valid()
    counted = engine_counts(filterset, REMARK_FACETS)
    if counted is None or engine.fault:
        return [f"search engine: the index cannot be used ({engine.fault or 'not whole'}); pages count in the database"]
    fresh = combine(counts_by_month(filterset, REMARK_FACETS), REMARK_FACETS)
    differences = []
    if counted["total"] != fresh["total"]:
        differences.append(f"search engine: {counted['total']} remarks, the database {fresh['total']}")
    differences += month_differences(counted["months"], fresh["months"])
    for param, rows in fresh["facets"].items():
        if sorted(counted["facets"][param]) != sorted(rows):
            differences.append(f"search engine: the counts of {param} differ from the database's")
    # What /briefings/ counts and sorts a search by: each briefing of a public remark, with its
    # own values (search/engine.py, BRIEFING_KEY).
    briefings = engine.briefings([])
    listed = set(briefings.rows()) if briefings is not None else set()
    stored = {
        (day_number(date), pk, host or 0, ministry, kind, language)
        for date, pk, host, ministry, kind, language in Briefing.objects.filter(remarks__in=Remark.objects.published())
        .distinct()
        .values_list("date", "pk", "spokesperson", "ministry", "kind", "language")
    }
    if listed != stored:
        differences.append(f"search engine: {len(listed ^ stored)} briefing(s) listed unlike the database")
    return differences
