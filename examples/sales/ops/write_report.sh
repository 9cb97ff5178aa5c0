#!/bin/sh
# write_report: DAGD_INPUT_summaries is a fan-in: it lists the summary
# files of the upstream ops, one path a line. Ranks the regions by revenue
# (config's top keeps the best N), writes the report into the report_store
# resource's folder (its config arrives in DAGD_RESOURCE_report_store),
# removes all but the newest `keep` reports there, writes the report's
# path to DAGD_OUTPUT_report and reports the asset sales/report.
set -eu
. "${0%/*}/../../lib/op.sh"
title=$(config title 'Sales by region')
currency=$(config currency EUR)
top=$(config top 0)
root=$(resource_config report_store root /tmp/dagd-examples/reports)
keep=$(resource_config report_store keep 5)
mkdir -p "$root"
report="$root/report-${DAGD_RUN_ID:-by-hand}.txt"
# Each listed file holds one summary line; awk reads them in fan-in order.
awk -v title="$title" -v currency="$currency" -v top="$top" '
  {
    if ((getline line < $0) <= 0) {
      printf "write_report: cannot read %s\n", $0 > "/dev/stderr"
      exit 1
    }
    close($0)
    split(line, f, ",")
    n++
    name[n] = f[1]; rows[n] = f[2]; units[n] = f[3]; revenue[n] = f[4]; best[n] = f[5]
    total += f[4]
  }
  END {
    # Insertion sort by revenue, highest first (a handful of regions).
    for (i = 2; i <= n; i++)
      for (j = i; j > 1 && revenue[j] + 0 > revenue[j - 1] + 0; j--) {
        t = name[j]; name[j] = name[j - 1]; name[j - 1] = t
        t = rows[j]; rows[j] = rows[j - 1]; rows[j - 1] = t
        t = units[j]; units[j] = units[j - 1]; units[j - 1] = t
        t = revenue[j]; revenue[j] = revenue[j - 1]; revenue[j - 1] = t
        t = best[j]; best[j] = best[j - 1]; best[j - 1] = t
      }
    shown = (top > 0 && top < n) ? top : n
    print title
    printf "%-4s %-10s %6s %8s %12s  %s\n", "rank", "region", "rows", "units", "revenue", "best product"
    for (i = 1; i <= shown; i++)
      printf "%-4d %-10s %6d %8d %12.2f  %s\n", i, name[i], rows[i], units[i], revenue[i], best[i]
    printf "total revenue of %d regions: %.2f %s\n", n, total, currency
  }' "$DAGD_INPUT_summaries" >"$report"
# Keep the newest `keep` reports.
ls -t "$root"/report-*.txt | awk -v keep="$keep" 'NR > keep' | while IFS= read -r old; do
  rm -f "$old"
done
printf '%s\n' "$report" >"$DAGD_OUTPUT_report"
log_event INFO "report written to $report"
materialize sales/report path "$report" regions "$(awk 'END { print NR }' "$DAGD_INPUT_summaries")"
cat "$report"
