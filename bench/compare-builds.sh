#!/usr/bin/env bash
# Compares two builds of the package on the workloads of bench/build-workloads.mjs, each run in a
# process of its own, the builds alternating, five times; prints the medians and after/before. (Two
# builds in one process share RxJS's call sites, which then favour whichever ran first.)
#
#   git stash; npm run build; cp -r dist /tmp/before; git stash pop; npm run build
#   bash bench/compare-builds.sh /tmp/before dist
set -euo pipefail
cd "$(dirname "$0")/.."
# A build imports rxjs: it must sit where node resolves it from this repository.
rm -rf node_modules/.bench && mkdir -p node_modules/.bench
cp -r "$1" node_modules/.bench/before
cp -r "$2" node_modules/.bench/after
run() { node bench/build-workloads.mjs "node_modules/.bench/$1/index.mjs" "$2"; }
while IFS= read -r w; do
  b=(); a=()
  for _ in 1 2 3 4 5; do
    b+=("$(run before "$w")")
    a+=("$(run after "$w")")
  done
  bm=$(printf '%s\n' "${b[@]}" | sort -g | sed -n 3p)
  am=$(printf '%s\n' "${a[@]}" | sort -g | sed -n 3p)
  printf '%-32s before %9s  after %9s  after/before %s\n' "$w" "$bm" "$am" "$(node -e "console.log(($am / $bm).toFixed(2))")"
done < <(run after --list)
