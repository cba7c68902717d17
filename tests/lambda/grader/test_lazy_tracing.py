"""The grader keeps its X-Ray traces without paying for the X-Ray SDK at cold start.

Each case runs the real handler in a fresh interpreter set up as in Lambda (LAMBDA_TASK_ROOT,
a sampled _X_AMZN_TRACE_ID) with a UDP socket standing in for the X-Ray daemon, and reads the
segment documents the SDK sends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from rft.config.loader import REPO_ROOT

GRADER_DIR = REPO_ROOT / "lambda" / "grader"

_CHILD = r"""
import json, os, socket, sys, types
daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
daemon.bind(("127.0.0.1", 0))
os.environ["AWS_XRAY_DAEMON_ADDRESS"] = "127.0.0.1:%d" % daemon.getsockname()[1]
import handler
# (Powertools imports the botocore package itself for its user agent: cheap; botocore.client is not)
loaded_at_import = sorted(m for m in ("aws_xray_sdk", "botocore.client") if m in sys.modules)
context = types.SimpleNamespace(function_name="f", memory_limit_in_mb=128, invoked_function_arn="arn",
                                aws_request_id="1", get_remaining_time_in_millis=lambda: 60000)
event = [{"id": "1", "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}],
          "reference_answer": "a"}]
handler.lambda_handler(event, context)  # before any AWS client: Lambda's own trace only
if sys.argv[1] == "client":
    import boto3
    from botocore.config import Config
    make = handler.traced_client(lambda: boto3.client(
        "lambda", region_name="us-west-2", endpoint_url="http://127.0.0.1:9", aws_access_key_id="x",
        aws_secret_access_key="x", config=Config(retries={"max_attempts": 0}, connect_timeout=1)))
    try:
        make().list_functions()
    except Exception:
        pass  # nothing listens there: the call fails, and its subsegment records the fault
    handler.lambda_handler(event, context)
daemon.settimeout(1)
documents = []
try:
    while True:
        header, body = daemon.recv(65536).split(b"\n", 1)
        documents.append(json.loads(body))
except socket.timeout:
    pass
print(json.dumps({"loaded_at_import": loaded_at_import, "documents": documents,
                  "active": handler.tracer.provider.active}))
"""


def _run(mode: str, **env: str) -> dict:
    environment = (
        {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
        | {
            "GRADER_SPEC": json.dumps({"template": "classification", "labels": ["a", "b"]}),
            "POWERTOOLS_SERVICE_NAME": "rft-grader",
            "POWERTOOLS_METRICS_NAMESPACE": "RFT/t/Graders",
            "AWS_REGION": "us-west-2",
            "LAMBDA_TASK_ROOT": str(GRADER_DIR),
            "AWS_LAMBDA_FUNCTION_NAME": "rft-t-c-grader",
            "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        }
        | env
    )
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, mode],
        cwd=GRADER_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_cold_start_loads_neither_the_xray_sdk_nor_botocore():
    result = _run("pure")
    assert result["loaded_at_import"] == []
    assert result["active"] is False
    assert result["documents"] == []  # a pure grader: Lambda's active tracing alone


def test_an_aws_client_loads_the_sdk_and_its_calls_and_later_handlers_are_traced():
    result = _run("client")
    assert result["active"] is True
    documents = result["documents"]
    [call] = [d for d in documents if d.get("namespace") == "aws"]
    assert call["name"] == "lambda" and call["aws"]["operation"] == "ListFunctions"
    assert call["trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"
    [handler_run] = [d for d in documents if d["name"] == "## lambda_handler"]
    assert handler_run["annotations"] == {"ColdStart": False, "Service": "rft-grader"}


def test_tracing_switched_off_never_loads_the_sdk():
    result = _run("client", POWERTOOLS_TRACE_DISABLED="true")
    assert result["active"] is False
    assert result["documents"] == []
