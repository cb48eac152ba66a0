import collections
import datetime
import itertools
import multiprocessing
import random
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction

from statements.models import bump_content_version
from statements.models import Briefing, Entity, Ministry, Remark, Spokesperson, Topic
from statements.search import search_backend
from statements.synthetic import OUTLETS, generate_chunk, zipf_pick, zipf_weights

CHUNK = 2000  # remarks generated per worker task and written per transaction
FIRST_YEAR, YEARS = 2006, 20
MINISTRIES = [
    ("Ministry of Foreign Affairs (synthetic A)", "MFA A", "China"),
    ("Ministry of Foreign Affairs (synthetic B)", "MFA B", "Japan"),
    ("Department of State (synthetic C)", "DoS C", "United States"),
    ("Foreign Office (synthetic D)", "FO D", "United Kingdom"),
]
TOPICS, ENTITIES, SPOKESPERSONS_PER_MINISTRY = 40, 80, 4


class Progress:
    def __init__(self, total, out):
        self.total, self.out, self.started, self.done = total, out, time.monotonic(), 0

    def advance(self, n):
        self.done += n
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed else 0
        filled = int(30 * self.done / self.total)
        self.out.write(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done:,}/{self.total:,} remarks "
            f"{rate:,.0f}/s",
            ending="",
        )
        self.out.flush()


