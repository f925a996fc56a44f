#!/usr/bin/env bash
# The test command (README.md; .ci/run calls exactly this): installs what the tests need
# when it is missing, then runs the whole suite. Extra arguments go to `cargo test`.
#   - Chromium, Japanese fonts, poppler-utils: tests/browser.rs renders report.html headless
#     and prints it to PDF (pdfinfo/pdftotext check pages and rows).
#   - iproute2, nftables, iptables: tests/kernel_referee.rs builds namespaced networks.
#   - Aerleon (PyPI): firewall-dialect tests render random policies into vendor syntax.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$PATH:/usr/sbin:/sbin"

if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust (https://rustup.rs) first" >&2
  exit 1
fi

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null || need+=(poppler-utils)
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v ip >/dev/null && command -v bridge >/dev/null || need+=(iproute2)
command -v nft >/dev/null || need+=(nftables)
command -v iptables-legacy-restore >/dev/null || need+=(iptables)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "installing test dependencies: ${need[*]}" >&2
  $SUDO apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { $SUDO apt-get update -qq && $SUDO apt-get install -y --no-install-recommends "${need[@]}"; }
fi

# Python packages (tests/requirements.txt): Aerleon renders policies into vendor syntax.
if command -v python3 >/dev/null && ! python3 -c "import aerleon" 2>/dev/null; then
  echo "installing Python test dependencies (tests/requirements.txt)" >&2
  python3 -m pip install -q -r tests/requirements.txt
fi

# sanso picks its language from the locale when --lang is absent; the tests expect the
# default (Japanese) wherever they do not pass --lang.
unset LC_ALL LC_MESSAGES
export LANG=C.UTF-8
exec cargo test "$@"
