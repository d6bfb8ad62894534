"""The generated cases (cases/generated/) through botocore, the AWS CLI's core.

Usage: python generated.py CASES_DIR ENDPOINT   (credentials from the AWS_* variables)

One process, one botocore client with client-side parameter validation off,
so that the inputs the CLI's validator would refuse still reach the endpoint
through botocore's own serializer, signer and error parser. A case is sent
only when botocore's serializer writes exactly the body the case holds (it
drops nulls, cannot write undeclared members or a body that is not an object,
and rewrites some wrong types): the others are counted as "CLI cannot send".
Of the cases sent, how many the CLI's own validator (validation on) would
have refused is counted too. Each sent case's answer must be the case's:
the error code botocore parses, or success where the case expects it.

Prints per-case failures and a summary line; exits 1 on any failure.
"""

import json
import os
import re
import sys
import uuid

# Recent AWS CLI releases vendor botocore (awscli/botocore) and make it
# importable as `botocore` when awscli is imported: import it first.
import awscli  # noqa: F401
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from botocore.validate import ParamValidator

REPEAT = re.compile(r"\{\{repeat\(a, (\d+)\)\}\}")


def render(value, run):
    """The case's templates: `{{repeat(a, N)}}` and `{{run}}` are the only ones generated."""
    if isinstance(value, str):
        m = REPEAT.fullmatch(value)
        if m:
            return "a" * int(m.group(1))
        return value.replace("{{run}}", run)
    if isinstance(value, list):
        return [render(v, run) for v in value]
    if isinstance(value, dict):
        return {k: render(v, run) for k, v in value.items()}
    return value


def same(a, b):
    """Equal as JSON, types included (in Python, True == 1)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def main():
    cases_dir, endpoint = sys.argv[1], sys.argv[2]
    session = botocore.session.get_session()
    config = Config(parameter_validation=False, retries={"max_attempts": 1}, read_timeout=30, connect_timeout=5)
    client = session.create_client("datapipeline", endpoint_url=endpoint, config=config)
    model = client.meta.service_model
    validator = ParamValidator()

    # What botocore's serializer writes, captured before sending.
    sent_body = {}

    def capture(request, **_):
        sent_body["body"] = request.body

    client.meta.events.register("before-sign.datapipeline.*", capture)

    root = os.path.join(cases_dir, "generated")
    files = sorted(
        os.path.join(d, f) for d, _, names in os.walk(root) for f in names if f.endswith(".json")
    )
    sent = cannot = refused_by_cli_validator = passed = 0
    failures = []
    for path in files:
        case = json.load(open(path, encoding="utf-8"))
        step = case["steps"][0]
        name = os.path.relpath(path, cases_dir)
        if "operation" not in step:
            cannot += 1  # a body that is not a JSON object
            continue
        op = step["operation"]
        body = render(step.get("body", {}), f"awscli-{uuid.uuid4().hex[:12]}")
        operation_model = model.operation_model(op)
        try:
            request = client._serializer.serialize_to_request(body, operation_model)
            written = json.loads(request["body"] or b"{}")
        except Exception:
            cannot += 1
            continue
        if not same(written, body):
            cannot += 1
            continue
        if validator.validate(body, operation_model.input_shape).has_errors():
            refused_by_cli_validator += 1
        expect = step["expect"]
        want = expect.get("error")
        sent += 1
        try:
            answer = getattr(client, snake(op))(**body)
            got = None
        except ClientError as e:
            got = e.response["Error"]["Code"]
            answer = None
        except ParamValidationError as e:  # cannot happen with validation off
            failures.append(f"{name}: botocore refused it: {e}")
            continue
        if not same(json.loads(sent_body.get("body") or b"{}"), body):
            failures.append(f"{name}: botocore sent another body than the case's")
        elif got != want:
            failures.append(f"{name}: expected {want or 'success'}, got {got or 'success'}")
        else:
            passed += 1
        if answer and op == "CreatePipeline":
            client.delete_pipeline(pipelineId=answer["pipelineId"])
    for f in failures:
        print(f"FAIL {f}")
    print(
        f"generated cases through botocore: {len(files)} cases, {sent} sent ({refused_by_cli_validator} of them "
        f"refused by the CLI's own validator when it is on), {cannot} the CLI cannot send; "
        f"{passed} passed, {len(failures)} failed"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
