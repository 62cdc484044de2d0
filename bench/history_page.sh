#!/usr/bin/env bash
# A message-history page on a large store: wadesk --headless (SQLite) with one organization, one
# client and MESSAGES messages on it (written straight into the database file by a multi-row
# INSERT script below, 500 rows a statement, while the server idles), then:
#   - single-request latency (median and max of 50 curl requests) of the first page (limit 50)
#     and of a deep keyset page (?before=<the middle message>); of 10 with ?total=exact and of 5
#     at offset MESSAGES/2 (those take seconds each);
#   - wrk (THREADS threads, CONNECTIONS keep-alive connections, DURATION, 60 s timeout) on the
#     first page, the deep keyset page and the first page with ?total=exact.
# With BEFORE_BIN=path/to/an/older/wadesk the older binary is measured first on the same store
# (it has no keyset cursor: only the first page and offset are measured for it), then this one
# on the same data directory (its migrations run on the filled store, timed).
#   WADESK_BIN=build/app/wadesk BEFORE_BIN=... MESSAGES=1000000 CONNECTIONS=20 THREADS=2 DURATION=10s bench/history_page.sh
# Password hashing runs at the test-only cost (WADESK_PASSWORD_HASH_COST=min); the measured
# requests carry an API key.
set -euo pipefail
source "$(dirname "$0")/common.sh"

MESSAGES=${MESSAGES:-1000000}
CONNECTIONS=${CONNECTIONS:-20}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
BEFORE_BIN=${BEFORE_BIN:-}

command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }

SANDBOX=$(make_sandbox)
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
PID=
SERVER=
stop_server() {
  for p in $SERVER $PID; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for _ in $(seq 1 100); do
    [[ -n "$SERVER" ]] && kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n "$SERVER" ]] && kill -KILL "$SERVER" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID= SERVER=
}
cleanup() {
  stop_server
  rm -rf "$SANDBOX"
}
trap cleanup EXIT

start_server() { # $1: binary
  sandbox_env "$SANDBOX" WADESK_LOG_LEVEL=warn WADESK_PASSWORD_HASH_COST=min \
    "$1" --headless --data-dir "$SANDBOX/data" --port "$PORT" >>"$SANDBOX/wadesk.out" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do
    SERVER=$(pgrep -P "$PID" -n || true)
    [[ -n "$SERVER" ]] && break
    sleep 0.02
  done
  [[ -n "$SERVER" ]] || SERVER=$PID
  for _ in $(seq 1 6000); do
    if curl -fs "$BASE/health" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER" 2>/dev/null; then cat "$SANDBOX/wadesk.out" >&2; exit 1; fi
    sleep 0.05
  done
  echo "bench: /health never answered" >&2
  exit 1
}

json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("."): d=d[k]
print(d)' "$1"; }

# Median and max of $2 (default 50) sequential requests, in ms.
latency() { # $1: path and query, $2: how many
  for _ in $(seq 1 "${2:-50}"); do
    curl -fsS -o /dev/null -w '%{time_total}\n' -H "X-API-Key: $KEY" "$BASE$1"
  done | sort -n | awk '{ v[NR] = $1 * 1000 } END { printf "median %.2f ms, max %.2f ms\n", v[int((NR + 1) / 2)], v[NR] }'
}

load() { # $1: label, $2: path and query
  local out
  # A long timeout: a slow page is counted when it comes, not dropped as a socket error. The
  # slowest load runs last, since requests still queued when wrk stops delay the next run.
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 60s --latency -H "X-API-Key: $KEY" "$BASE$2")
  printf '%-34s %10s req/s  p50 %-9s p99 %-9s %s\n' "$1" "$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")" \
    "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")" \
    "$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)"
}

