#!/usr/bin/env bash
# Compares two builds of the package on the workloads of bench/build-workloads.mjs, each run in a
# process of its own, the builds alternating, five times; prints the medians and after/before. (Two
# builds in one process share RxJS's call sites, which then favour whichever ran first.)
#
#   git stash; npm run build; cp -r dist /tmp/before; git stash pop; npm run build
#   bash bench/compare-builds.sh /tmp/before dist
#   WORKLOADS='boundedMap|queue' bash bench/compare-builds.sh /tmp/before dist   # names matching a regex
#
# CPU time on a shared machine cannot settle a few percent (the same code measured 0.8x to 2.9x). With
# --instructions it counts instructions instead, under valgrind --tool=callgrind, which counts every
# thread of the process, the JIT's and the GC's included:
#
#   bash bench/compare-builds.sh --instructions /tmp/before dist
#
# Three counts per build and workload, each the median of RUNS (3) processes: one running ROUNDS (10)
# rounds of the workload, one running WARMUP (3), one running none (the startup: node, rxjs and the
# build loaded; counted once per build). Printed as instructions per op, with after/before:
#   all     (count at ROUNDS - count at none) / (ROUNDS x ops): from a cold start, JIT compilation in;
#   steady  (count at ROUNDS - count at WARMUP) / ((ROUNDS - WARMUP) x ops): the rounds whose median
#           the CPU figures report.
# Each process's count goes to stderr. Node runs with --predictable: V8 then compiles and collects on
# the main thread, in the same order every run. Without it the startup alone varied by 30 million
# instructions (3%) from run to run; with it the same 1.9-billion run repeats within 30 thousand, so
# RUNS=1 is enough to save time. It is the same JIT, TurboFan included. One process takes 10 s to a few
# minutes under callgrind: pick workloads with WORKLOADS, or run two filters at once.
set -euo pipefail
shopt -s inherit_errexit # a workload that throws stops the script, inside $(...) too
cd "$(dirname "$0")/.."
instructions=false
if [[ ${1-} == --instructions ]]; then
  instructions=true
  shift
fi
# A build imports rxjs: it must sit where node resolves it from this repository. A folder per
# comparison, so that two can run at once (callgrind is slow; a machine has more than one core).
dir=node_modules/.bench/$$
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir"
cp -r "$1" "$dir/before"
cp -r "$2" "$dir/after"
run() { node bench/build-workloads.mjs "$dir/$1/index.mjs" "$2"; }
median() { sort -n | sed -n "$((($1 + 1) / 2))p"; }
# Instructions of one process that runs workload $2 of build $1 for $3 rounds, as callgrind counts them.
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null --log-file="$dir/callgrind.log" \
    node --predictable bench/build-workloads.mjs "$dir/$1/index.mjs" "$2" "$3" </dev/null
  sed -n 's/^==[0-9]*== Collected : //p' "$dir/callgrind.log"
}
# The median of RUNS counts, builds alternating; prints "before after".
counts() {
  local b=() a=() i
  for ((i = 0; i < RUNS; i++)); do
    b+=("$(count before "$1" "$2")")
    a+=("$(count after "$1" "$2")")
  done
  echo "$1, $2 rounds: before ${b[*]}; after ${a[*]}" >&2
  echo "$(printf '%s\n' "${b[@]}" | median "$RUNS") $(printf '%s\n' "${a[@]}" | median "$RUNS")"
}
workloads=$(node bench/build-workloads.mjs --list | grep -E -- "${WORKLOADS:-.}")
if ! $instructions; then
  while IFS= read -r w; do
    b=()
    a=()
    for _ in 1 2 3 4 5; do
      b+=("$(run before "$w")")
      a+=("$(run after "$w")")
    done
    bm=$(printf '%s\n' "${b[@]}" | sort -g | sed -n 3p)
    am=$(printf '%s\n' "${a[@]}" | sort -g | sed -n 3p)
    printf '%-32s before %9s  after %9s  after/before %s\n' "$w" "$bm" "$am" "$(node -e "console.log(($am / $bm).toFixed(2))")"
  done <<<"$workloads"
  exit
fi
RUNS=${RUNS:-3} ROUNDS=${ROUNDS:-10} WARMUP=${WARMUP:-3}
if ! ((RUNS > 0 && WARMUP > 0 && ROUNDS > WARMUP)); then
  echo 'needs RUNS > 0 and ROUNDS > WARMUP > 0' >&2
  exit 2
fi
command -v valgrind >/dev/null || {
  echo 'valgrind is not installed (apt-get install valgrind)' >&2
  exit 2
}
# Any workload's name will do for the startup: none of its rounds runs.
c=$(counts "$(head -1 <<<"$workloads")" 0)
read -r b0 a0 <<<"$c"
printf '%-30s %14s %14s %7s   %14s %14s %7s\n' 'instructions per op' 'all: before' after ratio 'steady: before' after ratio
while IFS= read -r w; do
  ops=$(node bench/build-workloads.mjs --ops "$w")
  c=$(counts "$w" "$WARMUP")
  read -r bw aw <<<"$c"
  c=$(counts "$w" "$ROUNDS")
  read -r br ar <<<"$c"
  awk -v w="$w" -v ops="$ops" -v r="$ROUNDS" -v k="$WARMUP" -v b0="$b0" -v a0="$a0" -v bw="$bw" -v aw="$aw" -v br="$br" -v ar="$ar" 'BEGIN {
    ball = (br - b0) / (r * ops); aall = (ar - a0) / (r * ops)
    bst = (br - bw) / ((r - k) * ops); ast = (ar - aw) / ((r - k) * ops)
    printf "%-30s %14.0f %14.0f %7.3f   %14.0f %14.0f %7.3f\n", w, ball, aall, aall / ball, bst, ast, ast / bst
  }'
done <<<"$workloads"
