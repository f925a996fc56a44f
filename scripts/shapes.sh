#!/bin/sh
# Shape matrix at ≈2,000 devices / ≈200k ACL+policy lines (issue 13): one snapshot per corner
# (`sanso gen` flags below), each measured once by examples/prefecture under /usr/bin/time -v
# (wall, CPU, peak RSS of the whole load + graph + rules + report; per-phase ms; BDD nodes).
# Usage: scripts/shapes.sh [OUTDIR] [CORNERS...]   (default: all corners; also the growth
# series half double floors1 floors2 floors6 floors12)
set -eu
cd "$(dirname "$0")/.."
out=${1:-${TMPDIR:-/tmp}/sanso-shapes}
[ $# -gt 0 ] && shift
t=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet --bin sanso --example prefecture
flags() {
  case $1 in
    default) echo "--municipalities 118" ;;
    zones) echo "--municipalities 24 --floors 12 --zone-per-floor --switches-per-floor 2 --zone-vlans --acl-entries 150 --policies 300" ;;
    zones-unique) echo "--municipalities 24 --floors 12 --zone-per-floor --switches-per-floor 2 --zone-vlans --unique-vlans --acl-entries 150 --policies 300 --extra-tokutei 4 --extra-mugaika 4" ;;
    acl4000) echo "--municipalities 16 --switches-per-floor 13 --acl-entries 1333" ;;
    policies800) echo "--municipalities 26 --switches-per-floor 8 --policies 800 --policy-groups" ;;
    # Growth series (docs/performance.md): municipalities ×0.5 / ×2 of the default corner,
    # and 6 / 9 / 21 / 39 zones per municipality (3 + 3 × floors) at 24 municipalities.
    half) echo "--municipalities 59" ;;
    double) echo "--municipalities 236" ;;
    floors1 | floors2 | floors6 | floors12)
      echo "--municipalities 24 --floors ${1#floors} --zone-per-floor --switches-per-floor 2 --zone-vlans" ;;
    *) echo "unknown shape $1" >&2; exit 2 ;;
  esac
}
corners=${*:-default zones zones-unique acl4000 policies800}
mkdir -p "$out"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'corner\tgen\twall_s\tcpu_s\tpeak_rss_mb\tphases\n'
for c in $corners; do
  dir="$out/$c"
  rm -rf "$dir"
  # shellcheck disable=SC2046
  gen=$("$t/release/sanso" gen $(flags "$c") -o "$dir" | sed 's/^[^:]*: //')
  /usr/bin/time -v "$t/release/examples/prefecture" "$dir" > "$out/$c.phases" 2> "$out/$c.time"
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out/$c.time" |
    awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  user=$(sed -n 's/.*User time (seconds): //p' "$out/$c.time")
  sys=$(sed -n 's/.*System time (seconds): //p' "$out/$c.time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out/$c.time")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$gen" "$wall" "$(echo "$user + $sys" | bc)" \
    "$((rss / 1024))" "$(tr '\t\n' '  ' < "$out/$c.phases")"
  rm -rf "$dir"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
