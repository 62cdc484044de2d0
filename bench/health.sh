#!/usr/bin/env bash
# Throughput and latency of GET /health: wadesk --headless on an empty data directory (SQLite),
# loaded by wrk (2 threads, 50 keep-alive connections, 10 s). Prints requests/s and p99.
#   WADESK_BIN=path/to/wadesk  CONNECTIONS=50  THREADS=2  DURATION=10s  bench/health.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk" >&2
  apt-get install -y wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
fi

SANDBOX=$(make_sandbox)
PORT=$(free_port)
PID=
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$SANDBOX"
}
trap cleanup EXIT

sandbox_env "$SANDBOX" \
  "$WADESK_BIN" --headless --data-dir "$SANDBOX/data" --port "$PORT" >"$SANDBOX/wadesk.out" 2>&1 &
PID=$!

for _ in $(seq 1 200); do
  if curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then cat "$SANDBOX/wadesk.out" >&2; exit 1; fi
  sleep 0.05
done
curl -fs "http://127.0.0.1:$PORT/health" >/dev/null || { echo "bench: /health never answered" >&2; exit 1; }

machine_facts
echo "load:    wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency http://127.0.0.1:$PORT/health"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT/health" | tee "$SANDBOX/wrk.txt"

RPS=$(awk '/^Requests\/sec:/ {print $2}' "$SANDBOX/wrk.txt")
P99=$(awk '$1 == "99%" {print $2}' "$SANDBOX/wrk.txt")
ERRORS=$(grep -E 'Non-2xx|Socket errors' "$SANDBOX/wrk.txt" || true)
echo
echo "RESULT health: ${RPS} req/s, p99 ${P99} (${CONNECTIONS} connections, ${THREADS} wrk threads, ${DURATION})"
[[ -n "$ERRORS" ]] && echo "RESULT errors: $ERRORS"
kill -0 "$PID" 2>/dev/null || { echo "bench: wadesk died during the run" >&2; exit 1; }
