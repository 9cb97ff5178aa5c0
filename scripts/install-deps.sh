#!/bin/sh
# install-deps.sh — installs what building and testing dagd needs on Debian 12:
# Debian packages through apt (chromium for the playground's browser test),
# and the npm packages of web/ (the playground's assets, embedded by the
# build), tests/ and bench/.
# Does nothing when everything is already present.
set -eu

cd "$(dirname "$0")/.."
. scripts/lib.sh

PACKAGES="build-essential cmake pkg-config git libjansson-dev libcmocka-dev libyaml-dev \
libsqlite3-dev libpq-dev postgresql libmicrohttpd-dev libgnutls28-dev libcurl4-gnutls-dev clang clang-format cppcheck \
nodejs npm chromium"

missing=""
for p in $PACKAGES; do
  # nodejs/npm may come from elsewhere (a newer node on PATH is fine).
  case $p in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
  # shellcheck disable=SC2086 # one package per word is intended
  apt_install install-deps $missing
fi

for dir in web tests bench; do
  if [ -f "$dir/package-lock.json" ]; then
    stamp="$dir/node_modules/.installed"
    if [ ! -f "$stamp" ] || [ "$dir/package-lock.json" -nt "$stamp" ]; then
      echo "install-deps: npm ci in $dir" >&2
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
      touch "$stamp"
    fi
  fi
done
