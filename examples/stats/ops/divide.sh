#!/bin/sh
# divide: writes total / count (DAGD_INPUT_total, DAGD_INPUT_count) with
# config's decimals digits; fails when count is 0.
set -eu
. "${0%/*}/../../lib/op.sh"
decimals=$(config decimals 2)
total=$(cat "$DAGD_INPUT_total")
count=$(cat "$DAGD_INPUT_count")
if [ "$count" -eq 0 ]; then
  echo "divide: no numbers to average (count is 0)" >&2
  exit 1
fi
awk -v t="$total" -v c="$count" -v d="$decimals" 'BEGIN { printf "%." d "f\n", t / c }' \
  >"$DAGD_OUTPUT_mean"
echo "divide: $total / $count = $(cat "$DAGD_OUTPUT_mean")"
