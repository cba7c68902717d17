"""The Lambda handler: request shape checks over run_batch."""

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

# Loaded by path: other Lambdas also have a top-level "handler" module on the pythonpath.
_PATH = Path(__file__).resolve().parents[3] / "lambda" / "code_sandbox" / "handler.py"
_SPEC = importlib.util.spec_from_file_location("code_sandbox_handler", _PATH)
handler = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(handler)

CONTEXT = SimpleNamespace(
    function_name="sandbox",
    memory_limit_in_mb=1024,
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:sandbox",
    aws_request_id="req-1",
)


@pytest.mark.parametrize(
    "event",
    [None, [], "runs", {}, {"runs": "x"}, {"runs": {"code": ""}}, {"runs": [{}] * (handler.MAX_RUNS_PER_REQUEST + 1)}],
)
def test_malformed_request_is_rejected(event):
    with pytest.raises(ValueError) as info:
        handler.handler(event, CONTEXT)
    assert "\n" not in str(info.value)


def test_request_returns_results_in_order_with_bad_runs_isolated():
    runs = [
        {
            "code": "def f():\n    return 1\n",
            "tests": "assert f() == 1",
            "entry_point": None,
            "scoring": "fraction",
            "timeout_s": 5,
        },
        {"code": 42},
        {
            "code": "def f():\n    return 2\n",
            "tests": "assert f() == 1",
            "entry_point": None,
            "scoring": "all_or_nothing",
            "timeout_s": 5,
        },
    ]
    response = handler.handler({"runs": runs}, CONTEXT)
    assert [r["status"] for r in response["results"]] == ["passed", "error", "failed"]
    assert set(response["results"][0]) == {"status", "passed", "total", "detail"}
    assert handler.handler({"runs": []}, CONTEXT) == {"results": []}
