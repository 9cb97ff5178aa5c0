# shellcheck shell=sh
# lib.sh — shell helpers the scripts share. Sourced, from the repository
# root, as `. scripts/lib.sh`; defines functions only.

# apt_install TAG PACKAGE...: apt-get update, then installs the packages
# (through sudo unless root), saying "TAG: installing PACKAGE..." on stderr.
apt_install() {
  _tag=$1
  shift
  _sudo=""
  [ "$(id -u)" -ne 0 ] && _sudo="sudo"
  echo "$_tag: installing $*" >&2
  $_sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $_sudo apt-get install -y -q "$@" >&2
}

# plain_build TAG BUILD: configures BUILD (RelWithDebInfo) when it has no
# CMake cache yet, fails when it is a sanitizer or fuzz build, and prints
# its CMAKE_BUILD_TYPE. Use as build_type=$(plain_build TAG "$build").
plain_build() {
  if [ ! -f "$2/CMakeCache.txt" ]; then
    cmake -S . -B "$2" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  if grep -q '^SANITIZE:BOOL=ON' "$2/CMakeCache.txt" ||
     grep -q '^FUZZ:BOOL=ON' "$2/CMakeCache.txt"; then
    echo "$1: $2 is a sanitizer build; use a plain one (BUILD=build)" >&2
    exit 1
  fi
  sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$2/CMakeCache.txt"
}

# median: the median of the numbers on stdin, one a line.
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# --- benchmarks (scripts/bench-*.sh) ---
# The helpers below share a benchmark's state through its variables: $tmp
# (its scratch folder), $pids (the servers started, which its exit trap
# stops), $build (its build directory) and $bench_name (the prefix of its
# messages, e.g. "bench-http").

# bench_traps: once $tmp is made, empties $pids and sets the traps that, on
# exit, stop the servers started (then the PostgreSQL servers of
# bench_postgres, which they may still use) and remove $tmp (an interrupt
# exits).
bench_traps() {
  pids=""
  pg_dirs=""
  trap bench_cleanup EXIT
  trap 'exit 1' INT TERM
}
# shellcheck disable=SC2154 # $tmp: the benchmark's
bench_cleanup() {
  for _p in $pids; do kill "$_p" 2>/dev/null || true; done
  for _p in $pids; do wait "$_p" 2>/dev/null || true; done
  for _d in ${pg_dirs:-}; do scripts/postgres-test.sh stop "$_d" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}

# bench_postgres DIR: starts a private PostgreSQL server in DIR (scripts/
# postgres-test.sh, which installs Debian's postgresql when missing; its URL
# goes to DIR/url) that the exit trap of bench_traps stops. postgres-test.sh
# turns durability off, fit for tests; a benchmark next to SQLite (WAL,
# synchronous=NORMAL: commits are not fsynced, checkpoints are) gets the
# same promise back: fsync and full_page_writes on, synchronous_commit off,
# so a crash may lose the last commits but never consistency.
bench_postgres() {
  pg_dirs="${pg_dirs:-} $1"
  scripts/postgres-test.sh start "$1" >/dev/null
  bench_psql "$1" -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET full_page_writes = on" \
    -c "ALTER SYSTEM SET synchronous_commit = off" -c "SELECT pg_reload_conf()" >/dev/null
}

# bench_psql DIR ARG...: the newest installed psql, unaligned and tuples
# only, stopping at the first error, on the server of bench_postgres DIR.
bench_psql() {
  _url=$(cat "$1/url")
  shift
  _psql=$(printf "%s\n" /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)
  "$_psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$_url" "$@"
}

# node_deps DIR PACKAGE...: installs DIR's Node packages (npm ci) unless
# each PACKAGE is already in DIR/node_modules.
node_deps() {
  _dir=$1
  shift
  for _pkg in "$@"; do
    if [ ! -d "$_dir/node_modules/$_pkg" ]; then
      (cd "$_dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
      return
    fi
  done
}

# bench_build TARGET...: builds TARGETs in $build, a plain build (see
# plain_build), and prints its CMAKE_BUILD_TYPE; exits, showing the build's
# output, when the build fails. Use as build_type=$(bench_build TARGET...).
# shellcheck disable=SC2154 # $tmp, $build and $bench_name: the benchmark's
bench_build() {
  plain_build "$bench_name" "$build"
  cmake --build "$build" -j "$(nproc)" --target "$@" >"$tmp/build.log" 2>&1 || {
    cat "$tmp/build.log" >&2
    exit 1
  }
}

# machine_busy: prints how busy the machine is, e.g. "CPUs 37% busy
# before, load 1.20": the CPUs over the next second (see cpu_busy) and the
# load average. Other work on the machine skews a benchmark's figures.
machine_busy() {
  echo "CPUs $(cpu_busy 2>/dev/null || echo "?") busy before, load $(cut -d ' ' -f 1 /proc/loadavg)"
}

# row_start BUILD_TYPE: prints the first cells of a RESULTS.md row, "| date
# | commit | machine | BUILD_TYPE |": today (UTC), HEAD's short hash
# (with "+wip" when src/ has uncommitted changes), the CPUs and their model.
row_start() {
  _commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
  if [ -n "$(git status --porcelain -- src 2>/dev/null)" ]; then
    _commit="$_commit+wip"
  fi
  _cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
  printf '| %s | %s | %s cores %s, %s | %s |' "$(date -u +%Y-%m-%d)" "$_commit" "$(nproc)" \
    "$(uname -m)" "${_cpu:-unknown cpu}" "$1"
}

# insert_row HEADING ROW: adds ROW to bench/RESULTS.md after the last table
# line that follows the line starting with HEADING, before the next
# heading; exits when there is no such table line.
# shellcheck disable=SC2154 # $tmp and $bench_name: the benchmark's
insert_row() {
  awk -v head="$1" -v row="$2" '
    { lines[NR] = $0 }
    index($0, head) == 1 { inside = 1; next }
    inside && /^#/ { inside = 0 }
    inside && /^\|/ { last = NR }
    END {
      if (!last) exit 1
      for (i = 1; i <= NR; i++) {
        print lines[i]
        if (i == last) print row
      }
    }' bench/RESULTS.md >"$tmp/results.md" || {
    echo "$bench_name: no table under '$1' in bench/RESULTS.md" >&2
    exit 1
  }
  cp "$tmp/results.md" bench/RESULTS.md
}

