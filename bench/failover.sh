#!/usr/bin/env bash
# Failover between two instances on one PostgreSQL (bench/README.md, "Failover"):
#   - failover time: RUNS times, tst_failover's kill -9 case with the default lease
#     (LEASE_SECONDS, 30) and renewal interval (RENEW_SECONDS, 5: the other instance looks for
#     free clients once per interval): two real `wadesk --headless` on a throwaway cluster, the
#     owner of a linked client killed, time until the other owns it and its page is ready again
#     from the browser-state snapshot (ms after the kill); every run, the median and the max;
#   - lease overhead: the one renewal statement per tick for N sessions (SESSIONS, a list),
#     median and max over 30 renewals (tst_session_leases renewalCost).
# Builds nothing: needs tst_failover, tst_session_leases and wadesk in $WADESK_BUILD_DIR.
#   RUNS=3 LEASE_SECONDS=30 RENEW_SECONDS=5 SESSIONS="10 100 1000" WADESK_BUILD_DIR=build bench/failover.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${WADESK_BUILD_DIR:-build}
RUNS=${RUNS:-3}
LEASE_SECONDS=${LEASE_SECONDS:-30}
RENEW_SECONDS=${RENEW_SECONDS:-5}
SESSIONS=${SESSIONS:-10 100 1000}
export QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 WADESK_REQUIRE_POSTGRES=1
export WADESK_BINARY=${WADESK_BINARY:-$BUILD/app/wadesk} WADESK_SOURCE_DIR=${WADESK_SOURCE_DIR:-$(pwd)}

echo "failover: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
values=()
failed=0
# A failed run is shown and counted, and the others still run: ten runs take half an hour.
for ((i = 1; i <= RUNS; i++)); do
  ms=
  if out=$(WADESK_TEST_LEASE_SECONDS=$LEASE_SECONDS WADESK_TEST_LEASE_RENEW_SECONDS=$RENEW_SECONDS "$BUILD/tests/tst_failover" killedOwnerIsTakenOver 2>&1); then
    ms=$(grep -oE '[0-9]+ ms after kill -9' <<<"$out" | grep -oE '^[0-9]+' | tail -1)
  fi
  if [[ -z $ms ]]; then
    failed=$((failed + 1))
    echo "failover run $i failed" >&2; echo "$out" | tail -30 >&2
    continue
  fi
  values+=("$ms")
  echo "failover run $i (lease ${LEASE_SECONDS} s, renewal ${RENEW_SECONDS} s, load $(cut -d' ' -f1 /proc/loadavg)): $ms ms"
done
if ((${#values[@]})); then
  printf '%s\n' "${values[@]}" | sort -n | awk -v l="$LEASE_SECONDS" -v f="$failed" '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "failover (lease %s s): median %s ms, max %s ms over %d runs (%d failed)\n", l, m, a[NR], NR, f}'
fi

for n in $SESSIONS; do
  LEASE_BENCH_SESSIONS=$n "$BUILD/tests/tst_session_leases" renewalCost 2>&1 | grep -oE 'lease renewal: .*' || {
    echo "renewal cost for $n sessions failed" >&2; exit 1; }
done
((failed == 0))
