#!/usr/bin/env bash
# Installs Debian's Chromium for the browser e2e test (examples/browser/e2e.mjs). Idempotent: does
# nothing when /usr/bin/chromium is already there. Needs root (CI and the dev machines run as root).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
sudo=''
[ "$(id -u)" -eq 0 ] || sudo='sudo'
$sudo apt-get update -qq
$sudo apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
echo "chromium: installed ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown'))"
