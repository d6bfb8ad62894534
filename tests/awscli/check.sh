#!/usr/bin/env bash
# The AWS CLI against `dpconform serve`, with signature verification on.
#
# Usage: tests/awscli/check.sh PATH/TO/dpconform
#
# Installs the AWS CLI from PyPI into a virtual environment (kept in
# $DPCONFORM_AWSCLI_VENV, default ~/.cache/dpconform/awscli-venv, and reused),
# starts the reference endpoint on a free port with its own credentials,
# calls all 19 Data Pipeline actions through the CLI (including a whole
# task-runner round trip) and checks each answer, then sends the generated
# cases (cases/generated/) through botocore, the CLI's core (generated.py). Prints one line per checked
# action and a final "N passed, M failed"; exits non-zero on the first
# mismatch.
set -euo pipefail

if [[ $# -ne 1 || ! -x "$1" ]]; then
    echo "usage: $0 PATH/TO/dpconform (an executable)" >&2
    exit 2
fi
DPCONFORM=$1

VENV=${DPCONFORM_AWSCLI_VENV:-$HOME/.cache/dpconform/awscli-venv}
if [[ ! -x "$VENV/bin/aws" ]]; then
    echo "installing the AWS CLI into $VENV ..."
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check awscli
fi
AWS="$VENV/bin/aws"
PY=python3

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

ACCESS_KEY=AKIDAWSCLICHECK00001
SECRET_KEY=awscli/check/secret/$RANDOM$RANDOM
REGION=us-east-1

# start_serve [ARGS...]: starts `dpconform serve` on a free port ($PORT, $ENDPOINT)
# and waits until it accepts connections.
start_serve() {
    PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    ENDPOINT=http://127.0.0.1:$PORT
    "$DPCONFORM" serve --port "$PORT" --access-key "$ACCESS_KEY" --secret-key "$SECRET_KEY" \
        --region "$REGION" --quiet "$@" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        if $PY -c "import socket,sys; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null; then
            return
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "FAIL: dpconform serve exited early:" >&2
            cat "$WORK/server.log" >&2
            exit 1
        fi
        sleep 0.1
    done
}

stop_serve() {
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

start_serve

# A clean environment: only these credentials, no profile files, no retries
# that would hide a failure.
export AWS_ACCESS_KEY_ID=$ACCESS_KEY AWS_SECRET_ACCESS_KEY=$SECRET_KEY AWS_DEFAULT_REGION=$REGION
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=1
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DATA_PIPELINE 2>/dev/null || true

PASSED=0
FAILED=0

fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL $1" >&2
    echo "$PASSED passed, $FAILED failed"
    exit 1
}

pass() {
    PASSED=$((PASSED + 1))
    echo "ok   $1"
}

# dp ARGS...: runs `aws datapipeline ARGS` against the endpoint; the output
# is in $OUT (stdout) and $ERR (stderr); fails the check on a non-zero exit.
dp() {
    if ! OUT=$("$AWS" --endpoint-url "$ENDPOINT" --output json datapipeline "$@" 2>"$WORK/err"); then
        ERR=$(cat "$WORK/err")
        fail "aws datapipeline $1 exited non-zero: $ERR"
    fi
    ERR=$(cat "$WORK/err")
}

# dp_error CODE ARGS...: expects `aws datapipeline ARGS` to fail with error CODE.
dp_error() {
    local code=$1
    shift
    if OUT=$("$AWS" --endpoint-url "$ENDPOINT" --output json datapipeline "$@" 2>"$WORK/err"); then
        fail "aws datapipeline $1 succeeded, expected $code: $OUT"
    fi
    ERR=$(cat "$WORK/err")
    if [[ "$ERR" != *"($code)"* ]]; then
        fail "aws datapipeline $1: expected error $code, got: $ERR"
    fi
}

# expect NAME PYTHON-EXPR: checks a Python expression over the JSON in $OUT
# (bound to `o`; an empty output is {}).
expect() {
    local name=$1 expr=$2
    if ! printf '%s' "$OUT" | $PY -c "
import json, re, sys
text = sys.stdin.read()
o = json.loads(text) if text.strip() else {}
def field(obj, key):
    return next((f.get('stringValue', f.get('refValue')) for f in obj['fields'] if f['key'] == key), None)
sys.exit(0 if ($expr) else 1)
" 2>"$WORK/pyerr"; then
        fail "$name: expected $expr; got: $OUT $(cat "$WORK/pyerr")"
    fi
}

# json_get PYTHON-EXPR: prints a value from $OUT.
json_get() {
    printf '%s' "$OUT" | $PY -c "
import json, sys
o = json.load(sys.stdin)
def field(obj, key):
    return next((f.get('stringValue', f.get('refValue')) for f in obj['fields'] if f['key'] == key), None)
print($1)"
}

RUN=awscli-$$-$RANDOM
WG=wg-$RUN

# --- CreatePipeline ---------------------------------------------------------
dp create-pipeline --name "$RUN" --unique-id "$RUN" --description "AWS CLI check" \
    --tags key=team,value=dpc
expect CreatePipeline "re.fullmatch(r'df-[0-9A-Z]{19,20}', o['pipelineId'])"
PID=$(json_get "o['pipelineId']")
dp create-pipeline --name "$RUN" --unique-id "$RUN"
expect CreatePipeline "o['pipelineId'] == '$PID'"
pass "CreatePipeline: $PID, idempotent on name + uniqueId"

# --- ListPipelines ----------------------------------------------------------
dp list-pipelines
expect ListPipelines "{'id': '$PID', 'name': '$RUN'} in o['pipelineIdList']"
pass "ListPipelines: lists $PID"

# --- DescribePipelines ------------------------------------------------------
dp describe-pipelines --pipeline-ids "$PID"
expect DescribePipelines "len(o['pipelineDescriptionList']) == 1"
expect DescribePipelines "field(o['pipelineDescriptionList'][0], '@pipelineState') == 'PENDING'"
expect DescribePipelines "o['pipelineDescriptionList'][0]['description'] == 'AWS CLI check'"
expect DescribePipelines "o['pipelineDescriptionList'][0]['tags'] == [{'key': 'team', 'value': 'dpc'}]"
pass "DescribePipelines: PENDING, description and tags"

# --- AddTags / RemoveTags ---------------------------------------------------
dp add-tags --pipeline-id "$PID" --tags key=env,value=check key=team,value=other
dp describe-pipelines --pipeline-ids "$PID"
expect AddTags "sorted(o['pipelineDescriptionList'][0]['tags'], key=lambda t: t['key']) == [{'key': 'env', 'value': 'check'}, {'key': 'team', 'value': 'other'}]"
pass "AddTags: added env, overwrote team"
dp remove-tags --pipeline-id "$PID" --tag-keys env
dp describe-pipelines --pipeline-ids "$PID"
expect RemoveTags "o['pipelineDescriptionList'][0]['tags'] == [{'key': 'team', 'value': 'other'}]"
pass "RemoveTags: removed env"

# --- ValidatePipelineDefinition ---------------------------------------------
cat >"$WORK/objects.json" <<JSON
[
  {"id": "Default", "name": "Default", "fields": [
    {"key": "scheduleType", "stringValue": "ondemand"},
    {"key": "workerGroup", "stringValue": "$WG"}]},
  {"id": "Run", "name": "Run", "fields": [
    {"key": "type", "stringValue": "ShellCommandActivity"},
    {"key": "command", "stringValue": "echo hello"}]}
]
JSON
dp validate-pipeline-definition --pipeline-id "$PID" --pipeline-objects "file://$WORK/objects.json"
expect ValidatePipelineDefinition "o == {'errored': False, 'validationErrors': [], 'validationWarnings': []}"
cat >"$WORK/bad.json" <<'JSON'
[
  {"id": "Schedule", "name": "Schedule", "fields": [
    {"key": "type", "stringValue": "Schedule"},
    {"key": "period", "stringValue": "1 hour"},
    {"key": "startDateTime", "stringValue": "not a date"}]}
]
JSON
dp validate-pipeline-definition --pipeline-id "$PID" --pipeline-objects "file://$WORK/bad.json"
expect ValidatePipelineDefinition "o['errored'] is True and o['validationErrors'][0]['id'] == 'Schedule'"
pass "ValidatePipelineDefinition: valid, and errors on a bad startDateTime"

# --- PutPipelineDefinition (the CLI's definition-file format) ----------------
cat >"$WORK/definition.json" <<JSON
{
  "objects": [
    {"id": "Default", "name": "Default", "scheduleType": "ondemand", "workerGroup": "$WG"},
    {"id": "Run", "name": "Run", "type": "ShellCommandActivity",
     "command": "echo #{myGreeting}", "maximumRetries": "1"}
  ],
  "parameters": [
    {"id": "myGreeting", "type": "String", "default": "hello"}
  ]
}
JSON
dp put-pipeline-definition --pipeline-id "$PID" --pipeline-definition "file://$WORK/definition.json" \
    --parameter-values myGreeting=hi
expect PutPipelineDefinition "o['errored'] is False and not o.get('validationErrors')"
pass "PutPipelineDefinition: saved without errors"

# --- GetPipelineDefinition ----------------------------------------------------
dp get-pipeline-definition --pipeline-id "$PID"
expect GetPipelineDefinition "sorted(x['id'] for x in o['objects']) == ['Default', 'Run']"
expect GetPipelineDefinition "next(x for x in o['objects'] if x['id'] == 'Run')['command'] == 'echo #{myGreeting}'"
expect GetPipelineDefinition "o['values'] == {'myGreeting': 'hi'}"
pass "GetPipelineDefinition: objects, parameters and values as put"

# --- ActivatePipeline ---------------------------------------------------------
dp activate-pipeline --pipeline-id "$PID"
dp describe-pipelines --pipeline-ids "$PID"
expect ActivatePipeline "field(o['pipelineDescriptionList'][0], '@pipelineState') == 'SCHEDULED'"
pass "ActivatePipeline: SCHEDULED"

# --- QueryObjects -------------------------------------------------------------
dp query-objects --pipeline-id "$PID" --sphere INSTANCE
expect QueryObjects "len(o['ids']) == 1 and o['ids'][0].startswith('@Run_')"
INSTANCE=$(json_get "o['ids'][0]")
dp query-objects --pipeline-id "$PID" --sphere COMPONENT \
    --objects-query '{"selectors": [{"fieldName": "name", "operator": {"type": "EQ", "values": ["Run"]}}]}'
expect QueryObjects "o['ids'] == ['Run']"
pass "QueryObjects: instance $INSTANCE; EQ selector on components"

# --- DescribeObjects ----------------------------------------------------------
dp describe-objects --pipeline-id "$PID" --object-ids "$INSTANCE"
expect DescribeObjects "field(o['pipelineObjects'][0], '@status') == 'WAITING_FOR_RUNNER'"
expect DescribeObjects "field(o['pipelineObjects'][0], '@componentParent') == 'Run'"
dp describe-objects --pipeline-id "$PID" --object-ids "$INSTANCE" --evaluate-expressions
expect DescribeObjects "field(o['pipelineObjects'][0], 'command') == 'echo hi'"
pass "DescribeObjects: WAITING_FOR_RUNNER; expressions evaluated on request"

# --- EvaluateExpression -------------------------------------------------------
dp evaluate-expression --pipeline-id "$PID" --object-id "$INSTANCE" \
    --expression "day #{format(@scheduledStartTime,'YYYY-MM-dd')} says #{myGreeting}"
expect EvaluateExpression "re.fullmatch(r'day \\d{4}-\\d{2}-\\d{2} says hi', o['evaluatedExpression'])"
pass "EvaluateExpression: $(json_get "o['evaluatedExpression']")"

# --- SetStatus ----------------------------------------------------------------
dp set-status --pipeline-id "$PID" --object-ids Run --status PAUSE
dp describe-objects --pipeline-id "$PID" --object-ids Run "$INSTANCE"
expect SetStatus "[field(x, '@status') for x in o['pipelineObjects']] == ['PAUSED', 'PAUSED']"
dp poll-for-task --worker-group "$WG" --hostname cli-runner.example.com
expect SetStatus "'taskObject' not in o"
dp set-status --pipeline-id "$PID" --object-ids Run --status RESUME
dp describe-objects --pipeline-id "$PID" --object-ids Run
expect SetStatus "field(o['pipelineObjects'][0], '@status') == 'SCHEDULED'"
pass "SetStatus: PAUSE holds the task back, RESUME releases it"

# --- PollForTask --------------------------------------------------------------
dp poll-for-task --worker-group "$WG" --hostname cli-runner.example.com
expect PollForTask "o['taskObject']['pipelineId'] == '$PID'"
expect PollForTask "o['taskObject']['attemptId'] == '${INSTANCE}_Attempt=1'"
expect PollForTask "field(o['taskObject']['objects']['${INSTANCE}_Attempt=1'], 'command') == 'echo #{myGreeting}'"
TASK=$(json_get "o['taskObject']['taskId']")
dp poll-for-task --worker-group "$WG" --hostname other-runner.example.com
expect PollForTask "'taskObject' not in o"
pass "PollForTask: ${INSTANCE}_Attempt=1, handed out once"

# --- ReportTaskProgress -------------------------------------------------------
dp report-task-progress --task-id "$TASK" --fields key=percentComplete,stringValue=50
expect ReportTaskProgress "o == {'canceled': False}"
dp describe-objects --pipeline-id "$PID" --object-ids "${INSTANCE}_Attempt=1"
expect ReportTaskProgress "field(o['pipelineObjects'][0], '@status') == 'RUNNING'"
expect ReportTaskProgress "field(o['pipelineObjects'][0], 'percentComplete') == '50'"
pass "ReportTaskProgress: not canceled; attempt RUNNING with the reported field"

# --- ReportTaskRunnerHeartbeat --------------------------------------------------
dp report-task-runner-heartbeat --taskrunner-id "runner-$RUN" --worker-group "$WG" \
    --hostname cli-runner.example.com
expect ReportTaskRunnerHeartbeat "o == {'terminate': False}"
pass "ReportTaskRunnerHeartbeat: terminate false"

# --- SetTaskStatus ------------------------------------------------------------
dp set-task-status --task-id "$TASK" --task-status FINISHED
dp describe-objects --pipeline-id "$PID" --object-ids "$INSTANCE" "${INSTANCE}_Attempt=1"
expect SetTaskStatus "[field(x, '@status') for x in o['pipelineObjects']] == ['FINISHED', 'FINISHED']"
dp list-runs --pipeline-id "$PID" --status finished
if [[ "$OUT" != *FINISHED* ]]; then
    fail "SetTaskStatus: list-runs --status finished does not show the run: $OUT"
fi
pass "SetTaskStatus: FINISHED; the instance and attempt are FINISHED (list-runs agrees)"

# --- DeactivatePipeline -------------------------------------------------------
dp deactivate-pipeline --pipeline-id "$PID"
dp describe-pipelines --pipeline-ids "$PID"
expect DeactivatePipeline "field(o['pipelineDescriptionList'][0], '@pipelineState') == 'INACTIVE'"
pass "DeactivatePipeline: INACTIVE"

# --- DeletePipeline -----------------------------------------------------------
# Deletion is not immediate (evidence/ansible-...-placebo-recordings.md): the
# pipeline is described as DELETING for a moment, then PipelineDeletedException.
dp delete-pipeline --pipeline-id "$PID"
dp list-pipelines
expect DeletePipeline "all(p['id'] != '$PID' for p in o['pipelineIdList'])"
for _ in $(seq 1 60); do
    if ! "$AWS" --endpoint-url "$ENDPOINT" --output json datapipeline describe-pipelines \
        --pipeline-ids "$PID" >"$WORK/out" 2>"$WORK/err"; then
        break
    fi
    if ! grep -q DELETING "$WORK/out"; then
        fail "DeletePipeline: describe right after delete is neither DELETING nor an error: $(cat "$WORK/out")"
    fi
    sleep 0.25
done
ERR=$(cat "$WORK/err")
if [[ "$ERR" != *"(PipelineDeletedException)"* ]]; then
    fail "DeletePipeline: describe did not end in PipelineDeletedException: $ERR"
fi
pass "DeletePipeline: gone from the list; DELETING, then describe answers PipelineDeletedException"

# --- Signature verification is on ---------------------------------------------
AWS_SECRET_ACCESS_KEY=not-the-secret dp_error InvalidSignatureException list-pipelines
AWS_ACCESS_KEY_ID=AKIDUNKNOWNKEY000000 dp_error UnrecognizedClientException list-pipelines
dp_error MissingAuthenticationTokenException list-pipelines --no-sign-request
pass "SigV4: wrong secret, unknown key and unsigned requests are refused"

# --- The generated cases through botocore ---------------------------------------
# One Python process sends every generated case botocore can send (client-side
# validation off) and checks the error code it parses; ~1000 requests in seconds,
# where one `aws` invocation per case would take ~15 minutes. A fresh endpoint
# holds an empty PollForTask for 0.2 s instead of 20 s.
stop_serve
start_serve --poll-wait 0.2
CASES_DIR="$(cd "$(dirname "$0")/../.." && pwd)/cases"
if ! "$VENV/bin/python" "$(dirname "$0")/generated.py" "$CASES_DIR" "$ENDPOINT" >"$WORK/generated" 2>&1; then
    cat "$WORK/generated" >&2
    fail "generated cases through botocore: $(tail -n 1 "$WORK/generated")"
fi
pass "$(tail -n 1 "$WORK/generated")"

echo "$PASSED passed, $FAILED failed"
