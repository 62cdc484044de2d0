#!/usr/bin/env bash
# Configures and builds WaDesk with Ninja into ./build (or $WADESK_BUILD_DIR).
# Uses ccache when it is installed (paths taken relative to the source, so clones share it).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${WADESK_BUILD_DIR:-build}"
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}" CCACHE_NOHASHDIR=1 # debug paths may name another clone
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${WADESK_BUILD_TYPE:-RelWithDebInfo}" \
      -DWADESK_WERROR="${WADESK_WERROR:-ON}" "${launcher[@]}" "$@" >/dev/null
cmake --build "$BUILD_DIR" --parallel "$(nproc)"
