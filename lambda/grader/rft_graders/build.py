"""Spec -> runnable grader, with the outside services it may need."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .sandbox_client import SandboxClient
from .spec import GraderSpec, parse_grader_spec


def _default_lambda_client() -> Any:
    import boto3  # lazy: only `lambda` graders need it

    return boto3.client("lambda")


@dataclass(frozen=True)
class BuildContext:
    """Services handed to graders. ``sandbox`` is None when code may not be run."""

    sandbox: SandboxClient | None = None
    lambda_client_factory: Callable[[], Any] = _default_lambda_client


def build_grader(spec: GraderSpec | Mapping, ctx: BuildContext | None = None):
    """Compile a spec (parsed or raw) into a grader with ``name`` and ``grade_many``."""
    return parse_grader_spec(spec).build(ctx or BuildContext())
