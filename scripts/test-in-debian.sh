#!/usr/bin/env bash
# Builds WaDesk with warnings as errors and runs the whole test suite inside a minimal root of
# another Debian release (trixie = Debian 13 with Qt 6.8, sid = unstable with the newest Qt),
# made with debootstrap from the same archive as the host. With --package it also builds the
# DEB there and copies it to $WADESK_PACKAGE_OUT (default ./packages/<suite>/).
#
#   bash scripts/test-in-debian.sh trixie|sid|bookworm [--prepare | --package] [ctest arguments...]
#
# --prepare stops once the root and its packages are ready (to warm the cache).
#
# The root is kept under $WADESK_ROOTS_DIR (default /var/cache/wadesk-roots/<suite>) with its
# installed packages, its ccache and its build directory, so a second run only updates what
# changed. Exit codes: 0 passed; 75 the release's packages cannot be installed today (Debian
# unstable moves daily: the caller decides whether that is fatal); anything else failed.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC_DIR="$(pwd)"

SUITE="${1:?usage: test-in-debian.sh SUITE [--package] [ctest arguments...]}"
shift
PACKAGE=0
PREPARE_ONLY=0
case "${1:-}" in
  --package) PACKAGE=1; shift ;;
  --prepare) PREPARE_ONLY=1; shift ;;
esac
[[ "$SUITE" =~ ^[a-z]+$ ]] || { echo "test-in-debian: bad suite name '$SUITE'" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "test-in-debian: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }

MIRROR="${WADESK_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
ROOTS_DIR="${WADESK_ROOTS_DIR:-/var/cache/wadesk-roots}"
ROOT="$ROOTS_DIR/$SUITE"
PACKAGE_OUT="${WADESK_PACKAGE_OUT:-$SRC_DIR/packages/$SUITE}"
UNAVAILABLE=75
say() { echo "test-in-debian[$SUITE]: $*"; }
started=$SECONDS

command -v debootstrap >/dev/null && command -v rsync >/dev/null || {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends debootstrap rsync >/dev/null
}

# One run at a time per root (CI and a developer, or two suites' package tests).
mkdir -p "$ROOTS_DIR"
exec 9>"$ROOTS_DIR/$SUITE.lock"
flock 9

mounts=()
cleanup() {
  local m
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    m="${mounts[$i]}"
    umount -R "$m" 2>/dev/null || umount -lR "$m" 2>/dev/null || true
  done
}
trap cleanup EXIT

mount_into_root() {
  mkdir -p "$ROOT/proc" "$ROOT/dev" "$ROOT/sys"
  mount -t proc proc "$ROOT/proc"; mounts+=("$ROOT/proc")
  # /dev with /dev/shm and /dev/pts (QtWebEngine needs shared memory).
  mount --rbind /dev "$ROOT/dev"; mount --make-rslave "$ROOT/dev"; mounts+=("$ROOT/dev")
  mount --rbind /sys "$ROOT/sys"; mount --make-rslave "$ROOT/sys"; mounts+=("$ROOT/sys")
}

in_root() { chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 TERM=dumb CI="${CI:-}" "$@"; }

# 1. The root: bootstrapped once, then reused.
if [[ ! -e "$ROOT/.wadesk-bootstrapped" ]]; then
  say "bootstrapping a minimal $SUITE root in $ROOT"
  rm -rf "$ROOT.partial"
  if ! debootstrap --variant=minbase "$SUITE" "$ROOT.partial" "$MIRROR" >"$ROOTS_DIR/$SUITE.debootstrap.log" 2>&1; then
    tail -n 20 "$ROOTS_DIR/$SUITE.debootstrap.log" >&2
    say "cannot bootstrap $SUITE from $MIRROR (its packages cannot be installed today)"
    rm -rf "$ROOT.partial"
    exit $UNAVAILABLE
  fi
  rm -rf "$ROOT"
  mv "$ROOT.partial" "$ROOT"
  touch "$ROOT/.wadesk-bootstrapped"
fi

# 2. What the host knows about reaching the outside: DNS, CA certificates, npm settings.
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
mkdir -p "$ROOT/usr/local/share/ca-certificates"
cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/" 2>/dev/null || true
[[ -f "$HOME/.npmrc" ]] && cp "$HOME/.npmrc" "$ROOT/root/.npmrc"
# apt's settings for reaching the archive (proxies, a mirror's validity rules) as the host does:
# the administrator's own files only, not those a package installs (they would clash with it).
for conf in /etc/apt/apt.conf.d/*; do
  [[ -f "$conf" ]] && grep -q '^[[:space:]]*Acquire::' "$conf" && ! dpkg -S "$conf" >/dev/null 2>&1 \
    && cp "$conf" "$ROOT/etc/apt/apt.conf.d/"
done
mount_into_root

# 3. Packages: the project's own list (scripts/install-deps.sh), plus ccache for later runs.
rsync -r -l -p --checksum --delete --exclude='/build*/' --exclude='/packages/' --exclude='node_modules/' \
      --exclude='/.git/' "$SRC_DIR/" "$ROOT/src/"
export DEBIAN_FRONTEND=noninteractive
if ! in_root bash -c 'export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates ccache >/dev/null \
    && update-ca-certificates >/dev/null && bash /src/scripts/install-deps.sh --test' \
    >"$ROOTS_DIR/$SUITE.deps.log" 2>&1; then
  tail -n 30 "$ROOTS_DIR/$SUITE.deps.log" >&2
  say "the build and test packages cannot be installed in $SUITE today"
  exit $UNAVAILABLE
fi
qt_version=$(in_root dpkg-query -W -f='${Version}' qt6-base-dev 2>/dev/null || true)
webengine_version=$(in_root dpkg-query -W -f='${Version}' qt6-webengine-dev 2>/dev/null || true)
say "root ready ($((SECONDS - started)) s): Qt $qt_version, QtWebEngine $webengine_version"
[[ $PREPARE_ONLY -eq 1 ]] && exit 0

# 4. Build with -Werror and run the whole suite, exactly like the README's test command.
build_started=$SECONDS
in_root bash -c 'cd /src && export WADESK_BUILD_DIR=/build CCACHE_DIR=/root/.ccache && exec bash scripts/test.sh "$@"' test.sh "$@"
say "build and tests passed in $((SECONDS - build_started)) s"

# 5. Optionally the release's own DEB, built and checked in that release (scripts/package.sh).
if [[ $PACKAGE -eq 1 ]]; then
  in_root bash -c 'cd /src && export CCACHE_DIR=/root/.ccache WADESK_PACKAGE_BUILD_DIR=/build-package WADESK_PACKAGE_OUT=/packages && exec bash scripts/package.sh'
  mkdir -p "$PACKAGE_OUT"
  rm -f "$PACKAGE_OUT"/wadesk_*.deb "$PACKAGE_OUT"/wadesk-*.tar.gz
  cp "$ROOT"/packages/wadesk_*.deb "$ROOT"/packages/wadesk-*.tar.gz "$PACKAGE_OUT/"
  say "packages: $(cd "$PACKAGE_OUT" && ls wadesk_*.deb wadesk-*.tar.gz | tr '\n' ' ')"
fi
say "done in $((SECONDS - started)) s"
