#!/usr/bin/env bash
# Configures and builds WaDesk with Ninja into ./build (or $WADESK_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${WADESK_BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${WADESK_BUILD_TYPE:-RelWithDebInfo}" \
      -DWADESK_WERROR="${WADESK_WERROR:-ON}" "$@" >/dev/null
cmake --build "$BUILD_DIR" --parallel "$(nproc)"
