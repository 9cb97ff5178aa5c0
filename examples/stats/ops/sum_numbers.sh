#!/bin/sh
# sum_numbers: writes the sum of the numbers of DAGD_INPUT_numbers.
set -eu
awk '{ total += $1 } END { printf "%d\n", total }' "$DAGD_INPUT_numbers" >"$DAGD_OUTPUT_total"
echo "sum_numbers: $(cat "$DAGD_OUTPUT_total")"
