"""Runs moto's own Data Pipeline tests against `dpconform serve` instead of moto's mock.

- `moto.mock_aws` becomes a no-op decorator, so the tests' boto3 clients are real
  clients; AWS_ENDPOINT_URL_DATA_PIPELINE (set by tests/moto/own-tests.sh) points
  every one of them at serve.
- Before each test, serve is emptied with its signed control route
  `POST /_dpconform/reset {"all": true}` (moto starts each test empty).
- The tests that assert moto's own behaviour rather than the service's are marked
  as strict expected failures, each with the reason: the run fails if one of them
  starts passing, or if any other test fails.
"""

import json
import os
import urllib.request

import botocore.session
import moto
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest


def _no_op(func=None, **_kwargs):
    return func if func is not None else (lambda f: f)


moto.mock_aws = _no_op

ENDPOINT = os.environ["AWS_ENDPOINT_URL_DATA_PIPELINE"]

# Test name -> why it fails against a faithful endpoint: what moto does that the
# service does not (the evidence for the service's behaviour is cited).
MOTO_SPECIFIC = {
    "test_describing_pipeline_objects": (
        "asserts that DescribeObjects returns an object's fields exactly as put; the service adds "
        "its read-only fields (@sphere, @version, @status, @pipelineId and the implicit parent): "
        "the API Reference sample of DescribeObjects (documented)"
    ),
    "test_activate_pipeline": (
        "activates a pipeline that has no definition and expects SCHEDULED; the service refuses "
        "to activate a pipeline without a valid definition: the service model's ActivatePipeline "
        "documentation (a pipeline that does not pass validation is not activated)"
    ),
    "test_listing_paginated_pipelines": (
        "expects ListPipelines pages of moto's 50 with the last id as the marker; the page size "
        "and the marker are the service's own and undocumented (markers are opaque; dpconform "
        "serve pages by 25)"
    ),
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        reason = MOTO_SPECIFIC.get(item.name)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=f"moto-specific: {reason}", strict=True))


def control(path, body):
    """A control request to serve, signed with the environment's credentials like an API call."""
    session = botocore.session.get_session()
    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    request = AWSRequest(
        method="POST",
        url=f"{ENDPOINT}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    SigV4Auth(session.get_credentials(), "datapipeline", region).add_auth(request)
    prepared = urllib.request.Request(
        request.url, data=request.body, headers=dict(request.headers), method="POST"
    )
    with urllib.request.urlopen(prepared, timeout=10) as response:
        return json.load(response)


@pytest.fixture(autouse=True)
def empty_serve():
    control("/_dpconform/reset", {"all": True})
