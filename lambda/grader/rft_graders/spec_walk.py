"""The one walk over a parsed grader spec: every node, templates expanded, multi graders entered.

Whoever needs to know what a spec contains (the judge models it calls, the Lambda functions it
forwards to, whether it runs code) asks here, on the parsed spec, instead of walking the raw
mapping by hand.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .judges.spec import JudgeSpecBase
from .spec import GraderSpec, parse_grader_spec
from .spec_primitives import CodeSpec, LambdaSpec, MultiSpec, PythonSpec, SpecModel
from .templates import TemplateSpec


def nodes(spec: GraderSpec | Mapping | SpecModel) -> Iterator[SpecModel]:
    """Every spec node, depth first: a template yields itself, then what it expands to."""
    if isinstance(spec, Mapping):
        spec = parse_grader_spec(spec)
    stack: list[Any] = [spec.root if isinstance(spec, GraderSpec) else spec]
    while stack:
        node = stack.pop()
        if isinstance(node, GraderSpec):
            node = node.root
        yield node
        if isinstance(node, TemplateSpec):
            stack.append(node.expand())
        elif isinstance(node, MultiSpec):
            stack.extend(reversed(list(node.graders.values())))


def judge_models(spec: GraderSpec | Mapping | SpecModel) -> set[str]:
    """Every judge model a grader spec calls."""
    return {model for node in nodes(spec) if isinstance(node, JudgeSpecBase) for model in node.model_list}


def forwarded_function_arns(spec: GraderSpec | Mapping | SpecModel) -> set[str]:
    """Every Lambda function a spec's ``lambda`` graders forward to."""
    return {node.function_arn for node in nodes(spec) if isinstance(node, LambdaSpec)}


def forwards_to_lambda(spec: GraderSpec | Mapping | SpecModel) -> bool:
    return any(isinstance(node, LambdaSpec) for node in nodes(spec))


def runs_code(spec: GraderSpec | Mapping | SpecModel) -> bool:
    """Whether grading sends anything to the code sandbox (code graders, inline python source)."""
    return any(isinstance(node, CodeSpec) or (isinstance(node, PythonSpec) and node.source) for node in nodes(spec))
