#!/usr/bin/env bash
# shellcheck disable=SC2317 # cleanup() and chroot_pids() run from the EXIT trap, which shellcheck cannot follow
# Installs a WaDesk DEB into a fresh minimal Debian root of the given release and checks that it
# works there: `apt-get install ./wadesk_*.deb` resolves every dependency, `wadesk --version`
# runs, `wadesk --headless` as the wadesk system user serves /health with the database connected
# and runs a WhatsApp session (QtWebEngine) against the project's fake WhatsApp Web page up to its
# QR code, the icon, AppStream metainfo (validated inside) and man page are in place, and
# `apt-get remove` / `purge` keep the wadesk data directory and its database.
# Where systemd-nspawn exists (package systemd-container), the root is then booted with systemd
# and the same checks run against `systemctl enable wadesk` as installed: the hardened unit, its
# environment file, and Chromium's own sandbox turned on. WADESK_TEST_BOOT=0 skips that part.
#
#   sudo bash scripts/test-package-install.sh bookworm build/wadesk_0.1.0_amd64.deb
#
# The minbase bootstrap of each release is made once with debootstrap and cached as
# /var/cache/wadesk-roots/<suite>-minbase.tar (WADESK_ROOTS_CACHE names another directory);
# every run unpacks it into a new directory under /var/tmp and removes it at the end.
# WADESK_DEBIAN_MIRROR overrides the mirror (default http://deb.debian.org/debian).
# Needs root, debootstrap and curl. Exit 0: every check passed; otherwise the first failure is named.
# WADESK_KEEP_ROOT=1 leaves the root in place for a look after the run.
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
FAKE_PAGE_DIR=$(cd "$(dirname "$0")/.." && pwd)/tests/fixtures/fake-whatsapp
[[ -f "$FAKE_PAGE_DIR/index.html" ]] || fail "the fake WhatsApp Web page is missing: $FAKE_PAGE_DIR"
BOOT=${WADESK_TEST_BOOT:-auto}
if [[ "$BOOT" == auto ]]; then
  if command -v systemd-nspawn >/dev/null; then BOOT=1; else BOOT=0; fi
fi
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
NSPAWN_PID=""

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
  if [[ -n "$NSPAWN_PID" ]] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
    kill -TERM "$NSPAWN_PID" 2>/dev/null # the container's systemd shuts down
    for _ in $(seq 1 100); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.3; done
    kill -KILL "$NSPAWN_PID" 2>/dev/null
  fi
  local pids
  pids=$(chroot_pids)
  if [[ -n "$pids" ]]; then
    # shellcheck disable=SC2086 # one pid per word
    kill -KILL $pids 2>/dev/null
    sleep 0.5
  fi
  unmount_all
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

# What a chroot needs: /proc, /dev and /dev/pts, and /dev/shm (Chromium's shared memory; a bind
# of /dev alone does not carry that mount).
mount_all() {
  mount -t proc proc "$ROOT/proc"
  MOUNTS+=("$ROOT/proc")
  bind /dev /dev
  bind /dev/pts /dev/pts
  if mountpoint -q /dev/shm; then bind /dev/shm /dev/shm; fi
}

unmount_all() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null || echo "test-package-install: could not unmount ${MOUNTS[i]}" >&2
  done
  MOUNTS=()
}

in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
  LANG=C.UTF-8 ${http_proxy:+http_proxy=$http_proxy} ${https_proxy:+https_proxy=$https_proxy} "$@"; }

say "unpacking $TARBALL into $ROOT"
mkdir -p "$ROOT"
tar --numeric-owner --xattrs -C "$ROOT" -xpf "$TARBALL"

mount_all

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
# the environment, a free loopback port; sessions open the fake WhatsApp Web page.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

wait_for_health() { # wait_for_health <port> <pid> <log>: sets HEALTH
  HEALTH=""
  local code
  for _ in $(seq 1 180); do
    kill -0 "$2" 2>/dev/null || { tail -n 30 "$3" >&2; fail "wadesk (or its container) exited before answering /health"; }
    if code=$(curl -s -m 5 -o "$WORK/health.json" -w '%{http_code}' "http://127.0.0.1:$1/health" 2>/dev/null) && [[ "$code" == 200 ]]; then
      HEALTH=$(cat "$WORK/health.json")
      break
    fi
    sleep 0.5
  done
  [[ -n "$HEALTH" ]] || { tail -n 30 "$3" >&2; fail "/health on port $1 did not answer 200 within 90 s"; }
  say "/health: $HEALTH"
  grep -q '"database":"connected"' <<<"$HEALTH" || fail "/health does not report the database connected"
  grep -q '"status":"healthy"' <<<"$HEALTH" || fail "/health does not report healthy"
}

