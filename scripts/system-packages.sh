#!/usr/bin/env bash
# The Debian packages each make target needs, in one place.
#   scripts/system-packages.sh mysql    headers to build mysqlclient (only where MySQL is used)
#   scripts/system-packages.sh browser  Debian's chromium and a CJK font for the browser tests
#   scripts/system-packages.sh bench    wrk, the HTTP load generator of `make bench`
# Installs the missing ones with apt-get when run as root; otherwise prints the one command to
# run and fails. Never downloads a browser or a binary of its own.
set -euo pipefail

packages_for() {
  case "$1" in
    mysql) echo "gcc libc6-dev pkg-config libmariadb-dev" ;;
    browser) echo "chromium fonts-wqy-microhei" ;;
    bench) echo "wrk" ;;
    *) echo "unknown target '$1' (mysql, browser, bench)" >&2; return 2 ;;
  esac
}

missing=()
for target in "$@"; do
  packages=$(packages_for "$target")
  for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
done
((${#missing[@]})) || exit 0

if ! command -v apt-get >/dev/null; then
  echo "Missing system packages: ${missing[*]} (no apt-get here: install them with your package manager)" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages for '$*'. Run this once, then the make command again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
