#!/bin/sh
# Usage: fuzz/run.sh TARGET [libFuzzer flags…]   e.g. fuzz/run.sh cisco_ios -runs=1000000
# Runs one target on one core; new inputs go to fuzz/corpus/TARGET (git-ignored), the
# committed seeds in fuzz/seeds/TARGET are read too. Crashes land in fuzz/artifacts/TARGET.
# With -jobs=1 libFuzzer logs to ./fuzz-0.log; it is kept as fuzz/logs/TARGET.log.
set -e
cd "$(dirname "$0")"
t="$1"; shift
mkdir -p "corpus/$t" logs
rc=0
RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$PWD/target" cargo fuzz run -s none "$t" "corpus/$t" "seeds/$t" -- \
  -jobs=1 -workers=1 -print_final_stats=1 "$@" || rc=$?
if [ -f fuzz-0.log ]; then mv fuzz-0.log "logs/$t.log"; fi
tail -n 12 "logs/$t.log" 2>/dev/null | grep -E '^Done|stat::|panicked|SUMMARY' || true
exit $rc
