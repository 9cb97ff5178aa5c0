#!/bin/sh
# bench-runs.sh — the runs benchmarks, each against a peer measured in the
# same run, and each on SQLite and on PostgreSQL side by side: fresh
# instances ($DAGD_HOME in a temporary folder) holding BENCH_RUNS (100,000)
# runs written by tools/seed_runs.c, one with the default SQLite store, one
# whose dagd.yaml names a private PostgreSQL server that the script starts
# (scripts/postgres-test.sh through bench_postgres, durable as SQLite's
# WAL is; stopped on exit) and seeds with the very same runs:
#
# 1. runs page: the Dagster docs' paginated runs query (bench/runs/
#    runs_page.graphql, limit 10) without a filter, with a status filter
#    (FAILURE: 5% of the runs) and with a tag filter (team=ml: 10%), POSTed
#    by wrk (bench/runs/post_body.lua; 2 threads, 64 keep-alive
#    connections) to `dagd webserver` on SQLite, to one on PostgreSQL and
#    to bench/runs/runs_server.mjs (graphql-js + graphql-http answering
#    from an in-memory array of the same runs). After a check that all
#    answer the same bytes and a warm-up, ROUNDS rounds taking the servers
#    in turn; medians of req/s and p99.
# 2. memory: VmRSS of the servers after that load (dagd's own; the
#    PostgreSQL server's processes are not counted).
# 3. launch latency: one-op runs (bench/runs/workspace.yaml, the op is
#    /bin/true) launched one after another and polled until SUCCESS, next
#    to sequential spawns of /bin/true (bench/runs/launch.mjs), the two
#    dagd servers in alternating order within each round.
# 4. throughput: BENCH_THROUGHPUT_RUNS runs launched at once over 8
#    connections until all are SUCCESS, next to as many spawns of /bin/true
#    8 at a time, the same way.
# Figures are printed, PostgreSQL's next to SQLite's with the ratio
# PostgreSQL ÷ SQLite, and appended as dated rows to the tables of the
# "Runs" section of bench/RESULTS.md: SQLite against the peers ("Launching",
# "Runs page") and PostgreSQL against SQLite ("Runs on PostgreSQL").
#
# Environment: BUILD (build directory, default build), BENCH_COMPARE (all:
# the default; peer: SQLite against the peers only, no PostgreSQL;
# postgres: PostgreSQL against SQLite only, no Node peer), BENCH_ROUNDS
# (3), BENCH_SECONDS (seconds per wrk round, default 3), BENCH_WARMUP
# (seconds of warm-up per server and query, default 2), BENCH_RUNS (stored
# runs, default 100000), BENCH_LATENCY_RUNS (sequential launches per round,
# default 40), BENCH_THROUGHPUT_RUNS (runs launched at once per round,
# default 200), BENCH_RECORD=0 (don't write to RESULTS.md).
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
case ${BENCH_COMPARE:-all} in
  all) with_peer=1 with_pg=1 ;;
  peer) with_peer=1 with_pg=0 ;;
  postgres) with_peer=0 with_pg=1 ;;
  *)
    echo "bench-runs: BENCH_COMPARE is all, peer or postgres" >&2
    exit 2
    ;;
esac
# The servers of the runs page, in the order each round takes them: dagd
# on SQLite, dagd on PostgreSQL (pg), the Node peer (node).
servers=dagd
[ "$with_pg" = 1 ] && servers="$servers pg"
[ "$with_peer" = 1 ] && servers="$servers node"
tmp=$(mktemp -d)
bench_traps

# --- tools and build ---
command -v wrk >/dev/null 2>&1 || apt_install bench-runs wrk
node_deps bench graphql-http graphql
build_type=$(bench_build dagd seed_runs)
busy=$(machine_busy)

# --- the stored runs ---
# seed ARG...: seeds BENCH_RUNS runs where ARG... says (seed 1 every time,
# so every store holds the same runs); prints "SECONDS s (RUNS runs/s)".
seed() {
  _out=$("$build/seed_runs" --runs "$n_runs" "$@")
  echo "bench-runs: $_out" >&2
  echo "$_out" | sed -n 's/.* runs (.*) in \([0-9.]*\) s (\([0-9]*\) runs\/s.*/\1 s (\2 runs\/s)/p'
}
home="$tmp/home"
seed_secs=$(seed --home "$home" --dump "$tmp/runs.jsonl")
if [ "$with_pg" = 1 ]; then
  bench_postgres "$tmp/pg"
  pg_url=$(cat "$tmp/pg/url")
  pg_version=$(bench_psql "$tmp/pg" -c "SHOW server_version" | cut -d ' ' -f 1)
  pg_home="$tmp/home-pg"
  mkdir -p "$pg_home"
  printf 'storage:\n  postgres:\n    postgres_url: "%s"\n' "$pg_url" >"$pg_home/dagd.yaml"
  pg_seed_secs=$(seed --postgres "$pg_url")
fi

# --- servers ---
rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$(cat "$tmp/$1.pid")/status"; }

