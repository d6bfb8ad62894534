"""A task runner's test against `dpconform serve --clock manual` (docs/serve.md).

The code under test is `run_one_task`: a minimal task runner that polls its worker
group, does the work, and reports the outcome. The test drives the service's clock
with `POST /_dpconform/clock` so that an hourly pipeline's second run falls due at
once, and empties its account and region with `POST /_dpconform/reset` first.
Both control routes are signed like API calls.

    dpconform serve --clock manual --port 8080 &
    AWS_ENDPOINT_URL_DATA_PIPELINE=http://127.0.0.1:8080 \
    AWS_ACCESS_KEY_ID=AKIDDPCONFORMTEST000 \
    AWS_SECRET_ACCESS_KEY=dpconform/test/secret/key/0000000000000000 \
    AWS_DEFAULT_REGION=us-east-1 python -m pytest examples/serve
"""

import json
import os
import urllib.request

import boto3
import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

ENDPOINT = os.environ["AWS_ENDPOINT_URL_DATA_PIPELINE"]
REGION = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
WORKER_GROUP = "nightly-etl"


# --- the code under test: a minimal task runner -----------------------------------

def run_one_task(client, worker_group, work):
    """Polls once; runs `work(task)` on a task and reports FINISHED or FAILED."""
    task = client.poll_for_task(workerGroup=worker_group, hostname="runner-1").get("taskObject")
    if task is None:
        return None
    client.report_task_progress(taskId=task["taskId"])
    try:
        work(task)
    except Exception as error:  # the runner reports every failure of the work
        client.set_task_status(taskId=task["taskId"], taskStatus="FAILED",
                               errorId="WorkFailed", errorMessage=str(error))
        return task["attemptId"], "FAILED"
    client.set_task_status(taskId=task["taskId"], taskStatus="FINISHED")
    return task["attemptId"], "FINISHED"


# --- serve's control routes, signed like API calls ---------------------------------

def control(path, body):
    request = AWSRequest(method="POST", url=f"{ENDPOINT}{path}", data=json.dumps(body).encode(),
                         headers={"Content-Type": "application/json"})
    SigV4Auth(botocore.session.get_session().get_credentials(), "datapipeline", REGION).add_auth(request)
    prepared = urllib.request.Request(request.url, data=request.body,
                                      headers=dict(request.headers), method="POST")
    with urllib.request.urlopen(prepared, timeout=10) as response:
        return json.load(response)


@pytest.fixture
def client():
    control("/_dpconform/reset", {})  # this account in this region starts empty
    return boto3.client("datapipeline", region_name=REGION)


def hourly_pipeline(client, start):
    pipeline_id = client.create_pipeline(name="etl", uniqueId="etl")["pipelineId"]
    field = lambda key, value: {"key": key, "stringValue": value}
    objects = [
        {"id": "Default", "name": "Default", "fields": [
            field("scheduleType", "cron"), field("workerGroup", WORKER_GROUP),
            field("pipelineLogUri", "s3://my-logs/")]},
        {"id": "Hourly", "name": "Hourly", "fields": [
            field("type", "Schedule"), field("period", "1 hour"), field("startDateTime", start)]},
        {"id": "Load", "name": "Load", "fields": [
            field("type", "ShellCommandActivity"), field("command", "load.sh"),
            {"key": "schedule", "refValue": "Hourly"}]},
    ]
    result = client.put_pipeline_definition(pipelineId=pipeline_id, pipelineObjects=objects)
    assert not result["errored"], result
    client.activate_pipeline(pipelineId=pipeline_id)
    return pipeline_id


def test_the_runner_finishes_each_hourly_run(client):
    start = control("/_dpconform/clock", {})["time"]  # the service's "now", standing still
    pipeline_id = hourly_pipeline(client, start)

    # The first run is due at the start (cron): the runner takes it and finishes it.
    assert run_one_task(client, WORKER_GROUP, lambda task: None) == (f"@Load_{start}_Attempt=1", "FINISHED")

    # The next run is due an hour later: move the clock instead of waiting.
    later = control("/_dpconform/clock", {"advance_seconds": 3600})["time"]
    assert run_one_task(client, WORKER_GROUP, lambda task: None) == (f"@Load_{later}_Attempt=1", "FINISHED")

    statuses = client.describe_objects(pipelineId=pipeline_id, objectIds=[f"@Load_{start}", f"@Load_{later}"])
    for obj in statuses["pipelineObjects"]:
        fields = {f["key"]: f.get("stringValue") for f in obj["fields"]}
        assert fields["@status"] == "FINISHED", obj


def test_the_runner_reports_failed_work(client):
    start = control("/_dpconform/clock", {})["time"]
    hourly_pipeline(client, start)

    def broken(task):
        raise RuntimeError("disk full")

    attempt, status = run_one_task(client, WORKER_GROUP, broken)
    assert (attempt, status) == (f"@Load_{start}_Attempt=1", "FAILED")
