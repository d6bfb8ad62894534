#!/usr/bin/env bash
# Nightly conformance run of dpconform against a real foreign endpoint: moto's
# server (https://github.com/getmoto/moto), installed from PyPI into a virtual
# environment and started on a free loopback port.
#
#   examples/nightly.sh                      # reports in reports/nightly-YYYY-MM-DD
#   OUT=reports/today PREVIOUS=reports/yesterday examples/nightly.sh
#
# Environment (all optional):
#   DPCONFORM   the dpconform binary          [dpconform on PATH, else cargo build --release]
#   OUT         where the reports go          [reports/nightly-$(date +%F)]
#   PREVIOUS    an earlier report folder: `dpconform diff PREVIOUS OUT` runs, and the
#               script exits 1 when something regressed
#   VENV        the virtual environment       [~/.cache/dpconform/moto-venv]
#   MOTO_SPEC   what pip installs             ['moto[server]==5.2.5': the version the
#               baseline was written against]
#   BASELINE    known failures (TOML)         [examples/moto-baseline.toml; empty: none]
#   CASES       the cases folder              [cases]
#   JOBS        cases at once                 [1: moto, like any stateful endpoint, keeps
#               one list of pipelines for every case; cases that overlap see each other's
#               pipelines (ListPipelines pages differ), so only a serial run answers the
#               same way each night and a diff between nights shows real changes only]
#
# Exit status: 0 nothing new: every failure is one the baseline knows (moto implements
# only part of the API; without a baseline failed cases are reported, not an error),
# 1 a new failure or a baseline entry that passes again, or a regression against
# PREVIOUS, 2 dpconform or moto could not run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
OUT="${OUT:-reports/nightly-$(date +%F)}"
VENV="${VENV:-$HOME/.cache/dpconform/moto-venv}"
MOTO_SPEC="${MOTO_SPEC:-moto[server]==5.2.5}"
BASELINE="${BASELINE-examples/moto-baseline.toml}"
CASES="${CASES:-cases}"
JOBS="${JOBS:-1}"

if [[ -z "${DPCONFORM:-}" ]]; then
  if command -v dpconform >/dev/null; then
    DPCONFORM="$(command -v dpconform)"
  else
    cargo build --release --quiet
    DPCONFORM="${CARGO_TARGET_DIR:-$root/target}/release/dpconform"
  fi
fi

# 1. moto's server in a virtual environment (reused between nights).
if [[ ! -x "$VENV/bin/moto_server" ]]; then
  echo "nightly: installing $MOTO_SPEC into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "$MOTO_SPEC"
fi
echo "nightly: $("$VENV/bin/python" -c 'import moto; print("moto", moto.__version__)')"

# 2. Start it on a free loopback port; stop it whatever happens.
port="$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$OUT"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$OUT/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if "$VENV/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then
    echo "nightly: moto's server stopped; see $OUT/moto.log" >&2
    exit 2
  fi
  sleep 0.2
done
endpoint="http://127.0.0.1:$port"
echo "nightly: moto listening on $endpoint"

# 3. Run every case against it and write the reports. moto accepts any credentials.
# The corpus stays read-only: new snapshots go to $OUT/pending-snapshots.
status=0
baseline=()
if [[ -n "$BASELINE" ]]; then
  baseline=(--baseline "$BASELINE")
fi
AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN= AWS_REGION=us-east-1 \
  "$DPCONFORM" run --endpoint "$endpoint" --cases "$CASES" -j "$JOBS" --report-dir "$OUT" --quiet \
  "${baseline[@]}" >"$OUT/run.log" 2>&1 || status=$?
# --quiet: the failures grouped by cause and the totals; every detail is in the reports.
cat "$OUT/run.log"
if [[ $status -ge 2 ]]; then
  echo "nightly: dpconform could not run (exit $status); see $OUT/run.log" >&2
  exit 2
fi
echo "nightly: reports in $OUT: report.json junit.xml summary.md report.html"
new_failures=0
if [[ -n "$BASELINE" && $status -eq 1 ]]; then
  echo "nightly: new failures or stale entries against the baseline $BASELINE (see above)" >&2
  new_failures=1
fi

# 4. In GitHub Actions, the summary becomes the job's page.
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  cat "$OUT/summary.md" >>"$GITHUB_STEP_SUMMARY"
fi

# 5. What changed since the previous night.
if [[ -z "${PREVIOUS:-}" ]]; then
  note="nightly: no PREVIOUS report folder: nothing to compare with (a first night?)"
  echo "$note"
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    printf '\n> %s\n' "$note" >>"$GITHUB_STEP_SUMMARY"
  fi
  exit "$new_failures"
fi
diff_status=0
"$DPCONFORM" diff "$PREVIOUS" "$OUT" >"$OUT/diff.log" 2>&1 || diff_status=$?
tail -n 2 "$OUT/diff.log"
if [[ $diff_status -ge 2 ]]; then
  echo "nightly: dpconform diff failed; see $OUT/diff.log" >&2
  exit 2
fi
if [[ -n "${GITHUB_STEP_SUMMARY:-}" && -f "$OUT/diff.md" ]]; then
  cat "$OUT/diff.md" >>"$GITHUB_STEP_SUMMARY"
fi
if [[ $new_failures -eq 1 ]]; then
  exit 1
fi
exit "$diff_status"
