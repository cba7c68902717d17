"""What a grader is built with: the outside services it may need (sandbox, Lambda, judges)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .judges.client import JudgeEnv
from .sandbox_client import SandboxClient


def _default_lambda_client() -> Any:
    import boto3  # lazy: only `lambda` graders need it

    return boto3.client("lambda")


@dataclass(frozen=True)
class BuildContext:
    """Services handed to graders. ``sandbox`` is None when code may not be run.

    Judges call ``judge_client_factory()`` once, on their first call, for an object with
    ``converse(**request)`` (a boto3 ``bedrock-runtime`` client by default; a scripted
    stand-in in tests and ``rft grade --scripted-judge``). ``judge_env`` overrides the
    clock, sleep, randomness and debug hook (tests inject a fake clock).
    """

    sandbox: SandboxClient | None = None
    lambda_client_factory: Callable[[], Any] = _default_lambda_client
    judge_client_factory: Callable[[], Any] | None = None
    judge_env: JudgeEnv | None = None

    def judge_environment(self) -> JudgeEnv:
        env = self.judge_env or JudgeEnv()
        return replace(env, client_factory=self.judge_client_factory) if self.judge_client_factory else env
