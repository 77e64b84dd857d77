#!/usr/bin/env bash
# Throughput of the API under gunicorn: requests/s, latency percentiles, errors, worker RSS.
#
#   DATABASE_URL=... loadtest/wrk.sh [seconds] [connections]
#
# Serves DATABASE_URL (e.g. the kept benchmark database) with gunicorn on loopback
# (WEB_CONCURRENCY sync workers, default 2), then runs wrk against the incident list
# and one incident's detail. The anonymous API rate is lifted for the run: one client
# making thousands of requests would otherwise measure the throttle's 429s.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?point DATABASE_URL at the database to serve}"
seconds="${1:-30}"
connections="${2:-4}"
port="${LOADTEST_PORT:-8011}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

export DEBUG=false SECRET_KEY=load-test ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false
export API_ANON_RATE=1000000/second WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}"
export GUNICORN_BIND="127.0.0.1:$port" GUNICORN_ACCESS_LOG=/dev/null GUNICORN_LOG_LEVEL=warning
uv run python manage.py collectstatic --noinput -v 0
uv run gunicorn -c gunicorn.conf.py config.wsgi &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 60); do curl -fs -o /dev/null "$base/api/v1/incidents/" && break; sleep 1; done

detail=$(curl -fs "$base/api/v1/incidents/?page_size=1" | uv run python -c \
  'import json, sys; print(json.load(sys.stdin)["results"][0]["id"])')
for path in "/api/v1/incidents/" "/api/v1/incidents/$detail/"; do
  echo "== $path ($seconds s, $connections connections, $WEB_CONCURRENCY workers)"
  wrk -t 2 -c "$connections" -d "${seconds}s" --latency -H "Accept: application/json" \
    "$base$path"
done
echo "== gunicorn RSS (MiB): the master, then its workers"
descendants() { for child in $(pgrep -P "$1"); do echo "$child"; descendants "$child"; done; }
for pid in $(descendants "$server"); do
  if grep -q gunicorn "/proc/$pid/cmdline" 2>/dev/null; then
    echo "$pid $(( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024 ))"
  fi
done
