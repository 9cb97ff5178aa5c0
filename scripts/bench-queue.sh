#!/bin/sh
# bench-queue.sh — the run queue's throughput against the default
# coordinator, measured in the same run: two `dagd dev` serving
# bench/runs/workspace.yaml (one job, one op that is /bin/true), each on a
# fresh instance of its own, one whose dagd.yaml sets the
# QueuedRunCoordinator with max_concurrent_runs BENCH_QUEUE_LIMIT (8) and
# Dagster's default dequeue interval (5 s), the other the default
# coordinator. bench/queue/queue.mjs launches BENCH_QUEUE_RUNS (200) runs
# at once over 8 connections to each, alternating, BENCH_ROUNDS (3) rounds
# after a warm-up batch each, and reads the runs' events: runs/s from the
# first RUN_ENQUEUED (RUN_STARTING) to the last RUN_SUCCESS, the most runs
# in progress at once (within the limit, or the benchmark fails), and how
# long a freed slot stays empty before the next RUN_DEQUEUED.
# The figures are printed and appended as a dated row to the table of the
# "Queue" section of bench/RESULTS.md (BENCH_RECORD=0: not).
#
# Environment: BUILD (build directory, default build), BENCH_ROUNDS,
# BENCH_QUEUE_RUNS, BENCH_QUEUE_LIMIT, BENCH_RECORD.
set -eu

cd "$(dirname "$0")/.."
. scripts/lib.sh
bench_name=bench-queue
build=${BUILD:-build}
rounds=${BENCH_ROUNDS:-3}
n_runs=${BENCH_QUEUE_RUNS:-200}
limit=${BENCH_QUEUE_LIMIT:-8}
tmp=$(mktemp -d)
pids="" # servers started, stopped on exit
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

build_type=$(plain_build bench-queue "$build")
cmake --build "$build" -j "$(nproc)" --target dagd >"$tmp/build.log" 2>&1 || {
  cat "$tmp/build.log" >&2
  exit 1
}
busy="CPUs $(cpu_busy 2>/dev/null || echo "?") busy before, load $(cut -d ' ' -f 1 /proc/loadavg)"

mkdir "$tmp/queued" "$tmp/default"
cat >"$tmp/queued/dagd.yaml" <<YAML
run_coordinator:
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: $limit
YAML
for kind in queued default; do
  start "$kind" env DAGD_HOME="$tmp/$kind" "$build/dagd" dev -w bench/runs/workspace.yaml --port 0
done

node bench/queue/queue.mjs --queued "$(url queued)" --default "$(url default)" --limit "$limit" \
  --runs "$n_runs" --rounds "$rounds" --connections 8 >"$tmp/queue.out"
field() { sed -n "s/^$1=//p" "$tmp/queue.out"; }

echo "queue, $n_runs runs at once over 8 connections, medians of $rounds rounds:"
echo "  queued (max_concurrent_runs $limit): $(field queued_runs_per_sec) runs/s," \
  "at most $(field queued_max_in_progress) in progress"
echo "  default coordinator: $(field default_runs_per_sec) runs/s," \
  "at most $(field default_max_in_progress) in progress"
echo "  ratio $(field ratio); a freed slot is taken after p50 $(field handover_p50_ms)" \
  "p90 $(field handover_p90_ms) p99 $(field handover_p99_ms) ms"
echo "machine: $(nproc) CPUs, $busy"

if [ "${BENCH_RECORD:-1}" = 1 ]; then
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
  if [ -n "$(git status --porcelain -- src 2>/dev/null)" ]; then
    commit="$commit+wip"
  fi
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
  row=$(printf '| %s | %s | %s cores %s, %s | %s | %s | %s | %s (%s ≤ %s) | %s (%s) | **%s** | %s / %s / %s |' \
    "$(date -u +%Y-%m-%d)" "$commit" "$(nproc)" "$(uname -m)" "${cpu:-unknown cpu}" "$build_type" \
    "$busy" "$n_runs" "$(field queued_runs_per_sec)" "$(field queued_max_in_progress)" "$limit" \
    "$(field default_runs_per_sec)" "$(field default_max_in_progress)" "$(field ratio)" \
    "$(field handover_p50_ms)" "$(field handover_p90_ms)" "$(field handover_p99_ms)")
  # After the last row of the table under "### Queue throughput".
  awk -v row="$row" '
    { lines[NR] = $0 }
    index($0, "### Queue throughput") == 1 { inside = 1; next }
    inside && /^#/ { inside = 0 }
    inside && /^\|/ { last = NR }
    END {
      if (!last) exit 1
      for (i = 1; i <= NR; i++) { print lines[i]; if (i == last) print row }
    }' bench/RESULTS.md >"$tmp/results.md" || {
    echo "bench-queue: no table under '### Queue throughput' in bench/RESULTS.md" >&2
    exit 1
  }
  cp "$tmp/results.md" bench/RESULTS.md
  echo "bench-queue: recorded in bench/RESULTS.md" >&2
fi