measure() { # $1: label, $2: 1 when the binary has keyset cursors
  local history="/api/clients/$CLIENT/messages"
  echo "== $1"
  echo "first page (limit 50):            $(latency "$history?limit=50")"
  if [[ "$2" == 1 ]]; then
    echo "keyset page before the middle:    $(latency "$history?limit=50&before=$MIDDLE")"
  fi
  echo "first page, total=exact (10):     $(latency "$history?limit=50&total=exact" 10)"
  echo "offset $((MESSAGES / 2)) (5):              $(latency "$history?limit=50&offset=$((MESSAGES / 2))" 5)"
  load "wrk first page" "$history?limit=50"
  if [[ "$2" == 1 ]]; then
    load "wrk keyset page (middle)" "$history?limit=50&before=$MIDDLE"
    load "wrk first page, total=exact" "$history?limit=50&total=exact"
  fi
}

FIRST_BIN=${BEFORE_BIN:-$WADESK_BIN}
start_server "$FIRST_BIN"
REG=$(curl -fsS -X POST "$BASE/api/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-1","name":"Bench","organization_name":"Bench Org"}')
KEY=$(json_field api_key <<<"$REG")
ORG=$(json_field organization.id <<<"$REG")
CLIENT=$(curl -fsS -X POST "$BASE/api/clients" -H 'Content-Type: application/json' -H "X-API-Key: $KEY" \
  -d '{"name":"Bench client","phone_number":"+14155552600"}' | json_field client.id)
[[ "$KEY" == sk_* && -n "$ORG" && -n "$CLIENT" ]] || { echo "bench: setup failed" >&2; exit 1; }

FILL_START=$(date +%s)
MIDDLE=$(python3 - "$SANDBOX/data/wadesk.db" "$ORG" "$CLIENT" "$MESSAGES" <<'PY'
import random, sqlite3, sys, time
db, org, client, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
con = sqlite3.connect(db, timeout=60)
alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
def ulid(prefix, ms):
    t = "".join(alphabet[(ms >> (45 - 5 * i)) & 31] for i in range(10))
    return prefix + "_" + t + "".join(random.choice(alphabet) for _ in range(16))
now = int(time.time() * 1000)
start = now - 90 * 86400 * 1000
contacts = []
with con:
    for i in range(200):
        cid = ulid("contact", start)
        contacts.append(cid)
        con.execute("INSERT INTO contacts (id, organization_id, phone_number, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                    (cid, org, "+1415700%04d" % i, start, start))
rows_per_statement = 500
sql = ("INSERT INTO messages (id, organization_id, client_id, contact_id, direction, body, status, created_at, sent_at, updated_at) VALUES "
       + ",".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * rows_per_statement))
middle = None
batch = []
with con:
    for i in range(n):
        # 90 days, several messages per millisecond-second bucket: ties on created_at are common.
        at = start + (i * 90 * 86400 * 1000) // n // 1000 * 1000
        inbound = i % 3 == 0
        mid = ulid("msg", at)
        if i == n // 2:
            middle = mid
        batch += [mid, org, client, contacts[i % len(contacts)], "inbound" if inbound else "outbound", "message %d" % i,
                  "received" if inbound else "read", at, at, at]
        if len(batch) == rows_per_statement * 10:
            con.execute(sql, batch)
            batch = []
    for k in range(0, len(batch), 10):
        con.execute("INSERT INTO messages (id, organization_id, client_id, contact_id, direction, body, status, created_at, sent_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch[k:k + 10])
print(middle)
PY
)
FILL_END=$(date +%s)

machine_facts
echo "store:   1 organization, 1 client, $MESSAGES messages over 90 days (200 contacts), SQLite; filled in $((FILL_END - FILL_START)) s by a multi-row INSERT script"
echo "load:    wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -H 'X-API-Key: sk_…'"
if [[ -n "$BEFORE_BIN" ]]; then
  measure "before: $BEFORE_BIN" 0
  stop_server
  MIGRATE_START=$(date +%s%N)
  start_server "$WADESK_BIN"
  echo "(this binary started on the filled store, migrations included, in $((($(date +%s%N) - MIGRATE_START) / 1000000)) ms)"
fi
measure "after: $WADESK_BIN" 1
