#!/usr/bin/env bash
# Browser-state snapshot bench (bench/README.md, "Browser snapshots"): size and time of a linked
# fake profile's snapshot (pack + compress + seal + store) and of its restore, on each database in
# DBS; then with PADDING_MB of incompressible bytes added. bench_snapshots is built on demand.
#   BUILD_DIR=build DBS="postgres sqlite" RUNS=10 PADDING_MB=20 bench/snapshots.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

BUILD_DIR=${BUILD_DIR:-$(dirname "$(dirname "$WADESK_BIN")")}
BENCH=${BENCH:-$BUILD_DIR/tests/bench_snapshots}
DBS=${DBS:-postgres sqlite}
RUNS=${RUNS:-10}
PADDING_MB=${PADDING_MB:-20}

if [[ ! -x "$BENCH" || "${REBUILD:-1}" == 1 ]]; then
  ninja -C "$BUILD_DIR" bench_snapshots >/dev/null || { echo "bench: cannot build bench_snapshots in $BUILD_DIR" >&2; exit 1; }
fi

machine_facts
for db in $DBS; do
  echo
  WADESK_SOURCE_DIR="${WADESK_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}" \
    "$BENCH" --dialect "$db" --runs "$RUNS" --padding-mb "$PADDING_MB"
done
