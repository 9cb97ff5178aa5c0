#!/bin/sh
# bench-subscriptions.sh — the live subscriptions benchmark: delivery
# latency of pipelineRunLogs from an event's write to its subscribers, with
# 1 and 100 subscribers on one run, and a run's duration with a subscriber
# that stopped reading against a run nobody watches.
#
# `dagd webserver` serves bench/subscriptions/workspace.yaml (an op that
# logs BENCH_EVENTS events, one every BENCH_PAUSE_MS) on a fresh instance;
# bench/subscriptions/latency.mjs launches the runs, subscribes through the
# graphql-ws client (one socket a subscriber) and measures each delivery
# as the receive time minus the event's stored timestamp, checking that
# every subscriber gets every event once and in order. Peer: the floor of
# the polling design, the wait for the watcher's next look at the store
# (uniform over its 20 ms interval), against which dagd's percentiles are
# read. Figures are printed and appended as a dated row to the table of
# the "Subscriptions" section of bench/RESULTS.md.
#
# Environment: BUILD (build directory, default build), BENCH_ROUNDS (3),
# BENCH_EVENTS (events a run, default 200), BENCH_PAUSE_MS (10),
# BENCH_SUBSCRIBERS (subscriber counts, default 1,100), BENCH_RECORD=0
# (don't write to RESULTS.md).
set -eu

cd "$(dirname "$0")/.."
. scripts/lib.sh
bench_name=bench-subscriptions
build=${BUILD:-build}
rounds=${BENCH_ROUNDS:-3}
events=${BENCH_EVENTS:-200}
pause=${BENCH_PAUSE_MS:-10}
subscribers=${BENCH_SUBSCRIBERS:-1,100}
poll_ms=20 # POLL_MS in src/api/subscriptions.c
dir=bench/subscriptions
tmp=$(mktemp -d)
bench_traps

# --- tools and build ---
node_deps "$dir" graphql-ws ws
build_type=$(bench_build dagd)
busy=$(machine_busy)

# --- the server and the subscribers ---
start dagd env DAGD_HOME="$tmp/home" "$build/dagd" webserver -w "$dir/workspace.yaml" --port 0
node "$dir/latency.mjs" --url "$(url dagd)" --rounds "$rounds" --events "$events" \
  --pause-ms "$pause" --subscribers "$subscribers" --slow --pid "$(cat "$tmp/dagd.pid")" \
  >"$tmp/latency.out"
field() { sed -n "s/^$1=//p" "$tmp/latency.out"; }
# The floor's percentiles: the wait for the next poll, uniform over [0, poll_ms).
floor() { awk -v p="$1" -v ms="$poll_ms" 'BEGIN {printf "%.1f", ms * p / 100}'; }
floor_text="$(floor 50) / $(floor 90) / $(floor 99)"

# --- report ---
first=${subscribers%%,*}
last=${subscribers##*,}
figures() { printf '%s / %s / %s (max %s)' "$(field "s$1_p50_ms")" "$(field "s$1_p90_ms")" "$(field "s$1_p99_ms")" "$(field "s$1_max_ms")"; }
echo "delivery latency, write -> subscriber, $events events a run one every $pause ms, $rounds rounds:"
echo "  $first subscriber(s): p50 / p90 / p99 $(figures "$first") ms over $(field "s${first}_samples") deliveries"
echo "  $last subscribers: p50 / p90 / p99 $(figures "$last") ms over $(field "s${last}_samples") deliveries;" \
  "dagd CPU $(field "s${last}_cpu_us_per_event") us per delivered event"
echo "  floor (wait for the next ${poll_ms} ms poll): p50 / p90 / p99 $floor_text ms (goal: well under a second)"
echo "run duration RUN_START -> RUN_SUCCESS: nobody watching $(field run_alone_ms) ms," \
  "watched by a subscriber that stopped reading $(field run_watched_ms) ms"
echo "machine: $(nproc) CPUs, $busy"

# --- record ---
if [ "${BENCH_RECORD:-1}" = 1 ]; then
  row="$(row_start "$build_type") $(printf '%s | %s | %s × %s ms | %s | %s | %s | %s | %s / %s |' \
    "$(node --version)" "$busy" "$events" "$pause" "$(figures "$first")" "$(figures "$last")" \
    "$(field "s${last}_cpu_us_per_event")" "$floor_text" "$(field run_alone_ms)" "$(field run_watched_ms)")"
  # Rows go just above the marker line that ends the table.
  marker='<!-- bench-subscriptions: rows above -->'
  if ! grep -q -x -F "$marker" bench/RESULTS.md; then
    echo "$bench_name: no '$marker' line in bench/RESULTS.md" >&2
    exit 1
  fi
  awk -v row="$row" -v marker="$marker" '$0 == marker {print row} {print}' bench/RESULTS.md \
    >"$tmp/results.md"
  cp "$tmp/results.md" bench/RESULTS.md
  echo "$bench_name: recorded in bench/RESULTS.md" >&2
fi
