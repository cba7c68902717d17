"""`rft grade`: run a grader over a JSONL of Bedrock samples, locally, like the Lambda does.

    rft grade --grader SPEC.yaml --samples SAMPLES.jsonl [--out RESULTS.jsonl]
    rft grade --team T --customization C --samples SAMPLES.jsonl
    rft grade --validate SPEC.yaml

One Bedrock sample per input line; one Bedrock result per output line, same order (stdout
without --out). The reward distribution goes to stderr (with --json: as JSON on stdout, and the
results only to --out). Exit status: 0 graded; 1 graded, but more than --max-error-rate of the
samples hit grader errors; 2 bad input (nothing graded). Grading uses the same
``rft_graders.batch.grade_batch`` as the Lambda; code runs through the local sandbox runner.
Judge graders call Bedrock with your AWS credentials, or a scripted judge with
``--scripted-judge MODULE:FUNC`` (or env RFT_SCRIPTED_JUDGE; see rft_graders/judges/scripted.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from rft.aws_errors import CliError

DEFAULT_MAX_ERROR_RATE = 0.05  # customizations[].audit.max_error_rate's default
PROGRESS_CHUNK = 64  # samples per grade_batch call, so progress moves on long files


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "grade",
        help="grade a JSONL of Bedrock samples with a grader spec and print the reward distribution",
        description=__doc__.split("\n\n")[0],
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--grader", metavar="SPEC", help="grader spec file (YAML or JSON)")
    source.add_argument("--team", help="team whose declared customization grader to use (with --customization)")
    source.add_argument("--validate", metavar="SPEC", help="only check a grader spec file")
    parser.add_argument("--customization", help="customization name within --team")
    parser.add_argument("--samples", metavar="JSONL", help="Bedrock samples, one JSON object per line")
    parser.add_argument("--out", metavar="JSONL", help="write results here instead of stdout")
    parser.add_argument(
        "--max-error-rate",
        type=float,
        default=DEFAULT_MAX_ERROR_RATE,
        metavar="F",
        help="exit 1 when more than this fraction of samples hit grader errors "
        f"(default {DEFAULT_MAX_ERROR_RATE}, the reward audit's default)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the summary as JSON on stdout (results go only to --out)"
    )
    add_scripted_judge_argument(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        if args.validate:
            spec = _spec_from_file(args.validate)
            from rft_graders.spec import spec_hash

            print(
                f"ok: {args.validate} is a valid {_kind(spec)} grader (spec hash {spec_hash(spec)[:12]})",
                file=sys.stderr,
            )
            if args.json:
                print(json.dumps({"valid": True, "kind": _kind(spec), "spec_hash": spec_hash(spec)}))
            return 0
        if not args.samples:
            raise CliError("--samples is required (or use --validate SPEC)")
        if args.team:
            if not args.customization:
                raise CliError("--team needs --customization")
            spec = _spec_from_team(args.team, args.customization)
        else:
            if args.customization:
                raise CliError("--customization goes with --team, not --grader")
            spec = _spec_from_file(args.grader)
        if not 0 <= args.max_error_rate <= 1:
            raise CliError("--max-error-rate must be between 0 and 1")
        samples = _read_samples(Path(args.samples))
        return _grade(
            spec,
            samples,
            args.out,
            judge_client_factory(spec, getattr(args, "scripted_judge", None)),
            max_error_rate=args.max_error_rate,
            as_json=args.json,
        )
    except CliError as exc:
        print(f"rft grade: {exc}", file=sys.stderr)
        return 2


def _kind(spec) -> str:
    root = spec.root
    return f"template {root.template}" if hasattr(root, "template") else root.type


def _spec_from_file(path_text: str):
    from rft_graders.spec import GraderSpecError, parse_grader_spec

    path = Path(path_text)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    from ruamel.yaml.error import YAMLError

    from rft.config.loader import read_yaml
    from rft.config.references import module_problems

    try:
        raw = read_yaml(path.read_text(encoding="utf-8"))  # YAML 1.2, as team configs are read
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot read: {exc}") from None
    except YAMLError as exc:
        raise CliError(f"{path}: not valid YAML/JSON: {str(exc).splitlines()[0]}") from None
    if isinstance(raw, dict) and set(raw) == {"grader"}:
        raw = raw["grader"]  # a spec file may wrap the spec in `grader:` as team configs do
    try:
        spec = parse_grader_spec(raw)
    except GraderSpecError as exc:
        raise CliError(f"{path}: {exc}") from None
    unresolved = module_problems(raw)
    if unresolved:
        # The same rule as the team config loader: the module must exist in the grader bundle.
        raise CliError(f"{path}: {unresolved[0]}")
    return spec


def _spec_from_team(team: str, customization: str):
    from rft_graders.spec import GraderSpecError, parse_grader_spec

    try:
        from rft.config.loader import ConfigError, load_team
    except ImportError as exc:
        raise CliError(f"team configs are unavailable: {exc}") from None
    try:
        config = load_team(team)
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    names = [c.name for c in config.customizations]
    for item in config.customizations:
        if item.name == customization:
            grader = item.grader
            try:
                return parse_grader_spec(grader.model_dump(by_alias=True) if hasattr(grader, "model_dump") else grader)
            except GraderSpecError as exc:
                raise CliError(f"team {team}, customization {customization}: {exc}") from None
    raise CliError(f"team {team} has no customization {customization!r} (has: {', '.join(names) or 'none'})")


def _read_samples(path: Path) -> list[dict]:
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    samples = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    sample = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CliError(f"{path}: line {number}: bad JSON: {exc.msg}") from None
                if not isinstance(sample, dict):
                    raise CliError(f"{path}: line {number}: expected a JSON object")
                samples.append(sample)
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text") from None
    if not samples:
        raise CliError(f"{path}: no samples")
    return samples


def add_scripted_judge_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scripted-judge",
        metavar="MODULE:FUNC",
        help="answer judge calls with FUNC(converse_request) -> reply text or Converse response, "
        "instead of Bedrock (default: env RFT_SCRIPTED_JUDGE)",
    )


def judge_client_factory(spec, scripted: str | None):
    """The judge client factory for a spec: a scripted judge when asked for, else Bedrock
    (checked for credentials and region up front, so a missing login is one clear line)."""
    from rft_graders.spec_walk import judge_models

    target = scripted or os.environ.get("RFT_SCRIPTED_JUDGE")
    if target:
        from rft_graders.judges.scripted import load_scripted_judge

        try:
            return load_scripted_judge(target)
        except ValueError as exc:
            raise CliError(str(exc)) from None
    if not judge_models(spec):
        return None
    try:
        import boto3

        session = boto3.Session()
        credentials = session.get_credentials()
    except Exception as exc:  # noqa: BLE001 - e.g. a broken profile in ~/.aws/config
        raise CliError(f"cannot read AWS configuration for the judge: {type(exc).__name__}: {exc}") from None
    if credentials is None:
        raise CliError(
            "the grader calls a Bedrock judge but no AWS credentials were found; "
            "configure credentials (e.g. AWS_PROFILE) or pass --scripted-judge MODULE:FUNC"
        )
    if not session.region_name:
        raise CliError("the grader calls a Bedrock judge but no AWS region is set; set AWS_REGION")
    return None  # the runtime's default bedrock-runtime client


def _grade(
    spec,
    samples: list[dict],
    out: str | None,
    judge_factory=None,
    *,
    max_error_rate: float = DEFAULT_MAX_ERROR_RATE,
    as_json: bool = False,
) -> int:
    from rft.local_sandbox import LocalSandboxClient
    from rft_graders.build import BuildContext, build_grader
    from rft_graders.stats import summarize

    try:
        grader = build_grader(spec, BuildContext(sandbox=LocalSandboxClient(), judge_client_factory=judge_factory))
    except Exception as exc:  # noqa: BLE001 - e.g. a python grader module that does not import
        raise CliError(f"cannot build the grader: {exc}") from None
    report = grade_with_progress(samples, grader)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in report.results)
    if out:
        try:
            Path(out).write_text(lines, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"{out}: cannot write: {exc}") from None
    elif not as_json:
        sys.stdout.write(lines)
    summary = summarize(report.results, report.prompt_keys)
    failed = summary.error_rate > max_error_rate
    if as_json:
        print(json.dumps(summary_json(summary, report, max_error_rate, failed)))
    else:
        print_summary(summary, report)
    if failed:
        print(
            f"rft grade: {summary.error_count} of {summary.count} samples ({summary.error_rate:.1%}) hit grader "
            f"errors, above --max-error-rate {max_error_rate:g}; their score 0 is not a grade",
            file=sys.stderr,
        )
        return 1
    return 0


def grade_with_progress(samples: list[dict], grader, chunk: int = PROGRESS_CHUNK):
    """grade_batch over chunks of the samples with a progress bar on stderr (hidden when
    stderr is not a terminal); one report, sample indexes as in the input."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from rft_graders.batch import BatchReport, SampleError, grade_batch

    report = BatchReport(results=[])
    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    console = stderr_console()
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("grading", total=len(samples))
        for start in range(0, len(samples), chunk):
            part = grade_batch(samples[start : start + chunk], grader)
            report.results += part.results
            report.prompt_keys += part.prompt_keys
            report.errors += [SampleError(start + e.index, e.id, e.reason) for e in part.errors]
            report.duration_s += part.duration_s
            progress.advance(task, len(part.results))
    return report


