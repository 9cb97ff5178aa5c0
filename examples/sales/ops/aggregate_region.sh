#!/bin/sh
# aggregate_region: reads the sales CSV (DAGD_INPUT_csv), keeps the rows of
# config's region with at least min_units units, and writes one summary
# line "region,rows,units,revenue,best_product" to DAGD_OUTPUT_summary
# (best_product: the product with the most revenue, "-" when no rows).
set -eu
. "${0%/*}/../../lib/op.sh"
region=$(config region)
min_units=$(config min_units 0)
awk -F, -v region="$region" -v min_units="$min_units" '
  NR == 1 { next }
  $2 == region && $4 + 0 >= min_units + 0 {
    rows++
    units += $4
    revenue += $4 * $5
    by_product[$3] += $4 * $5
  }
  END {
    best = "-"
    for (p in by_product)
      if (best == "-" || by_product[p] > by_product[best] || (by_product[p] == by_product[best] && p < best))
        best = p
    printf "%s,%d,%d,%.2f,%s\n", region, rows, units, revenue, best
  }' "$DAGD_INPUT_csv" >"$DAGD_OUTPUT_summary"
if [ "$(cut -d, -f2 "$DAGD_OUTPUT_summary")" = 0 ]; then
  log_event WARNING "no rows for region '$region'"
fi
echo "aggregate_region: $(cat "$DAGD_OUTPUT_summary")"
