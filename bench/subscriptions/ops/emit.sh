#!/bin/sh
# emit.sh: waits config's delay_ms, then appends config's count log events
# (messages e0, e1, …) to DAGD_EVENTS, one every pause_ms.
set -eu
. "${0%/*}/../../../examples/lib/op.sh"
count=$(config count 200)
pause=$(awk -v ms="$(config pause_ms 10)" 'BEGIN {printf "%.3f", ms / 1000}')
sleep "$(awk -v ms="$(config delay_ms 1000)" 'BEGIN {printf "%.3f", ms / 1000}')"
i=0
while [ "$i" -lt "$count" ]; do
  printf '{"type": "log", "level": "INFO", "message": "e%d"}\n' "$i" >>"$DAGD_EVENTS"
  i=$((i + 1))
  sleep "$pause"
done
