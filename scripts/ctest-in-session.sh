#!/usr/bin/env bash
# Runs inside `dbus-run-session`: unlocks a throwaway gnome-keyring, then runs CTest.
set -uo pipefail
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
chmod 700 "$XDG_RUNTIME_DIR"
export HOME_FOR_KEYRING="$(mktemp -d)"
# gnome-keyring keeps its keyrings under XDG_DATA_HOME: a temporary one keeps the user's untouched.
export XDG_DATA_HOME="$HOME_FOR_KEYRING"
if command -v gnome-keyring-daemon >/dev/null; then
  eval "$(printf 'wadesk-test\n' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
  export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
  export WADESK_TEST_KEYCHAIN=1
fi
cd "${WADESK_BUILD_DIR:-build}"
ctest --output-on-failure --timeout 600 -j "$(nproc)" "$@"
status=$?
pkill -u "$(id -u)" -f "gnome-keyring-daemon.*--components=secrets" 2>/dev/null || true
rm -rf "$HOME_FOR_KEYRING"
exit $status
