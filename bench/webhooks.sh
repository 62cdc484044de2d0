#!/usr/bin/env bash
# Webhook delivery benches (bench/README.md, "Webhooks").
#  1. Throughput and event-to-receipt latency to a healthy local receiver, in process as the
#     application runs it (bench_webhooks: DeliveryService thread woken by the event bus, SQLite,
#     one event per transaction through EventLog at RATE events/s for DURATION seconds), then the
#     drain rate of DRAIN events recorded up front.
#  2. Memory of the real binary with PENDING deliveries pending to a dead endpoint (nothing
#     listens on its port): wadesk --headless, one organization and one webhook ("*") registered
#     over the API, wadesk stopped, PENDING events recorded into its database (bench_webhooks
#     seed), wadesk started again; its RSS sampled every 2 s for SAMPLE_SECONDS.
#   WADESK_BIN=build/app/wadesk BUILD_DIR=build RATE=1000 DURATION=10 DRAIN=10000 PENDING=100000 \
#   SAMPLE_SECONDS=60 bench/webhooks.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

BUILD_DIR=${BUILD_DIR:-$(dirname "$(dirname "$WADESK_BIN")")}
BENCH=${BENCH:-$BUILD_DIR/tests/bench_webhooks}
RATE=${RATE:-1000}
DURATION=${DURATION:-10}
DRAIN=${DRAIN:-10000}
PENDING=${PENDING:-100000}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-60}

if [[ ! -x "$BENCH" || "${REBUILD:-1}" == 1 ]]; then
  ninja -C "$BUILD_DIR" bench_webhooks >/dev/null || { echo "bench: cannot build bench_webhooks in $BUILD_DIR" >&2; exit 1; }
fi

machine_facts
echo
echo "== throughput and latency (in process, SQLite)"
"$BENCH" throughput --rate "$RATE" --seconds "$DURATION" 2>&1 | grep -v ' TMP '
"$BENCH" drain --events "$DRAIN" 2>&1 | grep -v ' TMP '

echo
echo "== memory with $PENDING deliveries pending to a dead endpoint (wadesk --headless)"
SANDBOX=$(make_sandbox)
PORT=$(free_port)
DEAD_PORT=$(free_port)
PID=
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null || true
  fi
  rm -rf "$SANDBOX"
}
trap cleanup EXIT

start_wadesk() {
  sandbox_env "$SANDBOX" WADESK_LOG_LEVEL=warn WADESK_PASSWORD_HASH_COST=min WADESK_WEBHOOKS_ALLOW_PRIVATE=1 \
    "$WADESK_BIN" --headless --data-dir "$SANDBOX/data" --port "$PORT" >>"$SANDBOX/wadesk.out" 2>&1 &
  PID=$!
  for _ in $(seq 1 400); do
    if curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$PID" 2>/dev/null; then cat "$SANDBOX/wadesk.out" >&2; exit 1; fi
    sleep 0.05
  done
  echo "bench: /health never answered" >&2
  exit 1
}
stop_wadesk() {
  kill -TERM "$PID"
  wait "$PID" 2>/dev/null || true
  PID=
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$PID/stat"; }

start_wadesk
BASE="http://127.0.0.1:$PORT"
REG=$(curl -fsS -X POST "$BASE/api/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-1","name":"Bench","organization_name":"Bench Org"}')
KEY=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])' <<<"$REG")
ORG=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["organization_id"])' <<<"$REG")
curl -fsS -o /dev/null -X POST "$BASE/api/webhooks" -H 'Content-Type: application/json' -H "X-API-Key: $KEY" \
  -d "{\"url\":\"http://127.0.0.1:$DEAD_PORT/hook\",\"events\":[\"*\"]}" || { echo "bench: webhook registration failed" >&2; exit 1; }
sleep 5
IDLE=$(rss_kb)
stop_wadesk
DB=$SANDBOX/data/wadesk.db
[[ -f "$DB" ]] || { echo "bench: no database at $DB" >&2; exit 1; }
"$BENCH" seed --db "$DB" --org "$ORG" --events "$PENDING" 2>&1 | grep -v ' TMP '

start_wadesk
echo "rss idle, no deliveries:  $((IDLE / 1024)) MB"
SAMPLES=()
CPU0=$(cpu_s)
for _ in $(seq 1 $((SAMPLE_SECONDS / 2))); do
  sleep 2
  SAMPLES+=("$(rss_kb)")
done
CPU1=$(cpu_s)
printf '%s\n' "${SAMPLES[@]}" | awk -v n="${#SAMPLES[@]}" '
  NR == 1 {first = $1; min = $1; max = $1}
  {if ($1 < min) min = $1; if ($1 > max) max = $1; last = $1}
  END {printf "rss with backlog (%d samples over %d s): first %d MB, min %d MB, max %d MB, last %d MB\n", n, 2 * n, first / 1024, min / 1024, max / 1024, last / 1024}'
echo "cpu of wadesk meanwhile:  $(python3 -c "print(f'{($CPU1 - $CPU0) / $SAMPLE_SECONDS * 100:.1f} % of one core')")"
python3 - "$DB" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True, timeout=10)
rows = db.execute("SELECT status, COUNT(*), SUM(attempts) FROM webhook_deliveries GROUP BY status ORDER BY status").fetchall()
print("deliveries by status:    " + ", ".join(f"{s} {n} ({a} attempts)" for s, n, a in rows))
EOF
