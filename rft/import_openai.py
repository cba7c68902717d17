"""`rft import-openai`: move an OpenAI reinforcement fine-tuning job to this platform.

    rft import-openai JOB_JSON --team TEAM --name NAME --base-model MODEL
        [--training-file F] [--validation-file F] [--map-model OPENAI_ID=BEDROCK_ID ...] --out DIR

JOB_JSON is the body of an OpenAI ``fine_tuning.jobs.create`` request with
``method.type = "reinforcement"``, or a retrieved ``fine_tuning.job`` object (see
``rft/openai_job.py`` for the fields and OpenAI's API reference). The files given as
``--training-file`` / ``--validation-file`` are the JSONL files the job's ``training_file`` /
``validation_file`` ids name (download them from OpenAI's Files API first).

Writes into DIR: ``customization.yaml`` (one entry to paste under ``customizations:`` of the
team's file, grader inline, a comment per mapped or dropped field), ``train.jsonl`` /
``validation.jsonl`` (converted rows), ``IMPORT_REPORT.md`` (every field of the job and what
became of it, and what the team must decide). Then it checks the written files the way
``rft grade --validate`` and the workflow's dataset pre-flight do, and prints a summary.

Exit status: 0 when everything converted and every check passed; 2 on bad input or a failed
check, with one line per problem on stderr. Nothing is written when the input cannot be
converted (a bad job, an unknown grader type, a missing --map-model, a row the grader cannot
read); check failures are reported after writing, so the files can be inspected.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rft import openai_job as oj
from rft.openai_job import JobError, Note

_REPO = Path(__file__).resolve().parents[1]
# The workflow's prompt-length limit is the customization's maxPromptLength, else 8192
# (stacks/customization_stack.py, `dataset_limits`); the pre-flight here uses the same rule.
DEFAULT_MAX_PROMPT_TOKENS = 8192
DATASET_MIN_ROWS, DATASET_MAX_ROWS = 100, 20_000  # bedrock-rft.md §3, as the stack configures them
MAX_ERROR_LINES = 20
PROG = "rft import-openai"


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "import-openai",
        help="convert an OpenAI RFT job (grader, hyperparameters, data) into a customization",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument(
        "job_json", metavar="JOB_JSON", help="OpenAI fine_tuning.jobs.create body or fine_tuning.job object"
    )
    parser.add_argument(
        "--team", required=True, help="team whose config the customization joins (config/teams/TEAM.yaml)"
    )
    parser.add_argument("--name", required=True, help="name of the new customization")
    parser.add_argument("--base-model", required=True, help="catalog base model to tune instead of the OpenAI model")
    parser.add_argument("--training-file", metavar="JSONL", help="the job's training file (OpenAI RFT rows)")
    parser.add_argument("--validation-file", metavar="JSONL", help="the job's validation file (OpenAI RFT rows)")
    parser.add_argument(
        "--map-model",
        metavar="OPENAI_ID=BEDROCK_ID",
        action="append",
        default=[],
        help="Bedrock judge for an OpenAI judge model of the grader (repeat per model)",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="directory to write the result into")
    parser.add_argument("--json", action="store_true", help="print the checks as JSON instead of the summary table")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        result = convert(args)
    except JobError as exc:
        _print_errors(exc.lines)
        return 2
    result.write()
    checks = post_checks(result)
    if getattr(args, "json", False):
        print(
            json.dumps(
                {
                    "out": str(result.out),
                    "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail, "errors": c.errors} for c in checks],
                }
            )
        )
    else:
        print_summary(result, checks)
    failures = [line for check in checks for line in check.errors]
    if failures:
        _print_errors(failures)
        return 2
    return 0


def _print_errors(lines: list[str]) -> None:
    for line in lines[:MAX_ERROR_LINES]:
        print(f"{PROG}: {line}", file=sys.stderr)
    if len(lines) > MAX_ERROR_LINES:
        print(f"{PROG}: ... and {len(lines) - MAX_ERROR_LINES} more problems", file=sys.stderr)


# --------------------------------------------------------------------------------- convert
@dataclass
class Result:
    out: Path
    job: oj.Job
    job_path: str
    team: Any  # TeamConfig
    team_file: Path
    entry: dict
    yaml_text: str
    report_text: str = ""
    files: dict[str, oj.ConvertedFile] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)

    def write(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / "customization.yaml").write_text(self.yaml_text, encoding="utf-8")
        for name, converted in self.files.items():
            (self.out / f"{name}.jsonl").write_text(oj.jsonl(converted.rows), encoding="utf-8")
        (self.out / "IMPORT_REPORT.md").write_text(self.report_text, encoding="utf-8")


def _read_json(path_text: str) -> Any:
    path = Path(path_text)
    if not path.is_file():
        raise JobError(f"{path}: no such file")
    try:
        return oj.strict_json(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise JobError(f"{path}: not UTF-8 text") from None
    except oj.StrictJsonError as exc:
        raise JobError(f"{path}: not valid JSON ({exc.msg})") from None
    except ValueError as exc:
        raise JobError(f"{path}: not valid JSON ({exc})") from None


def _load_team(team: str):
    from rft.config.loader import ConfigError, load_team, team_file

    try:
        return load_team(team), team_file(team)
    except ConfigError as exc:
        raise JobError(str(exc).splitlines()[0]) from None


def convert(args: argparse.Namespace) -> Result:
    from pydantic import ValidationError

    from rft.config.catalog import CATALOG
    from rft.config.loader import format_validation_error
    from rft.config.team_config import Customization

    inputs = {Path(p).resolve() for p in (args.job_json, args.training_file, args.validation_file) if p}
    for name in ("customization.yaml", "train.jsonl", "validation.jsonl", "IMPORT_REPORT.md"):
        if (Path(args.out) / name).resolve() in inputs:
            raise JobError(
                f"--out {args.out}: writing {name} there would overwrite the input file; choose another --out"
            )
    raw = _read_json(args.job_json)
    try:
        job = oj.load_job(raw)
    except JobError as exc:
        raise JobError([f"{args.job_json}: {line}" for line in exc.lines]) from None
    if args.base_model not in CATALOG:
        raise JobError(f"--base-model {args.base_model!r} is not in the model catalog; supported: {', '.join(CATALOG)}")
    team, team_path = _load_team(args.team)
    model = CATALOG[args.base_model]
    if team.region not in model.regions:
        raise JobError(
            f"--base-model {args.base_model} is offered for RFT in {', '.join(model.regions)}, "
            f"not in team {team.team}'s region {team.region}"
        )
    if any(c.name == args.name for c in team.customizations):
        raise JobError(f"team {team.team} already declares a customization named {args.name!r}; choose another --name")

    warnings: list[str] = []
    decisions: list[str] = []
    comments: dict[tuple, str] = {}
    trailing: dict[tuple, list[str]] = {}

    # Grader: judge models first (the command fails listing every unmapped one), then our parser.
    openai_grader = job.reinforcement["grader"]
    mapping = oj.parse_model_map(args.map_model)
    grader, judge_notes, judge_comments, judge_warnings = oj.map_judges(
        openai_grader, mapping, team.region, args.base_model
    )
    for dotted, text in judge_comments.items():
        comments[tuple(dotted.split(".")) + ("model",)] = text
    warnings += judge_warnings
    grader_notes, grader_errors = _grader_notes(grader)
    refs = oj.item_refs(grader)
    if "messages" in refs.fields:
        grader_errors.append(
            "the grader reads item.messages, which OpenAI's item holds but ours does not (the "
            "prompt is not a row field on Bedrock); use {{sample.conversation}} or sample['messages']"
        )
    if grader_errors:
        raise JobError(grader_errors)
    from rft_graders.spec import GraderSpecError, parse_grader_spec

    try:
        parse_grader_spec(grader)
    except GraderSpecError as exc:
        raise JobError(
            f"{args.job_json}: method.reinforcement.{exc} (our grader runtime cannot run this grader as is)"
        ) from None
    grader_side = sorted(grader_notes + judge_notes, key=lambda n: n.field)
    for note in grader_notes:
        if note.outcome == "dropped":  # a comment on the kept-but-ignored field in the YAML
            comments[tuple(note.field.removeprefix("method.reinforcement.").split("."))] = note.detail

    hyperparameters, hp_notes, dropped_lines = oj.convert_hyperparameters(job, args.base_model)
    if dropped_lines:
        trailing[("hyperparameters",)] = dropped_lines
    decisions += [n.decide for n in hp_notes if n.decide]

    files: dict[str, oj.ConvertedFile] = {}
    problems: list[str] = []
    for name, given in (("train", args.training_file), ("validation", args.validation_file)):
        if not given:
            continue
        path = Path(given)
        if not path.is_file():
            raise JobError(f"{path}: no such file")
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise JobError(f"{path}: not UTF-8 text") from None
        files[name] = converted = oj.convert_lines(name, given, text, refs)
        problems += [p.text() if p.line else f"{given}: {p.reason}" for p in converted.problems]
    if problems:
        raise JobError(problems)

    entry = _entry(args, job, grader, hyperparameters, files)
    try:  # the team config's own model: name rules, catalog ranges, grader and judge checks
        Customization.model_validate(entry)
    except ValidationError as exc:
        raise JobError(
            format_validation_error("customization.yaml", exc)
            .replace("customization.yaml: ", "customization.", 1)
            .splitlines()
        ) from None
    notes = _job_notes(job, args, files, comments, decisions) + grader_side + hp_notes
    if refs.opaque:
        decisions.append(
            "python grader(s) " + ", ".join(refs.opaque) + " use item as a whole: every row field "
            "was kept (inside reference_answer, plus a reference_answer key OpenAI's item does not have)"
        )
    if args.base_model not in team.pricing:
        decisions.append(f"add pricing.{args.base_model} to the team file (the cost guard needs it)")
    if grader_uses_judge(grader):
        decisions.append(
            "calibrate each mapped judge against human labels before training "
            "(rft judge calibrate); a different judge model scores differently"
        )
    header = _yaml_header(job, args, notes)
    from rft.openai_yaml import render

    yaml_text = render(entry, header=header, comments=comments, trailing=trailing)
    result = Result(
        Path(args.out),
        job,
        args.job_json,
        team,
        team_path,
        entry,
        yaml_text,
        files=files,
        notes=notes,
        warnings=warnings,
        decisions=decisions,
    )
    result.report_text = render_report(result, refs)
    return result


def grader_uses_judge(grader: dict) -> bool:
    return any(node.get("type") in oj.JUDGE_TYPES for _, node in oj.iter_graders(grader))


def _grader_notes(grader: dict) -> tuple[list[Note], list[str]]:
    notes: list[Note] = []
    errors: list[str] = []
    stdlib = oj.stdlib_modules()
    denied = oj.sandbox_denied_imports()
    for path, node in oj.iter_graders(grader):
        kind = node["type"]
        where = f"method.reinforcement.{path}"
        detail = f"{kind} grader, unchanged (our runtime reads OpenAI's fields)"
        if kind == "label_model" and path == "grader":
            detail += "; OpenAI takes label_model only inside multi, ours also at the top"
        if kind == "python":
            detail += "; runs in the code sandbox, which reports its score rounded down to 0.01 and clipped to 0..1"
        if kind == "multi" and path != "grader":
            detail += "; a multi inside a multi (OpenAI's types list none, our runtime nests them)"
        notes.append(Note(where, {"type": kind, "name": node.get("name")}, "carried", detail))
        if kind == "python":
            source = node.get("source") or ""
            try:
                compile(source, "<grader>", "exec")
            except SyntaxError as exc:
                errors.append(f"{where}.source: not valid Python ({exc.msg}, line {exc.lineno})")
                continue
            if "def grade" not in source:
                errors.append(f"{where}.source: defines no grade(sample, item) function")
            foreign = sorted(m for m in oj.python_imports(source) if m not in stdlib)
            blocked = sorted(m for m in oj.python_imports(source) if m in denied)
            if foreign:
                errors.append(
                    f"{where}.source imports {', '.join(foreign)}, which the code sandbox does not provide (it runs "
                    "the Python standard library only, no network); rewrite it with the standard library, or move "
                    "it into a reviewed module grader (type: python, module: team_graders.<name>), see README"
                )
            if blocked:
                errors.append(
                    f"{where}.source imports {', '.join(blocked)}, which the code sandbox refuses "
                    "(no processes, sockets or native code)"
                )
            if node.get("image_tag") is not None:
                notes.append(
                    Note(
                        f"{where}.image_tag",
                        node["image_tag"],
                        "dropped",
                        "accepted but ignored (the code sandbox has one Python, standard library only)",
                    )
                )
        if kind in oj.JUDGE_TYPES:
            params = node.get("sampling_params") or {}
            if isinstance(params, dict) and params.get("seed") is not None:
                notes.append(
                    Note(
                        f"{where}.sampling_params.seed",
                        params["seed"],
                        "dropped",
                        "accepted but ignored (Bedrock Converse has no seed)",
                    )
                )
            if isinstance(params, dict) and params.get("reasoning_effort") is not None:
                notes.append(
                    Note(
                        f"{where}.sampling_params.reasoning_effort",
                        params["reasoning_effort"],
                        "carried",
                        "passed to openai.* (gpt-oss) judges; other judge families ignore it",
                    )
                )
    return notes, errors


def _entry(args, job: oj.Job, grader: dict, hyperparameters: dict, files: dict) -> dict:
    what = f"job {job.job_id}" if job.job_id else "job request"
    suffix = job.raw.get("suffix") or job.raw.get("user_provided_suffix")
    description = f"Imported from OpenAI RFT {what}" + (f" ({suffix})" if suffix else "") + " by rft import-openai."
    entry: dict[str, Any] = {
        "name": args.name,
        "description": description[:500],
        "base_model": args.base_model,
        "dataset": {"train": "train.jsonl", "validation": "validation.jsonl" if "validation" in files else None},
        "grader": grader,
    }
    if hyperparameters:
        entry["hyperparameters"] = hyperparameters
    else:
        entry["hyperparameters"] = {}
    return entry


_JOB_STATE = {
    "id",
    "object",
    "created_at",
    "finished_at",
    "status",
    "fine_tuned_model",
    "organization_id",
    "result_files",
    "trained_tokens",
    "error",
    "estimated_finish",
    "user_provided_suffix",
    "usage_metrics",
    "shared_with_openai",
    "eval_id",
}


def _job_notes(job: oj.Job, args, files: dict, comments: dict, decisions: list[str]) -> list[Note]:
    """One note per top-level field of the job and per field of method.reinforcement."""
    notes: list[Note] = []
    raw = job.raw
    for key, value in raw.items():
        if key == "model":
            notes.append(
                Note(
                    key,
                    value,
                    "changed",
                    f"base_model {args.base_model} (--base-model): Bedrock cannot tune OpenAI's models",
                )
            )
            comments[("base_model",)] = f"was {value} (OpenAI base model; --base-model)"
        elif key in ("training_file", "validation_file"):
            name = "train" if key == "training_file" else "validation"
            flag = "--training-file" if name == "train" else "--validation-file"
            if name in files:
                notes.append(
                    Note(
                        key,
                        value,
                        "changed",
                        f"dataset.{name}: {name}.jsonl, converted from {files[name].source} ({flag})",
                    )
                )
                comments[("dataset", name)] = f"converted from {value} ({flag} {files[name].source})"
            elif value:
                notes.append(
                    Note(
                        key,
                        value,
                        "dropped",
                        f"no {flag} given, so no rows were converted",
                        f"download {value} from OpenAI's Files API and re-run with {flag}",
                    )
                )
                decisions.append(f"convert {key} {value}: re-run with {flag}")
        elif key == "seed":
            notes.append(
                Note(
                    key, value, "dropped", "neither Bedrock RFT API takes a seed; runs are not reproducible bit for bit"
                )
            )
        elif key == "suffix":
            comments[("description",)] = f"carries the OpenAI suffix {value!r}"
            notes.append(
                Note(
                    key,
                    value,
                    "changed",
                    "kept in the description; the model name comes from the "
                    "customization and run (mantle does not support suffix)",
                )
            )
        elif key == "metadata":
            notes.append(
                Note(
                    key,
                    value,
                    "dropped",
                    "job metadata has no Bedrock field; runs are recorded in the run "
                    "registry with their lineage instead",
                )
            )
        elif key == "integrations":
            notes.append(
                Note(
                    key,
                    value,
                    "dropped",
                    "no Weights & Biases integration; training metrics go to the team's CloudWatch dashboard",
                )
            )
        elif key == "hyperparameters":
            if job.shape == "retrieved job":
                notes.append(
                    Note(
                        key,
                        value,
                        "not applicable",
                        "reported by OpenAI for supervised jobs only; "
                        "method.reinforcement.hyperparameters is what counts",
                    )
                )
            else:
                used = job.reinforcement.get("hyperparameters") is None and bool(value)
                notes.append(
                    Note(
                        key,
                        value,
                        "changed" if used else "dropped",
                        "deprecated top-level field, read because method.reinforcement.hyperparameters is absent"
                        if used
                        else "deprecated top-level field; method.reinforcement.hyperparameters wins",
                    )
                )
        elif key == "method":
            notes.append(Note("method.type", "reinforcement", "carried", "a reinforcement fine-tuning customization"))
            for sub, sub_value in value.items():
                if sub not in ("type", "reinforcement"):
                    notes.append(Note(f"method.{sub}", sub_value, "dropped", "not used by a reinforcement job"))
            for sub, sub_value in job.reinforcement.items():
                if sub in ("grader", "hyperparameters"):
                    continue  # per grader node and per hyperparameter, elsewhere
                if sub == "response_format":
                    notes.append(_response_format_note(sub_value, decisions))
                else:
                    notes.append(
                        Note(
                            f"method.reinforcement.{sub}",
                            sub_value,
                            "dropped",
                            "not a field this importer knows (not in OpenAI's documented RFT method)",
                        )
                    )
        elif key in _JOB_STATE:
            notes.append(Note(key, value, "not applicable", "state of the OpenAI job, not configuration"))
        else:
            notes.append(Note(key, value, "dropped", "not a field of OpenAI's job create body or job object"))
    return notes


def _response_format_note(value: Any, decisions: list[str]) -> Note:
    suggestion = oj.response_format_suggestion(value)
    decisions.append(
        "response_format (structured outputs) does not carry over: neither Bedrock RFT job API "
        "accepts one, so the policy may answer in free text. Put the schema in the prompt and consider "
        "the json_schema grader component suggested in this report"
        + ("" if suggestion else " (the format was not a json_schema, so no component is suggested)")
    )
    return Note(
        "method.reinforcement.response_format",
        value,
        "dropped",
        "neither Bedrock RFT job API (mantle fine_tuning.jobs, native rftConfig) accepts a response format",
        "see 'Structured outputs' below",
    )


def _yaml_header(job: oj.Job, args, notes: list[Note]) -> list[str]:
    source = f"OpenAI job {job.job_id}" if job.job_id else "an OpenAI fine_tuning.jobs.create body"
    lines = [
        f"Imported from {source} ({Path(args.job_json).name}) by `rft import-openai`.",
        f"Paste this entry under `customizations:` in config/teams/{args.team}.yaml.",
        "Every field of the OpenAI job, and what became of it, is in IMPORT_REPORT.md.",
    ]
    # One line per dropped job-level field; dropped hyperparameters and ignored grader fields
    # are commented where they would have been.
    for note in notes:
        top = "." not in note.field or note.field == "method.reinforcement.response_format"
        if note.outcome == "dropped" and top:
            lines.append(f"{note.field}: {oj.short(note.value, 60)} -> dropped: {note.detail}")
    return lines


# ---------------------------------------------------------------------------------- report
_ROW_NOTE = (
    "A row without its own `reference_answer` had every field except `messages` packed into an object "
    "`reference_answer`: Bedrock reads the reference from that top-level key, and our grader's `item` holds the "
    'keys of an object reference, so `{{item.x}}` and python `item["x"]` read the same values as on OpenAI. '
    "A row with a `reference_answer` kept it, and its other fields stay top-level (Bedrock forwards them to the "
    "grader as metadata)."
)


def render_report(result: Result, refs: oj.ItemRefs) -> str:
    job, entry = result.job, result.entry
    lines = [f"# Import report: {entry['name']}", ""]
    lines.append(
        f"Source: `{Path(result.job_path).name}`, an OpenAI {job.shape}"
        + (f" (`{job.job_id}`)" if job.job_id else "")
        + f". Team: `{result.team.team}` "
        f"({result.team.region}). Base model: `{entry['base_model']}`."
    )
    lines += ["", "Generated by `rft import-openai`; the customization entry is `customization.yaml`.", ""]
    lines += ["## Fields of the OpenAI job", "", "| field | value | outcome | how / why |", "|---|---|---|---|"]
    for note in result.notes:
        value = oj.short(note.value, 60).replace("|", "\\|")
        lines.append(f"| `{note.field}` | `{value}` | {note.outcome} | {note.detail.replace('|', '/')} |")
    lines += ["", "## What the team must decide", ""]
    decisions = list(dict.fromkeys(result.decisions))
    lines += [f"- {d}" for d in decisions] or ["- nothing"]
    if result.warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in result.warnings]
    lines += ["", "## Data", "", _ROW_NOTE, ""]
    read = sorted(".".join(p) for p in refs.required)
    lines.append(
        "Fields the grader reads from each row: "
        + (", ".join(f"`{r}`" for r in read) or "none")
        + (
            f"; optional (python `item.get`): {', '.join(f'`{o}`' for o in sorted(refs.optional))}"
            if refs.optional
            else ""
        )
        + ". Every row was checked for them."
    )
    lines.append("")
    if result.files:
        lines += [
            "| file | from | rows | packed into reference_answer | own reference_answer | developer→system | input_text→text |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, f in result.files.items():
            lines.append(
                f"| `{name}.jsonl` | `{Path(f.source).name}` | {len(f.rows)} | {f.packed} | {f.own_reference} | "
                f"{f.developer_roles} | {f.input_text_parts} |"
            )
    else:
        lines.append("No data files were given (--training-file / --validation-file).")
    suggestion = oj.response_format_suggestion(job.reinforcement.get("response_format"))
    if "response_format" in job.reinforcement:
        lines += [
            "",
            "## Structured outputs",
            "",
            "OpenAI constrained the policy's answers with `response_format`; Bedrock's RFT jobs take no such "
            "field, so answers may not parse as JSON (graders reading `{{sample.output_json...}}` then score 0). "
            "Describe the format in the system prompt of the rows, and consider gating the reward on the schema "
            "with our `json_schema` grader:",
        ]
        if suggestion:
            import yaml

            component = yaml.safe_dump(
                {"schema": suggestion}, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100
            ).splitlines()
            lines += [
                "",
                "```yaml",
                "grader:",
                "  type: multi",
                "  name: schema_gated",
                "  graders:",
                *("    " + line for line in component),
                "    task: {...}  # the imported grader from customization.yaml, indented here",
                "  calculate_output: schema * task",
                "```",
                "",
                "An answer that breaks the schema then scores 0 whatever the other graders say.",
            ]
    lines += [
        "",
        "## What does not carry over",
        "",
        "- OpenAI's base models: Bedrock tunes the catalog models only (`rft run`, model catalog in the README).",
        "- OpenAI judge model names: each judge is the Bedrock model given with `--map-model`.",
        "- Structured outputs (`response_format`), `seed`, job `metadata`, `integrations`.",
        "- Hyperparameters the chosen plane does not take (listed above as dropped).",
        "- The python grader environment: our sandbox runs the standard library only, without network.",
        "",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------ the checks
@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    errors: list[str] = field(default_factory=list)


def post_checks(result: Result) -> list[Check]:
    """Check what was written, from disk: the grader as `rft grade --validate` does, the entry
    as the team config loader does, and the data as the workflow's dataset pre-flight does."""
    checks: list[Check] = []
    entry = _written_entry(result, checks)
    if entry is None:
        return checks
    checks.append(_grader_check(entry))
    checks.append(_team_check(result, entry))
    checks.extend(_dataset_checks(result, entry))
    return checks


