"""`rft models chat` against moto (the SSM parameter, written by the workflow's promote) and the
local fake mantle endpoint (bearer token, model id, Chat Completions and Responses bodies)."""

from __future__ import annotations

import base64
from urllib.parse import unquote

import pytest

from rft import model_commands as models_cli
from tests.cli.test_runs_cli import (
    REGION,  # noqa: F401
    TEAM,
    cli,
    no_credentials,
    one_line,
    promoted,
)
from tests.fakes.mantle_server import FakeMantle

CUSTOMIZATION = "ticket-triage"
RUN = "r20260101000000-aaaaaa"


@pytest.fixture(autouse=True)
def env(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "MOTO_ACCOUNT_ID": "111111111111",
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "MANTLE_BASE_URL"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def mantle(monkeypatch):
    fake = FakeMantle(respond=lambda model, messages: f"{model} says: {messages[-1]['content'][::-1]}")
    with fake:
        monkeypatch.setenv("MANTLE_BASE_URL", fake.base_url)
        yield fake


@pytest.fixture
def promoted_model(mantle, monkeypatch):
    """A checkpoint the fake endpoint knows, promoted by the workflow's selection + promote."""
    from moto import mock_aws

    from tests.cli.test_runs_cli import create_table, evaluation, pinned_workflow

    workflow = pinned_workflow(monkeypatch)
    job = mantle.create_job_directly("qwen.qwen3-32b", "file-000001")
    mantle.set_checkpoints(job["id"], [{"step_number": 10}, {"step_number": 20}])
    ckpt = f"ft:qwen.qwen3-32b:{job['id']}:ckpt-step-"
    with mock_aws():
        create_table()
        promoted(
            workflow,
            CUSTOMIZATION,
            RUN,
            "2026-01-01T00:00:00+00:00",
            "2026-01-01T01:00:00+00:00",
            [evaluation(ckpt + "10", 10, 0.9, 0.1), evaluation(ckpt + "20", 20, 0.5, 0.1)],
            ckpt + "20",
            job["id"],
        )
        yield ckpt + "10"  # the better-scoring checkpoint, not the final one


def token_region(bearer: str) -> str:
    """The region a Bedrock short-term token was signed for (from its SigV4 credential scope)."""
    assert bearer.startswith("bedrock-api-key-")
    url = base64.b64decode(bearer.removeprefix("bedrock-api-key-")).decode()
    assert url.startswith("bedrock.amazonaws.com/?Action=CallWithBearerToken")
    credential = unquote(url.split("X-Amz-Credential=")[1].split("&")[0])  # testing/<date>/<region>/bedrock/...
    return credential.split("/")[2]


def test_chat_completions_on_the_promoted_model(promoted_model, mantle, capsys):
    assert (
        cli(
            "models", "chat", "--team", TEAM, "--customization", CUSTOMIZATION, "Is the API down?", "--max-tokens", "64"
        )
        == 0
    )
    assert capsys.readouterr().out == f"{promoted_model} says: ?nwod IPA eht sI\n"
    [request] = mantle.requests_to("POST", "/v1/chat/completions")
    assert request.json["model"] == promoted_model
    assert request.json["messages"] == [{"role": "user", "content": "Is the API down?"}]
    assert request.json["max_tokens"] == 64
    assert token_region(request.bearer) == REGION
    assert not mantle.requests_to("POST", "/v1/responses")


def test_responses_api_does_not_store(promoted_model, mantle, capsys):
    assert cli("models", "chat", "--team", TEAM, "--customization", CUSTOMIZATION, "hello", "--responses") == 0
    assert capsys.readouterr().out == f"{promoted_model} says: olleh\n"
    [request] = mantle.requests_to("POST", "/v1/responses")
    assert request.json["store"] is False
    assert request.json["model"] == promoted_model and request.json["input"] == "hello"
    assert request.json["max_output_tokens"] == models_cli.DEFAULT_MAX_TOKENS
    assert token_region(request.bearer) == REGION
    assert not mantle.requests_to("POST", "/v1/chat/completions")


def test_nova_customization_is_refused_before_any_call(mantle, monkeypatch, tmp_path, capsys):
    no_credentials(monkeypatch, tmp_path)  # any AWS call would fail with the credentials message instead
    assert cli("models", "chat", "--team", "nova-example", "--customization", "invoice-extraction", "hi") == 2
    err = one_line(capsys)
    assert err.startswith("rft models: customization invoice-extraction is on the native control plane")
    assert "custom model deployment" in err
    assert mantle.requests == []


def test_no_promoted_model_yet(promoted_model, mantle, capsys):
    assert cli("models", "chat", "--team", TEAM, "--customization", "grade-school-math", "hi") == 2
    assert one_line(capsys) == (
        "rft models: no promoted model for grade-school-math yet (/rft/example/grade-school-math/model does not "
        f"exist in {REGION}); a run must succeed first: rft run start --team example "
        "--customization grade-school-math\n"
    )
    assert mantle.requests == []


def test_endpoint_error_is_one_line(promoted_model, mantle, capsys):
    mantle.fail_next("POST", "/v1/chat/completions", status=404)
    assert cli("models", "chat", "--team", TEAM, "--customization", CUSTOMIZATION, "hi") == 2
    assert one_line(capsys) == (
        f"rft models: Chat Completions on {promoted_model} failed: HTTP 404: injected failure\n"
    )


def test_empty_answer(promoted_model, mantle, capsys):
    mantle.respond = lambda model, messages: ""
    assert cli("models", "chat", "--team", TEAM, "--customization", CUSTOMIZATION, "hi", "--responses") == 2
    assert "returned no text" in one_line(capsys)


def test_unknown_team_and_customization(capsys):
    assert cli("models", "chat", "--team", "nobody", "--customization", CUSTOMIZATION, "hi") == 2
    assert one_line(capsys).startswith("rft models: no config for team 'nobody'")
    assert cli("models", "chat", "--team", TEAM, "--customization", "nope", "hi") == 2
    assert "declares no customization 'nope'" in one_line(capsys)


def test_no_credentials_is_one_clear_line(monkeypatch, tmp_path, capsys):
    no_credentials(monkeypatch, tmp_path)
    assert cli("models", "chat", "--team", TEAM, "--customization", CUSTOMIZATION, "hi") == 2
    assert one_line(capsys).startswith("rft models: no AWS credentials found; configure credentials")


def test_json_answer(promoted_model, mantle, capsys):
    import json

    assert cli("models", "chat", "--team", TEAM, "--customization", CUSTOMIZATION, "hello", "--json") == 0
    assert json.loads(capsys.readouterr().out) == {
        "model": promoted_model,
        "api": "Chat Completions",
        "answer": f"{promoted_model} says: olleh",
    }
