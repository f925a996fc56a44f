#!/usr/bin/env bash
# Writes every user-facing output of the release binary on every fixture (and one generated
# prefecture with planted violations) into OUT, so a behaviour-preserving change can be checked
# byte for byte: scripts/outputs.sh /tmp/before; <change>; scripts/outputs.sh /tmp/after; diff -r.
set -u
out=${1:?usage: scripts/outputs.sh OUT}
cd "$(dirname "$0")/.."
bin=${CARGO_TARGET_DIR:-target}/release/sanso
export SOURCE_DATE_EPOCH=1700000000
rm -rf "$out"; mkdir -p "$out"
run() { local name=$1; shift; "$bin" "$@" >"$out/$name.out" 2>"$out/$name.err"; echo "rc=$?" >>"$out/$name.out"; }
for fx in fixtures/sample-city fixtures/sample-city-violating fixtures/sample-mailgw "$out/gen"; do
  [ "$fx" = "$out/gen" ] && { "$bin" gen --municipalities 6 --seed 7 --plant 3 -o "$out/gen" >/dev/null 2>&1; }
  n=$(basename "$fx")
  for lang in ja en; do
    run "$n-audit-$lang" audit "$fx" --lang $lang -q
    run "$n-audit-json-$lang" audit "$fx" --format json --lang $lang -q
    run "$n-matrix-$lang" matrix "$fx" --lang $lang -q
    run "$n-evidence-$lang" evidence "$fx" -o "$out/$n-bundle-$lang" --lang $lang -q
  done
  run "$n-matrix-csv" matrix "$fx" --format csv -q
  run "$n-matrix-json" matrix "$fx" --format json -q
  for f in sarif html csv; do run "$n-audit-$f" audit "$fx" --format $f -q; done
done
run rules-ja rules; run rules-en rules --lang en; run rules-md rules --markdown
run man man; for sh in bash zsh fish powershell; do run "completions-$sh" completions $sh; done
for lang in ja en; do
  run "diff-$lang" diff fixtures/sample-city fixtures/sample-city-violating --lang $lang -q
  run "diff-json-$lang" diff fixtures/sample-city fixtures/sample-city-violating --format json --lang $lang -q
  run "diff-html-$lang" diff fixtures/sample-city fixtures/sample-city-violating --format html --lang $lang -q
  run "trace-$lang" trace fixtures/sample-city-violating --src 10.10.20.10 --dst 10.20.10.10 --lang $lang -q
  run "trace-json-$lang" trace fixtures/sample-city-violating --src 10.10.20.10 --dst 10.20.10.10 --format json --lang $lang -q
  run "trace-drop-$lang" trace fixtures/sample-city --src 10.10.20.10 --dst 10.20.10.10 --dport 25 --lang $lang -q
  run "trace-mail-$lang" trace fixtures/sample-mailgw --src 10.20.30.10 --dst 10.30.10.10 --dport 25 --lang $lang -q
done
# The generated snapshot's absolute path appears in nothing but the bundle manifests; keep it stable.
rm -rf "$out/gen"
echo "wrote $(ls "$out" | wc -l) outputs to $out"