def _written_entry(result: Result, checks: list[Check]) -> dict | None:
    from rft.config.loader import read_yaml

    path = result.out / "customization.yaml"
    loaded = read_yaml(path.read_text(encoding="utf-8"))  # as the team's loader will read the paste
    if not (isinstance(loaded, list) and len(loaded) == 1 and isinstance(loaded[0], dict)):
        checks.append(Check("customization.yaml", False, "not one entry", [f"{path}: does not hold one entry"]))
        return None
    return loaded[0]


def _grader_check(entry: dict) -> Check:
    from rft_graders.judges import is_bedrock_model
    from rft_graders.spec import GraderSpecError, parse_grader_spec, spec_hash
    from rft_graders.spec_walk import judge_models

    try:
        spec = parse_grader_spec(entry["grader"])
    except GraderSpecError as exc:
        return Check("grader (rft grade --validate)", False, str(exc), [f"customization.yaml: {exc}"])
    foreign = sorted(m for m in judge_models(spec) if not is_bedrock_model(m))
    if foreign:
        line = f"customization.yaml: judge model {foreign[0]} is not a Bedrock model"
        return Check("grader (rft grade --validate)", False, line, [line])
    root = spec.root
    kind = f"template {root.template}" if hasattr(root, "template") else root.type
    return Check("grader (rft grade --validate)", True, f"valid {kind} grader, spec hash {spec_hash(spec)[:12]}")


