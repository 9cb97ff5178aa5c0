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
bench_traps

build_type=$(bench_build dagd)
busy=$(machine_busy)

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
  row="$(row_start "$build_type") $(printf '%s | %s | %s (%s ≤ %s) | %s (%s) | **%s** | %s / %s / %s |' \
    "$busy" "$n_runs" "$(field queued_runs_per_sec)" "$(field queued_max_in_progress)" "$limit" \
    "$(field default_runs_per_sec)" "$(field default_max_in_progress)" "$(field ratio)" \
    "$(field handover_p50_ms)" "$(field handover_p90_ms)" "$(field handover_p99_ms)")"
  insert_row "### Queue throughput" "$row"
  echo "bench-queue: recorded in bench/RESULTS.md" >&2
fi
