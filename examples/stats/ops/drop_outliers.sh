#!/bin/sh
# drop_outliers: copies the numbers of DAGD_INPUT_numbers that lie from
# config's low to high to DAGD_OUTPUT_kept.
set -eu
. "${0%/*}/../../lib/op.sh"
low=$(config low 0)
high=$(config high 90)
awk -v low="$low" -v high="$high" '$1 + 0 >= low + 0 && $1 + 0 <= high + 0' \
  "$DAGD_INPUT_numbers" >"$DAGD_OUTPUT_kept"
echo "drop_outliers: kept $(wc -l <"$DAGD_OUTPUT_kept") of $(wc -l <"$DAGD_INPUT_numbers")"
