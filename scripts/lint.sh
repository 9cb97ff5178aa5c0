#!/bin/sh
# lint.sh — the checks behind `make lint`, all of which must pass:
#   1. clang-format: every C file in the repository (tracked, or new and not
#      ignored) matches .clang-format;
#   2. cppcheck on src/ and tools/;
#   3. a build with clang and warnings as errors (CMakeLists.txt adds -Werror),
#      in build-lint/, complementing the gcc build of `make test`.
set -eu

cd "$(dirname "$0")/.."
status=0

echo "lint: clang-format" >&2
files=$(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' | while read -r f; do
  [ -f "$f" ] && echo "$f"
done)
if [ -n "$files" ]; then
  # shellcheck disable=SC2086 # one file per word is intended
  clang-format --dry-run -Werror $files || status=1
fi

echo "lint: cppcheck" >&2
dirs="src"
[ -d tools ] && dirs="$dirs tools"
# shellcheck disable=SC2086
cppcheck --quiet --enable=warning,portability,performance --error-exitcode=1 --inline-suppr \
  --std=c11 -Isrc -D_POSIX_C_SOURCE=200809L --suppress=missingIncludeSystem $dirs || status=1

echo "lint: clang build with warnings as errors" >&2
cc=clang
command -v clang >/dev/null 2>&1 || cc=cc
if cmake -S . -B build-lint -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=Debug >/dev/null; then
  cmake --build build-lint -j "$(nproc)" || status=1
else
  status=1
fi

if [ "$status" -ne 0 ]; then
  echo "lint: FAILED" >&2
else
  echo "lint: ok" >&2
fi
exit "$status"
