#!/bin/sh
# bench.sh — the engine benchmark: dagd's GraphQL engine against graphql-js
# 16 on the same schema, data, query and variables (bench/engine/), in the
# same run. Builds bench_engine against the static libraries of the build
# directory, checks once that both produce the same response, then runs
# ROUNDS alternating rounds of each, pinned to one core, takes the medians,
# prints the ratio and appends a dated row to bench/RESULTS.md.
#
# Environment: BUILD (build directory, default build), BENCH_ROUNDS (5),
# BENCH_SECONDS (timed seconds per round for the C side; graphql-js gets
# twice as long to settle its JIT; default 1), BENCH_RECORD=0 (don't append
# to RESULTS.md), BENCH_CALLGRIND=1 (also count instructions per request
# with valgrind and list the hottest functions).
set -eu

cd "$(dirname "$0")/.."
. scripts/lib.sh
build=${BUILD:-build}
rounds=${BENCH_ROUNDS:-5}
seconds=${BENCH_SECONDS:-1}
dir=bench/engine

# --- build ---
build_type=$(plain_build bench "$build")
cmake --build "$build" -j "$(nproc)" --target dagd_graphql dagd_base >/dev/null
cc -std=c17 -O2 -g -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Isrc \
  "$dir/bench_engine.c" "$build/libdagd_graphql.a" "$build/libdagd_base.a" \
  -ljansson -lm -o "$build/bench_engine"
if [ ! -d bench/node_modules/graphql ]; then
  (cd bench && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

# --- same response on both sides ---
"$build/bench_engine" --print "$dir" >"$build/bench_engine_response.json"
node "$dir/bench_graphqljs.mjs" --compare "$build/bench_engine_response.json"

# --- timed rounds, alternating, on one core ---
pin=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt 1 ]; then
  pin="taskset -c $(($(nproc) - 1))"
fi
field() { sed -n "s/^$1=//p"; }

c_fresh="" c_reset="" js_full="" js_exec=""
r=1
while [ "$r" -le "$rounds" ]; do
  c_fresh="$c_fresh $($pin "$build/bench_engine" --seconds "$seconds" "$dir" | field ops_per_sec)"
  c_reset="$c_reset $($pin "$build/bench_engine" --reset --seconds "$seconds" "$dir" |
    field ops_per_sec)"
  out=$($pin node "$dir/bench_graphqljs.mjs" --seconds "$((seconds * 2))")
  js_full="$js_full $(echo "$out" | field ops_per_sec)"
  js_exec="$js_exec $(echo "$out" | field ops_per_sec_no_stringify)"
  echo "bench: round $r/$rounds: dagd$(echo "$c_fresh" | awk '{print " " $NF}') ops/s," \
    "graphql-js$(echo "$js_full" | awk '{print " " $NF}') ops/s" >&2
  r=$((r + 1))
done
c_fresh=$(echo "$c_fresh" | tr ' ' '\n' | grep . | median)
c_reset=$(echo "$c_reset" | tr ' ' '\n' | grep . | median)
js_full=$(echo "$js_full" | tr ' ' '\n' | grep . | median)
js_exec=$(echo "$js_exec" | tr ' ' '\n' | grep . | median)
ratio=$(awk -v a="$c_fresh" -v b="$js_full" 'BEGIN {printf "%.1f", a / b}')
ratio_exec=$(awk -v a="$c_fresh" -v b="$js_exec" 'BEGIN {printf "%.1f", a / b}')

echo "dagd engine:                $c_fresh ops/s (fresh arena per request)"
echo "dagd engine, arena reset:   $c_reset ops/s"
echo "graphql-js 16:              $js_full ops/s (parse+validate+execute+JSON.stringify)"
echo "graphql-js 16, no stringify: $js_exec ops/s"
echo "ratio: ${ratio}x (${ratio_exec}x against graphql-js without stringify); goal 20x"

# --- instructions per request (optional) ---
instr="-"
if [ "${BENCH_CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null 2>&1; then
  n=200
  valgrind --tool=callgrind --toggle-collect=gql_run \
    --callgrind-out-file="$build/callgrind.out" \
    "$build/bench_engine" --iterations "$n" "$dir" 2>"$build/callgrind.log"
  total=$(sed -n 's/^summary: *//p' "$build/callgrind.out" | head -n 1)
  instr=$(awk -v t="$total" -v n="$n" 'BEGIN {printf "%.0f", t / n}')
  echo "instructions per request (callgrind): $instr"
  callgrind_annotate "$build/callgrind.out" 2>/dev/null |
    awk '/file:function/ {on = 1; next} on && /^ *[0-9]/' | head -n 25 >"$build/callgrind.txt" || true
  echo "hottest functions (self): see $build/callgrind.txt" >&2
  head -n 16 "$build/callgrind.txt" >&2
fi

# --- record ---
if [ "${BENCH_RECORD:-1}" = 1 ]; then
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
  if [ -n "$(git status --porcelain -- src 2>/dev/null)" ]; then
    commit="$commit+wip"
  fi
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
  printf '| %s | %s | %s cores %s, %s | %s | %s | %s | %s | %s | %s | **%s×** (%s×) |\n' \
    "$(date -u +%Y-%m-%d)" "$commit" "$(nproc)" "$(uname -m)" "${cpu:-unknown cpu}" \
    "$build_type" "$(node --version)" "$c_fresh" "$c_reset" "$js_full" "$instr" \
    "$ratio" "$ratio_exec" >>bench/RESULTS.md
  echo "bench: recorded in bench/RESULTS.md" >&2
fi
