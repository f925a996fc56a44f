#!/bin/sh
# Per-municipality split audit on one machine: one `sanso audit --select PREFIX` process
# per prefix (e.g. one municipality's zone/device name prefix `c001-`), one `--spanning`
# process for the rules that span parts, then one merge. On a scheduler the same steps
# map a Slurm array task or a Kubernetes indexed Job's index to a line of a prefix list
# (e.g. `--select "$(sed -n "${SLURM_ARRAY_TASK_ID}p" prefixes.txt)"`), plus one task
# for `--spanning`. tests/part.rs runs this script.
#   usage: select.sh SNAPSHOT OUT_DIR PREFIX...   (SANSO=path/to/sanso to choose the binary)
# Exit status as `sanso audit` on the whole snapshot (merge's), 2 if a run failed or
# merge refuses (a component selected twice or by no prefix).
set -u
SANSO=${SANSO:-sanso}
SNAP=$1 OUT=$2
shift 2
mkdir -p "$OUT"
run() { # name, flags…: exit 1 (a check violated/unproven) is a result; only 2 fails.
  name=$1
  shift
  "$SANSO" --quiet audit "$@" --format json "$SNAP" > "$OUT/sel-$name.json"
  [ $? -le 1 ] || echo "$name failed" > "$OUT/sel-$name.failed"
}
run spanning --spanning &
for P in "$@"; do
  run "$P" --select "$P" &
done
wait
if ls "$OUT"/sel-*.failed >/dev/null 2>&1; then cat "$OUT"/sel-*.failed >&2; exit 2; fi
exec "$SANSO" merge "$OUT"/sel-*.json -o "$OUT/report.json"