class Command(BaseCommand):
    help = (
        "Add a synthetic corpus of N remarks for benchmarks: text learnt from the real remarks "
        "in fixtures/demo.json, twenty years of dates, several ministries, skewed topics."
    )

    def add_arguments(self, parser):
        parser.add_argument("--remarks", type=int, required=True, help="How many remarks to add.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (same seed, same corpus).")
        parser.add_argument(
            "--workers", type=int, default=None, help="Processes generating text (default: CPUs)."
        )

    def handle(self, *args, remarks, seed, workers, **options):
        if remarks < 1:
            raise CommandError("--remarks must be at least 1.")
        rng = random.Random(seed)
        started = time.monotonic()
        ministries, speakers, topics, entities = self.reference_data(seed)
        briefing_plan = self.plan_briefings(rng, remarks, ministries, speakers)
        self.stdout.write(
            f"{len(briefing_plan):,} briefings, {remarks:,} remarks, {len(topics)} topics, "
            f"{len(entities)} entities on {connection.vendor}"
        )
        backend = search_backend()
        announcements = self.plan_announcements(rng, briefing_plan)
        progress = Progress(remarks, self.stdout)
        topic_weights, entity_weights = zipf_weights(len(topics)), zipf_weights(len(entities))
        connections.close_all()  # workers are forked: they must not share the connection
        context = multiprocessing.get_context("fork")
        processes = workers or multiprocessing.cpu_count()
        batches = enumerate(self.remark_batches(briefing_plan, announcements))
        # A few batches of text ahead of the writes, never the whole corpus: memory stays that of
        # a few batches whatever the size (docs/benchmarks.md, "Building the corpus").
        with context.Pool(processes) as pool:
            def generate(index, batch):
                work = (seed * 1_000_003 + index * CHUNK, [(s["language"], s["kind"] == "qa") for s in batch], backend.payload)
                return batch, pool.apply_async(generate_chunk, (work,))

            pending = collections.deque(generate(*b) for b in itertools.islice(batches, 2 * processes))
            while pending:
                batch, generated = pending.popleft()
                rows = generated.get()
                pending.extend(generate(*b) for b in itertools.islice(batches, 1))
                self.write_batch(rng, batch, rows, topics, topic_weights, entities, entity_weights, backend)
                progress.advance(len(rows))
        self.stdout.write("")
        self.finish()
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Added {remarks:,} remarks in {len(briefing_plan):,} briefings in {elapsed:,.0f} s "
            f"({remarks / elapsed:,.0f} remarks/s)."
        ))

    def reference_data(self, seed):
        ministries = []
        for index, (name, short, country) in enumerate(MINISTRIES):
            ministry, _ = Ministry.objects.get_or_create(
                slug=f"synthetic-{index + 1}",
                defaults={"name": name, "short_name": short, "country": country},
            )
            ministries.append(ministry)
        speakers = {}
        for ministry in ministries:
            speakers[ministry.pk] = [
                Spokesperson.objects.get_or_create(
                    slug=f"{ministry.slug}-spokesperson-{n}",
                    defaults={"ministry": ministry, "name": f"Spokesperson {ministry.short_name} {n}"},
                )[0]
                for n in range(1, SPOKESPERSONS_PER_MINISTRY + 1)
            ]
        topics = [
            Topic.objects.get_or_create(slug=f"synthetic-topic-{n}", defaults={"name": f"Synthetic topic {n}"})[0]
            for n in range(1, TOPICS + 1)
        ]
        entities = [
            Entity.objects.get_or_create(slug=f"synthetic-entity-{n}", defaults={"name": f"Synthetic entity {n}"})[0]
            for n in range(1, ENTITIES + 1)
        ]
        return ministries, speakers, topics, entities

    def plan_briefings(self, rng, remarks, ministries, speakers):
        """Briefings of 5–35 remarks; the first ministry holds most of them, as the MFA does."""
        ministry_weights = zipf_weights(len(ministries), 1.5)
        plan, planned = [], 0
        days = YEARS * 365
        while planned < remarks:
            ministry = zipf_pick(rng, ministries, ministry_weights)
            size = min(rng.randint(5, 35), remarks - planned)
            plan.append(
                {
                    "ministry": ministry,
                    "speaker": rng.choice(speakers[ministry.pk]),
                    "date": datetime.date(FIRST_YEAR, 1, 1) + datetime.timedelta(days=rng.randrange(days)),
                    "language": "zh" if rng.random() < 0.3 else "en",
                    "status": Briefing.Status.DRAFT if rng.random() < 0.03 else Briefing.Status.PUBLISHED,
                    "size": size,
                }
            )
            planned += size
        with transaction.atomic():
            for start in range(0, len(plan), 5000):
                part = plan[start : start + 5000]
                created = Briefing.objects.bulk_create(
                    Briefing(
                        ministry=p["ministry"], spokesperson=p["speaker"], date=p["date"],
                        language=p["language"], status=p["status"],
                        kind=Briefing.Kind.PRESS_CONFERENCE,
                        title=f"{p['ministry'].short_name} press conference of {p['date']:%B %-d, %Y}",
                        source_name="Synthetic benchmark data",
                    )
                    for p in part
                )
                for p, briefing in zip(part, created):
                    p["briefing"] = briefing
        return plan

    @staticmethod
    def plan_announcements(rng, plan):
        """How many announcements open each briefing (the rest are questions and answers)."""
        return [rng.choice([0, 0, 0, 1, 2, 3]) for _ in plan]

    @staticmethod
    def remark_batches(plan, announcements):
        """The remarks to write, CHUNK at a time, made as they are needed."""
        batch = []
        for p, opening in zip(plan, announcements):
            for position in range(1, p["size"] + 1):
                batch.append(
                    {
                        "briefing_id": p["briefing"].pk,
                        "date": p["date"],
                        "public": p["status"] == Briefing.Status.PUBLISHED,
                        "ministry_id": p["ministry"].pk,
                        "speaker_id": p["speaker"].pk,
                        "language": p["language"],
                        "position": position,
                        "kind": "announcement" if position <= opening else "qa",
                    }
                )
                if len(batch) == CHUNK:
                    yield batch
                    batch = []
        if batch:
            yield batch

    def write_batch(self, rng, specs, rows, topics, topic_weights, entities, entity_weights, backend):
        with transaction.atomic():
            created = Remark.objects.bulk_create(
                Remark(
                    briefing_id=s["briefing_id"], position=s["position"], kind=s["kind"],
                    speaker_id=s["speaker_id"], question=question, answer=answer,
                    # bulk_create sends no signals: the briefing's copies are set here.
                    is_public=s["public"], date=s["date"], language=s["language"],
                    year_month=s["date"].year * 100 + s["date"].month, ministry_id=s["ministry_id"],
                    outlet=rng.choice(OUTLETS) if s["kind"] == "qa" and rng.random() < 0.4 else "",
                )
                for s, (question, answer, _) in zip(specs, rows)
            )
            topic_rows, entity_rows = set(), set()
            for remark in created:
                for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
                    topic_rows.add((remark.pk, zipf_pick(rng, topics, topic_weights).pk))
                for _ in range(rng.choice([0, 1, 1, 2, 3, 4])):
                    entity_rows.add((remark.pk, zipf_pick(rng, entities, entity_weights).pk))
            Remark.topics.through.objects.bulk_create(
                Remark.topics.through(remark_id=r, topic_id=t) for r, t in topic_rows
            )
            Remark.entities.through.objects.bulk_create(
                Remark.entities.through(remark_id=r, entity_id=e) for r, e in entity_rows
            )
            backend.write([(remark.pk, payload) for remark, (_, _, payload) in zip(created, rows)])

    def finish(self):
        """Fresh planner statistics, so the first benchmark sees the data as it is."""
        # bulk_create sends no signals: cached counts must go, and every month written gets a
        # token (a month without one is a month the search engine's index may drop).
        bump_content_version(Remark.objects.public_months())
        bump_content_version()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM ANALYZE statements_remark")
                cursor.execute("ANALYZE")
            elif connection.vendor == "sqlite":
                cursor.execute("ANALYZE")
        sys.stdout.flush()
