#!/usr/bin/env bash
# The Angular example, built against the package as npm would publish it, then its e2e test in
# headless Chromium (/usr/bin/chromium: bash examples/browser/install-chromium.sh). Times each phase.
#
#   bash examples/angular/run.sh            # npm run test:angular
#   bash examples/angular/run.sh --serve    # the same build, then serve the app instead of testing it
#
# rxjs-concurrency is deliberately absent from the example's package.json and package-lock.json: a
# lock entry for a local tarball pins its integrity hash, so every change to the package (or its
# version, which is in the tarball's name) would break `npm ci`. The lock pins Angular and the rest;
# the freshly packed tarball is added afterwards with `npm install --no-save`, which leaves
# package.json and package-lock.json as they are.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
phase() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  echo "angular example: $name took $((SECONDS - start)) s"
}

cd "$root"
pack() {
  npm run build --silent >/dev/null
  tarball="$scratch/$(npm pack --silent --pack-destination "$scratch" | tail -n 1)"
}
phase "build and pack the package" pack

cd "$root/examples/angular"
install() {
  npm ci --no-audit --no-fund --loglevel=error
  npm install --no-save --no-audit --no-fund --loglevel=error "$tarball"
}
phase "install (npm ci, then the tarball)" install
phase "build the app (architect app:build: @angular/build:application)" npm run build --silent

if [ "${1:-}" = --serve ]; then
  exec node server.mjs
fi
phase "e2e in Chromium" node e2e.mjs
