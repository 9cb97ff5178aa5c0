#!/bin/sh
# fuzz.sh — builds the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang,
# ASan, UBSan and LeakSanitizer into build-fuzz/ and runs each of them for
# SECONDS (default 60) on a copy of the seed corpus tests/fuzz/corpus/.
# New inputs the fuzzer finds stay in build-fuzz/corpus-<target>/ (the
# committed corpus is never grown automatically); crashes, leaks and
# timeouts are written to build-fuzz/artifacts/ and make the script fail.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (targets: fuzz_engine fuzz_schema)
set -eu

cd "$(dirname "$0")/.."
. scripts/lib.sh
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"fuzz_engine fuzz_schema"}
build="build-fuzz"

command -v clang >/dev/null 2>&1 || apt_install fuzz clang
# libFuzzer's runtime ships apart from clang on Debian (libclang-rt-N-dev).
runtime_dir=$(clang -print-runtime-dir 2>/dev/null || true)
if ! ls "$runtime_dir"/libclang_rt.fuzzer*.a >/dev/null 2>&1; then
  major=$(clang -dumpversion | cut -d. -f1)
  apt_install fuzz "libclang-rt-$major-dev"
fi

cmake -S . -B "$build" -DFUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" -j "$(nproc)" --target $targets

mkdir -p "$build/artifacts"
status=0
for t in $targets; do
  corpus="$build/corpus-$t"
  mkdir -p "$corpus"
  cp tests/fuzz/corpus/* "$corpus/"
  echo "fuzz: $t for ${seconds}s (corpus $corpus)" >&2
  if ! "$build/$t" -max_len=65536 -timeout=10 -max_total_time="$seconds" \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" "$corpus"; then
    echo "fuzz: $t FAILED; reproduce with: $build/$t $build/artifacts/$t-<file>" >&2
    status=1
  fi
done
exit $status