def _team_check(result: Result, entry: dict) -> Check:
    from pydantic import ValidationError

    from rft.config.loader import format_validation_error, read_yaml
    from rft.config.team_config import TeamConfig

    # As the loader reads it (YAML 1.2), so `learningRate: 1e-5` in the team file stays a number.
    raw = read_yaml(result.team_file.read_text(encoding="utf-8"))
    raw["customizations"] = list(raw.get("customizations") or []) + [entry]
    try:
        TeamConfig.model_validate(raw)
    except ValidationError as exc:
        lines = format_validation_error(f"team {result.team.team} + customization.yaml", exc).splitlines()
        return Check(f"team {result.team.team} config", False, lines[0], lines)
    return Check(
        f"team {result.team.team} config",
        True,
        f"loads with the entry added ({len(raw['customizations'])} customizations)",
    )


def _dataset_checks(result: Result, entry: dict) -> list[Check]:
    from rft_workflow import dataset, grading

    if not result.files:
        return [Check("dataset pre-flight", True, "skipped: no data files given")]
    limit = int((entry.get("hyperparameters") or {}).get("maxPromptLength", DEFAULT_MAX_PROMPT_TOKENS))
    checks: dict[str, Any] = {}
    problems: list[Any] = []
    for name in result.files:
        data = (result.out / f"{name}.jsonl").read_bytes()
        checks[name] = check = dataset.check_file(name, data, limit)
        problems += check.problems
        minimum = DATASET_MIN_ROWS if name == "train" else 1
        problems += dataset.row_count_problems(check, minimum, DATASET_MAX_ROWS, check.lines)
    if "train" in checks and "validation" in checks:
        problems += dataset.overlap_problems(checks["train"], checks["validation"])
    out = []
    lines = [_source_line(result, p) for p in problems]
    rows = ", ".join(f"{name} {c.lines} rows" for name, c in checks.items())
    out.append(
        Check(
            "dataset pre-flight",
            not problems,
            f"{rows}; prompts up to {limit} tokens" if not problems else dataset.summary_message(problems)[:200],
            lines,
        )
    )
    # The reference probe grades each row with a probe answer. Judges would be called for real
    # (the workflow's probe has no way to stub them), so specs with a judge skip it here; the
    # converter already checked every field the grader's templates read.
    skip = grading.probe_skip_reason(entry["grader"])
    if skip is None and grader_uses_judge(entry["grader"]):
        skip = "the grader calls a judge model, which the offline probe would call on Bedrock for every row"
    if skip:
        out.append(
            Check(
                "grader reads every row's reference",
                True,
                f"probe skipped: {skip}; the converter checked each field the grader reads",
            )
        )
        return out
    located = [(name, row) for name, check in checks.items() for row in check.rows]
    found = grading.reference_problems(entry["grader"], [row.data for _, row in located])
    lines = []
    for index, reason in found:
        name, row = located[index]
        lines.append(
            _source_line(
                result, dataset.Problem(name, row.line, "grader", f"the grader cannot use this row ({reason})")
            )
        )
    out.append(
        Check(
            "grader reads every row's reference",
            not found,
            f"probed {len(located)} rows" if not found else f"{len(found)} rows unusable",
            lines,
        )
    )
    return out


