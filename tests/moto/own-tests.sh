#!/usr/bin/env bash
# Runs moto's own Data Pipeline tests (tests/moto/own/test_datapipeline.py, vendored
# from moto) against `dpconform serve` with default flags: every boto3 client of the
# tests points at serve (tests/moto/own/conftest.py), and serve is emptied before each
# test with its signed reset route. The tests that assert moto's own behaviour are
# strict expected failures, each with its reason (conftest.py): the run fails if any
# other test fails or if one of those passes.
# Then runs docs/serve.md's task-runner example (examples/serve/test_task_runner.py)
# against a second serve with --clock manual.
#
#   tests/moto/own-tests.sh target/release/dpconform
#
# Needs python3 and PyPI: moto (its tests import it), boto3 and pytest are installed
# into ~/.cache/dpconform/moto-venv unless VENV is set.
set -euo pipefail

if [[ $# -ne 1 || ! -x "$1" ]]; then
  echo "usage: $0 PATH/TO/dpconform" >&2
  exit 2
fi
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${VENV:-$HOME/.cache/dpconform/moto-venv}"
MOTO_SPEC="${MOTO_SPEC:-moto[server]}"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import moto, boto3, pytest' 2>/dev/null; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "$MOTO_SPEC" pytest
fi
echo "own-tests: $("$VENV/bin/python" -c 'import moto, boto3, pytest; print("moto", moto.__version__, "boto3", boto3.__version__, "pytest", pytest.__version__)')"

# start_serve NAME ARGS...: starts serve on a free port; sets $url.
start_serve() {
  local name="$1"
  shift
  "$bin" serve --port 0 --quiet "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  url=""
  for _ in $(seq 100); do
    url="$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/$name.log")"
    [[ -n "$url" ]] && return 0
    sleep 0.1
  done
  echo "own-tests: serve did not start:" >&2
  cat "$work/$name.log" >&2
  exit 2
}

# The test key pair of dpconform serve; the region is the tests' own (us-west-2).
export AWS_ACCESS_KEY_ID=AKIDDPCONFORMTEST000
export AWS_SECRET_ACCESS_KEY=dpconform/test/secret/key/0000000000000000
export AWS_DEFAULT_REGION=us-east-1
unset AWS_ENDPOINT_URL AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION

start_serve default
status=0
echo "own-tests: moto's tests/test_datapipeline/test_datapipeline.py against dpconform serve at $url"
(cd "$root/tests/moto/own" && AWS_ENDPOINT_URL_DATA_PIPELINE="$url" \
  "$VENV/bin/python" -m pytest -p no:cacheprovider -q -rxXf .) || status=$?

start_serve manual --clock manual
echo "own-tests: examples/serve/test_task_runner.py against dpconform serve --clock manual at $url"
(cd "$root/examples/serve" && AWS_ENDPOINT_URL_DATA_PIPELINE="$url" \
  "$VENV/bin/python" -m pytest -p no:cacheprovider -q .) || status=$?

exit "$status"
