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
