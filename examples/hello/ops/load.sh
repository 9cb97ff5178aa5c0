#!/bin/sh
# load: appends the total to the warehouse's totals file. The warehouse
# resource's config arrives as JSON in DAGD_RESOURCE_warehouse (its `path`,
# default /tmp/dagd-hello-warehouse).
set -eu
. "${0%/*}/../../lib/op.sh"
dir=$(resource_config warehouse path /tmp/dagd-hello-warehouse)
mkdir -p "$dir"
cat "$DAGD_INPUT_total" >>"$dir/totals.txt"
echo "loaded $(cat "$DAGD_INPUT_total") into $dir"