def stderr_console():
    from rich.console import Console

    # Text goes out as is (no markup: reasons quote model output). In a pipe or a log there is
    # no terminal width to fit, and a folded metric name would no longer grep.
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = 160
    return console


def metric_table(results: list[dict]) -> list[dict]:
    """Per component/metric: how many samples carry it, its mean over all samples (absent
    counts as 0, so 1 parse error in 6 samples is 0.167, not 1.0) and over those that carry it."""
    totals: dict[tuple[str, str], list[float]] = {}
    for r in results:
        for m in r.get("metrics_list") or []:
            if m["name"] == "grader_error":
                continue
            kind = "component" if m["type"] == "Reward" else "metric"
            totals.setdefault((m["name"], kind), []).append(float(m["value"]))
    count = len(results)
    return [
        {
            "name": name,
            "kind": kind,
            "samples": len(values),
            "of": count,
            "mean_over_all": sum(values) / count if count else 0.0,
            "mean_where_present": sum(values) / len(values),
        }
        for (name, kind), values in totals.items()
    ]


def summary_json(summary, report, max_error_rate: float, failed: bool) -> dict:
    return {
        "samples": summary.count,
        "mean": summary.mean,
        "std": summary.std,
        "min": summary.minimum,
        "max": summary.maximum,
        "zero_fraction": summary.zero_fraction,
        "grader_errors": summary.error_count,
        "error_rate": summary.error_rate,
        "max_error_rate": max_error_rate,
        "failed": failed,
        "histogram": summary.histogram,
        "prompts": summary.prompt_groups,
        "flat_prompt_fraction": summary.flat_group_fraction,
        "metrics": metric_table(report.results),
        "errors": [{"index": e.index, "id": e.id, "reason": e.reason} for e in report.errors],
        "duration_s": report.duration_s,
    }


