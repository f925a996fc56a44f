#!/bin/bash
# Split audit as a Slurm job array: task K audits part K of N, then one merge job.
#   submit:  N=8 SNAP=/data/pref OUT=/shared/audit ./slurm.sh
# SNAP and OUT must be on storage every node sees; every task reads the whole snapshot.
set -eu
: "${N:?parts}" "${SNAP:?snapshot folder}" "${OUT:?output folder}"
mkdir -p "$OUT"
# The array: part K = SLURM_ARRAY_TASK_ID (1..N). Exit 1 (violations) is a result.
jid=$(sbatch --parsable --array=1-"$N" --job-name=sanso-part \
  --export=ALL,N="$N",SNAP="$SNAP",OUT="$OUT" --wrap \
  'sanso --quiet audit --part "$SLURM_ARRAY_TASK_ID/$N" --format json "$SNAP" > "$OUT/part-$SLURM_ARRAY_TASK_ID.json"; [ $? -le 1 ]')
# The merge runs once every task has ended well (afterok: exit 0; the wrapper maps
# exit 1 — violations — to 0, so only a failed part (exit 2) stops the merge).
sbatch --dependency=afterok:"$jid" --job-name=sanso-merge --export=ALL,OUT="$OUT" --wrap \
  'sanso merge "$OUT"/part-*.json -o "$OUT/report.json"; echo "exit $?" > "$OUT/merge.status"'
