#!/bin/sh
# Usage: fuzz/run.sh TARGET [libFuzzer flags…]   e.g. fuzz/run.sh cisco_ios -runs=1000000
# Runs one target on one core; new inputs go to fuzz/corpus/TARGET (git-ignored), the
# committed seeds in fuzz/seeds/TARGET are read too. Crashes land in fuzz/artifacts/TARGET.
set -e
cd "$(dirname "$0")"
t="$1"; shift
mkdir -p "corpus/$t"
RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$PWD/target" exec cargo fuzz run -s none "$t" "corpus/$t" "seeds/$t" -- \
  -jobs=1 -workers=1 -print_final_stats=1 "$@"
