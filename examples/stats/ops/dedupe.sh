#!/bin/sh
# dedupe: sorts the numbers of DAGD_INPUT_numbers and drops repeats.
set -eu
sort -n -u "$DAGD_INPUT_numbers" >"$DAGD_OUTPUT_numbers"
echo "dedupe: $(wc -l <"$DAGD_OUTPUT_numbers") distinct numbers"
