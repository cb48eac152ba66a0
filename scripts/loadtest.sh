#!/usr/bin/env bash
# Load test (docs/operations.md): gunicorn with the production settings (plain HTTP on 127.0.0.1)
# against PostgreSQL holding a synthetic corpus and Redis as the cache; wrk requests a realistic
# mix of pages (scripts/loadtest.lua, URLs from scripts/loadtest_paths.py). Prints requests/s,
# latency p50/p90/p99 and errors per run; exits non-zero on any error (HTTP 4xx/5xx, socket
# errors, timeouts).
#
#   scripts/loadtest.sh                       # 100,000 remarks, 32 connections, 60 s, 3 runs
#   REMARKS=20000 DURATION=20s RUNS=1 scripts/loadtest.sh
#   WARMUP=0 RUNS=1 scripts/loadtest.sh       # cold counts, as right after a publish
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
DB=${LOADTEST_DB:-statements_load}
PGURL=${LOADTEST_PG:-postgres://postgres@127.0.0.1:5432}
REMARKS=${REMARKS:-100000}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-60s}
RUNS=${RUNS:-3}
WRK_THREADS=${WRK_THREADS:-2}
PORT=${PORT:-8077}
REDIS=${LOADTEST_REDIS_URL:-redis://127.0.0.1:6379/14}
WORK=$(mktemp -d)

export DATABASE_URL="$PGURL/$DB"
export DJANGO_ENV=production
export SECRET_KEY=${SECRET_KEY:-$($PYTHON -c 'import secrets; print(secrets.token_urlsafe(50))')}
export ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=false   # plain HTTP on 127.0.0.1: nothing to redirect to
export REDIS_URL="$REDIS"
export GUNICORN_BIND="127.0.0.1:$PORT"
export GUNICORN_ACCESSLOG=${GUNICORN_ACCESSLOG:-/dev/null}
# wrk makes every request from one address: the per-client limits (statements/budget.py) are
# not what this measures (scripts/hostage_test.py does).
export ANONYMOUS_RATE_LIMIT= EXPORT_RATE_LIMIT= EXPORTS_PER_CLIENT=1000 EXPORTS_AT_ONCE=1000
export SEARCHES_PER_CLIENT=1000 SEARCHES_AT_ONCE=1000

if ! command -v wrk >/dev/null; then
  echo "== installing wrk"
  apt-get install -y -qq wrk >/dev/null
fi

echo "== database $DB"
if ! psql "$PGURL/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  psql "$PGURL/postgres" -qc "CREATE DATABASE \"$DB\""
fi
$PYTHON manage.py migrate --noinput -v 0
have=$($PYTHON manage.py shell -v 0 -c 'from statements.models import Remark; print(Remark.objects.count())')
if [ "$have" -lt "$REMARKS" ]; then
  echo "== seeding $((REMARKS - have)) synthetic remarks (about a minute per 100,000)"
  $PYTHON manage.py seed_synthetic --remarks $((REMARKS - have)) --seed 1
  have=$REMARKS
fi
$PYTHON manage.py collectstatic --noinput -v 0
$PYTHON scripts/loadtest_paths.py > "$WORK/paths.txt"
export LOADTEST_PATHS="$WORK/paths.txt"
total=$($PYTHON manage.py shell -v 0 -c 'from statements.models import Remark; print(Remark.objects.published().count())')
echo "== $have remarks, $total published; $(wc -l < "$WORK/paths.txt") distinct URLs"
$PYTHON -c "import redis; redis.Redis.from_url('$REDIS').flushdb()"

$PYTHON -m gunicorn -c config/gunicorn.conf.py > "$WORK/gunicorn.log" 2>&1 &
GUNICORN=$!
cleanup() {
  kill "$GUNICORN" 2>/dev/null || true
  wait "$GUNICORN" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/healthz"; echo
# A site in service has its counts cached: request every search, facet state, subject page and
# export once first (publishing anything starts this over; docs/operations.md).
if [ "${WARMUP:-1}" = 1 ]; then
  started=$(date +%s)
  grep -vE '^(permalink|briefing)\b' "$WORK/paths.txt" | cut -f2 \
    | xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$PORT{}" > "$WORK/warmup.txt"
  echo "== warm-up: $(wc -l < "$WORK/warmup.txt") URLs in $(( $(date +%s) - started )) s, statuses: $(sort "$WORK/warmup.txt" | uniq -c | xargs)"
fi
workers=$(pgrep -P "$GUNICORN" | wc -l)
echo "== gunicorn: $workers workers x ${GUNICORN_THREADS:-1} threads; wrk: $WRK_THREADS threads, $CONNECTIONS connections, $DURATION"

status=0
for run in $(seq "$RUNS"); do
  wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "$DURATION" --timeout ${WRK_TIMEOUT:-20s} --latency \
    -s scripts/loadtest.lua "http://127.0.0.1:$PORT" > "$WORK/wrk.txt"
  result=$(grep '^RESULT' "$WORK/wrk.txt")
  echo "run $run: ${result#RESULT }"
  if ! grep -q 'non_2xx_3xx=0 http_errors_seen=0 first_error_status=- connect=0 read=0 write=0 timeout=0' <<<"$result"; then
    status=1
    cat "$WORK/wrk.txt"
  fi
done

if grep -qE '\[(ERROR|CRITICAL)\]|Traceback' "$WORK/gunicorn.log"; then
  status=1
fi
if [ "$status" -eq 0 ]; then
  echo "== no errors"
else
  echo "== ERRORS; the app servers' log:"
  grep -v '^127\.0\.0\.1 ' "$WORK/gunicorn.log" | tail -n 80
fi
exit "$status"
