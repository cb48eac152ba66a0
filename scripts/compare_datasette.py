#!/usr/bin/env python3
"""This site and Datasette, side by side, over HTTP, on the same public remarks
(docs/benchmarks.md, "Side by side with Datasette").

Copies the public remarks of the project's database (DATABASE_URL) into an SQLite file with an
FTS5 index as Datasette serves a searchable table (topics and entities as JSON arrays, facet
columns beside the text), starts Datasette (its own virtualenv, pinned in
scripts/datasette.lock) and this site (gunicorn, the production settings, Redis), then asks both
the same searches, one side after the other for each (see compare() for why): this site the
/remarks/ page with every facet count and the cache emptied before each request (cold: a search
nobody made before), Datasette its table's JSON search with no facet (they time out at this
size) and, for the first search, once with its facets asked for. Prints median and p95 per case and the ratio.
Then remark pages: ours and Datasette's row page, one at a time, and as many as each serves to
16 connections (wrk, as scripts/loadtest.sh installs it).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/statements_bench \\
        .venv/bin/python scripts/compare_datasette.py [--runs 10]

Traffic stays on 127.0.0.1.
"""

import argparse
import http.client
import json
import os
import secrets
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv/bin/python")
WORK = ROOT / "var" / "datasette"
DATASETTE_VENV = ROOT / ".venv-datasette"
SITE_PORT, DATASETTE_PORT = 8091, 8092
UNCACHED_PERMALINKS = 20_000
REDIS_URL = os.environ.get("COMPARE_REDIS_URL", "redis://127.0.0.1:6379/12")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def django_environment():
    return {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": os.environ.get("SECRET_KEY", secrets.token_urlsafe(50)),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": REDIS_URL,
        "GUNICORN_BIND": f"127.0.0.1:{SITE_PORT}",
        "GUNICORN_ACCESSLOG": "/dev/null",
        # One client asking in turn: no rate limit or share to meet.
        "ANONYMOUS_RATE_LIMIT": "",
        "SEARCHES_PER_CLIENT": "100",
    }


def export_rows():
    """The public remarks as Datasette's table rows, read through the project's own models."""
    script = r"""
import json, sys
from statements.models import Remark
remarks = Remark.objects.published().order_by("pk")
names = {}
for name in ("topics", "entities"):
    field = Remark._meta.get_field(name)
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    pairs = {}
    for remark_id, label in through.objects.values_list(f"{source}_id", f"{target}__name").iterator(chunk_size=20000):
        pairs.setdefault(remark_id, []).append(label)
    names[name] = pairs
rows = remarks.values_list("pk", "date", "language", "kind", "speaker__name", "ministry__short_name", "question", "answer")
for pk, date, language, kind, speaker, ministry, question, answer in rows.iterator(chunk_size=20000):
    sys.stdout.write(json.dumps([pk, date.isoformat() if date else None, date.year if date else None, language, kind,
        speaker, ministry, json.dumps(names["topics"].get(pk, [])), json.dumps(names["entities"].get(pk, [])),
        question, answer], ensure_ascii=False) + "\n")
"""
    process = subprocess.Popen([PYTHON, "manage.py", "shell", "-v", "0", "-c", script], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True, env=django_environment())
    for line in process.stdout:
        yield json.loads(line)
    if process.wait():
        sys.exit("reading the remarks failed")


