#!/usr/bin/env python3
"""PostgreSQL stopped and started again under load (docs/operations.md).

Starts gunicorn (production settings, plain HTTP on 127.0.0.1) against a PostgreSQL database,
keeps a steady stream of page requests going from several threads, stops the PostgreSQL cluster,
waits, starts it again, and records every request's status and duration. Passes (exit 0) when

  - while PostgreSQL is down every response is a 503 (the outage page),
  - no response is slower than --bound seconds, no other 5xx, no failed connection to gunicorn,
  - within --recovery seconds of PostgreSQL accepting connections again every request is a 200,
    without gunicorn being restarted.

It restarts the machine's PostgreSQL: every other user of it sees the outage. PostgreSQL is
started again whatever happens (pg_isready -h 127.0.0.1 afterwards).

    .venv/bin/python scripts/pg_restart_under_load.py                 # database statements_load
    .venv/bin/python scripts/pg_restart_under_load.py --database statements --outage 5
"""

import argparse
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def cluster():
    version = sorted(os.listdir("/etc/postgresql"))[0]
    return [version, "main"]


def pg_ctl(action):
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster(), action], check=True)


def pg_ready():
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sample_paths(env):
    code = (
        "from statements.models import Remark, Topic\n"
        "for pk in Remark.objects.published().order_by('?').values_list('pk', flat=True)[:200]: print(f'/remarks/{pk}/')\n"
        "for slug in Topic.objects.values_list('slug', flat=True)[:10]: print(f'/topics/{slug}/')\n"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()
    return out + ["/", "/remarks/?q=china", "/remarks/?q=cooperation&lang=en", "/healthz"]


class Load:
    """Threads requesting pages in a loop; every request kept as (start, seconds, status)."""

    def __init__(self, base, paths, threads, timeout):
        self.base, self.paths, self.timeout = base, paths, timeout
        self.records, self.lock, self.stopping = [], threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True) for n in range(threads)]

    def run(self, n):
        rng = random.Random(n)
        while not self.stopping.is_set():
            path = rng.choice(self.paths)
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.base + path, timeout=self.timeout) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                error.read()
                status = error.code
            except OSError as error:  # refused, reset, timed out: gunicorn itself failed us
                status = f"{type(error).__name__}"
            with self.lock:
                self.records.append((started, time.monotonic() - started, status, path))
            time.sleep(0.02)

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(self.timeout + 5)


def summarize(name, records):
    statuses = {}
    for _, _, status, _ in records:
        statuses[status] = statuses.get(status, 0) + 1
    durations = [seconds for _, seconds, _, _ in records]
    if not durations:
        return f"{name:<9} no requests"
    return (
        f"{name:<9} {len(records):>5} requests  statuses {dict(sorted(statuses.items(), key=str))}  "
        f"p50 {statistics.median(durations) * 1000:.0f} ms  max {max(durations) * 1000:.0f} ms"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="statements_load", help="PostgreSQL database with published remarks.")
    parser.add_argument("--outage", type=float, default=5, help="Seconds PostgreSQL stays stopped.")
    parser.add_argument("--threads", type=int, default=8, help="Concurrent request loops.")
    parser.add_argument("--bound", type=float, default=3, help="Slowest acceptable response, in seconds.")
    parser.add_argument("--recovery", type=float, default=10, help="Seconds allowed to be all 200s again.")
    args = parser.parse_args()

    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}",
        DJANGO_ENV="production", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false", GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="3",
        GUNICORN_ACCESSLOG="/dev/null", DB_CONNECT_TIMEOUT="2",
        # One address makes all the requests: the per-client limits (statements/budget.py) are
        # not what this measures.
        ANONYMOUS_RATE_LIMIT="", EXPORT_RATE_LIMIT="", EXPORTS_PER_CLIENT="1000", EXPORTS_AT_ONCE="1000",
        SEARCHES_PER_CLIENT="1000", SEARCHES_AT_ONCE="1000",
    )
    env.pop("REDIS_URL", None)
    if not pg_ready():
        sys.exit("PostgreSQL is not running at 127.0.0.1")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
    paths = sample_paths(env)
    log_path = Path(tempfile.mkstemp(prefix="pg-restart-gunicorn-", suffix=".log")[1])
    log = open(log_path, "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"], cwd=BASE_DIR, env=env,
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    load = Load(base, paths, args.threads, timeout=args.bound * 5)
    marks = {}
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        load.start()
        time.sleep(8)  # steady state, connections open
        print(f"stopping PostgreSQL for {args.outage:g} s under load ({args.threads} request loops, gunicorn pid {server.pid})")
        marks["stop"] = time.monotonic()
        pg_ctl("stop")
        marks["stopped"] = time.monotonic()
        time.sleep(args.outage)
        marks["start"] = time.monotonic()
    finally:
        if not pg_ready():
            pg_ctl("start")
        for _ in range(60):
            if pg_ready():
                break
            time.sleep(0.5)
        marks.setdefault("ready", time.monotonic())
    try:
        time.sleep(args.recovery + 5)
    finally:
        load.stop()
        gunicorn_restarted = server.poll() is not None
        server.terminate()
        server.wait(20)

    if "stop" not in marks:
        sys.exit("the outage did not happen")
    records = sorted(load.records)
    phases = {
        "before": [r for r in records if r[0] < marks["stop"]],
        "stopping": [r for r in records if marks["stop"] <= r[0] < marks["stopped"]],
        "down": [r for r in records if marks["stopped"] <= r[0] < marks["start"]],
        "starting": [r for r in records if marks["start"] <= r[0] < marks["ready"]],
        "after": [r for r in records if r[0] >= marks["ready"]],
    }
    print(f"PostgreSQL: stopping {marks['stopped'] - marks['stop']:.1f} s, down {marks['start'] - marks['stopped']:.1f} s, "
          f"starting {marks['ready'] - marks['start']:.1f} s")
    for name, part in phases.items():
        print(summarize(name, part))
    outage, after = phases["down"], phases["after"]

    problems = []
    wrong = [r for r in records if r[2] not in (200, 503)]
    if wrong:
        problems.append(f"{len(wrong)} responses neither 200 nor 503, e.g. {wrong[:3]}")
    slow = [r for r in records if r[1] > args.bound]
    if slow:
        problems.append(f"{len(slow)} responses slower than {args.bound:g} s, e.g. {[(round(r[1], 2), r[2], r[3]) for r in slow[:3]]}")
    if not outage:
        problems.append("no requests while PostgreSQL was down: the outage was not exercised")
    if any(r[2] != 503 for r in outage):
        problems.append("while PostgreSQL was down, responses other than 503")
    failing_after = [r for r in after if r[2] != 200]
    recovered_at = max((r[0] + r[1] for r in failing_after), default=marks["ready"])
    recovery = recovered_at - marks["ready"]
    print(f"all 200s again {recovery:.1f} s after PostgreSQL accepted connections; "
          f"{sum(1 for r in after if r[0] >= recovered_at)} requests since")
    if recovery > args.recovery or not any(r[0] >= recovered_at for r in after):
        problems.append(f"not recovered within {args.recovery:g} s")
    if gunicorn_restarted:
        problems.append("gunicorn exited during the test")
    print("PostgreSQL:", "accepting connections" if pg_ready() else "NOT RUNNING")
    for problem in problems:
        print("FAIL:", problem)
    if problems:
        print(f"gunicorn's log: {log_path}")
    else:
        log_path.unlink()
    print("PASS" if not problems else "FAILED")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
