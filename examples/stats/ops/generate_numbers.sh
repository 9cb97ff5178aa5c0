#!/bin/sh
# generate_numbers: writes config's count pseudo-random numbers from 0 to
# max (Park–Miller generator seeded by seed), one a line, to
# DAGD_OUTPUT_numbers.
set -eu
. "${0%/*}/../../lib/op.sh"
count=$(config count 20)
max=$(config max 100)
seed=$(config seed 7)
awk -v count="$count" -v max="$max" -v seed="$seed" 'BEGIN {
  state = seed % 2147483647
  if (state <= 0) state += 2147483646
  for (i = 0; i < count; i++) {
    state = (state * 16807) % 2147483647
    print state % (max + 1)
  }
}' >"$DAGD_OUTPUT_numbers"
echo "generate_numbers: $count numbers from 0 to $max"
