#!/usr/bin/env bash
# Campaign benches (bench/README.md, "Campaigns"): create and start a RECIPIENTS-recipient
# campaign RUNS times (goal: create + start < 2 s at 10,000), then the scheduler's cost per
# message over FEED messages; on each database in DBS. bench_campaigns is built on demand.
#   BUILD_DIR=build DBS="sqlite postgres" RECIPIENTS=10000 RUNS=3 FEED=2000 bench/campaigns.sh
# PostgreSQL: a throwaway cluster (the test harness's PgCluster, as the postgres user when root).
set -euo pipefail
source "$(dirname "$0")/common.sh"

BUILD_DIR=${BUILD_DIR:-$(dirname "$(dirname "$WADESK_BIN")")}
BENCH=${BENCH:-$BUILD_DIR/tests/bench_campaigns}
DBS=${DBS:-sqlite postgres}
RECIPIENTS=${RECIPIENTS:-10000}
RUNS=${RUNS:-3}
FEED=${FEED:-2000}

if [[ ! -x "$BENCH" || "${REBUILD:-1}" == 1 ]]; then
  ninja -C "$BUILD_DIR" bench_campaigns >/dev/null || { echo "bench: cannot build bench_campaigns in $BUILD_DIR" >&2; exit 1; }
fi

machine_facts
for db in $DBS; do
  echo
  "$BENCH" --dialect "$db" --recipients "$RECIPIENTS" --runs "$RUNS" --feed "$FEED"
done
