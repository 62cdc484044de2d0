# Shared by the bench scripts: locate the binary, make a sandbox, start/stop wadesk.
# The binary is not built here: it is build/app/wadesk (RelWithDebInfo) unless WADESK_BIN says otherwise.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WADESK_BIN=${WADESK_BIN:-$BENCH_ROOT/build/app/wadesk}

if [[ ! -x "$WADESK_BIN" ]]; then
  echo "bench: $WADESK_BIN not found; build first (scripts/build.sh) or set WADESK_BIN" >&2
  exit 1
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# A throwaway HOME / XDG / data directory so no developer settings are read.
make_sandbox() {
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/wadesk-bench-XXXXXX")
  mkdir -p "$dir/config" "$dir/runtime"
  chmod 700 "$dir/runtime"
  echo "$dir"
}

# Runs a command (usually "$WADESK_BIN" ...) in the environment of a headless run inside sandbox
# $1 (extra VAR=value pairs may come before the command). Started in the background
# (`sandbox_env "$dir" "$WADESK_BIN" ... &`), the background job *becomes* the command (exec), so
# that $! is the command's own PID and `kill $!` stops it rather than leaving it orphaned.
sandbox_env() {
  local dir=$1
  shift
  local -a setup=(-u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM -u DBUS_SESSION_BUS_ADDRESS
    HOME="$dir" XDG_CONFIG_HOME="$dir/config" XDG_DATA_HOME="$dir/share" XDG_CACHE_HOME="$dir/cache"
    XDG_RUNTIME_DIR="$dir/runtime" WADESK_SECRETS_BACKEND=file)
  if [[ $BASHPID != "$$" ]]; then
    exec env "${setup[@]}" "$@"
  fi
  env "${setup[@]}" "$@"
}

machine_facts() {
  echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), nproc $(nproc)"
  echo "kernel:  $(uname -sr)"
  echo "binary:  $WADESK_BIN ($("$WADESK_BIN" --version 2>/dev/null | head -1))"
}
