#!/usr/bin/env bash
# Runs inside `dbus-run-session`: starts a throwaway, unlocked gnome-keyring of its own (so the
# keychain tests use a real keychain and the user's keyrings are never touched), runs CTest,
# then stops exactly that keyring daemon.
set -uo pipefail
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
chmod 700 "$XDG_RUNTIME_DIR"
scratch="$(mktemp -d)"
export XDG_DATA_HOME="$scratch/data"   # gnome-keyring keeps its keyrings here
mkdir -p "$XDG_DATA_HOME"
keyring_pid=""
if command -v gnome-keyring-daemon >/dev/null; then
  (printf 'wadesk-test\n' | exec gnome-keyring-daemon --foreground --unlock --components=secrets >"$scratch/keyring.env" 2>/dev/null) &
  keyring_pid=$!
  for _ in $(seq 1 50); do [[ -s "$scratch/keyring.env" ]] && break; sleep 0.1; done
  if [[ -s "$scratch/keyring.env" ]]; then
    set -a; . "$scratch/keyring.env"; set +a
    export WADESK_TEST_KEYCHAIN=1
  fi
fi
cd "${WADESK_BUILD_DIR:-build}"
ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@"
status=$?
[[ -n "$keyring_pid" ]] && kill "$keyring_pid" 2>/dev/null
rm -rf "$scratch"
exit $status