def build_sqlite(path):
    """The same public remarks for Datasette: one table, an FTS5 index on question and answer."""
    if path.exists():
        return
    WORK.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".new")
    temporary.unlink(missing_ok=True)
    db = sqlite3.connect(temporary)
    db.execute(
        "CREATE TABLE remarks (id INTEGER PRIMARY KEY, date TEXT, year INTEGER, language TEXT, kind TEXT, "
        "spokesperson TEXT, ministry TEXT, topics TEXT, entities TEXT, question TEXT, answer TEXT)"
    )
    started, count, batch = time.perf_counter(), 0, []
    for row in export_rows():
        batch.append(row)
        if len(batch) == 5000:
            db.executemany("INSERT INTO remarks VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
            count, batch = count + len(batch), []
    db.executemany("INSERT INTO remarks VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
    count += len(batch)
    for column in ("date", "year", "language", "kind", "spokesperson", "ministry"):
        db.execute(f"CREATE INDEX remarks_{column} ON remarks({column})")
    # As `sqlite-utils enable-fts remarks question answer --fts5` makes it; Datasette finds it.
    db.execute(
        'CREATE VIRTUAL TABLE remarks_fts USING fts5(question, answer, content="remarks", content_rowid="id")'
    )
    db.execute("INSERT INTO remarks_fts(remarks_fts) VALUES ('rebuild')")
    db.commit()
    db.execute("VACUUM")
    db.close()
    temporary.rename(path)
    print(f"== {count:,} remarks copied for Datasette in {time.perf_counter() - started:.0f} s", flush=True)


def rare_search():
    """The benchmark's rare search on the project's data (manage.py benchmark's rare page)."""
    script = (
        "import random; from statements.models import Remark; "
        "from statements.management.commands.benchmark import rare_search; "
        "published = Remark.objects.published(); "
        "print(rare_search(published, published.count(), random.Random(1)))"
    )
    found = subprocess.run([PYTHON, "manage.py", "shell", "-v", "0", "-c", script], cwd=ROOT, env=django_environment(),
                           capture_output=True, text=True, check=True)
    return found.stdout.strip().splitlines()[-1]


def datasette_installed():
    binary = DATASETTE_VENV / "bin" / "datasette"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        subprocess.run([str(DATASETTE_VENV / "bin" / "pip"), "install", "--quiet", "--require-hashes",
                        "-r", str(ROOT / "scripts" / "datasette.lock")], check=True)
    return binary


def wait_for(port, path):
    for _ in range(600):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", path)
            if connection.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"nothing answers on port {port}")


def timed(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    connection.close()
    return elapsed, response.status, body


def flush_cache():
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="Requests per case and side.")
    parser.add_argument("--terms", nargs="*", default=None, help="Searches to compare (default: a mix, with the benchmark's rare search).")
    parser.add_argument("--permalinks", type=int, default=200, help="Remarks whose pages are compared (0: none).")
    parser.add_argument("--load-seconds", type=int, default=20, help="How long wrk asks for permalinks, per side.")
    options = parser.parse_args()
    path = WORK / "remarks.db"
    build_sqlite(path)
    binary = datasette_installed()
    environment = django_environment()
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=environment, check=True)
    subprocess.run([PYTHON, "manage.py", "sync_search_engine"], cwd=ROOT, env=environment, check=True)
    site = subprocess.Popen([PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"], cwd=ROOT, env=environment,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    datasette = subprocess.Popen(
        [str(binary), "serve", str(path), "--host", "127.0.0.1", "--port", str(DATASETTE_PORT),
         "--setting", "sql_time_limit_ms", "60000", "--setting", "facet_time_limit_ms", "60000",
         "--setting", "num_sql_threads", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(SITE_PORT, "/healthz")
        wait_for(DATASETTE_PORT, "/remarks/remarks.json?_size=1")
        # A worker's first requests still pay for process start-up (code paths run for the first
        # time, the index's files mapped): not counting. Warm every worker with searches nobody
        # compares, asked at once so that each worker takes some, then time.
        workers = int(environment.get("WEB_CONCURRENCY", os.cpu_count() * 2 + 1))
        with ThreadPoolExecutor(workers) as pool:
            for word in ("warming", "prepare", "ready"):
                list(pool.map(lambda _: timed(SITE_PORT, f"/remarks/?q={word}"), range(4 * workers)))
        terms = options.terms or ["china", "cooperation", '"two sides"', '"of the"', "sovereignty", "friendship dialogue", rare_search()]
        compare(terms, options.runs)
        if options.permalinks:
            compare_permalinks(path, options.permalinks, options.load_seconds)
    finally:
        site.terminate()
        datasette.terminate()
        site.wait()
        datasette.wait()


FACETS = ["language", "kind", "spokesperson", "ministry", "year"]


def compare(terms, runs):
    print(f"{'search':<22} {'this site cold, all facets':>28} {'Datasette, no facet':>22} {'Datasette, facets':>20} {'ratio':>7}")
    print(f"{'':<22} {'p50 / p95 ms':>28} {'p50 / p95 ms':>22} {'p50 / p95 ms':>20} {'(p50)':>7}")
    for term in terms:
        q = urllib.parse.quote(term)
        ours, plain, faceted, matches = [], [], [], None
        facet_query = "".join(f"&_facet={f}" for f in FACETS) + "&_facet_array=topics&_facet_array=entities"
        # Each side's requests in a row, the sides alternating per term: on this virtual
        # machine a request that follows a pause (another side's seconds-long answer) waits
        # about 100 ms for every process or thread it wakes (a 2 ms query took 97 ms after
        # 2.5 s of idleness), which hits the side with short answers, not the other.
        for _ in range(runs):
            flush_cache()
            elapsed, status, _ = timed(SITE_PORT, f"/remarks/?q={q}")
            if status != 200:
                sys.exit(f"this site answered {status} for {term}")
            ours.append(elapsed)
        for _ in range(runs):
            elapsed, status, body = timed(DATASETTE_PORT, f"/remarks/remarks.json?_search={q}&_searchmode=raw&_size=20")
            if status != 200:
                sys.exit(f"Datasette answered {status} for {term}")
            plain.append(elapsed)
            matches = json.loads(body).get("filtered_table_rows_count")
        # With its facets Datasette takes minutes at a million: asked once, for the first search.
        if term == terms[0]:
            elapsed, status, body = timed(DATASETTE_PORT, f"/remarks/remarks.json?_search={q}&_searchmode=raw&_size=20{facet_query}")
            faceted.append(elapsed if status == 200 else float("nan"))
        else:
            faceted.append(float("nan"))
        print(
            f"{term[:22]:<22} {statistics.median(ours):>15.0f} / {percentile(ours, 0.95):>8.0f} "
            f"{statistics.median(plain):>12.0f} / {percentile(plain, 0.95):>7.0f} "
            f"{statistics.median(faceted):>10.0f} / {percentile(faceted, 0.95):>7.0f} "
            f"{statistics.median(plain) / statistics.median(ours):>6.1f}×   ({matches} matches in Datasette)",
            flush=True,
        )


def compare_permalinks(path, count, seconds):
    """A remark's page: ours the first time it is asked (rendered, then kept) and again (the page
    kept, statements/pagecache.py), against Datasette's row page; then how many a second each
    side serves to 16 connections asking at random (wrk, on the same two cores), for those
    remarks (ours kept) and for UNCACHED_PERMALINKS others never asked (ours rendered nearly
    every time: the cache emptied first, and a 20-second run asks few of them twice)."""
    db = sqlite3.connect(path)
    ids = [pk for (pk,) in db.execute("SELECT id FROM remarks ORDER BY random() LIMIT ?", (count + UNCACHED_PERMALINKS,))]
    db.close()
    ids, never_asked = ids[:count], ids[count:]
    flush_cache()
    sides = {"this site, first request": [], "this site, asked again": [], "Datasette row page": []}
    for pk in ids:
        for name, port, url in (
            ("this site, first request", SITE_PORT, f"/remarks/{pk}/"),
            ("this site, asked again", SITE_PORT, f"/remarks/{pk}/"),
            ("Datasette row page", DATASETTE_PORT, f"/remarks/remarks/{pk}"),
        ):
            elapsed, status, _ = timed(port, url)
            if status != 200:
                sys.exit(f"{url} answered {status}")
            sides[name].append(elapsed)
    print(f"\n{'permalink (' + str(len(ids)) + ' remarks)':<30} {'p50 ms':>8} {'p95 ms':>8}")
    for name, values in sides.items():
        print(f"{name:<30} {statistics.median(values):>8.1f} {percentile(values, 0.95):>8.1f}")
    print(f"\n{'16 connections, ' + str(seconds) + ' s':<30} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, port, template, asked in (
        ("this site, pages kept", SITE_PORT, "/remarks/{}/", ids),
        ("Datasette", DATASETTE_PORT, "/remarks/remarks/{}", ids),
        ("this site, never asked", SITE_PORT, "/remarks/{}/", never_asked),
        ("Datasette, the same ids", DATASETTE_PORT, "/remarks/remarks/{}", never_asked),
    ):
        if port == SITE_PORT and asked is never_asked:
            flush_cache()
        paths = WORK / f"permalinks-{port}.txt"
        paths.write_text("".join(f"permalink\t{template.format(pk)}\n" for pk in asked))
        result = subprocess.run(
            ["wrk", "-t2", "-c16", f"-d{seconds}s", "-s", str(ROOT / "scripts" / "loadtest.lua"), f"http://127.0.0.1:{port}"],
            env={**os.environ, "LOADTEST_PATHS": str(paths)}, capture_output=True, text=True, check=True,
        )
        line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))
        figures = dict(part.split("=", 1) for part in line.split()[1:])
        errors = int(figures["non_2xx_3xx"]) + sum(int(figures[k]) for k in ("connect", "read", "write", "timeout"))
        print(f"{name:<30} {float(figures['rps']):>8.0f} {float(figures['p50_ms']):>8.1f} {float(figures['p99_ms']):>8.1f} {errors:>7}", flush=True)


if __name__ == "__main__":
    main()
