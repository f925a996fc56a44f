#!/bin/sh
# Split audit on one machine: N `sanso audit --part K/N` processes, then one merge.
# The same steps as k8s-job.yaml and slurm.sh; tests/part.rs runs this script.
#   usage: local.sh SNAPSHOT N OUT_DIR      (SANSO=path/to/sanso to choose the binary)
# Exit status as `sanso audit` on the whole snapshot (merge's), 2 if a part failed.
set -u
SANSO=${SANSO:-sanso}
SNAP=$1 N=$2 OUT=$3
mkdir -p "$OUT"
K=1
while [ "$K" -le "$N" ]; do
  # Exit 1 (a check violated/unproven) is a result; only 2 is a failure.
  ( "$SANSO" --quiet audit --part "$K/$N" --format json "$SNAP" > "$OUT/part-$K.json"
    [ $? -le 1 ] || echo "part $K/$N failed" > "$OUT/part-$K.failed" ) &
  K=$((K + 1))
done
wait
if ls "$OUT"/part-*.failed >/dev/null 2>&1; then cat "$OUT"/part-*.failed >&2; exit 2; fi
exec "$SANSO" merge "$OUT"/part-*.json -o "$OUT/report.json"
