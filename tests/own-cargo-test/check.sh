#!/usr/bin/env bash
# examples/own-cargo-test as its user runs it: `cargo test` passes with its
# baseline, and fails naming the case when one entry is removed.
#
#   tests/own-cargo-test/check.sh
#
# Builds into $CARGO_TARGET_DIR (default target/own-cargo-test; CI shares the workspace's
# target/ so that the dependencies are built once). Last line: `N passed, 0 failed`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/check.sh
source "$root/tests/lib/check.sh"
example="$root/examples/own-cargo-test"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/own-cargo-test}"
baseline="$example/tests/baseline.toml"
saved="$(mktemp)"
cp "$baseline" "$saved"
trap 'cp "$saved" "$baseline"; rm -f "$saved"' EXIT


log="$(mktemp)"
(cd "$example" && cargo test --locked >"$log" 2>&1) && status=0 || status=$?
check "cargo test passes with the committed baseline" test "$status" -eq 0
check "every case ran (none filtered out)" grep -q "0 failed; 2 ignored; 0 measured; 0 filtered out" "$log"

# Drop the entry of one case: its failure is new again.
python3 - "$baseline" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
parts = text.split("\n[[case]]")
kept = [parts[0]] + [p for p in parts[1:] if '"add_tags::adds_tags"' not in p]
assert len(kept) == len(parts) - 1, "the baseline has no entry for add_tags::adds_tags"
open(path, "w").write("\n[[case]]".join(kept))
PY
(cd "$example" && cargo test --locked >"$log" 2>&1) && status=0 || status=$?
check "without its entry, cargo test fails" test "$status" -ne 0
check "... and names the case" grep -q "^    add_tags::adds_tags$" "$log"
check "... with its reproduction" grep -q "dpconform run --exact add_tags::adds_tags --endpoint" "$log"
rm -f "$log"
check_summary
