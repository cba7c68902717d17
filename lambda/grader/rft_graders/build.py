"""Spec -> runnable grader, with the outside services it may need."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

from .judges.client import JudgeEnv
from .sandbox_client import SandboxClient
from .spec import GraderSpec, parse_grader_spec


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


def build_grader(spec: GraderSpec | Mapping, ctx: BuildContext | None = None):
    """Compile a spec (parsed or raw) into a grader with ``name`` and ``grade_many``."""
    return parse_grader_spec(spec).build(ctx or BuildContext())
