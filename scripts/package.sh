#!/usr/bin/env bash
# Builds this Debian release's DEB and the TGZ with CPack in a build directory of their own
# (install prefix /usr, no tests), checks the DEB with lintian (no error, no warning), and copies
# both to packages/<codename>/ (or $WADESK_PACKAGE_OUT). The DEB is for the release it is built
# on: build it on Debian 12 for Debian 12, inside a Debian 13 root for Debian 13
# (scripts/test-in-debian.sh trixie --package). Prints the DEB's path last.
set -euo pipefail
cd "$(dirname "$0")/.."
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-unknown}")
BUILD_DIR="${WADESK_PACKAGE_BUILD_DIR:-build-package}"
OUT="${WADESK_PACKAGE_OUT:-packages/$codename}"

WADESK_BUILD_DIR="$BUILD_DIR" WADESK_BUILD_TYPE=RelWithDebInfo bash scripts/build.sh \
  -DCMAKE_INSTALL_PREFIX=/usr -DWADESK_BUILD_TESTS=OFF
rm -f "$BUILD_DIR"/wadesk_*.deb "$BUILD_DIR"/wadesk-*.tar.gz
cmake --build "$BUILD_DIR" --target package >/dev/null
deb=$(ls "$BUILD_DIR"/wadesk_*.deb)
echo "package: lintian $(lintian --version | awk '{print $2}') on $(basename "$deb")"
lintian --fail-on error,warning --info "$deb"
mkdir -p "$OUT"
rm -f "$OUT"/wadesk_*.deb "$OUT"/wadesk-*.tar.gz
cp "$deb" "$BUILD_DIR"/wadesk-*.tar.gz "$OUT/"
echo "$OUT/$(basename "$deb")"
