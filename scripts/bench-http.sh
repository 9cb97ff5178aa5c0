#!/bin/sh
# bench-http.sh — the HTTP benchmark: `dagd webserver` against a Node server
# (graphql-js 16 + graphql-http's reference handler, bench/http/
# node_server.mjs) on the same trivial query, `{ version }` POSTed as
# application/json (bench/http/post_version.lua), in the same run. wrk drives
# each server over keep-alive connections (2 threads, 64 connections). dagd
# runs twice, with its default thread pool and with --threads 2. After a
# check that all three answer the same bytes and a warm-up, ROUNDS
# alternating rounds run against each server; the medians of req/s and of the
# p99 latency are printed with the ratios and appended as a dated row to the
# "HTTP" section of bench/RESULTS.md. Fails when wrk saw a socket error or a
# non-2xx reply.
#
# Environment: BUILD (build directory, default build), BENCH_ROUNDS (3),
# BENCH_SECONDS (seconds per wrk round, default 5), BENCH_WARMUP (seconds of
# warm-up per server, default 3), BENCH_HTTP_PIN=1 (server on CPU 0, wrk on
# CPU 1, instead of letting them share both cores), BENCH_NODE_WORKERS (node
# processes, node:cluster; default 1), BENCH_RECORD=0 (don't append to
# RESULTS.md).
set -eu

cd "$(dirname "$0")/.."
. scripts/lib.sh
bench_name=bench-http
build=${BUILD:-build}
rounds=${BENCH_ROUNDS:-3}
seconds=${BENCH_SECONDS:-5}
warmup=${BENCH_WARMUP:-3}
pin_mode=${BENCH_HTTP_PIN:-0}
node_workers=${BENCH_NODE_WORKERS:-1}
threads=2
connections=64
dir=bench/http
tmp=$(mktemp -d)
bench_traps

# --- tools ---
if ! command -v wrk >/dev/null 2>&1; then
  echo "bench-http: installing wrk" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q wrk >&2 ||
    { $SUDO apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q wrk >&2; }
fi
node_deps bench graphql-http graphql

# --- build ---
build_type=$(bench_build dagd)

# --- CPUs: shared by default, or server and client apart ---
bench_pin="" client_pin="" # prefix commands of the servers and of wrk
if [ "$pin_mode" = 1 ]; then
  if ! command -v taskset >/dev/null 2>&1 || [ "$(nproc)" -lt 2 ]; then
    echo "bench-http: BENCH_HTTP_PIN=1 needs taskset and 2 CPUs" >&2
    exit 1
  fi
  bench_pin="taskset -c 0"
  client_pin="taskset -c 1"
  placement="server on CPU 0, wrk on CPU 1 (taskset)"
else
  placement="unpinned, server and wrk share $(nproc) CPUs"
fi

# Other work on the machine skews the figures: note how busy its CPUs were
# over the second before the run.
busy=$(cpu_busy 2>/dev/null || echo "?")

# --- servers ---
start dagd "$build/dagd" webserver --port 0
start dagd2 "$build/dagd" webserver --port 0 --threads 2
# The pool's threads: all of the process's but the main one.
dagd_threads=$(($(find "/proc/$(cat "$tmp/dagd.pid")/task" -mindepth 1 -maxdepth 1 | wc -l) - 1))
# The Node server answers with dagd's version, so the bodies are the same.
printf '%s' '{"query":"{ version }"}' >"$tmp/version.json"
dagd_answer=$(post "$(url dagd)" "$tmp/version.json")
version=$(echo "$dagd_answer" | sed -n 's/.*"version":"\([^"]*\)".*/\1/p')
start node node "$dir/node_server.mjs" --version "$version" --workers "$node_workers"
for s in dagd2 node; do
  answer=$(post "$(url "$s")" "$tmp/version.json")
  if [ "$answer" != "$dagd_answer" ]; then
    echo "bench-http: $s answers '$answer', dagd '$dagd_answer'" >&2
    exit 1
  fi
done
echo "bench-http: all servers answer $dagd_answer" >&2

