#!/usr/bin/env bash
# shellcheck disable=SC2317 # cleanup() and chroot_pids() run from the EXIT trap, which shellcheck cannot follow
# Installs a WaDesk DEB into a fresh minimal Debian root of the given release and checks that it
# works there: `apt-get install ./wadesk_*.deb` resolves every dependency, `wadesk --version`
# runs, `wadesk --headless` serves /health with the database connected as the wadesk system user,
# the icon, AppStream metainfo (validated inside) and man page are in place, and
# `apt-get remove` keeps the wadesk data directory and its database.
#
#   sudo bash scripts/test-package-install.sh bookworm build/wadesk_0.1.0_amd64.deb
#
# The minbase bootstrap of each release is made once with debootstrap and cached as
# /var/cache/wadesk-roots/<suite>-minbase.tar (WADESK_ROOTS_CACHE names another directory);
# every run unpacks it into a new directory under /var/tmp and removes it at the end.
# WADESK_DEBIAN_MIRROR overrides the mirror (default http://deb.debian.org/debian).
# Needs root, debootstrap and curl. Exit 0: every check passed; otherwise the first failure is named.
set -euo pipefail

SUITE=${1:-}
DEB=${2:-}
MIRROR=${WADESK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE_DIR=${WADESK_ROOTS_CACHE:-/var/cache/wadesk-roots}

say() { printf 'test-package-install: %s\n' "$*"; }
fail() { printf 'test-package-install: FAIL: %s\n' "$*" >&2; exit 1; }

[[ -n "$SUITE" && -n "$DEB" ]] || { echo "usage: $0 <suite> <path-to-wadesk.deb>" >&2; exit 2; }
[[ "$SUITE" =~ ^[a-z]+$ ]] || { echo "test-package-install: suite must be a Debian codename such as bookworm" >&2; exit 2; }
[[ -f "$DEB" ]] || { echo "test-package-install: no such file: $DEB" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || fail "needs root (chroot, mounts, debootstrap)"
for tool in debootstrap curl tar chroot mountpoint flock; do
  command -v "$tool" >/dev/null || fail "missing tool on this machine: $tool"
done
DEB=$(readlink -f "$DEB")
START=$SECONDS

# ---------------------------------------------------------------------------------------------
# The pristine bootstrap, made once per suite. flock: two runs at once wait for one bootstrap.
TARBALL=$CACHE_DIR/$SUITE-minbase.tar
mkdir -p "$CACHE_DIR"
exec 9>"$TARBALL.lock"
flock 9
if [[ ! -s "$TARBALL" ]]; then
  say "bootstrapping $SUITE (minbase) from $MIRROR; cached as $TARBALL"
  staging=$(mktemp -d /var/tmp/wadesk-bootstrap-"$SUITE".XXXXXX)
  if ! debootstrap --variant=minbase "$SUITE" "$staging/root" "$MIRROR" >"$staging.log" 2>&1; then
    tail -n 20 "$staging.log" >&2
    rm -rf --one-file-system "$staging"
    fail "debootstrap $SUITE failed (log: $staging.log)"
  fi
  tar --numeric-owner --xattrs -C "$staging/root" -cf "$TARBALL.partial" .
  mv "$TARBALL.partial" "$TARBALL"
  rm -rf --one-file-system "$staging" "$staging.log"
fi
flock -u 9

# ---------------------------------------------------------------------------------------------
# This run's root, and everything that must be undone whatever happens.
WORK=$(mktemp -d /var/tmp/wadesk-pkgtest-"$SUITE".XXXXXX)
ROOT=$WORK/root
MOUNTS=()
WADESK_PID=""

# Processes whose root directory is this chroot: WaDesk and its QtWebEngineProcess children,
# apt's helpers. Only ever processes this script started inside $ROOT.
chroot_pids() {
  local p
  for p in /proc/[0-9]*; do
    [[ "$(readlink "$p/root" 2>/dev/null)" == "$ROOT" ]] && echo "${p#/proc/}"
  done
  return 0
}

cleanup() {
  local rc=$?
  set +e
  if [[ -n "$WADESK_PID" ]] && kill -0 "$WADESK_PID" 2>/dev/null; then
    kill -TERM "$WADESK_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$WADESK_PID" 2>/dev/null || break; sleep 0.2; done
  fi
  local pids
  pids=$(chroot_pids)
  if [[ -n "$pids" ]]; then
    # shellcheck disable=SC2086 # one pid per word
    kill -KILL $pids 2>/dev/null
    sleep 0.5
  fi
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null || echo "test-package-install: could not unmount ${MOUNTS[i]}" >&2
  done
  # Remove the root only when nothing is mounted below it any more.
  if [[ -d "$WORK" ]]; then
    if grep -q " $WORK/" /proc/self/mounts; then
      echo "test-package-install: something is still mounted under $WORK; leaving it in place" >&2
    elif [[ "${WADESK_KEEP_ROOT:-0}" == 1 ]]; then
      echo "test-package-install: WADESK_KEEP_ROOT=1: the root stays at $ROOT" >&2
    else
      rm -rf --one-file-system "$WORK"
    fi
  fi
  if [[ $rc -eq 0 ]]; then
    say "PASS ($SUITE, $((SECONDS - START)) s)"
  else
    echo "test-package-install: failed after $((SECONDS - START)) s (exit $rc)" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

bind() { # bind <host path> <path inside the root>
  mkdir -p "$ROOT$2"
  mount --bind "$1" "$ROOT$2"
  MOUNTS+=("$ROOT$2")
}

in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  LANG=C.UTF-8 ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} "$@"; }

say "unpacking $TARBALL into $ROOT"
mkdir -p "$ROOT"
tar --numeric-owner --xattrs -C "$ROOT" -xpf "$TARBALL"

mount -t proc proc "$ROOT/proc"
MOUNTS+=("$ROOT/proc")
bind /dev /dev
bind /dev/pts /dev/pts
# Chromium keeps its shared memory in /dev/shm; a bind of /dev alone does not carry that mount.
if mountpoint -q /dev/shm; then bind /dev/shm /dev/shm; fi

# The network as the host sees it: name servers, the host's extra CA certificates (an
# intercepting proxy's), and apt's proxy settings.
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
if proxy_conf=$(apt-config dump 2>/dev/null | grep -E '^Acquire::(http|https|ftp)::Proxy' || true) && [[ -n "$proxy_conf" ]]; then
  printf '%s\n' "$proxy_conf" >"$ROOT/etc/apt/apt.conf.d/00host-proxy"
fi
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$ROOT/etc/apt/apt.conf.d/00wadesk-test"
# No service may start inside the chroot (there is no init in it).
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 0755 "$ROOT/usr/sbin/policy-rc.d"

say "apt-get update"
in_root apt-get update -qq >"$WORK/apt-update.log" 2>&1 || { tail -n 20 "$WORK/apt-update.log" >&2; fail "apt-get update failed inside the $SUITE root"; }
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  in_root apt-get install -y -qq ca-certificates >"$WORK/ca.log" 2>&1 || { tail -n 20 "$WORK/ca.log" >&2; fail "installing ca-certificates failed"; }
  mkdir -p "$ROOT/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
  in_root update-ca-certificates >/dev/null 2>&1 || fail "update-ca-certificates failed inside the root"
fi

# ---------------------------------------------------------------------------------------------
say "apt-get install ./$(basename "$DEB")"
cp "$DEB" "$ROOT/tmp/"
if ! in_root apt-get install -y "/tmp/$(basename "$DEB")" >"$WORK/install.log" 2>&1; then
  tail -n 30 "$WORK/install.log" >&2
  fail "apt-get install of the package failed in $SUITE"
fi
say "$(grep -c '^Setting up' "$WORK/install.log" || true) packages set up"

version=$(in_root wadesk --version 2>&1) || fail "wadesk --version failed: $version"
say "wadesk --version: $version"

in_root getent passwd wadesk >/dev/null || fail "the wadesk system user was not created"
# Owners are looked up inside the root: its wadesk uid means someone else on this machine.
owner=$(in_root stat -c '%U:%G %a' /var/lib/wadesk) || fail "/var/lib/wadesk was not created"
[[ "$owner" == "wadesk:wadesk 750" ]] || fail "/var/lib/wadesk is $owner, expected wadesk:wadesk 750"

for f in /usr/share/icons/hicolor/scalable/apps/wadesk.svg /usr/share/icons/hicolor/16x16/apps/wadesk.png \
  /usr/share/icons/hicolor/512x512/apps/wadesk.png /usr/share/applications/io.github.wadesk.WaDesk.desktop \
  /usr/share/metainfo/io.github.wadesk.WaDesk.metainfo.xml /usr/share/man/man1/wadesk.1.gz \
  /usr/share/doc/wadesk/copyright /usr/lib/systemd/system/wadesk.service /etc/wadesk/wadesk.env; do
  [[ -s "$ROOT$f" ]] || fail "the package did not install $f"
done
zcat "$ROOT/usr/share/man/man1/wadesk.1.gz" | grep -q '^\.TH WADESK 1' || fail "wadesk.1.gz is not a man page"

# ---------------------------------------------------------------------------------------------
# Headless start as the service runs it: the wadesk user, its data directory, a master key from
# the environment, a free loopback port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null) \
  || port=$((20000 + RANDOM % 20000))
master_key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
say "starting wadesk --headless as user wadesk on 127.0.0.1:$port"
# Chromium's setuid/namespace sandbox cannot set itself up inside a plain chroot, so the test
# turns it off; the systemd unit on a real host keeps it.
chroot "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/var/lib/wadesk \
  WADESK_DATA_DIR=/var/lib/wadesk WADESK_MASTER_KEY="$master_key" WADESK_PORT="$port" \
  QTWEBENGINE_DISABLE_SANDBOX=1 \
  setpriv --reuid=wadesk --regid=wadesk --init-groups /usr/bin/wadesk --headless >"$WORK/wadesk.log" 2>&1 &
WADESK_PID=$!

health=""
for _ in $(seq 1 120); do
  kill -0 "$WADESK_PID" 2>/dev/null || { tail -n 30 "$WORK/wadesk.log" >&2; fail "wadesk --headless exited before answering /health"; }
  if code=$(curl -s -o "$WORK/health.json" -w '%{http_code}' "http://127.0.0.1:$port/health" 2>/dev/null) && [[ "$code" == 200 ]]; then
    health=$(cat "$WORK/health.json")
    break
  fi
  sleep 0.5
done
[[ -n "$health" ]] || { tail -n 30 "$WORK/wadesk.log" >&2; fail "/health did not answer 200 within 60 s"; }
say "/health: $health"
grep -q '"database":"connected"' <<<"$health" || fail "/health does not report the database connected"
grep -q '"status":"healthy"' <<<"$health" || fail "/health does not report healthy"

kill -TERM "$WADESK_PID"
rc=0
wait "$WADESK_PID" || rc=$?
WADESK_PID=""
[[ $rc -eq 0 ]] || { tail -n 30 "$WORK/wadesk.log" >&2; fail "wadesk exited with $rc on SIGTERM"; }
[[ -s "$ROOT/var/lib/wadesk/wadesk.db" ]] || fail "no database at /var/lib/wadesk/wadesk.db after the run"
db_owner=$(in_root stat -c '%U' /var/lib/wadesk/wadesk.db)
[[ "$db_owner" == wadesk ]] || fail "the database belongs to $db_owner, not wadesk"

# ---------------------------------------------------------------------------------------------
say "validating the AppStream metainfo inside the root"
in_root apt-get install -y -qq appstream >"$WORK/appstream.log" 2>&1 || { tail -n 20 "$WORK/appstream.log" >&2; fail "installing appstream failed"; }
if ! out=$(in_root appstreamcli validate --no-net /usr/share/metainfo/io.github.wadesk.WaDesk.metainfo.xml 2>&1); then
  echo "$out" >&2
  fail "appstreamcli validate rejects the metainfo"
fi
say "appstreamcli: $(tail -n 1 <<<"$out")"

say "apt-get remove wadesk"
in_root apt-get remove -y wadesk >"$WORK/remove.log" 2>&1 || { tail -n 20 "$WORK/remove.log" >&2; fail "apt-get remove wadesk failed"; }
[[ ! -e "$ROOT/usr/bin/wadesk" ]] || fail "/usr/bin/wadesk is still there after remove"
[[ -d "$ROOT/var/lib/wadesk" ]] || fail "remove deleted /var/lib/wadesk"
[[ -s "$ROOT/var/lib/wadesk/wadesk.db" ]] || fail "remove deleted the database /var/lib/wadesk/wadesk.db"
in_root getent passwd wadesk >/dev/null || fail "remove deleted the wadesk user"

say "apt-get purge wadesk"
in_root apt-get purge -y wadesk >"$WORK/purge.log" 2>&1 || { tail -n 20 "$WORK/purge.log" >&2; fail "apt-get purge wadesk failed"; }
[[ ! -e "$ROOT/etc/wadesk/wadesk.env" ]] || fail "purge left the conffile /etc/wadesk/wadesk.env"
[[ -s "$ROOT/var/lib/wadesk/wadesk.db" ]] || fail "purge deleted the database /var/lib/wadesk/wadesk.db"
exit 0
