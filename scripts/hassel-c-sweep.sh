#!/usr/bin/env bash
# Times the peer, Hassel-C, on the public datasets the way ../shared/datasets/README.md §3
# produced its references (one process per source port, all-wildcard header), and checks
# each port's result count against the reference. Not part of the tests: Hassel-C is not
# vendored. Get it from cllorenz/hassel-reproduction at ffa817b (folder hassel-c/), then:
#   HASSEL_C=/path/to/hassel-c scripts/hassel-c-sweep.sh
# It builds Hassel-C (make), compiles the Stanford hassel-tf files into data/simple.dat
# with its `gen` (stage count 1; the repository's tfs/simple holds the same .tf files),
# and sweeps Stanford (202 ports) and Internet2 (345 ports, the shipped data/i2.dat).
set -euo pipefail
hc=${HASSEL_C:?set HASSEL_C to the hassel-c folder of cllorenz/hassel-reproduction}
data=$(cd "$(dirname "$0")/../../shared/datasets" && pwd)
cd "$hc"
make -s -j2
echo 1 > tfs/simple/stages
./gen simple > /dev/null
cp stanford simple   # the program loads data/<its own name>.dat
sweep() { # PROGRAM REFERENCE_TSV
  local prog=$1 ref=$2 port count out n=0 ok=0 sum=0 start end
  start=$(date +%s.%N)
  while read -r port count; do
    out=$("./$prog" "$port" 2>&1 | grep -E '^(Count|Time):' | tr '\n' ' ')
    n=$((n + 1))
    [ "$(sed -n 's/.*Count: *\([0-9]*\).*/\1/p' <<<"$out")" = "$count" ] && ok=$((ok + 1))
    sum=$((sum + $(sed -n 's/.*Time: *\([0-9]*\).*/\1/p' <<<"$out")))
  done < <(tail -n +2 "$ref" | cut -f1,3)
  end=$(date +%s.%N)
  printf '%s: ports=%d counts_equal=%d sum_time_s=%s sweep_wall_s=%s load=%s\n' "$prog" "$n" "$ok" \
    "$(echo "scale=3; $sum / 1000000" | bc)" "$(echo "$end - $start" | bc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
sweep simple "$data/stanford/hassel-reference-simple.tsv"
sweep i2 "$data/internet2/hassel-reference.tsv"
