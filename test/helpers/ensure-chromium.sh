#!/usr/bin/env bash
# `npm test` runs browser tests in Debian's Chromium (Playwright's own browser
# download cannot work offline). Install it when missing and we may.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$browser" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[pretest] installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "[pretest] Chromium not found at $browser. Install it (sudo apt-get install -y chromium) or set CHROMIUM_PATH." >&2
exit 1
