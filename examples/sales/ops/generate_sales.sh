#!/bin/sh
# generate_sales: writes `days` days of sales for every region and product
# to DAGD_OUTPUT_csv, as CSV with a header. The numbers come from a small
# random generator (Park–Miller) seeded by config's seed, so a run is
# reproducible.
set -eu
. "${0%/*}/../../lib/op.sh"
days=$(config days 7)
seed=$(config seed 42)
case $days in
'' | *[!0-9]*)
  echo "generate_sales: days must be a whole number, got '$days'" >&2
  exit 1
  ;;
esac
REGIONS=$(json_list "${DAGD_OP_CONFIG:-"{}"}" regions)
PRODUCTS=$(json_list "${DAGD_OP_CONFIG:-"{}"}" products)
REGIONS=${REGIONS:-$(printf 'north\nsouth\nwest\neast')}
PRODUCTS=${PRODUCTS:-$(printf 'apples\npears\nplums')}
case $REGIONS$PRODUCTS in
*,*)
  echo "generate_sales: region and product names cannot hold a comma (CSV)" >&2
  exit 1
  ;;
esac
export REGIONS PRODUCTS
awk -v days="$days" -v seed="$seed" '
  function next_random() {
    state = (state * 16807) % 2147483647
    return state
  }
  BEGIN {
    n_regions = split(ENVIRON["REGIONS"], region, "\n")
    n_products = split(ENVIRON["PRODUCTS"], product, "\n")
    state = seed % 2147483647
    if (state <= 0) state += 2147483646
    print "day,region,product,units,unit_price"
    for (d = 1; d <= days; d++)
      for (r = 1; r <= n_regions; r++)
        for (p = 1; p <= n_products; p++) {
          units = next_random() % 50
          printf "%d,%s,%s,%d,%.2f\n", d, region[r], product[p], units, 1 + (next_random() % 400) / 100
        }
  }' >"$DAGD_OUTPUT_csv"
rows=$(($(wc -l <"$DAGD_OUTPUT_csv") - 1))
log_event INFO "generated $rows rows over $days days"
echo "generate_sales: $rows rows"
