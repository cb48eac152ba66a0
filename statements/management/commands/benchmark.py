import random
import statistics
import time
from itertools import combinations
from urllib.parse import quote_plus

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from statements.models import Remark, Spokesperson, Topic
from statements.search import matching
from statements.views import warm_up


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def rare_search(published, total, rng):
    """The rare page's search (scripts/compare_datasette.py asks for it too): a word in about
    one remark in ten thousand (at least one); where every word of the sample is far commoner
    (a synthetic corpus's small vocabulary), two of the rarest together: the search that must
    answer in tens of milliseconds."""
    # In key order: unordered, PostgreSQL may start a scan anywhere (synchronised scans) and
    # the same data gave two different searches.
    sample = published.order_by("pk").values_list("answer", flat=True)[:200]
    words = sorted({w.strip(".,;:?!\"“”()").lower() for text in sample for w in text.split()})
    words = [w for w in words if w.isalpha() and len(w) > 6]
    rng.shuffle(words)
    target = max(1, total // 10_000)
    found = {word: matching(published, word).count() for word in words[:60]}
    rarest = sorted((word for word, n in found.items() if n), key=found.get)[:8]
    if rarest and found[rarest[0]] > 10 * target:
        found.update({f"{a} {b}": matching(published, f"{a} {b}").count() for a, b in combinations(rarest, 2)})
    found = {search: n for search, n in found.items() if n}
    if not found:
        raise CommandError("No rare word found; pass --rare-word.")
    return min(found, key=lambda search: abs(found[search] - target))


class Command(BaseCommand):
    help = (
        "Time a fixed mix of pages through the full Django stack (URL routing, views, templates, "
        "database) and print p50/p95/max per page, its query count and its slowest SQL with the "
        "plan. Run it on a corpus built by seed_synthetic."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20, help="Timed requests per page.")
        parser.add_argument("--warmup", type=int, default=2, help="Untimed requests per page first.")
        parser.add_argument("--only", nargs="*", default=None, help="Benchmark only these page names.")
        parser.add_argument("--rare-word", default=None, help="Search for the rare page: a word or two (default: found in the data).")
        parser.add_argument("--no-explain", action="store_true", help="Skip the plans of the slowest SQL.")
        parser.add_argument("--seed", type=int, default=1, help="Seed choosing the permalinks.")
        parser.add_argument(
            "--cold", action="store_true",
            help="Empty the cache before every request: time the counting itself, not the cached figures.",
        )
        parser.add_argument(
            "--after-change", action="store_true",
            help="Before every request, edit the newest public remark as the admin would (rolled back "
            "at the end): what the first visitor after a publication waits.",
        )

    def handle(self, *args, after_change, **options):
        if not after_change:
            return self.measure(**options)
        # The edits and the content versions they move are rolled back; cached entries made
        # meanwhile are keyed by tokens that never become visible.
        newest = Remark.objects.published().order_by("-date", "-pk").first()
        with transaction.atomic():
            self.measure(**options, before_each=lambda: self.edit(newest))
            transaction.set_rollback(True)

    @staticmethod
    def edit(remark):
        remark.answer = remark.answer[:-1] if remark.answer.endswith(" ") else remark.answer + " "
        remark.save()

    def measure(self, *, runs, warmup, only, rare_word, no_explain, seed, cold, before_each=None, **options):
        published = Remark.objects.published()
        total = published.count()
        if total < 100:
            raise CommandError("Too few remarks to measure; run seed_synthetic first.")
        pages = self.page_mix(published, total, rare_word, seed, runs + warmup)
        if only:
            pages = {name: urls for name, urls in pages.items() if name in only}
        warm_up()  # as each gunicorn worker does when it starts (config/gunicorn.conf.py)
        client = Client(HTTP_HOST="127.0.0.1")
        cache_note = (
            "cache emptied before every request" if cold
            else "the newest remark edited before every request" if before_each
            else "cache warm after the warm-up"
        )
        self.stdout.write(f"{total:,} published remarks on {connection.vendor}; {runs} runs per page; {cache_note}\n")
        header = f"{'page':<16} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}  url"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        slowest = []
        for name, urls in pages.items():
            timings = []
            for index, url in enumerate(urls):
                if cold:
                    cache.clear()
                if before_each:
                    before_each()
                started = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
                if index >= warmup:
                    timings.append(elapsed)
            if cold:
                cache.clear()
            if before_each:
                before_each()
            with CaptureQueriesContext(connection) as captured:
                client.get(urls[-1])
            worst = max(captured.captured_queries, key=lambda q: float(q["time"]))
            slowest.append((name, urls[-1], worst))
            self.stdout.write(
                f"{name:<16} {statistics.median(timings):>8.1f} {percentile(timings, 0.95):>8.1f} "
                f"{max(timings):>8.1f} {len(captured.captured_queries):>8}  {urls[-1]}"
            )
        if not no_explain:
            for name, url, query in slowest:
                self.stdout.write(f"\n== {name}: slowest SQL ({float(query['time']) * 1000:.1f} ms) for {url}")
                self.stdout.write(query["sql"][:2000])
                self.stdout.write(self.explain(query["sql"]))

    def page_mix(self, published, total, rare_word, seed, count):
        rng = random.Random(seed)
        ids = list(published.order_by().values_list("pk", flat=True)[: max(1000, count)])
        top_topic = (
            Topic.objects.annotate(n=Count("remarks")).order_by("-n").values_list("slug", flat=True).first()
        )
        speaker = (
            Spokesperson.objects.annotate(n=Count("remarks")).order_by("-n").values_list("slug", flat=True).first()
        )
        year = published.order_by("-briefing__date").values_list("briefing__date__year", flat=True).first()
        rare = rare_word or rare_search(published, total, rng)
        last_page = (total + 19) // 20
        fixed = {
            "unfiltered": "/remarks/",
            "common: china": "/remarks/?q=china",
            "common: coop.": "/remarks/?q=cooperation",
            f"rare: {rare[:9]}": f"/remarks/?q={quote_plus(rare)}",
            "phrase": "/remarks/?q=%22two+sides%22",
            # English's commonest pair of words: half the remarks, a phrase of two long lists.
            "common phrase": "/remarks/?q=%22of+the%22",
            # Chinese is asked by its pairs of characters (text/analysis.analyze_cased): the
            # commonest pair, a lone character (found inside words), a phrase, a long stretch.
            "zh word: 中国": f"/remarks/?q={quote_plus('中国')}",
            "zh char: 美": f"/remarks/?q={quote_plus('美')}",
            "zh: 中美关系": f"/remarks/?q={quote_plus('中美关系')}",
            "zh stretch": f"/remarks/?q={quote_plus('关系持续健康稳定发展')}",
            "three filters": f"/remarks/?topic={top_topic}&spokesperson={speaker}&year={year}",
            "deep page": f"/remarks/?page={min(500, last_page)}",
            "briefings: china": "/briefings/?q=china",
            "home": "/",
            "topic page": f"/topics/{top_topic}/",
        }
        pages = {"permalink": [f"/remarks/{rng.choice(ids)}/" for _ in range(count)]}
        pages.update({name: [url] * count for name, url in fixed.items()})
        return pages

    def explain(self, sql):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join("  " + " ".join(str(c) for c in row) for row in cursor.fetchall())
