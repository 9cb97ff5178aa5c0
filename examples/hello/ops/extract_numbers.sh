#!/bin/sh
# extract_numbers: writes 1..count (from DAGD_OP_CONFIG) to the output file.
set -eu
count=$(printf '%s' "$DAGD_OP_CONFIG" | sed -n 's/.*"count": *\([0-9]*\).*/\1/p')
i=1
: >"$DAGD_OUTPUT_numbers"
while [ "$i" -le "${count:-5}" ]; do
  echo "$i" >>"$DAGD_OUTPUT_numbers"
  i=$((i + 1))
done
echo "wrote ${count:-5} numbers"