# env execs dagd, so the pid is dagd's own (its VmRSS is read below).
start dagd env DAGD_HOME="$home" "$build/dagd" webserver -w "$dir/workspace.yaml" --port 0
if [ "$with_pg" = 1 ]; then
  start pg env DAGD_HOME="$pg_home" "$build/dagd" webserver -w "$dir/workspace.yaml" --port 0
fi
if [ "$with_peer" = 1 ]; then
  start node node "$dir/runs_server.mjs" --runs "$tmp/runs.jsonl"
fi

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

# Every server must answer each query with the same bytes as dagd on
# SQLite: the same 10 runs.
for q in $queries; do
  a=$(post "$(url dagd)" "$tmp/$q.json")
  if [ "$(echo "$a" | grep -o '"runId"' | wc -l)" -ne 10 ]; then
    echo "bench-runs: the '$q' query does not answer 10 runs: $a" | cut -c 1-600 >&2
    exit 1
  fi
  for s in $servers; do
    [ "$s" = dagd ] && continue
    b=$(post "$(url "$s")" "$tmp/$q.json")
    if [ "$a" != "$b" ]; then
      echo "bench-runs: dagd and $s answer the '$q' query differently:" >&2
      echo "dagd: $a" | cut -c 1-600 >&2
      echo "$s: $b" | cut -c 1-600 >&2
      exit 1
    fi
  done
done
echo "bench-runs: $(echo "$servers" | sed 's/ /, /g') answer the same 10 runs to each query" >&2

# --- runs page: wrk ---
# run NAME QUERY SECONDS: one wrk run; prints "REQS P99_MS". A reply
# slower than wrk's default timeout (2 s) would fail the run, and on a
# shared, loaded machine one such stall happens: waiting up to 10 s counts
# it in the p99 instead (no reply at all still fails the run).
run() {
  wrk_figures "$1 ($2)" env BENCH_BODY="$tmp/$2.json" wrk -t "$threads" -c "$connections" \
    -d "${3}s" --timeout 10s --latency -s "$dir/post_body.lua" "$(url "$1")"
}

for q in $queries; do
  for s in $servers; do run "$s" "$q" "$warmup" >/dev/null; done
done
r=1
while [ "$r" -le "$rounds" ]; do
  line="bench-runs: page round $r/$rounds:"
  for q in $queries; do
    for s in $servers; do
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
# ratio A B [DIGITS]: A ÷ B, with DIGITS decimals (default 1).
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-1}" 'BEGIN {printf "%.*f", d, a / b}'; }
# per_query FIGURE SERVER: FIGURE (reqs or p99) of SERVER for each query,
# as "A / B / C".
per_query() {
  _sep=""
  for _q in $queries; do
    printf '%s%s' "$_sep" "$($1 "$2" "$_q")"
    _sep=" / "
  done
}
# per_query_ratio FIGURE A B DIGITS: A's FIGURE ÷ B's for each query, as
# "x× / y× / z×".
per_query_ratio() {
  _sep=""
  for _q in $queries; do
    printf '%s%s×' "$_sep" "$(ratio "$($1 "$2" "$_q")" "$($1 "$3" "$_q")" "$4")"
    _sep=" / "
  done
}

# --- memory after the page load ---
rss_dagd=$(rss_mib dagd)
[ "$with_pg" = 1 ] && rss_pg=$(rss_mib pg)
[ "$with_peer" = 1 ] && rss_node=$(rss_mib node)

# --- launching ---
compare=""
[ "$with_pg" = 1 ] && compare="postgres=$(url pg)"
node "$dir/launch.mjs" --url "$(url dagd)" ${compare:+--compare "$compare"} --rounds "$rounds" \
  --latency-runs "$latency_runs" --throughput-runs "$throughput_runs" --connections 8 \
  >"$tmp/launch.out"
field() { sed -n "s/^$1=//p" "$tmp/launch.out"; }

# --- report ---
node_version=$(node --version)
page_setup="$n_runs runs (no filter / status / tag), wrk $threads threads, $connections connections, medians of $rounds rounds of ${seconds}s"
if [ "$with_peer" = 1 ]; then
  echo "runs page, $page_setup:"
  echo "  dagd:  $(per_query reqs dagd) req/s, p99 $(per_query p99 dagd) ms"
  echo "  node:  $(per_query reqs node) req/s, p99 $(per_query p99 node) ms"
  echo "  ratio: $(per_query_ratio reqs dagd node 1) (goal >= 10000 req/s)"
  echo "memory after the page load: dagd $rss_dagd MiB, node $rss_node MiB VmRSS (goal < 20 MiB)"
fi
echo "launch -> SUCCESS, $(field latency_samples) sequential runs: p50 $(field latency_p50_ms)" \
  "p90 $(field latency_p90_ms) p99 $(field latency_p99_ms) ms (goal p50 < 50 ms);" \
  "creation -> end p50 $(field server_p50_ms) p90 $(field server_p90_ms) p99 $(field server_p99_ms) ms"
