#!/usr/bin/env bash
# Runs examples/nightly.sh against moto's server and checks that dpconform
# produced a complete report: the four files, every case in report.json and
# junit.xml, failures reported (moto implements only part of the API), no crash;
# then a second night diffed against the first; a planted regression; and `dpconform explore`.
#
#   tests/moto/check.sh target/release/dpconform
#
# Needs python3 and PyPI (moto is installed into ~/.cache/dpconform/moto-venv
# unless VENV is set). Last line: `N passed, 0 failed` (its own assertions).
set -euo pipefail

if [[ $# -ne 1 || ! -x "$1" ]]; then
  echo "usage: $0 PATH/TO/dpconform" >&2
  exit 2
fi
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/check.sh
source "$root/tests/lib/check.sh"
cd "$root"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

night1="$work/night-1"
night2="$work/night-2"
# The corpus, byte for byte (untracked .snap.new files included).
corpus() { find cases snapshots -type f -print0 | sort -z | xargs -0 sha256sum; }
corpus >"$work/corpus-before.txt"
status=0
# The first night runs without the baseline: every failure is reported as failed.
BASELINE= DPCONFORM="$bin" OUT="$night1" examples/nightly.sh >"$work/nightly-1.log" 2>&1 || status=$?
cat "$work/nightly-1.log"
check "nightly.sh exits 0 with failing cases against moto (exit $status)" test "$status" -eq 0
check "the run against moto left cases/ and snapshots/ byte-identical" \
  bash -c "corpus() { find cases snapshots -type f -print0 | sort -z | xargs -0 sha256sum; }; diff <(corpus) '$work/corpus-before.txt'"
check "its new snapshots are pending in the report folder" \
  bash -c "find '$night1/pending-snapshots' -name '*.snap.new' | grep -q ."

# Readable at a glance: moto gets two headers wrong on (nearly) every answer, and both
# the console (--quiet) and summary.md say so first, in a size a person or CI reads.
lines="$(wc -l <"$night1/run.log")"
check "the console output with --quiet is under 100 lines ($lines)" test "$lines" -lt 100
kb="$(( $(wc -c <"$night1/summary.md") / 1024 ))"
check "summary.md is under 100 KB ($kb KB)" test "$kb" -lt 100
grep -A2 '^failures by cause' "$night1/run.log" | tail -n 2 >"$work/console-top.txt"
check "the console's first two causes are the two headers" bash -c \
  "grep -q 'content-type: Content-Type is \"text/html' '$work/console-top.txt' &&
   grep -q 'request-id: no x-amzn-RequestId header' '$work/console-top.txt'"
head -n 12 "$night1/summary.md" | grep -A5 '^## Failures by cause' | tail -n 2 >"$work/md-top.txt"
check "summary.md opens with the two header causes" bash -c \
  "grep -q 'Content-Type is \"text/html' '$work/md-top.txt' && grep -q 'no x-amzn-RequestId header' '$work/md-top.txt'"

for file in report.json junit.xml summary.md report.html; do
  check "$file is written and not empty" test -s "$night1/$file"
done
check "dpconform did not crash" bash -c "! grep -q 'panicked' '$night1/run.log'"

# Every case of the corpus is in report.json and junit.xml, and failures are reported.
"$bin" list --cases cases | sed -n 's/^\([^ ]*::[^ ]*\)  (.*/\1/p' | sort >"$work/cases.txt"
python3 - "$night1" "$work/cases.txt" >"$work/facts.txt" <<'PY'
import json, sys, xml.etree.ElementTree as ET
out, listed = sys.argv[1], sys.argv[2]
report = json.load(open(f"{out}/report.json"))
cases = sorted(c["name"] for c in report["cases"])
expected = sorted(l.strip() for l in open(listed) if l.strip())
suites = ET.parse(f"{out}/junit.xml").getroot()
tests = [t for t in suites.iter("testcase")]
junit_names = sorted(t.get("name") for t in tests)
junit_failed = sum(1 for t in tests if t.find("failure") is not None)
failed = [c for c in report["cases"] if c["status"] == "failed"]
explained = all(any(s["failures"] for s in c["steps"]) for c in failed)
print("schema", report["schema"] == "dpconform-report" and report["schema_version"] == 1)
print("all_in_report", cases == expected and len(cases) > 0)
print("all_in_junit", junit_names == expected)
print("failures_reported", len(failed) > 0 and report["totals"]["failed"] == len(failed))
print("junit_failures", junit_failed == len(failed))
print("failures_explained", explained)
print("endpoint_loopback", report["run"]["endpoint"].startswith("http://127.0.0.1:"))
print("summary_counts", f'{report["totals"]["passed"]} passed, {report["totals"]["failed"]} failed' in open(f"{out}/summary.md").read())
PY
fact() { grep -qx "$1 True" "$work/facts.txt"; }
check "report.json has the versioned schema" fact schema
check "every case ($(wc -l <"$work/cases.txt")) is in report.json" fact all_in_report
check "every case is in junit.xml" fact all_in_junit
check "failures are reported in report.json" fact failures_reported
check "junit.xml has one failure per failed case" fact junit_failures
check "every failed case names its failed checks" fact failures_explained
check "the endpoint was moto on loopback" fact endpoint_loopback
check "summary.md states the totals" fact summary_counts
check "report.html is one page with no network resource" \
  bash -c "grep -q '<!DOCTYPE html>' '$night1/report.html' && ! grep -Eq '(src|href)=\"https?:' '$night1/report.html'"

# A second night, with moto's baseline (examples/moto-baseline.toml) and diffed against the
# first: moto behaves the same, so every failure is a known one and nothing regressed.
status=0
INSTA_UPDATE=always DPCONFORM="$bin" OUT="$night2" PREVIOUS="$night1" VENV="${VENV:-$HOME/.cache/dpconform/moto-venv}" \
  examples/nightly.sh >"$work/nightly-2.log" 2>&1 || status=$?
tail -n 3 "$work/nightly-2.log"
check "a second night with the baseline is green and shows no regression (exit $status)" test "$status" -eq 0
check "... every failure of the second night is a known one" grep -Eq '^[0-9]+ passed, 0 failed, [0-9]+ known' "$night2/run.log"
check "the diff is written as diff.md and diff.html" test -s "$night2/diff.md" -a -s "$night2/diff.html"
check "with INSTA_UPDATE=always too, cases/ and snapshots/ stay byte-identical" \
  bash -c "corpus() { find cases snapshots -type f -print0 | sort -z | xargs -0 sha256sum; }; diff <(corpus) '$work/corpus-before.txt'"

# A planted regression: a proxy in front of moto answers CreatePipeline with 500. The same
# baseline must now fail the night, naming cases that were green or known before (the
# hand-written cases are enough to show it: entries of the cases not run are not judged).
venv="${VENV:-$HOME/.cache/dpconform/moto-venv}"
port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$work/moto-3.log" 2>&1 &
moto_pid=$!
for _ in $(seq 1 100); do
  "$venv/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
  sleep 0.2
done
python3 tests/moto/regression_proxy.py "http://127.0.0.1:$port" >"$work/proxy.url" &
proxy_pid=$!
for _ in $(seq 1 50); do [[ -s "$work/proxy.url" ]] && break; sleep 0.1; done
status=0
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN= AWS_REGION=us-east-1 \
  "$bin" run --endpoint "$(cat "$work/proxy.url")" --cases cases -j 1 --quiet --skip generated:: \
  --baseline examples/moto-baseline.toml >"$work/regressed.log" 2>&1 || status=$?
# Explore against moto: differences found, put in kinds, and each written case replaying as it
# should (it fails against moto and passes against the reference).
explore_status=0
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN= AWS_REGION=us-east-1 \
  "$bin" explore --endpoint "http://127.0.0.1:$port" --time 20 -j 2 --progress plain --empty-polls 2 \
  --out "$work/explored" --report-dir "$work/explore-report" >"$work/explore.log" 2>&1 || explore_status=$?
kill "$proxy_pid" "$moto_pid" 2>/dev/null || true
wait "$proxy_pid" "$moto_pid" 2>/dev/null || true
tail -n 3 "$work/regressed.log"
check "a planted regression (CreatePipeline answers 500) fails the night (exit $status)" test "$status" -eq 1
check "... with new failures counted" grep -Eq '^[0-9]+ passed, [1-9][0-9]* failed' "$work/regressed.log"
check "... on CreatePipeline's status" grep -q 'status' "$work/regressed.log"
tail -n 3 "$work/explore.log"
check "explore finds differences in moto (exit $explore_status)" test "$explore_status" -eq 1
check "... with empty polls sent, PollForTask's 500 too" grep -q '^DIFF  PollForTask status' "$work/explore.log"
check "... and puts them in kinds" grep -q '^ *[0-9]*  status: reference 400 PipelineNotFoundException, endpoint 500' "$work/explore.log"
check "... each written case replays as it should" bash -c "! grep -q 'DOES NOT REPLAY' '$work/explore.log'"
check "... and fails against moto, passes against the reference" grep -q 'fails against the endpoint, passes against the reference' "$work/explore.log"
check "... with explore.html beside explore.json" test -s "$work/explore-report/explore.html" -a -s "$work/explore-report/explore.json"

check_summary
