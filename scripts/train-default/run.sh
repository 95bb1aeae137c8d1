#!/bin/sh
# Runs train.ts until it ends normally, resuming from the last epoch checkpoint after a crash
# (the deadline is absolute, so resumed runs stop at the same wall-clock time).
#   nohup sh scripts/train-default/run.sh 21:25 /work/train-run > /work/train-default.log 2>&1 &
DEADLINE=${1:-21:25}
OUT=${2:-/work/train-run}
shift 2 2>/dev/null
RESUME=""
for attempt in 1 2 3 4 5; do
  npx tsx scripts/train-default/train.ts --deadline "$DEADLINE" --out "$OUT" $RESUME "$@" && exit 0
  echo "train.ts failed (attempt $attempt); resuming"
  RESUME="--resume"
done
exit 1
