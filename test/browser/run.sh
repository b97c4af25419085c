#!/usr/bin/env bash
# Runs IRRA's real-browser tests (the investor page on a phone and a desktop viewport, the
# standby notice, and the page's own validation/formatting modules). Installs Debian's
# chromium and the npm dependency (playwright-core only; never a downloaded browser) when
# they are missing, quietly when they are present.
#
#   IRRA_URL=https://127.0.0.1:18443      the server under test, in ACTIVE mode
#   IRRA_NOTIFY_FILE=var/notifications.jsonl  where that server writes OTP messages
#   IRRA_UCC=C000001                       the client who logs in
#   IRRA_STANDBY_URL=https://...           a server in STANDBY (standby tests skip without it)
#   IRRA_REQUIRE_LIVE=0                    accept polling instead of the live stream
#
#   test/browser/run.sh                   every test
#   test/browser/run.sh validate.test.mjs only the named files
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [[ ! -x ${IRRA_CHROMIUM:-/usr/bin/chromium} ]]; then
  echo "browser tests: installing Debian's chromium"
  apt_install chromium
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "browser tests: installing node and npm"
  apt_install nodejs npm
fi
if [[ ! -f node_modules/playwright-core/package.json ]]; then
  echo "browser tests: installing playwright-core from the npm registry"
  # PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: playwright-core downloads nothing, but be explicit.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

mkdir -p "$here/../../var/test/screenshots"
if [[ $# -eq 0 ]]; then
  set -- ./*.test.mjs
fi
exec node --test --test-concurrency=1 "$@"
