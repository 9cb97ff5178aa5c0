#!/bin/sh
# bench-runs.sh — the runs benchmarks, each against a peer measured in the
# same run, on a fresh instance ($DAGD_HOME in a temporary folder) holding
# BENCH_RUNS (100,000) runs written by tools/seed_runs.c:
#
# 1. runs page: the Dagster docs' paginated runs query (bench/runs/
#    runs_page.graphql, limit 10) without a filter, with a status filter
#    (FAILURE: 5% of the runs) and with a tag filter (team=ml: 10%), POSTed
#    by wrk (bench/runs/post_body.lua; 2 threads, 64 keep-alive
#    connections) to `dagd webserver` and to bench/runs/runs_server.mjs
#    (graphql-js + graphql-http answering from an in-memory array of the
#    same runs). After a check that both answer the same bytes and a
#    warm-up, ROUNDS alternating rounds; medians of req/s and p99.
# 2. memory: VmRSS of both servers after that load.
# 3. launch latency: one-op runs (bench/runs/workspace.yaml, the op is
#    /bin/true) launched one after another and polled until SUCCESS, next
#    to sequential spawns of /bin/true (bench/runs/launch.mjs).
# 4. throughput: BENCH_THROUGHPUT_RUNS runs launched at once over 8
#    connections until all are SUCCESS, next to as many spawns of /bin/true
#    8 at a time.
# Figures are printed and appended as dated rows to the two tables of the
# "Runs" section of bench/RESULTS.md.
#
# Environment: BUILD (build directory, default build), BENCH_ROUNDS (3),
# BENCH_SECONDS (seconds per wrk round, default 3), BENCH_WARMUP (seconds of
# warm-up per server and query, default 2), BENCH_RUNS (stored runs, default
# 100000), BENCH_LATENCY_RUNS (sequential launches per round, default 40),
# BENCH_THROUGHPUT_RUNS (runs launched at once per round, default 200),
# BENCH_RECORD=0 (don't write to RESULTS.md).
set -eu

cd "$(dirname "$0")/.."
. scripts/lib.sh
bench_name=bench-runs
bench_start_tenths=300 # dagd opens an instance of BENCH_RUNS runs
build=${BUILD:-build}
rounds=${BENCH_ROUNDS:-3}
seconds=${BENCH_SECONDS:-3}
warmup=${BENCH_WARMUP:-2}
n_runs=${BENCH_RUNS:-100000}
latency_runs=${BENCH_LATENCY_RUNS:-40}
throughput_runs=${BENCH_THROUGHPUT_RUNS:-200}
threads=2
connections=64
dir=bench/runs
queries="all status tag"
tmp=$(mktemp -d)
bench_traps

# --- tools and build ---
command -v wrk >/dev/null 2>&1 || apt_install bench-runs wrk
node_deps bench graphql-http graphql
build_type=$(bench_build dagd seed_runs)
busy=$(machine_busy)

# --- the stored runs ---
home="$tmp/home"
seeded=$("$build/seed_runs" --home "$home" --runs "$n_runs" --dump "$tmp/runs.jsonl")
echo "bench-runs: $seeded" >&2
seed_secs=$(echo "$seeded" | sed -n 's/.* runs (.*) in \([0-9.]*\) s (\([0-9]*\) runs\/s.*/\1 s (\2 runs\/s)/p')

# --- servers ---
rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$(cat "$tmp/$1.pid")/status"; }

# env execs dagd, so the pid is dagd's own (its VmRSS is read below).
start dagd env DAGD_HOME="$home" "$build/dagd" webserver -w "$dir/workspace.yaml" --port 0
start node node "$dir/runs_server.mjs" --runs "$tmp/runs.jsonl"

# The request bodies: one query, three filters.
# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
  const fs = require("fs");
  const [file, out] = process.argv.slice(1);
  const query = fs.readFileSync(file, "utf8");
  const filters = {
    all: undefined,
    status: { statuses: ["FAILURE"] },
    tag: { tags: [{ key: "team", value: "ml" }] },
  };
  for (const [name, filter] of Object.entries(filters))
    fs.writeFileSync(`${out}/${name}.json`, JSON.stringify({ query, variables: { filter } }));
' "$dir/runs_page.graphql" "$tmp"

for q in $queries; do
  a=$(post "$(url dagd)" "$tmp/$q.json")
  b=$(post "$(url node)" "$tmp/$q.json")
  if [ "$a" != "$b" ]; then
    echo "bench-runs: the servers answer the '$q' query differently:" >&2
    echo "dagd: $a" | cut -c 1-600 >&2
    echo "node: $b" | cut -c 1-600 >&2
    exit 1
  fi
  if [ "$(echo "$a" | grep -o '"runId"' | wc -l)" -ne 10 ]; then
    echo "bench-runs: the '$q' query does not answer 10 runs: $a" | cut -c 1-600 >&2
    exit 1
  fi
done
echo "bench-runs: both servers answer the same 10 runs to each query" >&2

