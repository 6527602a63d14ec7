#!/usr/bin/env bash
# `make load`: 50 simulated people for 60 s against gunicorn (2 workers) on 127.0.0.1, with
# PostgreSQL (DATABASE_URL, holding the large demo: `make seed-large`) and Redis (REDIS_URL)
# behind it, in production mode. Prints throughput, p50/p95/p99 and failures (and fails if any).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?set DATABASE_URL=postgres://…/scale_bench (the large demo)}"
: "${REDIS_URL:?set REDIS_URL=redis://127.0.0.1:6379/5}"
PORT="${LOAD_PORT:-8150}"
USERS="${LOAD_USERS:-50}"
SECONDS_="${LOAD_SECONDS:-60}"
PY=.venv/bin/python

if [ ! -x .venv-load/bin/locust ]; then
  echo "== installing locust into .venv-load (requirements-load.txt)"
  python3 -m venv .venv-load
  .venv-load/bin/pip install --quiet -r requirements-load.txt
fi

export DJANGO_ENV=production DEBUG=false ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export SECRET_KEY="${SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export WEB_CONCURRENCY=2 GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_ACCESS_LOG=/dev/null
# No Celery worker runs: the emails the simulated feedback and comments queue wait in the broker
# (REDIS_URL, which should be a database of its own) and are purged at the end.

echo "== static files and the people of the test"
$PY manage.py collectstatic --noinput -v0
$PY bench/load_users.py

echo "== gunicorn on 127.0.0.1:$PORT ($WEB_CONCURRENCY workers)"
.venv/bin/gunicorn salesreports.wsgi --config gunicorn.conf.py --pid var/load-gunicorn.pid \
  >var/load-gunicorn.log 2>&1 &
server=$!
stop() {
  kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true
  .venv/bin/celery -A salesreports purge -f -Q celery,pdf >/dev/null 2>&1 || true
}
trap stop EXIT
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.5
done

echo "== locust: $USERS people for ${SECONDS_} s ($(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
.venv-load/bin/locust -f bench/locustfile.py --headless --users "$USERS" --spawn-rate 10 \
  --run-time "${SECONDS_}s" --host "http://127.0.0.1:$PORT" --only-summary --loglevel WARNING