echo "  spawn of /bin/true: p50 $(field spawn_p50_ms) p99 $(field spawn_p99_ms) ms;" \
  "ratio $(field latency_ratio)x (Dagster reports 3-6 s RUN_STARTING -> RUN_START, not measured here)"
echo "throughput, $throughput_runs runs at once over 8 connections: $(field throughput_runs_per_sec) runs/s" \
  "(runs' own times $(field throughput_server_runs_per_sec)/s; goal >= 50/s);" \
  "spawns of /bin/true 8 at a time $(field spawn_per_sec)/s, ratio $(field throughput_ratio)"
if [ "$with_pg" = 1 ]; then
  # pg_line WHAT SQLITE POSTGRES [UNIT]: one figure of both and their ratio.
  pg_line() {
    printf '  %-34s SQLite %s%s, PostgreSQL %s%s, ratio %s\n' "$1" "$2" "${4:-}" "$3" "${4:-}" \
      "$(ratio "$3" "$2" 2)×"
  }
  lat_sqlite=$(field latency_p50_ms) lat_pg=$(field postgres_latency_p50_ms)
  tp_sqlite=$(field throughput_runs_per_sec) tp_pg=$(field postgres_throughput_runs_per_sec)
  seed_rate() { echo "$1" | sed 's/.*(\([0-9]*\) runs.*/\1/'; }
  echo "PostgreSQL $pg_version beside SQLite (ratio PostgreSQL ÷ SQLite), same machine, same run:"
  echo "  runs page, $page_setup:"
  for q in $queries; do
    pg_line "req/s, $q" "$(reqs dagd "$q")" "$(reqs pg "$q")"
    pg_line "p99, $q" "$(p99 dagd "$q")" "$(p99 pg "$q")" " ms"
  done
  pg_line "webserver VmRSS after the load" "$rss_dagd" "$rss_pg" " MiB"
  pg_line "launch -> SUCCESS p50" "$lat_sqlite" "$lat_pg" " ms"
  pg_line "creation -> end p50" "$(field server_p50_ms)" "$(field postgres_server_p50_ms)" " ms"
  pg_line "launch -> SUCCESS p99" "$(field latency_p99_ms)" "$(field postgres_latency_p99_ms)" " ms"
  pg_line "runs/s, $throughput_runs at once" "$tp_sqlite" "$tp_pg"
  pg_line "seeding runs/s" "$(seed_rate "$seed_secs")" "$(seed_rate "$pg_seed_secs")"
fi
echo "machine: $(nproc) CPUs, $busy; seeding: $seed_secs${pg_seed_secs:+ (PostgreSQL: $pg_seed_secs)}"

# --- record ---
if [ "${BENCH_RECORD:-1}" = 1 ]; then
  common="$(row_start "$build_type") $node_version | $busy |"
  if [ "$with_peer" = 1 ]; then
    insert_row "### Launching" "$common $(printf '%s / %s / %s | %s / %s / %s | %s / %s | **%s×** | %s (%s) | %s | %s |' \
      "$(field latency_p50_ms)" "$(field latency_p90_ms)" "$(field latency_p99_ms)" \
      "$(field server_p50_ms)" "$(field server_p90_ms)" "$(field server_p99_ms)" \
      "$(field spawn_p50_ms)" "$(field spawn_p99_ms)" "$(field latency_ratio)" \
      "$(field throughput_runs_per_sec)" "$(field throughput_server_runs_per_sec)" \
      "$(field spawn_per_sec)" "$(field throughput_ratio)")"
    insert_row "### Runs page" "$common $(printf '%s | %s | %s | %s | %s | %s | **%s** | %s | %s |' \
      "$n_runs" "$seed_secs" "$(per_query reqs dagd)" "$(per_query p99 dagd)" \
      "$(per_query reqs node)" "$(per_query p99 node)" "$(per_query_ratio reqs dagd node 1)" \
      "$rss_dagd" "$rss_node")"
  fi
  if [ "$with_pg" = 1 ]; then
    insert_row "### Runs on PostgreSQL" "$(row_start "$build_type") $busy | $pg_version | $(printf '%s / %s | %s | %s | **%s** | %s | %s | %s / %s | %s / %s | **%s×** | %s / %s | **%s×** |' \
      "$(seed_rate "$seed_secs")" "$(seed_rate "$pg_seed_secs")" \
      "$(per_query reqs dagd)" "$(per_query reqs pg)" "$(per_query_ratio reqs pg dagd 2)" \
      "$(per_query p99 dagd)" "$(per_query p99 pg)" "$rss_dagd" "$rss_pg" \
      "$lat_sqlite" "$lat_pg" "$(ratio "$lat_pg" "$lat_sqlite" 2)" \
      "$tp_sqlite" "$tp_pg" "$(ratio "$tp_pg" "$tp_sqlite" 2)")"
  fi
  echo "bench-runs: recorded in bench/RESULTS.md" >&2
fi
