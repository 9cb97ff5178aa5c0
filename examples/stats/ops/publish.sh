#!/bin/sh
# publish: prints the summary (mean, total and how many numbers came in)
# and records it as a log event.
set -eu
. "${0%/*}/../../lib/op.sh"
label=$(config label numbers)
line="$label: mean $(cat "$DAGD_INPUT_mean"), total $(cat "$DAGD_INPUT_total"), $(cat "$DAGD_INPUT_seen") seen"
log_event INFO "$line"
echo "$line"
