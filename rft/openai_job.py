"""Read an OpenAI reinforcement fine-tuning job and convert it to this platform's terms. Pure.

What is read, and where its fields are defined (OpenAI API reference):

- the body of ``POST /v1/fine_tuning/jobs`` (``fine_tuning.jobs.create``):
  https://platform.openai.com/docs/api-reference/fine-tuning/create
  (openai-python ``openai/types/fine_tuning/job_create_params.py``);
- a retrieved job, the ``fine_tuning.job`` object (``GET /v1/fine_tuning/jobs/{id}``):
  https://platform.openai.com/docs/api-reference/fine-tuning/object
  (``openai/types/fine_tuning/fine_tuning_job.py``);
- ``method.reinforcement`` (``grader``, ``hyperparameters``, and ``response_format``, which the
  RFT guide passes there for structured outputs although the SDK's generated type does not list
  it): ``openai/types/fine_tuning/reinforcement_method.py``,
  ``reinforcement_hyperparameters.py``, and the guide
  https://developers.openai.com/api/docs/guides/reinforcement-fine-tuning;
- graders: https://developers.openai.com/api/docs/guides/graders and
  https://platform.openai.com/docs/api-reference/graders (``openai/types/graders/*``).

Both shapes are validated with the ``openai`` SDK's own types (pydantic validates the request
TypedDicts and the response models). One known gap in those generated types: ``multi``
``graders`` is typed as a single grader although the API (and every guide example) takes a
mapping of names to graders, so each grader node is validated on its own with the SDK model
of its type.

Bedrock facts used here come from ``shared/reference/bedrock-rft.md``: the mantle plane takes
only ``n_epochs``, ``batch_size`` and ``learning_rate_multiplier`` (§6); the native (Nova) plane
takes ``rftConfig.hyperParameters`` (§2); neither job API has a ``response_format``; a training
row is ``messages`` plus a top-level ``reference_answer`` plus extra fields (§3, correction 1).
"""

from __future__ import annotations

import ast
import copy
import json
import math
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rft.config.catalog import CATALOG, ControlPlane

OPENAI_GRADER_TYPES = ("string_check", "text_similarity", "score_model", "label_model", "python", "multi")
JUDGE_TYPES = ("score_model", "label_model")
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_ITEM_STEP = re.compile(r"^item((?:\.[^.\s]+)+)$")


class JobError(ValueError):
    """Bad input: ``str()`` is one line; ``lines`` holds every problem found (one per line)."""

    def __init__(self, lines: str | list[str]):
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__(self.lines[0] if len(self.lines) == 1 else f"{len(self.lines)} problems")


@dataclass
class Note:
    """How one field of the OpenAI job was carried over."""

    field: str
    value: Any
    outcome: str  # carried | changed | dropped | not applicable
    detail: str
    decide: str = ""  # what the team must decide; empty when nothing


@dataclass
class Job:
    shape: str  # "create request" | "retrieved job"
    raw: dict
    reinforcement: dict

    @property
    def job_id(self) -> str | None:
        value = self.raw.get("id")
        return value if isinstance(value, str) else None


class StrictJsonError(ValueError):
    def __init__(self, msg: str):
        super().__init__(msg)
        self.msg = msg


def _no_constants(name: str) -> Any:
    raise StrictJsonError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise StrictJsonError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise StrictJsonError(f"{text} is not a finite number")
    return value


