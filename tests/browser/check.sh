#!/usr/bin/env bash
# Checks dpconform's HTML pages (report.html and diff.html) in a real headless
# Chromium: they render, the filter box and status menu show exactly the
# matching items, no step container paints a status background (badges only),
# there is no console error, and nothing but the page is loaded. Screenshots of a
# passing run, a failing run, a run against a deliberately broken endpoint (a
# plain HTTP file server: every answer HTML) and a diff go to SCREENSHOT_DIR.
#
#   tests/browser/check.sh target/debug/dpconform [SCREENSHOT_DIR]
#
# Needs Debian's chromium (.ci/run installs it; tests install nothing).
# Last line: `N passed, N failed`.
set -euo pipefail

if [[ $# -lt 1 || ! -x "$1" ]]; then
  echo "usage: $0 PATH/TO/dpconform [SCREENSHOT_DIR]" >&2
  exit 2
fi
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
shots="${2:-$work/screenshots}"
mkdir -p "$shots"

chromium="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$chromium" ]]; then
  echo "browser check: chromium is not installed (apt-get install chromium; .ci/run does)" >&2
  exit 2
fi

# Two versions of a small cases folder, run against the embedded reference:
# v1 passes; v2 breaks two expectations and adds a case.
case_file() { # case_file DIR NAME CONTENTS
  mkdir -p "$(dirname "$1/$2")"
  printf '%s\n' "$3" >"$1/$2"
}
for v in v1 v2; do
  dir="$work/cases-$v"
  status=200
  name='r-{{run}}'
  [[ $v == v2 ]] && status=418 && name='nope'
  case_file "$dir" create_pipeline/creates.json '{ "about": "CreatePipeline returns an id", "source": "API Reference, CreatePipeline", "grade": "documented",
    "steps": [ { "name": "create", "operation": "CreatePipeline", "body": { "name": "r-{{run}}", "uniqueId": "r-{{run}}" } } ] }'
  case_file "$dir" create_pipeline/wrong_status.json "{ \"about\": \"CreatePipeline answers 200\", \"source\": \"inferred: test\", \"grade\": \"inferred\",
    \"steps\": [ { \"name\": \"create\", \"operation\": \"CreatePipeline\", \"body\": { \"name\": \"s-{{run}}\", \"uniqueId\": \"s-{{run}}\" },
                   \"expect\": { \"status\": $status } } ] }"
  case_file "$dir" describe_pipelines/wrong_json.json "{ \"about\": \"DescribePipelines names the pipeline\", \"source\": \"API Reference, DescribePipelines\", \"grade\": \"documented\",
    \"steps\": [ { \"name\": \"create\", \"operation\": \"CreatePipeline\", \"body\": { \"name\": \"r-{{run}}\", \"uniqueId\": \"r-{{run}}\" },
                   \"expect\": { \"capture\": { \"p\": \"/pipelineId\" } } },
                 { \"name\": \"describe\", \"operation\": \"DescribePipelines\", \"body\": { \"pipelineIds\": [\"{{p}}\"] },
                   \"expect\": { \"json_includes\": { \"pipelineDescriptionList\": [ { \"name\": \"$name\" } ] } } } ] }"
done
case_file "$work/cases-v2" protocol/unknown_operation.json '{ "about": "An unknown operation is rejected", "source": "inferred: awsJson", "grade": "inferred",
  "steps": [ { "name": "unknown", "sign": true, "raw": { "path": "/", "body": "{}",
    "headers": { "x-amz-target": "DataPipeline.NoSuchOperation", "content-type": "application/x-amz-json-1.1" } },
    "expect": { "status": 400, "error": "UnknownOperationException" } } ] }'

run() { # run VERSION [OUT ENDPOINT]
  local code=0 out="${2:-$1}"
  env -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_DATA_PIPELINE "$bin" run --cases "$work/cases-$1" \
    --snapshots "$work/snapshots" --report-dir "$work/$out" --progress plain -j 2 ${3:+--endpoint "$3"} \
    >"$work/$out.log" 2>&1 || code=$?
  if [[ $code -ge 2 ]]; then
    cat "$work/$1.log" >&2
    echo "browser check: dpconform run failed (exit $code)" >&2
    exit 2
  fi
}
run v1
run v2
# A deliberately broken endpoint: Python's file server answers every POST with an HTML 501.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$work/www"
python3 -m http.server --bind 127.0.0.1 --directory "$work/www" "$port" >"$work/www.log" 2>&1 &
www_pid=$!
trap 'kill "$www_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
  sleep 0.1
done
run v1 broken "http://127.0.0.1:$port"
"$bin" diff "$work/v1" "$work/v2" >"$work/diff.log" 2>&1 || true
[[ -s "$work/v2/diff.html" ]] || { cat "$work/diff.log" >&2; exit 2; }

cat >"$work/spec.json" <<JSON
[
  { "page": "$work/v1/report.html", "screenshot": "passing-run.png",
    "expect_initial": ["create_pipeline::creates", "create_pipeline::wrong_status", "describe_pipelines::wrong_json"],
    "typing": [ { "text": "json", "expect": ["describe_pipelines::wrong_json"] } ] },
  { "page": "$work/broken/report.html", "screenshot": "broken-endpoint.png",
    "causes": ["content-type", "Content-Type is \\"text/html", "request-id", "expected status 200, got 501"],
    "expect_initial": ["create_pipeline::creates", "create_pipeline::wrong_status", "describe_pipelines::wrong_json"],
    "typing": [ { "text": "wrong_status", "expect": ["create_pipeline::wrong_status"] } ] },
  { "page": "$work/v2/report.html", "screenshot": "failing-run.png",
    "expect_initial": ["create_pipeline::wrong_status", "describe_pipelines::wrong_json"],
    "typing": [
      { "text": "json", "expect": ["describe_pipelines::wrong_json"] },
      { "text": "418", "expect": ["create_pipeline::wrong_status"] },
      { "text": "no such words", "expect": [] },
      { "text": "", "status": "all",
        "expect": ["create_pipeline::creates", "create_pipeline::wrong_status", "describe_pipelines::wrong_json", "protocol::unknown_operation"] },
      { "text": "unknown", "expect": ["protocol::unknown_operation"] },
      { "text": "create_pipeline", "status": "passed", "expect": ["create_pipeline::creates"] }
    ] },
  { "page": "$work/diff.html", "screenshot": "diff.png",
    "expect_initial": ["create_pipeline::wrong_status", "describe_pipelines::wrong_json", "protocol::unknown_operation"],
    "typing": [
      { "text": "418", "expect": ["create_pipeline::wrong_status"] },
      { "text": "", "status": "added", "expect": ["protocol::unknown_operation"] },
      { "text": "json", "status": "newly-failing", "expect": ["describe_pipelines::wrong_json"] }
    ] }
]
JSON
cp "$work/v2/diff.html" "$work/diff.html"
python3 "$here/cdp_check.py" "$chromium" "$work/spec.json" "$shots"
