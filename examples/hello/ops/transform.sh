#!/bin/sh
# transform: adds up the numbers of every batch (fan-in: DAGD_INPUT_batches
# names a file listing one upstream output file per line), takes the sum or
# the mean as config's mode says, multiplies it by config's scale and writes
# the result. Config arrives as JSON in DAGD_OP_CONFIG, e.g.
# {"mode": "sum", "scale": 1.0}; the defaults apply to keys it lacks.
set -eu
config=${DAGD_OP_CONFIG:-'{}'}
# Minimal JSON reading: the value of one key of a flat object.
scale=$(printf '%s' "$config" | sed -n 's/.*"scale": *\(-\{0,1\}[0-9][0-9.eE+-]*\).*/\1/p')
mode=$(printf '%s' "$config" | sed -n 's/.*"mode": *"\([a-z]*\)".*/\1/p')
scale=${scale:-1.0}
mode=${mode:-sum}
case $mode in
sum | mean) ;;
*)
  echo "transform: unknown mode '$mode' (expected sum or mean)" >&2
  exit 1
  ;;
esac
# awk for the floating-point arithmetic POSIX sh lacks; it reads each listed
# file itself, so paths may hold spaces.
total=$(awk -v scale="$scale" -v mode="$mode" '
  {
    while ((getline line < $0) > 0) { sum += line; n++ }
    close($0)
  }
  END {
    x = (mode == "mean") ? (n ? sum / n : 0) : sum
    printf "%.15g\n", x * scale
  }' "$DAGD_INPUT_batches")
echo "$total" >"$DAGD_OUTPUT_total"
echo "$mode of the numbers, times $scale: $total"
