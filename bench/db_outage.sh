#!/usr/bin/env bash
# How soon work resumes after PostgreSQL comes back: runs, RUNS times each, the two outage tests
# against a throwaway cluster (they stop and start it) and collects what they measure:
#   - the send queue (6 messages, one of them answered by the page during the outage) drained,
#     in ms after the server was back (tst_message_sender sendsResumeAfterADatabaseOutage);
#   - the API answering 200 again, in ms after the server was back (tst_db_outages).
# Prints every run, the median and the max. Builds nothing: needs a build in $WADESK_BUILD_DIR.
#   RUNS=5 WADESK_BUILD_DIR=build bench/db_outage.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${WADESK_BUILD_DIR:-build}
RUNS=${RUNS:-5}
export QT_QPA_PLATFORM=offscreen WADESK_REQUIRE_POSTGRES=1

figures() { # <name> <command...>: one figure (ms) per run
  local name=$1; shift
  local values=()
  for ((i = 1; i <= RUNS; i++)); do
    local out
    out=$("$@" 2>&1) || { echo "$name: run $i failed" >&2; echo "$out" | tail -20 >&2; exit 1; }
    local ms
    ms=$(grep -oE '(drained|answered again) [0-9]+ ms' <<<"$out" | grep -oE '[0-9]+' | tail -1)
    values+=("$ms")
    echo "$name run $i: $ms ms"
  done
  printf '%s\n' "${values[@]}" | sort -n | awk -v n="$name" '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%s: median %s ms, max %s ms over %d runs\n", n, m, a[NR], NR}'
}

echo "db_outage: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
figures "send queue drained" "$BUILD/tests/tst_message_sender" sendsResumeAfterADatabaseOutage
figures "API answering again" "$BUILD/tests/tst_db_outages" outageAnswers503ThenRecovers