# cpu_busy: prints how busy the CPUs were over the next second, e.g. "37%",
# from /proc/stat (the load average lags behind that long).
cpu_busy() {
  _s1=$(head -n 1 /proc/stat)
  sleep 1
  _s2=$(head -n 1 /proc/stat)
  printf '%s\n%s\n' "$_s1" "$_s2" | awk '
    { idle = $5 + $6; total = 0; for (i = 2; i <= 9; i++) total += $i }
    NR == 1 { idle1 = idle; total1 = total }
    NR == 2 { printf "%.0f%%", 100 * (1 - (idle - idle1) / (total - total1)) }'
}

# start NAME COMMAND...: starts a server that prints "listening on URL" on
# stderr, behind $bench_pin when set (a prefix command such as
# "taskset -c 0"), and adds its pid to $pids. Its URL goes to $tmp/NAME.url
# and its pid to $tmp/NAME.pid. Exits, showing the server's stderr, when it
# dies first or is not listening after $bench_start_tenths tenths of a
# second (default 100): a large instance takes a while to open.
# shellcheck disable=SC2154 # $tmp and $bench_name: the benchmark's
start() {
  _name=$1
  shift
  : >"$tmp/$_name.log"
  ${bench_pin:-} "$@" 2>>"$tmp/$_name.log" &
  _pid=$!
  pids="$pids $_pid"
  _i=0
  while ! grep -q 'listening on http://' "$tmp/$_name.log"; do
    _i=$((_i + 1))
    if [ "$_i" -gt "${bench_start_tenths:-100}" ] || ! kill -0 "$_pid" 2>/dev/null; then
      echo "$bench_name: $_name did not start:" >&2
      cat "$tmp/$_name.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  sed -n 's#.*listening on \(http://[^ ]*\).*#\1#p' "$tmp/$_name.log" | head -n 1 >"$tmp/$_name.url"
  echo "$_pid" >"$tmp/$_name.pid"
}

# url NAME: the URL of the server started as NAME.
# shellcheck disable=SC2154 # $tmp and $bench_name: the benchmark's
url() { cat "$tmp/$1.url"; }

# post URL FILE: POSTs FILE's contents as application/json to URL (with
# Node's fetch, as a browser client would) and prints the reply; fails,
# saying why on stderr, unless the status is 200.
post() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    fetch(process.argv[1], { method: "POST", body: require("fs").readFileSync(process.argv[2]),
      headers: { "content-type": "application/json", accept: "application/json" } })
      .then(async (r) => { const t = await r.text();
        if (r.status !== 200) { console.error(`${process.argv[1]}: ${r.status} ${t}`); process.exit(1); }
        process.stdout.write(t); })
      .catch((e) => { console.error(`${process.argv[1]}: ${e.message}`); process.exit(1); });' "$1" "$2"
}

# wrk_figures WHAT COMMAND...: runs COMMAND, a wrk run with --latency (after
# any prefix command), its output in $tmp/wrk.out, and prints "REQS P99_MS":
# the requests per second, rounded, and the 99th percentile latency in ms.
# Exits, showing wrk's output, when wrk fails or saw a socket error or a
# non-2xx reply (a figure over failed requests means nothing); WHAT names
# the target in that message. Fails when the output lacks either figure.
# shellcheck disable=SC2154 # $tmp and $bench_name: the benchmark's
wrk_figures() {
  _what=$1
  shift
  "$@" >"$tmp/wrk.out" 2>&1 || {
    cat "$tmp/wrk.out" >&2
    exit 1
  }
  if grep -q -E '^ *(Non-2xx|Socket errors)' "$tmp/wrk.out"; then
    echo "$bench_name: errors against $_what:" >&2
    cat "$tmp/wrk.out" >&2
    exit 1
  fi
  awk '
    /^Requests\/sec:/ { reqs = $2 }
    $1 == "99%" {
      v = $2; unit = v; sub(/^[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
      p99 = v * (unit == "us" ? 0.001 : unit == "s" ? 1000 : unit == "m" ? 60000 : 1)
    }
    END {
      if (reqs == "" || p99 == "") exit 1
      printf "%.0f %.3f\n", reqs, p99
    }' "$tmp/wrk.out"
}
