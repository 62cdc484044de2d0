#!/usr/bin/env bash
# Installs what building, running and testing WaDesk needs on Debian 12 (bookworm).
# Idempotent: only missing packages are installed. Runs apt as root, or through sudo.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libqt6sql6-psql
  qt6-webengine-dev qt6-webengine-dev-tools qt6-webchannel-dev qt6-httpserver-dev qt6-websockets-dev
  qt6-charts-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n
  qtkeychain-qt6-dev libspdlog-dev libfmt-dev libssl-dev libsodium-dev libjwt-dev
  libphonenumber-dev libprotobuf-dev libicu-dev libboost-dev libqrencode-dev
  libsqlite3-dev libarchive-dev
  qt6-qpa-plugins libgl-dev
  librsvg2-bin
)
TEST_PKGS=(
  postgresql postgresql-contrib xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools
  wrk curl procps ccache rsync python3 poppler-utils
  debootstrap lintian appstream systemd-container
)

want=("${BUILD_PKGS[@]}")
# npm fetches wa-js at build time; a Node.js from elsewhere (with its own npm) is fine too.
command -v npm >/dev/null || want+=(nodejs npm)
if [[ "${1:-}" == "--test" ]]; then want+=("${TEST_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && { echo "install-deps: all packages present"; exit 0; }

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Never a prompt (CI has no input): a changed configuration file keeps the local one.
$SUDO apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef \
  -o Dpkg::Options::=--force-confold "${missing[@]}"
