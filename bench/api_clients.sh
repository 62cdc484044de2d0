#!/usr/bin/env bash
# Throughput and latency of an authenticated GET /api/clients: wadesk --headless on a fresh data
# directory (SQLite), one organization registered, 20 clients created, then wrk (2 threads, 50
# keep-alive connections, 10 s) with the organization's API key. Prints requests/s and p99.
#   WADESK_BIN=path/to/wadesk  CONNECTIONS=50  THREADS=2  DURATION=10s  CLIENTS=20  bench/api_clients.sh
# Password hashing runs at the test-only cost (WADESK_PASSWORD_HASH_COST=min) to keep the setup
# short; it plays no part in the measured requests, which carry an API key.
set -euo pipefail
source "$(dirname "$0")/common.sh"

CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
CLIENTS=${CLIENTS:-20}

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk" >&2
  apt-get install -y wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
fi

SANDBOX=$(make_sandbox)
PORT=$(free_port)
PID=    # the background job: a subshell running sandbox_env
SERVER= # wadesk itself, its child
cleanup() {
  for p in $SERVER $PID; do
    kill -TERM "$p" 2>/dev/null || true
  done
  # wadesk is not our child (sandbox_env's subshell is): wait for it by polling.
  for _ in $(seq 1 100); do
    [[ -n "$SERVER" ]] && kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n "$SERVER" ]] && kill -KILL "$SERVER" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  rm -rf "$SANDBOX"
}
trap cleanup EXIT

sandbox_env "$SANDBOX" WADESK_LOG_LEVEL=warn WADESK_PASSWORD_HASH_COST=min \
  "$WADESK_BIN" --headless --data-dir "$SANDBOX/data" --port "$PORT" >"$SANDBOX/wadesk.out" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
  SERVER=$(pgrep -P "$PID" -n || true)
  [[ -n "$SERVER" ]] && break
  sleep 0.02
done
[[ -n "$SERVER" ]] || SERVER=$PID # the shell ran it directly

for _ in $(seq 1 200); do
  if curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER" 2>/dev/null; then cat "$SANDBOX/wadesk.out" >&2; exit 1; fi
  sleep 0.05
done
curl -fs "http://127.0.0.1:$PORT/health" >/dev/null || { echo "bench: /health never answered" >&2; exit 1; }

BASE="http://127.0.0.1:$PORT"
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

KEY=$(curl -fsS -X POST "$BASE/api/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-1","name":"Bench","organization_name":"Bench Org"}' |
  json_field api_key)
[[ "$KEY" == sk_* ]] || { echo "bench: registration failed" >&2; exit 1; }

for i in $(seq 1 "$CLIENTS"); do
  phone=$(printf '+1415555%04d' $((2600 + i)))
  curl -fsS -o /dev/null -X POST "$BASE/api/clients" -H 'Content-Type: application/json' -H "X-API-Key: $KEY" \
    -d "{\"name\":\"Bench client $i\",\"phone_number\":\"$phone\"}" || { echo "bench: creating client $i failed" >&2; exit 1; }
done
LISTED=$(curl -fsS "$BASE/api/clients" -H "X-API-Key: $KEY" | json_field count)
[[ "$LISTED" == "$CLIENTS" ]] || { echo "bench: expected $CLIENTS clients, the list has $LISTED" >&2; exit 1; }

machine_facts
echo "setup:   1 organization, $CLIENTS clients, SQLite, authenticated with X-API-Key"
echo "load:    wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -H 'X-API-Key: sk_…' $BASE/api/clients"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "X-API-Key: $KEY" "$BASE/api/clients" | tee "$SANDBOX/wrk.txt"

RPS=$(awk '/^Requests\/sec:/ {print $2}' "$SANDBOX/wrk.txt")
P99=$(awk '$1 == "99%" {print $2}' "$SANDBOX/wrk.txt")
ERRORS=$(grep -E 'Non-2xx|Socket errors' "$SANDBOX/wrk.txt" || true)
echo
echo "RESULT api_clients: ${RPS} req/s, p99 ${P99} (${CLIENTS} clients, ${CONNECTIONS} connections, ${THREADS} wrk threads, ${DURATION})"
[[ -n "$ERRORS" ]] && echo "RESULT errors: $ERRORS"
kill -0 "$SERVER" 2>/dev/null || { echo "bench: wadesk died during the run" >&2; exit 1; }
