#!/usr/bin/env bash
# Media benches (bench/README.md, "Media"): the real binary (wadesk --headless, SQLite, one
# organization registered over the API), loopback HTTP from bench/media_bench.py:
#  1. upload of a 100 MB file (an MP4: ftyp, moov, 100 MB mdat of random bytes), raw body and
#     the guide's base64 JSON, each RUNS times with different bytes; MB/s of the file's size
#     over the request's wall time, and the server's peak RSS growth during the request
#     (VmHWM after, reset through /proc/<pid>/clear_refs before, minus VmRSS before);
#  2. download of it RUNS times (MB/s, peak RSS growth), and a Range request in its middle;
#  3. 50 KB PNG uploads (the guide's base64 JSON, all different) from CLIENTS keep-alive
#     connections for SMALL_SECONDS: uploads per second.
# STORAGE=file|database picks the backend (default both, one after the other).
#   WADESK_BIN=build/app/wadesk RUNS=3 CLIENTS=4 SMALL_SECONDS=10 STORAGE="file database" bench/media.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-4}
SMALL_SECONDS=${SMALL_SECONDS:-10}
STORAGE=${STORAGE:-"file database"}

machine_facts
for storage in $STORAGE; do
  SANDBOX=$(make_sandbox)
  PORT=$(free_port)
  sandbox_env "$SANDBOX" WADESK_LOG_LEVEL=warn WADESK_PASSWORD_HASH_COST=min WADESK_MEDIA_STORAGE="$storage" \
    "$WADESK_BIN" --headless --data-dir "$SANDBOX/data" --port "$PORT" >>"$SANDBOX/wadesk.out" 2>&1 &
  PID=$!
  trap 'kill -TERM $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$SANDBOX"' EXIT
  for _ in $(seq 1 400); do
    if curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$PID" 2>/dev/null; then cat "$SANDBOX/wadesk.out" >&2; exit 1; fi
    sleep 0.05
  done
  echo
  echo "== storage: $storage"
  python3 "$(dirname "$0")/media_bench.py" --port "$PORT" --pid "$PID" --runs "$RUNS" --clients "$CLIENTS" \
    --small-seconds "$SMALL_SECONDS"
  kill -TERM "$PID"
  wait "$PID" 2>/dev/null || true
  rm -rf "$SANDBOX"
  trap - EXIT
done
