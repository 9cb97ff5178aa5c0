#!/bin/sh
# count_numbers: writes how many numbers DAGD_INPUT_numbers holds.
set -eu
awk 'NF { n++ } END { printf "%d\n", n }' "$DAGD_INPUT_numbers" >"$DAGD_OUTPUT_count"
echo "count_numbers: $(cat "$DAGD_OUTPUT_count")"
