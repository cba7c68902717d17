"""Spec -> runnable grader: the one place that knows which implementation each spec type has.

Spec models are data only; they import no implementation, and implementations receive their
spec (and a multi grader its built sub-graders), so neither side imports the other. Each
implementation is imported when a spec of its type is first built, which keeps the Lambda's
cold import to the spec models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import spec_primitives as p
from .context import BuildContext
from .judges.spec import JudgeSpecBase
from .spec import GraderSpec, parse_grader_spec
from .templates import TemplateSpec

__all__ = ["BuildContext", "build_grader", "build_node"]


def _timed(grader: Any, ctx: BuildContext) -> Any:
    """Rule graders read the run's clock (the judges' one, injected in tests), so that the
    batch deadline they are handed means the same instant to every grader."""
    from .base import PerSampleGrader

    if isinstance(grader, PerSampleGrader):
        grader.clock = ctx.judge_environment().clock
    return grader


def _import_math_verify() -> None:
    import math_verify  # noqa: F401 - loaded once per process, before the first sample's budget


def _string_check(spec: p.StringCheckSpec, ctx: BuildContext) -> Any:
    from .primitives.string_check import StringCheckGrader

    return _timed(StringCheckGrader(spec), ctx)


def _text_similarity(spec: p.TextSimilaritySpec, ctx: BuildContext) -> Any:
    from .primitives.text_similarity import TextSimilarityGrader

    return _timed(TextSimilarityGrader(spec), ctx)


def _multi(spec: p.MultiSpec, ctx: BuildContext) -> Any:
    from .primitives.multi import MultiGrader

    return MultiGrader(spec, {key: build_node(sub, ctx) for key, sub in spec.graders.items()})


def _python(spec: p.PythonSpec, ctx: BuildContext) -> Any:
    from .primitives.python_grader import build_python_grader

    return _timed(build_python_grader(spec, ctx), ctx)


def _regex(spec: p.RegexSpec, ctx: BuildContext) -> Any:
    from .primitives.regex import RegexGrader

    return _timed(RegexGrader(spec), ctx)


def _numeric(spec: p.NumericSpec, ctx: BuildContext) -> Any:
    from .primitives.numeric import NumericGrader

    return _timed(NumericGrader(spec), ctx)


def _json_schema(spec: p.JsonSchemaSpec, ctx: BuildContext) -> Any:
    from .primitives.json_schema import JsonSchemaGrader

    return _timed(JsonSchemaGrader(spec), ctx)


def _math(spec: p.MathSpec, ctx: BuildContext) -> Any:
    from .primitives.math_grader import MathGrader

    grader = _timed(MathGrader(spec), ctx)
    if spec.symbolic:
        grader.prepare = _import_math_verify  # its ~1 s import is no sample's cost
    return grader


def _code(spec: p.CodeSpec, ctx: BuildContext) -> Any:
    from .primitives.code import CodeGrader

    return CodeGrader(spec, ctx)


def _instruction_following(spec: p.InstructionFollowingSpec, ctx: BuildContext) -> Any:
    from .primitives.instruction_following import InstructionFollowingGrader

    return _timed(InstructionFollowingGrader(spec), ctx)


def _lambda(spec: p.LambdaSpec, ctx: BuildContext) -> Any:
    from .primitives.lambda_forward import LambdaForwardGrader

    return LambdaForwardGrader(spec, ctx)


def _label_match(spec: p.LabelMatchSpec, ctx: BuildContext) -> Any:
    from .primitives.label_match import LabelMatchGrader

    return _timed(LabelMatchGrader(spec), ctx)


def _judge(spec: JudgeSpecBase, ctx: BuildContext) -> Any:
    from .judges.grader import JudgeGrader

    return JudgeGrader(spec, ctx)


BUILDERS: dict[type, Callable[[Any, BuildContext], Any]] = {
    p.StringCheckSpec: _string_check,
    p.TextSimilaritySpec: _text_similarity,
    p.MultiSpec: _multi,
    p.PythonSpec: _python,
    p.RegexSpec: _regex,
    p.NumericSpec: _numeric,
    p.JsonSchemaSpec: _json_schema,
    p.MathSpec: _math,
    p.CodeSpec: _code,
    p.InstructionFollowingSpec: _instruction_following,
    p.LambdaSpec: _lambda,
    p.LabelMatchSpec: _label_match,
}


def build_node(node: Any, ctx: BuildContext) -> Any:
    """One parsed spec node -> its grader (templates build what they expand to)."""
    if isinstance(node, GraderSpec):
        node = node.root
    if isinstance(node, TemplateSpec):
        return build_node(node.expand(), ctx)
    if isinstance(node, JudgeSpecBase):
        return _judge(node, ctx)
    builder = BUILDERS.get(type(node))
    if builder is None:
        raise TypeError(f"no grader implementation for {type(node).__name__}")
    return builder(node, ctx)


def build_grader(spec: GraderSpec | Mapping, ctx: BuildContext | None = None) -> Any:
    """Compile a spec (parsed or raw) into a grader with ``name`` and ``grade_many``."""
    return build_node(parse_grader_spec(spec), ctx or BuildContext())
