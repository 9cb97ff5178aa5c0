#!/bin/sh
# transform: sums the numbers of every batch (fan-in: DAGD_INPUT_batches names
# a file listing one upstream output file per line) and writes the total.
set -eu
total=0
while IFS= read -r file; do
  while IFS= read -r n; do
    total=$((total + n))
  done <"$file"
done <"$DAGD_INPUT_batches"
echo "$total" >"$DAGD_OUTPUT_total"
echo "total: $total"