# --- runs page: wrk ---
# run NAME QUERY SECONDS: one wrk run; prints "REQS P99_MS".
run() {
  wrk_figures "$1 ($2)" env BENCH_BODY="$tmp/$2.json" wrk -t "$threads" -c "$connections" \
    -d "${3}s" --latency -s "$dir/post_body.lua" "$(url "$1")"
}

for q in $queries; do
  for s in dagd node; do run "$s" "$q" "$warmup" >/dev/null; done
done
r=1
while [ "$r" -le "$rounds" ]; do
  line="bench-runs: page round $r/$rounds:"
  for q in $queries; do
    for s in dagd node; do
      out=$(run "$s" "$q" "$seconds")
      echo "$out" >>"$tmp/$s.$q.rounds"
      line="$line $s/$q $(echo "$out" | awk '{printf "%d", $1}');"
    done
  done
  echo "$line" >&2
  r=$((r + 1))
done
reqs() { awk '{print $1}' "$tmp/$1.$2.rounds" | median; }
p99() { awk '{print $2}' "$tmp/$1.$2.rounds" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }
page_dagd="" page_node="" page_ratio="" page_p99_dagd="" page_p99_node="" sep=""
for q in $queries; do
  d=$(reqs dagd "$q") n=$(reqs node "$q")
  page_dagd="$page_dagd$sep$d" page_node="$page_node$sep$n"
  page_ratio="$page_ratio$sep$(ratio "$d" "$n")×"
  page_p99_dagd="$page_p99_dagd$sep$(p99 dagd "$q")"
  page_p99_node="$page_p99_node$sep$(p99 node "$q")"
  sep=" / "
done

# --- memory after the page load ---
rss_dagd=$(rss_mib dagd)
rss_node=$(rss_mib node)

# --- launching ---
node "$dir/launch.mjs" --url "$(url dagd)" --rounds "$rounds" --latency-runs "$latency_runs" \
  --throughput-runs "$throughput_runs" --connections 8 >"$tmp/launch.out"
field() { sed -n "s/^$1=//p" "$tmp/launch.out"; }

# --- report ---
node_version=$(node --version)
echo "runs page, $n_runs runs (no filter / status / tag), wrk $threads threads, $connections connections, medians of $rounds rounds of ${seconds}s:"
echo "  dagd:  $page_dagd req/s, p99 $page_p99_dagd ms"
echo "  node:  $page_node req/s, p99 $page_p99_node ms"
echo "  ratio: $page_ratio (goal >= 10000 req/s)"
echo "memory after the page load: dagd $rss_dagd MiB, node $rss_node MiB VmRSS (goal < 20 MiB)"
echo "launch -> SUCCESS, $(field latency_samples) sequential runs: p50 $(field latency_p50_ms)" \
  "p90 $(field latency_p90_ms) p99 $(field latency_p99_ms) ms (goal p50 < 50 ms);" \
  "creation -> end p50 $(field server_p50_ms) p90 $(field server_p90_ms) p99 $(field server_p99_ms) ms"
echo "  spawn of /bin/true: p50 $(field spawn_p50_ms) p99 $(field spawn_p99_ms) ms;" \
  "ratio $(field latency_ratio)x (Dagster reports 3-6 s RUN_STARTING -> RUN_START, not measured here)"
echo "throughput, $throughput_runs runs at once over 8 connections: $(field throughput_runs_per_sec) runs/s" \
  "(runs' own times $(field throughput_server_runs_per_sec)/s; goal >= 50/s);" \
  "spawns of /bin/true 8 at a time $(field spawn_per_sec)/s, ratio $(field throughput_ratio)"
echo "machine: $(nproc) CPUs, $busy; seeding: $seed_secs"

# --- record ---
if [ "${BENCH_RECORD:-1}" = 1 ]; then
  common="$(row_start "$build_type") $node_version | $busy |"
  insert_row "### Launching" "$common $(printf '%s / %s / %s | %s / %s / %s | %s / %s | **%s×** | %s (%s) | %s | %s |' \
    "$(field latency_p50_ms)" "$(field latency_p90_ms)" "$(field latency_p99_ms)" \
    "$(field server_p50_ms)" "$(field server_p90_ms)" "$(field server_p99_ms)" \
    "$(field spawn_p50_ms)" "$(field spawn_p99_ms)" "$(field latency_ratio)" \
    "$(field throughput_runs_per_sec)" "$(field throughput_server_runs_per_sec)" \
    "$(field spawn_per_sec)" "$(field throughput_ratio)")"
  insert_row "### Runs page" "$common $(printf '%s | %s | %s | %s | %s | %s | **%s** | %s | %s |' \
    "$n_runs" "$seed_secs" "$page_dagd" "$page_p99_dagd" "$page_node" "$page_p99_node" \
    "$page_ratio" "$rss_dagd" "$rss_node")"
  echo "bench-runs: recorded in bench/RESULTS.md" >&2
fi
