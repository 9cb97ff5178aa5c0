#!/bin/sh
# postgres-test.sh — a private PostgreSQL server for the tests.
#
#   scripts/postgres-test.sh start DIR   initdb into DIR/data, start the
#                                        server on a free port of 127.0.0.1,
#                                        create the database dagd_test, write
#                                        its URL to DIR/url and print it
#   scripts/postgres-test.sh stop DIR    stop that server and remove DIR
#
# Installs Debian's `postgresql` when no /usr/lib/postgresql/*/bin/initdb is
# there. The server refuses to run as root, so as root everything runs as the
# `postgres` system user (runuser) and DIR belongs to it. Only 127.0.0.1 is
# trusted (no password); the Unix socket lives in DIR, so nothing else on the
# machine is touched. When the postgres user cannot reach DIR (a private
# folder above it, such as /root), the server's folder is a new
# /tmp/dagd-pg.* instead, named in DIR/pgdir; DIR/url is always there.
# Every folder the script makes holds a marker file, .dagd-postgres-test,
# written first: `start` refuses a DIR that is not empty and has no marker,
# and `stop` removes only marked folders, so a mistyped DIR (a home, a
# project) is never chowned or deleted. `start` first clears whatever a
# crashed run left in a marked DIR (a server still running, a stale
# postmaster.pid or data folder), so it can always be run again. CTest runs
# it as the fixture `postgres` (CMakeLists.txt).
set -eu

cd "$(dirname "$0")/.."
. scripts/lib.sh

tag=postgres-test
db=dagd_test
marker=.dagd-postgres-test

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
cmd=$1
[ -n "$2" ] || usage
case $2 in
  /*) dir=$2 ;;
  *) dir=$(pwd)/$2 ;;
esac

# The newest installed server's bin folder, or nothing.
pg_bindir() {
  for _initdb in /usr/lib/postgresql/*/bin/initdb; do
    [ -x "$_initdb" ] && dirname "$_initdb"
  done | sort -V | tail -n 1
}

# as_pg COMMAND...: runs COMMAND as the user the server runs as.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# made_here FOLDER: whether this script made FOLDER (the marker is in it).
made_here() {
  [ -f "$1/$marker" ]
}

# refuse_foreign: exits when DIR exists, has no marker and is not empty:
# it is someone else's.
refuse_foreign() {
  if [ -e "$dir" ] && ! made_here "$dir" && [ -n "$(ls -A "$dir" 2>/dev/null || echo x)" ]; then
    echo "$tag: $dir is not empty and has no $marker: not a folder this script made," \
      "so it is left alone (a test server folder of an older script: remove it by hand)" >&2
    exit 1
  fi
}

# The server's folder (data, socket, log): DIR, or the one DIR/pgdir names
# when that one is marked too.
pg_dir() {
  _pg=$dir
  [ -f "$dir/pgdir" ] && _pg=$(cat "$dir/pgdir")
  if made_here "$_pg"; then echo "$_pg"; else echo "$dir"; fi
}

# works_in_data PID: whether process PID runs in the server's data folder
# (a server's processes all have it as working folder).
works_in_data() {
  [ "$(readlink "/proc/$1/cwd" 2>/dev/null)" = "$(cd "$pg/data" 2>/dev/null && pwd -P)" ]
}

# kill_leftovers: kills (SIGKILL) every process still working in the data
# folder:
# a postmaster that did not stop, or the backends of one that was killed.
# Found by their working folder, so no other server is ever touched.
kill_leftovers() {
  [ -d "$pg/data" ] || return 0
  for _proc in /proc/[0-9]*; do
    if works_in_data "${_proc#/proc/}"; then
      kill -9 "${_proc#/proc/}" 2>/dev/null || true
    fi
  done
}

# stop_server: stops DIR's server if one runs (fast shutdown: sessions are
# cut, nothing is waited for), kills what is left, and removes its folders,
# marked ones only (an unmarked empty DIR is left as it is). pg_ctl signals
# the pid in postmaster.pid, which after a crash may belong to an unrelated
# process by now: only a live server is asked.
stop_server() {
  refuse_foreign
  made_here "$dir" || return 0
  pg=$(pg_dir)
  _pid=$(head -n 1 "$pg/data/postmaster.pid" 2>/dev/null || true)
  if [ -n "$_pid" ] && [ -n "$bin" ] && works_in_data "$_pid"; then
    as_pg "$bin/pg_ctl" stop -D "$pg/data" -m fast -w -t 30 >/dev/null 2>&1 || true
  fi
  kill_leftovers
  rm -rf "$pg" "$dir"
}

# free_port: prints a port of 127.0.0.1 that no server answers on, picked at
# random from 20000-59999 (several builds may run test servers at once).
free_port() {
  _tries=0
  while [ "$_tries" -lt 100 ]; do
    _tries=$((_tries + 1))
    _n=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
    _port=$((20000 + _n % 40000))
    # 2: no response, so nothing listens there.
    _rc=0
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$_port" -t 1 || _rc=$?
    if [ "$_rc" -eq 2 ]; then
      echo "$_port"
      return
    fi
  done
  echo "$tag: found no free port ($bin/pg_isready answers otherwise)" >&2
  exit 1
}

# configure PORT: the server's settings. Durability is off: the data is
# thrown away after the tests.
configure() {
  _socket_dir=$pg
  # A Unix socket path holds at most 107 bytes; a deep folder goes without.
  [ ${#pg} -gt 80 ] && _socket_dir=""
  cat >"$pg/data/postgresql.auto.conf" <<EOF
port = $1
listen_addresses = '127.0.0.1'
unix_socket_directories = '$_socket_dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
  cat >"$pg/data/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
}

start_server() {
  stop_server
  mkdir -p "$dir"
  : >"$dir/$marker"
  pg=$dir
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  if ! as_pg test -w "$dir"; then
    pg=$(mktemp -d /tmp/dagd-pg.XXXXXX)
    : >"$pg/$marker"
    echo "$pg" >"$dir/pgdir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$pg"
  fi
  as_pg "$bin/initdb" -D "$pg/data" -U postgres -A trust -E UTF8 --locale=C -N \
    >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  # Another process may take the port between the check and the start:
  # then try another.
  _tries=0
  while :; do
    port=$(free_port)
    configure "$port"
    if as_pg "$bin/pg_ctl" start -D "$pg/data" -l "$pg/server.log" -w -t 60 \
      >/dev/null 2>&1; then
      break
    fi
    _tries=$((_tries + 1))
    if [ "$_tries" -ge 5 ]; then
      echo "$tag: the server did not start:" >&2
      cat "$pg/server.log" >&2
      exit 1
    fi
    kill_leftovers
  done
  _i=0
  until "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1; do
    _i=$((_i + 1))
    if [ "$_i" -ge 60 ]; then
      echo "$tag: the server on port $port does not answer:" >&2
      cat "$pg/server.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  "$bin/psql" -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "CREATE DATABASE $db" >/dev/null
  url="postgresql://postgres@127.0.0.1:$port/$db"
  echo "$url" >"$dir/url"
  echo "$url"
}

bin=$(pg_bindir)
case $cmd in
  start)
    refuse_foreign
    if [ -z "$bin" ]; then
      apt_install "$tag" postgresql
      bin=$(pg_bindir)
      [ -n "$bin" ] || {
        echo "$tag: no /usr/lib/postgresql/*/bin/initdb after installing postgresql" >&2
        exit 1
      }
    fi
    start_server
    ;;
  stop) stop_server ;;
  *) usage ;;
esac