# --- wrk ---
# run NAME SECONDS: one wrk run against server NAME; prints "REQS P99_MS".
run() {
  # shellcheck disable=SC2086 # $client_pin: a prefix command, or nothing
  wrk_figures "$1" $client_pin wrk -t "$threads" -c "$connections" -d "${2}s" --latency \
    -s "$dir/post_version.lua" "$(url "$1")"
}

for s in dagd dagd2 node; do
  run "$s" "$warmup" >/dev/null
done

r=1
while [ "$r" -le "$rounds" ]; do
  line="bench-http: round $r/$rounds:"
  for s in dagd dagd2 node; do
    out=$(run "$s" "$seconds")
    echo "$out" >>"$tmp/$s.rounds"
    line="$line $s $(echo "$out" | awk '{printf "%d req/s p99 %sms", $1, $2}');"
  done
  echo "$line" >&2
  r=$((r + 1))
done
# reqs NAME, p99 NAME: the medians of server NAME's rounds.
reqs() { awk '{print $1}' "$tmp/$1.rounds" | median; }
p99() { awk '{print $2}' "$tmp/$1.rounds" | median; }
reqs_dagd=$(reqs dagd) p99_dagd=$(p99 dagd)
reqs_dagd2=$(reqs dagd2) p99_dagd2=$(p99 dagd2)
reqs_node=$(reqs node) p99_node=$(p99 node)
ratio=$(awk -v a="$reqs_dagd" -v b="$reqs_node" 'BEGIN {printf "%.1f", a / b}')
ratio2=$(awk -v a="$reqs_dagd2" -v b="$reqs_node" 'BEGIN {printf "%.1f", a / b}')
node_label="node graphql-http"
node_version=$(node --version)
if [ "$node_workers" -gt 1 ]; then
  node_label="$node_label ($node_workers workers)"
  node_version="$node_version, $node_workers workers"
fi

printf '%-34s %8s req/s  p99 %s ms\n' "dagd ($dagd_threads threads, default):" "$reqs_dagd" "$p99_dagd"
printf '%-34s %8s req/s  p99 %s ms\n' "dagd --threads 2:" "$reqs_dagd2" "$p99_dagd2"
printf '%-34s %8s req/s  p99 %s ms\n' "$node_label:" "$reqs_node" "$p99_node"
echo "ratio: ${ratio}x (${ratio2}x with --threads 2); goal 50000 req/s and 5x"
echo "wrk: $threads threads, $connections keep-alive connections, medians of $rounds rounds of ${seconds}s; $placement; CPUs busy before: $busy"

# --- record ---
# Rows go at the end of the table of the "## HTTP" section, which stands
# before the engine section: scripts/bench.sh appends its rows at the end of
# the file.
if [ "${BENCH_RECORD:-1}" = 1 ]; then
  row="$(row_start "$build_type") $(printf '%s | %s | %s | %s | %s | %s | %s | %s | %s | **%s×** (%s×) |' \
    "$node_version" "$placement; CPUs $busy busy before" "$dagd_threads" "$reqs_dagd" "$p99_dagd" \
    "$reqs_dagd2" "$p99_dagd2" "$reqs_node" "$p99_node" "$ratio" "$ratio2")"
  results=bench/RESULTS.md
  if ! grep -q '^## HTTP' "$results"; then
    echo "bench-http: $results has no '## HTTP' section" >&2
    exit 1
  fi
  awk -v row="$row" '
    { lines[NR] = $0 }
    /^## HTTP/ { in_http = 1; next_section = 0 }
    /^## / && !/^## HTTP/ && in_http && !next_section { next_section = NR }
    in_http && !next_section && /^\|/ { last = NR }
    END {
      if (!last) exit 1
      for (i = 1; i <= NR; i++) {
        print lines[i]
        if (i == last) print row
      }
    }' "$results" >"$tmp/results.md" || {
    echo "bench-http: no table in the HTTP section of $results" >&2
    exit 1
  }
  cp "$tmp/results.md" "$results"
  echo "bench-http: recorded in $results" >&2
fi