# A WhatsApp session through the API: register an organization, add a client, start it, and wait
# for the page (a Chromium renderer running the fake page's script) to show its QR code. This is
# what needs QtWebEngine's helper process, resources and locales, none of which /health touches.
check_session() { # check_session <port> <email> <log>
  local base="http://127.0.0.1:$1" answer key client status code
  answer=$(curl -s -m 30 -H 'Content-Type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"package-test-1\",\"name\":\"Admin\",\"organization_name\":\"Package test\"}" \
    "$base/api/auth/register") || fail "POST /api/auth/register failed"
  key=$(grep -o '"api_key":"sk_[A-Za-z0-9_-]*"' <<<"$answer" | cut -d'"' -f4) || true
  [[ -n "$key" ]] || fail "registering an organization gave no API key: $(head -c 200 <<<"$answer")"
  answer=$(curl -s -m 30 -H "X-API-Key: $key" -H 'Content-Type: application/json' \
    -d '{"name":"Package test","phone_number":"+14155552671"}' "$base/api/clients") || fail "POST /api/clients failed"
  client=$(grep -o '"id":"client_[A-Za-z0-9]*"' <<<"$answer" | head -n 1 | cut -d'"' -f4) || true
  [[ -n "$client" ]] || fail "creating a client failed: $answer"
  curl -s -m 30 -o /dev/null -X POST -H "X-API-Key: $key" "$base/api/clients/$client/init" || fail "POST /api/clients/$client/init failed"
  status=""
  for _ in $(seq 1 120); do
    status=$(curl -s -m 5 -H "X-API-Key: $key" "$base/api/clients/$client/status" | grep -o '"status":"[a-z_]*"' | cut -d'"' -f4) || true
    [[ "$status" == qr || "$status" == failed ]] && break
    sleep 0.5
  done
  [[ "$status" == qr ]] || { tail -n 40 "$3" >&2; fail "the WhatsApp session did not reach its QR code (state: ${status:-none}): QtWebEngine does not run"; }
  code=$(curl -s -m 10 -o "$WORK/qr.png" -w '%{http_code} %{content_type}' -H "X-API-Key: $key" "$base/api/clients/$client/qr") || true
  [[ "$code" == "200 image/png" ]] || fail "GET /api/clients/$client/qr answered $code"
  say "a session opened the fake WhatsApp Web page in QtWebEngine and shows its QR code"
}

mkdir -p "$ROOT/usr/local/share/wadesk-fake-whatsapp"
cp "$FAKE_PAGE_DIR"/* "$ROOT/usr/local/share/wadesk-fake-whatsapp/"
TEST_SETTINGS=(WADESK_WA_URL=file:///usr/local/share/wadesk-fake-whatsapp/index.html WADESK_INJECT_WAJS=0
  WADESK_PASSWORD_HASH_COST=min)

port=$(free_port)
master_key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
say "starting wadesk --headless as user wadesk in a chroot on 127.0.0.1:$port"
# Chromium's sandbox cannot set itself up inside a plain chroot, so this run turns it off; the
# systemd run below keeps it.
chroot "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/var/lib/wadesk \
  WADESK_DATA_DIR=/var/lib/wadesk WADESK_MASTER_KEY="$master_key" WADESK_PORT="$port" "${TEST_SETTINGS[@]}" \
  QTWEBENGINE_DISABLE_SANDBOX=1 \
  setpriv --reuid=wadesk --regid=wadesk --init-groups /usr/bin/wadesk --headless >"$WORK/wadesk.log" 2>&1 &
WADESK_PID=$!
wait_for_health "$port" "$WADESK_PID" "$WORK/wadesk.log"
check_session "$port" chroot@package.test "$WORK/wadesk.log"

kill -TERM "$WADESK_PID"
rc=0
wait "$WADESK_PID" || rc=$?
WADESK_PID=""
[[ $rc -eq 0 ]] || { tail -n 30 "$WORK/wadesk.log" >&2; fail "wadesk exited with $rc on SIGTERM"; }
[[ -s "$ROOT/var/lib/wadesk/wadesk.db" ]] || fail "no database at /var/lib/wadesk/wadesk.db after the run"
db_owner=$(in_root stat -c '%U' /var/lib/wadesk/wadesk.db)
[[ "$db_owner" == wadesk ]] || fail "the database belongs to $db_owner, not wadesk"

# ---------------------------------------------------------------------------------------------
# The unit as installed, under systemd: the root booted in a container, the service enabled the
# way an admin does it, its settings in /etc/wadesk/wadesk.env.
if [[ "$BOOT" == 1 ]]; then
  say "booting the $SUITE root with systemd (systemd-nspawn) to run wadesk.service"
  in_root apt-get install -y -qq systemd >"$WORK/systemd.log" 2>&1 || { tail -n 20 "$WORK/systemd.log" >&2; fail "installing systemd in the root failed"; }
  in_root systemctl enable wadesk.service >/dev/null 2>&1 || fail "systemctl enable wadesk.service failed"
  boot_port=$(free_port)
  {
    echo "WADESK_PORT=$boot_port"
    echo "WADESK_MASTER_KEY=$master_key"
    printf '%s\n' "${TEST_SETTINGS[@]}"
  } >>"$ROOT/etc/wadesk/wadesk.env"
  rm -f "$ROOT/usr/sbin/policy-rc.d"
  unmount_all # the container mounts its own /proc and /dev
  # systemd 256 and later want the unified cgroup hierarchy, also on a host that runs a hybrid one.
  SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn -q -D "$ROOT" --keep-unit --register=no -b >"$WORK/boot.log" 2>&1 &
  NSPAWN_PID=$!
  wait_for_health "$boot_port" "$NSPAWN_PID" "$WORK/boot.log"
  # The service runs as the wadesk user, not root (its uid as the root's passwd file has it).
  wadesk_uid=$(chroot "$ROOT" id -u wadesk)
  main_pid=""
  for p in /proc/[0-9]*; do
    [[ "$(readlink "$p/exe" 2>/dev/null)" == */usr/bin/wadesk ]] || continue
    [[ "$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" == "/usr/bin/wadesk --headless "* ]] || continue
    main_pid=${p#/proc/} && break
  done
  [[ -n "$main_pid" ]] || fail "no /usr/bin/wadesk --headless process found in the container"
  main_uid=$(awk '/^Uid:/ {print $2}' "/proc/$main_pid/status")
  [[ "$main_uid" == "$wadesk_uid" ]] || fail "wadesk.service runs as uid $main_uid, not as wadesk ($wadesk_uid)"
  check_session "$boot_port" systemd@package.test "$WORK/boot.log"
  # Chromium's sandbox is on: some QtWebEngineProcess below the service lives in a user
  # namespace of its own.
  sandboxed=0
  for p in /proc/[0-9]*; do
    [[ "$(readlink "$p/exe" 2>/dev/null)" == */QtWebEngineProcess ]] || continue
    parent=$(awk '/^PPid:/ {print $2}' "$p/status" 2>/dev/null) || continue
    grandparent=$(awk '/^PPid:/ {print $2}' "/proc/$parent/status" 2>/dev/null) || grandparent=""
    [[ "$parent" == "$main_pid" || "$grandparent" == "$main_pid" ]] || continue
    [[ "$(readlink "$p/ns/user")" != "$(readlink "/proc/$main_pid/ns/user")" ]] && sandboxed=1
  done
  [[ $sandboxed == 1 ]] || fail "no QtWebEngineProcess of wadesk.service runs in Chromium's namespace sandbox"
  score=$(chroot "$ROOT" systemd-analyze security --offline=true /usr/lib/systemd/system/wadesk.service 2>/dev/null | grep -o 'Overall exposure level.*') || true
  say "systemd-analyze security (systemd of $SUITE): ${score:-not available}"
  kill -TERM "$NSPAWN_PID"
  for _ in $(seq 1 100); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.3; done
  kill -0 "$NSPAWN_PID" 2>/dev/null && fail "the container did not shut down within 30 s"
  NSPAWN_PID=""
  say "wadesk.service ran under systemd with Chromium's sandbox on"
  mount_all
  printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
  chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
fi

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