def print_summary(summary, report) -> None:
    from rich.console import JustifyMethod
    from rich.table import Table
    from rich.text import Text

    console = stderr_console()
    for line in format_summary(summary, report).splitlines():
        console.print(Text(line))
    rows = metric_table(report.results)
    if rows:
        table = Table(title=Text(f"components and metrics over {summary.count} samples"), title_justify="left")
        columns: tuple[tuple[str, JustifyMethod], ...] = (
            ("name", "left"),
            ("kind", "left"),
            ("samples with it", "right"),
            ("mean over all", "right"),
            ("mean where present", "right"),
        )
        for column, justify in columns:
            table.add_column(column, justify=justify)
        for row in rows:
            table.add_row(
                Text(row["name"]),
                row["kind"],
                f"{row['samples']} of {row['of']}",
                f"{row['mean_over_all']:.3f}",
                f"{row['mean_where_present']:.3f}",
            )
        console.print(table)
    for line in format_errors(report).splitlines():
        console.print(Text(line))


def format_summary(summary, report) -> str:
    lines = [
        f"samples: {summary.count}   mean: {summary.mean:.4f}   std: {summary.std:.4f}   "
        f"min: {summary.minimum:.4f}   max: {summary.maximum:.4f}",
        f"zero-reward: {summary.zero_fraction:.1%}   grader errors: {summary.error_count} ({summary.error_rate:.1%})   "
        f"time: {report.duration_s * 1000:.0f} ms",
        "histogram:",
    ]
    peak = max(summary.histogram) or 1
    bins = len(summary.histogram)
    for index, count in enumerate(summary.histogram):
        low, high = index / bins, (index + 1) / bins
        bar = "#" * round(40 * count / peak)
        lines.append(f"  [{low:.1f}, {high:.1f}{']' if index == bins - 1 else ')'} {count:6d} {bar}")
    if summary.flat_group_fraction is None:
        lines.append(f"prompts: {summary.prompt_groups}; no prompt has several samples, so reward spread is unknown")
    else:
        lines.append(
            f"prompts: {summary.prompt_groups}; {summary.flat_group_fraction:.1%} of prompts with several samples "
            "gave them all the same score (those teach an RFT job nothing)"
        )
    return "\n".join(lines)


def format_errors(report) -> str:
    lines = []
    for error in report.errors[:5]:
        lines.append(f"error: sample {error.index} (id {error.id!r}): {error.reason}")
    if len(report.errors) > 5:
        lines.append(f"... and {len(report.errors) - 5} more errors")
    return "\n".join(lines)
