"""Declarative grader specs: the public parsing API.

``parse_grader_spec(raw)`` validates a mapping (from YAML/JSON) into a ``GraderSpec`` and
raises ``GraderSpecError`` whose message names the path inside the spec, e.g.
``grader.graders.correct.operation: must be one of eq, ne, like, ilike``.

Dispatch is one registry: ``_KINDS`` maps a ``type`` (or ``template:<name>``) to its spec
model, built from ``PRIMITIVE_SPECS``, ``JUDGE_SPECS`` (``score_model``, ``label_model``),
``TEMPLATE_SPECS`` and ``JUDGE_TEMPLATE_SPECS`` (the rubric judges).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, Union

from pydantic import BeforeValidator, ConfigDict, Discriminator, RootModel, Tag, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from . import spec_primitives
from .judges.spec import JUDGE_SPECS
from .judges.templates import JUDGE_TEMPLATE_SPECS
from .spec_primitives import PRIMITIVE_SPECS, SpecModel
from .templates import TEMPLATE_SPECS, UNSUPPORTED_TEMPLATES, TemplateSpec

# Grader types that parse as names but are rejected, with the reason (none today).
UNSUPPORTED_TYPES: dict[str, str] = {}


def _literal_of(model: type[SpecModel], field: str) -> str:
    annotation = model.model_fields[field].annotation
    assert annotation is not None  # every spec declares its type/template as a Literal
    return annotation.__args__[0]


def _tag_of(model: type[SpecModel]) -> str:
    if issubclass(model, TemplateSpec):
        return "template:" + _literal_of(model, "template")
    return _literal_of(model, "type")


_KINDS: dict[str, type[SpecModel]] = {
    _tag_of(m): m for m in PRIMITIVE_SPECS + JUDGE_SPECS + TEMPLATE_SPECS + JUDGE_TEMPLATE_SPECS
}
TYPES = tuple(k for k in _KINDS if not k.startswith("template:"))
TEMPLATES = tuple(k.removeprefix("template:") for k in _KINDS if k.startswith("template:"))


def _kind(value: Any) -> str | None:
    """Discriminator: ``type`` for primitives, ``template:<name>`` for templates."""
    get = value.get if isinstance(value, Mapping) else lambda k: getattr(value, k, None)
    template = get("template")
    return f"template:{template}" if template is not None else get("type")


def _check_kind(value: Any) -> Any:
    """Clear errors for a missing, unknown or not-yet-supported grader kind."""
    if not isinstance(value, Mapping):
        return value
    if "template" in value and "type" in value:
        raise PydanticCustomError(
            "grader_kind", "{msg}", {"msg": "give either type or template, not both", "field": ""}
        )
    if "template" in value:
        name = value["template"]
        if name in UNSUPPORTED_TEMPLATES:
            raise PydanticCustomError("grader_kind", "{msg}", {"msg": UNSUPPORTED_TEMPLATES[name], "field": "template"})
        if f"template:{name}" not in _KINDS:
            msg = f"unknown template {name!r}; expected one of {', '.join(TEMPLATES)}"
            raise PydanticCustomError("grader_kind", "{msg}", {"msg": msg, "field": "template"})
    elif "type" in value:
        name = value["type"]
        if name in UNSUPPORTED_TYPES:
            raise PydanticCustomError("grader_kind", "{msg}", {"msg": UNSUPPORTED_TYPES[name], "field": "type"})
        if not isinstance(name, str) or name not in _KINDS:
            msg = f"unknown grader type {name!r}; expected one of {', '.join(TYPES)}"
            raise PydanticCustomError("grader_kind", "{msg}", {"msg": msg, "field": "type"})
    else:
        msg = f"needs a type ({', '.join(TYPES)}) or a template ({', '.join(TEMPLATES)})"
        raise PydanticCustomError("grader_kind", "{msg}", {"msg": msg, "field": ""})
    return value


if TYPE_CHECKING:
    # The union is built at run time from the _KINDS registry, which mypy cannot follow.
    AnyGraderSpec: TypeAlias = Any
else:
    AnyGraderSpec = Annotated[
        Union[tuple(Annotated[model, Tag(tag)] for tag, model in _KINDS.items())],  # noqa: UP007 - built from a tuple at run time
        Discriminator(_kind),
        BeforeValidator(_check_kind),
    ]

spec_primitives.MultiSpec.model_rebuild(_types_namespace={"AnyGraderSpec": AnyGraderSpec})


class GraderSpec(RootModel[AnyGraderSpec]):
    """A customization's grader: any primitive or template spec. ``.root`` is the concrete model."""

    model_config = ConfigDict(frozen=True)

    @property
    def name(self) -> str:
        return self.root.name


class GraderSpecError(ValueError):
    """A grader spec is invalid; ``str()`` is one short message naming the field path."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]


def parse_grader_spec(raw: GraderSpec | SpecModel | Mapping) -> GraderSpec:
    """Validate a raw mapping into a GraderSpec, or raise GraderSpecError."""
    if isinstance(raw, GraderSpec):
        return raw
    if isinstance(raw, SpecModel):
        return GraderSpec(raw)
    if not isinstance(raw, Mapping):
        raise GraderSpecError(f"grader: must be a mapping, got {type(raw).__name__}")
    try:
        return GraderSpec.model_validate(dict(raw))
    except ValidationError as exc:
        problems = [_describe(err) for err in exc.errors(include_url=False)]
        message = problems[0] + (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else "")
        raise GraderSpecError(message, problems) from None


def spec_hash(spec: GraderSpec | SpecModel | Mapping) -> str:
    """sha256 of the canonical JSON of the parsed spec (defaults included, keys sorted)."""
    parsed = parse_grader_spec(spec)
    canonical = json.dumps(parsed.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def grader_spec_json_schema() -> dict:
    """JSON Schema of GraderSpec, for editors and docs."""
    return TypeAdapter(GraderSpec).json_schema()


def _describe(err: ErrorDetails) -> str:
    """One pydantic error -> 'grader.<path>: <message>'."""
    loc = _clean_loc(err["loc"])
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == "grader_kind":
        if ctx.get("field"):
            loc.append(ctx["field"])
        message = ctx["msg"]
    elif kind == "literal_error":
        expected = ctx.get("expected", "").replace("'", "").replace(" or ", ", ")
        message = f"must be one of {expected}"
    elif kind == "missing":
        message = "is required"
    elif kind == "extra_forbidden":
        message = "is not a known field"
    elif kind in ("value_error", "assertion_error"):
        message = str(ctx.get("error", err["msg"]))
    else:
        message = err["msg"][:1].lower() + err["msg"][1:]
    path = ".".join(["grader", *map(str, loc)])
    return f"{path}: {message}"


def _clean_loc(loc: tuple) -> list:
    """Drop the union tags pydantic puts in error locations (at the root and under graders.<key>)."""
    out: list = []
    tag_possible = True
    for part in loc:
        if tag_possible and isinstance(part, str) and part in _KINDS:
            tag_possible = False
            continue
        out.append(part)
        tag_possible = len(out) >= 2 and out[-2] == "graders"
    return out