MAX_JSON_DEPTH = 200  # far deeper than any real job; every later step recurses over the value


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON text (strings skipped), without parsing it:
    the limit must not depend on the interpreter's recursion limit, which differs by version."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def strict_json(text: str) -> Any:
    """json.loads without Python's extensions: NaN/Infinity and numbers that overflow to
    infinity (Bedrock's JSON parser would reject what json.dumps writes back for them),
    duplicate keys (the last silently wins) and unpaired surrogates (not Unicode; the UTF-8
    file could not be written) fail; so does nesting deeper than MAX_JSON_DEPTH."""
    if json_depth(text) > MAX_JSON_DEPTH:
        raise StrictJsonError("it nests more deeply than this reader allows")
    try:
        value = json.loads(text, parse_constant=_no_constants, parse_float=_finite, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise StrictJsonError("it nests more deeply than this reader allows") from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise StrictJsonError("not valid Unicode (an unpaired surrogate)") from None
    return value


def short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pydantic_line(prefix: str, exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return f"{prefix}: {exc}"
    first = exc.errors(include_url=False)[0]  # type: ignore[attr-defined]
    loc = ".".join(str(p) for p in first["loc"] if not str(p).endswith(("Param", "Grader")))
    more = len(exc.errors()) - 1  # type: ignore[attr-defined]
    extra = f" (and {more} more problems)" if more > 0 else ""
    return f"{prefix}{'.' + loc if loc else ''}: {first['msg']}{extra}"


# ------------------------------------------------------------------------------------ the job
def load_job(raw: Any) -> Job:
    """Detect the shape, check it with the SDK's types, and insist on reinforcement."""
    from pydantic import TypeAdapter, ValidationError

    if not isinstance(raw, dict):
        raise JobError(
            f"expected a JSON object (a fine_tuning.jobs.create body or a fine_tuning.job), got {type(raw).__name__}"
        )
    retrieved = raw.get("object") == "fine_tuning.job"
    method = raw.get("method")
    if not isinstance(method, dict) or "type" not in method:
        raise JobError(
            "method.type is missing; only reinforcement fine-tuning jobs "
            '(method.type = "reinforcement") can be imported'
        )
    if method.get("type") != "reinforcement":
        raise JobError(
            f"method.type is {method.get('type')!r}, not 'reinforcement'; only reinforcement "
            "fine-tuning jobs can be imported (supervised and DPO jobs have no grader)"
        )
    reinforcement = method.get("reinforcement")
    if not isinstance(reinforcement, dict) or not isinstance(reinforcement.get("grader"), dict):
        raise JobError("method.reinforcement.grader is missing; an RFT job needs a grader")
    # The envelope is checked with the grader swapped for a placeholder (the SDK's multi typing
    # is wrong, see the module docstring); the grader tree is checked node by node below.
    envelope = copy.deepcopy(raw)
    envelope["method"]["reinforcement"]["grader"] = {
        "type": "string_check",
        "name": "placeholder",
        "input": "",
        "reference": "",
        "operation": "eq",
    }
    try:
        if retrieved:
            from openai.types.fine_tuning.fine_tuning_job import FineTuningJob

            FineTuningJob.model_validate(envelope)
        else:
            from openai.types.fine_tuning.job_create_params import JobCreateParams

            TypeAdapter(JobCreateParams).validate_python(envelope)
    except ValidationError as exc:
        kind = "fine_tuning.job object" if retrieved else "fine_tuning.jobs.create body"
        raise JobError(_pydantic_line(f"not a valid OpenAI {kind}: field", exc).replace("field.", "", 1)) from None
    validate_grader_tree(reinforcement["grader"])
    return Job("retrieved job" if retrieved else "create request", raw, reinforcement)


def _sdk_grader_model(kind: str):
    from openai.types import graders

    return {
        "string_check": graders.StringCheckGrader,
        "text_similarity": graders.TextSimilarityGrader,
        "score_model": graders.ScoreModelGrader,
        "label_model": graders.LabelModelGrader,
        "python": graders.PythonGrader,
        "multi": graders.MultiGrader,
    }[kind]


def iter_graders(node: dict, path: str = "grader") -> Iterable[tuple[str, dict]]:
    """(path, node) of every grader in the tree, parents first."""
    yield path, node
    if node.get("type") == "multi" and isinstance(node.get("graders"), dict):
        for key, child in node["graders"].items():
            if isinstance(child, dict):
                yield from iter_graders(child, f"{path}.graders.{key}")


MAX_GRADER_DEPTH = 16  # multi inside multi; real graders nest two or three deep


def validate_grader_tree(node: Any, path: str = "grader", depth: int = 0) -> None:
    from pydantic import ValidationError

    if depth > MAX_GRADER_DEPTH:
        raise JobError(f"grader: multi graders nest more than {MAX_GRADER_DEPTH} deep")

    if not isinstance(node, dict):
        raise JobError(f"{path}: must be an object, got {type(node).__name__}")
    kind = node.get("type")
    if kind not in OPENAI_GRADER_TYPES:
        raise JobError(
            f"{path}.type: unknown OpenAI grader type {kind!r}; OpenAI defines " + ", ".join(OPENAI_GRADER_TYPES)
        )
    model = _sdk_grader_model(kind)
    if kind == "multi":
        graders = node.get("graders")
        if not isinstance(graders, dict) or not graders:
            raise JobError(f"{path}.graders: must be a non-empty object of named graders")
        shell = {k: v for k, v in node.items() if k != "graders"}
        shell["graders"] = {"type": "python", "name": "placeholder", "source": ""}  # checked below
        target = shell
    else:
        target = node
    try:
        model.model_validate(target)
    except ValidationError as exc:
        raise JobError(_pydantic_line(f"{path}", exc)) from None
    # The SDK models allow unknown fields; our runtime would honour its own (timeout_s, module,
    # max_concurrency...), which an OpenAI job has no business setting. pass_threshold is in
    # OpenAI's graders guide though not in the generated types.
    allowed = set(model.model_fields) | {"pass_threshold"}
    for key in node:
        if key not in allowed:
            raise JobError(f"{path}.{key}: not a field of OpenAI's {kind} grader")
    if kind == "multi":
        for key, child in node["graders"].items():
            validate_grader_tree(child, f"{path}.graders.{key}", depth + 1)


# ------------------------------------------------------------------------- grader references
@dataclass
class ItemRefs:
    """What a grader reads from ``item`` (the dataset row)."""

    required: dict[tuple[str, ...], str] = field(default_factory=dict)  # path -> where (first use)
    optional: set[str] = field(default_factory=set)  # python item.get("x") fields
    opaque: list[str] = field(default_factory=list)  # python graders that use item as a whole

    @property
    def fields(self) -> set[str]:
        return {p[0] for p in self.required} | self.optional


def _strings(value: Any, path: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _strings(child, f"{path}[{index}]")


def item_refs(grader: dict) -> ItemRefs:
    refs = ItemRefs()
    for path, node in iter_graders(grader):
        kind = node.get("type")
        if kind == "python":
            fields, optional, opaque = python_item_use(node.get("source") or "")
            for name in fields:
                refs.required.setdefault((name,), f"{path}.source (item[{name!r}])")
            refs.optional |= optional
            if opaque:
                refs.opaque.append(path)
            continue
        own = {k: v for k, v in node.items() if k != "graders"}
        for where, text in _strings(own, path):
            for inner in _PLACEHOLDER.findall(text):
                match = _ITEM_STEP.match(inner.strip())
                if match:
                    steps = tuple(match.group(1)[1:].split("."))
                    refs.required.setdefault(steps, f"{where} ({{{{item.{'.'.join(steps)}}}}})")
    return refs


def python_item_use(source: str) -> tuple[set[str], set[str], bool]:
    """Fields a python grader reads: (``item["x"]``, ``item.get("x")``, opaque use of item).

    Only the ``grade(sample, item)`` function's second parameter counts. Any other use of it
    (passed on, iterated, a computed key) makes the use opaque: every field may matter.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set(), True
    grade = next((n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "grade"), None)
    if grade is None or len(grade.args.args) < 2:
        return set(), set(), True
    name = grade.args.args[1].arg
    required: set[str] = set()
    optional: set[str] = set()
    accounted: set[int] = set()
    for node in ast.walk(grade):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == name:
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                required.add(node.slice.value)
                accounted.add(id(node.value))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            optional.add(node.args[0].value)
            accounted.add(id(node.func.value))
    opaque = any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) and id(n) not in accounted
        for n in ast.walk(grade)
    )
    return required, optional - required, opaque


def python_imports(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def sandbox_denied_imports() -> frozenset[str]:
    """Standard-library modules the code sandbox refuses to import (the python grader's copy of
    the sandbox's list, which a test keeps in step with the sandbox)."""
    from rft_graders.primitives.python_grader import SANDBOX_DENIED_IMPORTS

    return SANDBOX_DENIED_IMPORTS


# ----------------------------------------------------------------------------- judge models
def parse_model_map(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        source, sep, target = pair.partition("=")
        source, target = source.strip(), target.strip()
        if not sep or not source or not target:
            raise JobError(f"--map-model {pair!r}: expected OPENAI_ID=BEDROCK_ID")
        if source in mapping and mapping[source] != target:
            raise JobError(f"--map-model {source}: given twice ({mapping[source]} and {target})")
        mapping[source] = target
    return mapping


_REGION_GEOS = {"us": ("us",), "ca": ("ca",), "eu": ("eu",), "ap": ("apac", "jp", "au"), "us-gov": ("us-gov",)}


def check_judge_target(target: str, region: str, base_model: str) -> tuple[str | None, list[str]]:
    """(error, warnings) for a Bedrock judge reference used from a team in ``region``."""
    from rft_graders.judges.model_ids import bare_model_id, is_bedrock_model, model_family, same_family

    if not is_bedrock_model(target):
        return (f"{target!r} is not a Bedrock model id, inference profile id or ARN (e.g. us.amazon.nova-pro-v1:0)"), []
    warnings: list[str] = []
    arn = re.match(r"^arn:aws[a-z-]*:bedrock:([a-z0-9-]*):", target)
    if arn and arn.group(1) and arn.group(1) != region:
        return f"{target}: the ARN is in {arn.group(1)}, but the team's grader runs in {region}", []
    head, _, tail = target.partition(".")
    geos = ("us-gov", "us", "eu", "apac", "jp", "au", "ca", "global")
    if not arn and head in geos and "." in tail and head != "global":
        region_geo = "us-gov" if region.startswith("us-gov-") else region.split("-")[0]
        if head not in _REGION_GEOS.get(region_geo, ()):
            return (
                f"{target}: a {head}. inference profile cannot be called from {region}; use the profile "
                f"of the team's geography or a global. profile"
            ), []
    bare = bare_model_id(target) or ""
    if bare in CATALOG:
        if CATALOG[bare].control_plane is ControlPlane.NATIVE:
            return (
                f"{target}: {bare} is the customization base id of {CATALOG[bare].display_name}, not an "
                "inference id; call it through an inference profile (e.g. us.amazon.nova-2-lite-v1:0)"
            ), []
    if bare == base_model or target == base_model:
        warnings.append(f"judge {target} is the base model being tuned: the policy would grade itself")
    elif same_family(target, base_model):
        warnings.append(
            f"judge {target} is from the same model family ({model_family(target)}) as the base "
            f"model {base_model}: judges tend to prefer their own family's answers"
        )
    return None, warnings


def map_judges(
    grader: dict, mapping: dict[str, str], region: str, base_model: str
) -> tuple[dict, list[Note], dict[str, str], list[str]]:
    """The grader with every judge ``model`` replaced; notes, comment per grader path, warnings."""
    from rft_graders.judges.model_ids import is_bedrock_model

    converted = copy.deepcopy(grader)
    used: dict[str, list[str]] = {}
    for path, node in iter_graders(converted):
        if node.get("type") in JUDGE_TYPES and isinstance(node.get("model"), str):
            used.setdefault(node["model"], []).append(path)
    errors: list[str] = []
    missing = sorted(m for m in used if m not in mapping and not is_bedrock_model(m))
    if missing:
        errors.append(
            "no Bedrock judge given for OpenAI judge model(s) "
            + ", ".join(missing)
            + "; pass --map-model OPENAI_ID=BEDROCK_ID for each (Bedrock has no model by these names)"
        )
    unused = sorted(set(mapping) - set(used))
    if unused:
        errors.append(
            "--map-model "
            + ", ".join(unused)
            + ": the grader uses no such judge model"
            + (f" (it uses: {', '.join(sorted(used))})" if used else " (it has no judge)")
        )
    warnings: list[str] = []
    for source, target in sorted(mapping.items()):
        if source in used:
            error, found = check_judge_target(target, region, base_model)
            if error:
                errors.append(f"--map-model {source}={target}: {error}")
            warnings.extend(found)
    if errors:
        raise JobError(errors)
    notes: list[Note] = []
    comments: dict[str, str] = {}
    for path, node in iter_graders(converted):
        model = node.get("model") if node.get("type") in JUDGE_TYPES else None
        if not isinstance(model, str):
            continue
        if model in mapping:
            node["model"] = mapping[model]
            notes.append(
                Note(
                    f"method.reinforcement.{path}.model",
                    model,
                    "changed",
                    f"judge mapped to Bedrock {mapping[model]} (--map-model)",
                    "check the Bedrock judge agrees with your labels: rft judge calibrate",
                )
            )
            comments[path] = f"was {model} (OpenAI judge; mapped by --map-model)"
        else:
            notes.append(
                Note(f"method.reinforcement.{path}.model", model, "carried", "already a Bedrock model reference")
            )
    return converted, notes, comments, warnings


# --------------------------------------------------------------------------- hyperparameters
# OpenAI name -> (Nova rftConfig name or None, why when None). bedrock-rft.md §2.
_NOVA_NAMES = {
    "n_epochs": ("epochCount", ""),
    "batch_size": ("batchSize", ""),
    "learning_rate_multiplier": (
        None,
        "Nova takes an absolute learningRate (1e-7 to 1e-3); OpenAI's multiplier "
        "scales a base rate OpenAI does not publish, so there is no faithful conversion",
    ),
    "reasoning_effort": ("reasoningEffort", ""),
    "eval_interval": ("evalInterval", ""),
    "eval_samples": (None, "Nova has no setting for the number of evaluation samples"),
    "compute_multiplier": (
        None,
        "Nova has no compute multiplier; the nearest knob, trainingSamplePerPrompt "
        "(2 to 16 rollouts per prompt), changes exploration differently",
    ),
}
_MANTLE_NAMES = ("n_epochs", "batch_size", "learning_rate_multiplier")
OPENAI_HYPERPARAMETERS = (
    "n_epochs",
    "batch_size",
    "learning_rate_multiplier",
    "reasoning_effort",
    "compute_multiplier",
    "eval_interval",
    "eval_samples",
)


def convert_hyperparameters(job: Job, base_model: str) -> tuple[dict, list[Note], list[str]]:
    """(hyperparameters for the catalog model, notes, dropped-comment lines)."""
    from openai.types.fine_tuning.reinforcement_hyperparameters import ReinforcementHyperparameters
    from pydantic import ValidationError

    model = CATALOG[base_model]
    source = "method.reinforcement.hyperparameters"
    raw = job.reinforcement.get("hyperparameters")
    legacy = job.raw.get("hyperparameters") if job.shape == "create request" else None
    if raw is None and isinstance(legacy, dict) and legacy:
        raw, source = legacy, "hyperparameters"  # deprecated top-level field of the create body
    raw = raw or {}
    if not isinstance(raw, dict):
        raise JobError(f"{source}: must be an object")
    try:
        parsed = ReinforcementHyperparameters.model_validate(raw)
    except ValidationError as exc:
        raise JobError(_pydantic_line(source, exc)) from None
    # The SDK's lax parsing turns true into 1 and "8" into 8; the catalog checks the values as
    # written, so a typo is an error rather than a different number.
    values = {k: raw[k] for k in parsed.model_dump(exclude_none=True)}
    out: dict[str, Any] = {}
    notes: list[Note] = []
    dropped: list[str] = []
    errors: list[str] = []
    plane = model.control_plane
    for name in raw:
        if name not in OPENAI_HYPERPARAMETERS:
            notes.append(Note(f"{source}.{name}", raw[name], "dropped", "not an OpenAI RFT hyperparameter"))
            dropped.append(f"{name}: {short(raw[name])} -> dropped: not an OpenAI RFT hyperparameter")
    for name in OPENAI_HYPERPARAMETERS:
        if name not in values:
            continue
        value = values[name]
        where = f"{source}.{name}"
        if plane is ControlPlane.MANTLE:
            target, why = (
                (name, "")
                if name in _MANTLE_NAMES
                else (
                    None,
                    f"not supported on the mantle plane ({base_model}): Bedrock's OpenAI-compatible RFT API "
                    "takes only n_epochs, batch_size and learning_rate_multiplier",
                )
            )
        else:
            target, why = _NOVA_NAMES[name]
        if value == "auto" or (name == "reasoning_effort" and value == "default"):
            if target is None:
                notes.append(Note(where, value, "dropped", why))
                dropped.append(f"{name}: {short(value)} -> dropped: {why}")
            else:
                notes.append(
                    Note(
                        where,
                        value,
                        "dropped",
                        f"{value!r} means the service default; {target} is left unset so Bedrock's default applies",
                    )
                )
                dropped.append(f"{name}: {short(value)} -> {target} left unset (Bedrock's default)")
            continue
        if target is None:
            decide = (
                "choose a learningRate for Nova (AWS suggests about 1e-5 to 1e-4 for LoRA)"
                if name == "learning_rate_multiplier"
                else ""
            )
            notes.append(Note(where, value, "dropped", why, decide))
            dropped.append(f"{name}: {short(value)} -> dropped: {why}")
            continue
        spec = model.hyperparameter(target)
        # The name maps above only target hyperparameters every catalog model of the plane has.
        assert spec is not None, f"{base_model} has no hyperparameter {target}"
        problem = spec.check(value)
        if problem:
            errors.append(f"{where}: {problem} for {base_model} ({target})")
            continue
        out[target] = value
        if target == name:
            notes.append(Note(where, value, "carried", f"hyperparameters.{target}"))
        else:
            notes.append(Note(where, value, "changed", f"hyperparameters.{target} (Nova's name for it)"))
    if errors:
        raise JobError(errors)
    return out, notes, dropped


# ---------------------------------------------------------------------------- response_format
def response_format_suggestion(response_format: Any) -> dict | None:
    """A json_schema grader component equivalent to the structured-output schema, if any."""
    if not isinstance(response_format, dict) or response_format.get("type") != "json_schema":
        return None
    schema = (response_format.get("json_schema") or {}).get("schema")
    return {"type": "json_schema", "name": "response_format", "schema": schema} if isinstance(schema, dict) else None


# ------------------------------------------------------------------------------------ rows
@dataclass
class RowProblem:
    file: str
    line: int
    reason: str

    def text(self) -> str:
        return f"{self.file} line {self.line}: {self.reason}"


@dataclass
class ConvertedFile:
    name: str  # train | validation
    source: str
    rows: list[dict] = field(default_factory=list)
    source_lines: list[int] = field(default_factory=list)  # converted row i came from this source line
    problems: list[RowProblem] = field(default_factory=list)
    developer_roles: int = 0
    input_text_parts: int = 0
    packed: int = 0  # rows whose fields were packed into reference_answer
    own_reference: int = 0  # rows that already had a reference_answer


def _resolve(row: dict, steps: tuple[str, ...]) -> bool:
    value: Any = row
    for step in steps:
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.lstrip("-").isdigit() and -len(value) <= int(step) < len(value):
            value = value[int(step)]
        else:
            return False
    return True


# Keys a Bedrock row or grader event gives its own meaning (bedrock_event.py): a field by these
# names outside reference_answer would not reach the grader as that field.
_BEDROCK_OWN_KEYS = ("id", "metadata")


def convert_row(row: Any, refs: ItemRefs, counts: ConvertedFile) -> tuple[dict | None, list[str]]:
    """One OpenAI RFT row -> one Bedrock row, or None and the reasons it cannot be converted.

    OpenAI's ``item`` is the whole row. Bedrock reads the reference from a top-level
    ``reference_answer`` and forwards other fields as metadata; our grader's ``item`` is that
    metadata, overlaid with the keys of an object reference. So a row without its own
    ``reference_answer`` gets every non-``messages`` field packed into an object
    ``reference_answer``: ``{{item.x}}`` and python ``item["x"]`` read the same values, whether
    or not Bedrock forwards extra fields ([U] in bedrock-rft.md §4), and names such as ``id``
    or ``metadata`` keep their meaning. A row that has a ``reference_answer`` keeps it, and its
    other fields stay top-level.
    """
    if not isinstance(row, dict):
        return None, [f"expected a JSON object, got {type(row).__name__}"]
    reasons: list[str] = []
    messages = row.get("messages")
    if not isinstance(messages, list) or not messages:
        return None, ["no 'messages' list (an OpenAI RFT row is messages plus the fields the grader reads)"]
    for steps, where in refs.required.items():
        if not _resolve(row, steps):
            reasons.append(f"no field '{'.'.join(steps)}', which the grader reads at {where}")
    new_messages = []
    for message in messages:
        if isinstance(message, dict):
            message = dict(message)
            if message.get("role") == "developer":  # OpenAI's name for the system turn
                message["role"] = "system"
                counts.developer_roles += 1
            if isinstance(message.get("content"), list):
                parts = []
                for part in message["content"]:
                    if isinstance(part, dict) and part.get("type") == "input_text":
                        part = {**part, "type": "text"}
                        counts.input_text_parts += 1
                    parts.append(part)
                message["content"] = parts
        new_messages.append(message)
    fields = {k: v for k, v in row.items() if k != "messages"}
    if "reference_answer" in row:
        if row["reference_answer"] is None:
            reasons.append("reference_answer is null")
        reference = row["reference_answer"]
        read = refs.fields | ({k for k in fields} if refs.opaque else set())
        for key in _BEDROCK_OWN_KEYS:
            if key in fields and key in read:
                reasons.append(
                    f"field '{key}' would not reach the grader as item.{key} next to a reference_answer "
                    f"(Bedrock gives '{key}' its own meaning); rename it in the rows and the grader"
                )
        if isinstance(reference, dict):
            for key in sorted(set(reference) & (set(fields) - {"reference_answer"})):
                if key in read and reference[key] != fields[key]:
                    reasons.append(
                        f"field '{key}' differs from reference_answer.{key}; the grader would read "
                        "the reference's value"
                    )
        if reasons:
            return None, reasons
        counts.own_reference += 1
        return {"messages": new_messages, **fields}, []
    if reasons:
        return None, reasons
    counts.packed += 1
    return {"messages": new_messages, "reference_answer": fields}, []


def convert_lines(name: str, source: str, text: str, refs: ItemRefs) -> ConvertedFile:
    result = ConvertedFile(name, source)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = strict_json(line)
        except StrictJsonError as exc:
            text = exc.msg if exc.msg.startswith("not valid") else f"not valid JSON ({exc.msg})"
            result.problems.append(RowProblem(source, number, text))
            continue
        except json.JSONDecodeError as exc:
            result.problems.append(RowProblem(source, number, f"not valid JSON ({exc.msg})"))
            continue
        converted, reasons = convert_row(row, refs, result)
        if converted is None:
            result.problems.extend(RowProblem(source, number, reason) for reason in reasons)
            continue
        result.rows.append(converted)
        result.source_lines.append(number)
    if not result.rows and not result.problems:
        result.problems.append(RowProblem(source, 0, "no rows"))
    return result


def jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def stdlib_modules() -> frozenset[str]:
    return frozenset(sys.stdlib_module_names)
