#!/bin/sh
# Prefecture-scale curve: generate ¼×, ½×, 1×, 2× snapshots (1× = 118 municipalities ≈
# 2,000 devices, ≈ 200k ACL/policy lines), then for each: `sanso audit` under
# /usr/bin/time -v (wall, peak RSS) and examples/prefecture (per-phase wall and CPU ms).
# Usage: scripts/curve.sh [OUTDIR] [SIZES...]    (default sizes: 30 59 118 236)
set -eu
cd "$(dirname "$0")/.."
out=${1:-${TMPDIR:-/tmp}/sanso-curve}
[ $# -gt 0 ] && shift
sizes=${*:-30 59 118 236}
cargo build --release --quiet --bin sanso --example prefecture
bin=target/release/sanso
mkdir -p "$out"
printf 'municipalities\tdevices\tconfig_lines\tacl_policy_lines\taudit_wall_s\taudit_cpu_s\tpeak_rss_mb\texit\tphases\n'
for n in $sizes; do
  dir="$out/pref-$n"
  rm -rf "$dir"
  gen=$($bin gen --municipalities "$n" -o "$dir")
  devices=$(echo "$gen" | sed -n 's/.*: \([0-9]*\) devices.*/\1/p')
  lines=$(echo "$gen" | sed -n 's/.* \([0-9]*\) config lines.*/\1/p')
  rules=$(echo "$gen" | sed -n 's/.* \([0-9]*\) ACL\/policy lines.*/\1/p')
  set +e
  /usr/bin/time -v "$bin" audit "$dir" > "$out/audit-$n.txt" 2> "$out/time-$n.txt"
  code=$?
  set -e
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out/time-$n.txt" |
    awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  user=$(sed -n 's/.*User time (seconds): //p' "$out/time-$n.txt")
  sys=$(sed -n 's/.*System time (seconds): //p' "$out/time-$n.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out/time-$n.txt")
  phases=$(target/release/examples/prefecture "$dir" | tr '\t' ' ')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$devices" "$lines" "$rules" "$wall" \
    "$(echo "$user + $sys" | bc)" "$((rss / 1024))" "$code" "$phases"
done
