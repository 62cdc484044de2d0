#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running WaDesk on its embedded default:
# installs what is missing, builds, and starts WaDesk with SQLite in the user's data directory.
# Without a display, WaDesk says so and starts headless. Extra arguments go to wadesk.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
WADESK_BUILD_DIR="${WADESK_BUILD_DIR:-build}" bash scripts/build.sh
exec "${WADESK_BUILD_DIR:-build}/app/wadesk" "$@"