def _source_line(result: Result, problem: Any) -> str:
    """A pre-flight problem with the converted file's line and the source line it came from."""
    converted = result.files.get(problem.file)
    if problem.line is None or converted is None:
        return f"{problem.file}.jsonl: {problem.reason}"
    source_line = converted.source_lines[problem.line - 1] if 0 < problem.line <= len(converted.source_lines) else "?"
    return f"{problem.file}.jsonl line {problem.line} ({converted.source} line {source_line}): {problem.reason}"


def print_summary(result: Result, checks: list[Check]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Text, never markup: details quote row data and paths, and "[...]" would be read as style.

    console = Console(width=120, soft_wrap=False, highlight=False)
    table = Table(title=Text(f"rft import-openai → {result.out}"), show_lines=False)
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail", overflow="fold")
    for check in checks:
        table.add_row(Text(check.name), Text("ok" if check.ok else "FAILED"), Text(check.detail))
    console.print(table)
    outcomes: dict[str, int] = {}
    for note in result.notes:
        outcomes[note.outcome] = outcomes.get(note.outcome, 0) + 1
    console.print(
        Text(
            "job fields: "
            + ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items()))
            + f"; see {result.out / 'IMPORT_REPORT.md'}"
        )
    )
    for warning in result.warnings:
        console.print(Text(f"warning: {warning}"))
    for decision in dict.fromkeys(result.decisions):
        console.print(Text(f"decide: {decision}"))
