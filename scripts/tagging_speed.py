"""What tagging costs an import, and how fast `retag` goes (docs/benchmarks.md, "Tagging").

Imports every page of the shared MFA corpus into an empty SQLite database, timing
store_briefing alone (the pages are parsed beforehand), with the tagging of issue 24 and with
tagging replaced by nothing; alternates the two, RUNS times each, and prints the medians.

    .venv/bin/python scripts/tagging_speed.py [--corpus ../shared/corpus/mfa] [--runs 3]
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_run(corpus, tagging):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from statements import import_store
    from statements.importers import Hints, TranscriptError, parse_transcript
    from statements.tagging.apply import TagReport

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0, stdout=open(os.devnull, "w"))
    if not tagging:
        import_store.tag_remarks = lambda remarks, *args, **kwargs: TagReport()
    rows = list(csv.DictReader((corpus / "manifest.tsv").open(encoding="utf-8"), delimiter="\t"))
    parsed = []
    for row in rows:
        try:
            parsed.append(parse_transcript((corpus / row["path"]).read_bytes(), Hints(source_url=row["source_url"]), filename=row["path"]))
        except TranscriptError:
            pass
    started = time.perf_counter()
    for page in parsed:
        import_store.store_briefing(page, create_spokespersons=True)
    elapsed = time.perf_counter() - started
    from statements.models import AutoTag, Remark

    print(f"{elapsed:.3f} {Remark.objects.count()} {AutoTag.objects.count()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared/corpus/mfa"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", choices=["with", "without"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if args.one:
        return one_run(corpus, args.one == "with")
    times = {"with": [], "without": []}
    for _ in range(args.runs):
        for mode in ("without", "with"):
            with tempfile.TemporaryDirectory() as directory:
                env = {**os.environ, "DATABASE_URL": f"sqlite:///{directory}/speed.sqlite3", "SEARCH_ENGINE_DIR": f"{directory}/engine"}
                out = subprocess.run([sys.executable, __file__, "--corpus", str(corpus), "--one", mode], env=env, capture_output=True, text=True, check=True).stdout.split()
                times[mode].append(float(out[0]))
                print(f"{mode} tagging: {out[0]} s for {out[1]} remarks, {out[2]} automatic tags", flush=True)
    without, with_ = statistics.median(times["without"]), statistics.median(times["with"])
    print(f"median without {without:.2f} s, with {with_:.2f} s: tagging adds {100 * (with_ - without) / without:.0f} %")


if __name__ == "__main__":
    main()
