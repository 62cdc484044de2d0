#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to the whole test suite: installs what is missing
# (PostgreSQL, Xvfb, gnome-keyring included), builds with warnings as errors, and runs every
# test with CTest inside a private D-Bus session with an unlocked gnome-keyring (so the
# keychain tests use a real keychain). PostgreSQL tests start their own throwaway cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --test
python3 scripts/check-includes.py   # include direction: core never reaches into the engine or ui, no folder cycles
export WADESK_BUILD_DIR="${WADESK_BUILD_DIR:-build}"
WADESK_WERROR=ON bash scripts/build.sh
export WADESK_REQUIRE_POSTGRES=1
export QT_QPA_PLATFORM=offscreen
export QTWEBENGINE_DISABLE_SANDBOX=1
exec dbus-run-session -- bash scripts/ctest-in-session.sh "$@"
