#!/bin/sh
# load: appends the total to the warehouse file.
set -eu
dir=${WAREHOUSE_PATH:-/tmp/dagd-hello-warehouse}
mkdir -p "$dir"
cat "$DAGD_INPUT_total" >>"$dir/totals.txt"
echo "loaded $(cat "$DAGD_INPUT_total")"
