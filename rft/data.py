"""`rft data check`: the workflow's dataset pre-flight, locally, before any upload.

    rft data check --team T --customization C TRAIN.jsonl [--validation VALIDATION.jsonl] [--json]

The same checks as the run's ValidateDataset step (lambda/workflow/rft_workflow/dataset.py and
grading.py, imported, not copied), with the limits the deployed workflow gets from the team
config (rft/config/runtime_config.py): schema, 100 to 20,000 training rows, estimated prompt length
against `hyperparameters.maxPromptLength` (8192 tokens when unset), duplicate prompts, prompts
shared by train and validation, and each row's reference graded with a probe answer by the
customization's grader. One check is local only and warns without failing: near-duplicates
between train and validation (the same words, ignoring case, punctuation and order), which the
workflow does not catch and which leak held-out prompts into training.

Judge graders are not probed here (every row would be a paid Bedrock call); the workflow
probes them. Exit status: 0 the files pass, 1 the workflow would reject them, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from rft.aws_errors import CliError, load_customization

PROG = "rft data check"
PROBE_CHUNK = 256
_WORDS = re.compile(r"\w+")


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "data",
        help="dataset tools (check files as the workflow will, before upload)",
        description=__doc__.split("\n\n")[0],
    )
    sub = parser.add_subparsers(dest="data_command", metavar="COMMAND", required=True)
    check = sub.add_parser(
        "check",
        help="run the workflow's dataset pre-flight on local files",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("train", metavar="TRAIN", help="training JSONL")
    check.add_argument("--validation", metavar="JSONL", help="validation JSONL")
    check.add_argument("--team", required=True)
    check.add_argument("--customization", required=True)
    check.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        report = check_files(
            args.team, args.customization, Path(args.train), Path(args.validation) if args.validation else None
        )
    except CliError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report))
    else:
        print_report(report)
    return 0 if report["valid"] else 1


def limits_for(team, customization):
    """The dataset limits the deployed workflow of this customization gets (one source)."""
    from rft.config.runtime_config import build_runtime_config

    local = "local"
    config = build_runtime_config(
        team,
        customization,
        account=team.account,
        region=team.region,
        partition="aws",
        grader_function_arn=local,
        service_role_arn=None,
        kms_key_arn=local,
        datasets_bucket=local,
        artifacts_bucket=local,
        registry_table=local,
    )
    return config.dataset_limits


def check_files(team_name: str, customization_name: str, train: Path, validation: Path | None) -> dict:
    from rft_workflow import dataset

    team, customization = load_customization(team_name, customization_name)
    limits = limits_for(team, customization)
    checks: dict[str, Any] = {}
    problems: list[Any] = []
    for name, path in (("train", train), ("validation", validation)):
        if path is None:
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CliError(f"{path}: cannot read: {exc.strerror}") from None
        checks[name] = check = dataset.check_file(name, data, limits.max_prompt_tokens)
        problems += check.problems
        minimum = limits.min_rows if name == "train" else 1
        problems += dataset.row_count_problems(check, minimum, limits.max_rows, check.lines)
    if "validation" in checks:
        problems += dataset.overlap_problems(checks["train"], checks["validation"])
    probe = _reference_probe(customization.grader, checks, problems)
    warnings = near_duplicates(checks["train"], checks["validation"]) if "validation" in checks else []
    files = {
        name: {
            "path": str(path),
            "rows": checks[name].lines,
            "sha256": checks[name].sha256,
            "prompt_tokens_max": max(checks[name].prompt_tokens, default=0),
        }
        for name, path in (("train", train), ("validation", validation))
        if name in checks
    }
    return {
        "team": team.team,
        "customization": customization.name,
        "valid": not problems,
        "files": files,
        "limits": limits.model_dump(),
        "token_estimate": dataset.TOKEN_ESTIMATE,
        "grader_reference_check": probe,
        "problems": [p.as_dict() for p in problems],
        "warnings": warnings,
    }


def _reference_probe(spec: dict, checks: dict, problems: list) -> dict:
    """The workflow's reference probe (grading.reference_problems), in chunks with progress."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from rft.grade import stderr_console
    from rft_graders.spec import parse_grader_spec
    from rft_graders.spec_walk import judge_models
    from rft_workflow import dataset, grading

    skip = grading.probe_skip_reason(spec)
    if skip is None and judge_models(parse_grader_spec(spec)):
        skip = "the grader calls a judge model; probing every row would call Bedrock (the workflow probes it)"
    if skip:
        return {"status": "skipped", "reason": skip}
    located = [(name, row) for name, check in checks.items() for row in check.rows]
    found: list[tuple[int, str]] = []
    console = stderr_console()
    columns = (TextColumn("probing references"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("probe", total=len(located))
        for start in range(0, len(located), PROBE_CHUNK):
            part = [row.data for _, row in located[start : start + PROBE_CHUNK]]
            try:
                found += [(start + i, reason) for i, reason in grading.reference_problems(spec, part)]
            except Exception as exc:  # noqa: BLE001 - as the workflow: reported, not fatal
                return {
                    "status": "skipped",
                    "reason": f"cannot build the grader offline: {type(exc).__name__}: {str(exc)[:200]}",
                }
            progress.advance(task, len(part))
    for index, reason in found:
        name, row = located[index]
        problems.append(
            dataset.Problem(name, row.line, "grader", f"the grader cannot use this reference_answer ({reason})")
        )
    return {"status": "ran", "rows": len(located), "unusable": len(found)}


def _loose_key(messages: list[dict]) -> str:
    from rft_workflow import dataset

    words = _WORDS.findall(" ".join(dataset.message_text(m.get("content")) or "" for m in messages).lower())
    return " ".join(sorted(set(words)))


def near_duplicates(train, validation) -> list[dict]:
    """Validation prompts with the same words as a training prompt (case, punctuation, order
    and repetition ignored) that the exact overlap check did not already report."""
    first: dict[str, int] = {}
    for row in train.rows:
        first.setdefault(_loose_key(row.data["messages"]), row.line)
    exact = {r.prompt_key for r in train.rows}
    out = []
    for row in validation.rows:
        line = first.get(_loose_key(row.data["messages"]))
        if line is not None and row.prompt_key not in exact:
            out.append(
                {
                    "file": "validation",
                    "line": row.line,
                    "check": "near_duplicate",
                    "reason": f"same words as train line {line}; not held out in effect",
                }
            )
    return out


def print_report(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = 160
    table = Table(
        title=Text(f"{PROG}: team {report['team']}, customization {report['customization']}"), title_justify="left"
    )
    for column in ("file", "rows", "max prompt tokens (est.)", "problems"):
        table.add_column(column)
    for name, info in report["files"].items():
        count = sum(1 for p in report["problems"] if p["file"] == name)
        table.add_row(Text(f"{name} ({info['path']})"), str(info["rows"]), str(info["prompt_tokens_max"]), str(count))
    console.print(table)
    limits = report["limits"]
    console.print(
        Text(
            f"limits: {limits['min_rows']} to {limits['max_rows']} training rows, prompts up to "
            f"{limits['max_prompt_tokens']} tokens estimated as {report['token_estimate']}"
        )
    )
    probe = report["grader_reference_check"]
    console.print(
        Text(
            f"grader reference probe: {probe['status']}"
            + (
                f" ({probe['reason']})"
                if probe["status"] == "skipped"
                else f", {probe['rows']} rows, {probe['unusable']} unusable"
            )
        )
    )
    for problem in report["problems"][:20]:
        where = f"line {problem['line']}" if problem["line"] is not None else "file"
        console.print(Text(f"error: {problem['file']} {where}: {problem['reason']}"))
    if len(report["problems"]) > 20:
        console.print(Text(f"... and {len(report['problems']) - 20} more problems (--json lists all)"))
    for warning in report["warnings"][:20]:
        console.print(Text(f"warning: {warning['file']} line {warning['line']}: {warning['reason']}"))
    console.print(
        Text(
            "ok: the workflow's pre-flight would accept these files"
            if report["valid"]
            else f"FAILED: {len(report['problems'])} problems; the run would stop at ValidateDataset"
        )
    )
