"""`rft grade`: run a grader over a JSONL of Bedrock samples, locally, like the Lambda does.

    rft grade --grader SPEC.yaml --samples SAMPLES.jsonl [--out RESULTS.jsonl]
    rft grade --team T --customization C --samples SAMPLES.jsonl
    rft grade --validate SPEC.yaml

One Bedrock sample per input line; one Bedrock result per output line, same order (stdout
without --out). The reward distribution goes to stderr. Grading uses the same
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

class CliError(Exception):
    """A bad input: printed as one line, exit status 2."""


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
    add_scripted_judge_argument(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        if args.validate:
            spec = _spec_from_file(args.validate)
            from rft_graders.spec import spec_hash

            print(f"ok: {args.validate} is a valid {_kind(spec)} grader (spec hash {spec_hash(spec)[:12]})", file=sys.stderr)
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
        samples = _read_samples(Path(args.samples))
        return _grade(spec, samples, args.out, judge_client_factory(spec, getattr(args, "scripted_judge", None)))
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
    try:
        import yaml

        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise CliError(f"{path}: not valid YAML/JSON: {str(exc).splitlines()[0]}") from None
    if isinstance(raw, dict) and set(raw) == {"grader"}:
        raw = raw["grader"]  # a spec file may wrap the spec in `grader:` as team configs do
    try:
        return parse_grader_spec(raw)
    except GraderSpecError as exc:
        raise CliError(f"{path}: {exc}") from None


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
                except ValueError as exc:
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


def _grade(spec, samples: list[dict], out: str | None, judge_factory=None) -> int:
    from rft_graders.batch import grade_batch
    from rft_graders.build import BuildContext, build_grader
    from rft.local_sandbox import LocalSandboxClient
    from rft_graders.stats import summarize

    try:
        grader = build_grader(spec, BuildContext(sandbox=LocalSandboxClient(), judge_client_factory=judge_factory))
    except Exception as exc:  # noqa: BLE001 - e.g. a python grader module that does not import
        raise CliError(f"cannot build the grader: {exc}") from None
    report = grade_batch(samples, grader)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in report.results)
    if out:
        try:
            Path(out).write_text(lines, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"{out}: cannot write: {exc}") from None
    else:
        sys.stdout.write(lines)
    summary = summarize(report.results, report.prompt_keys)
    print(format_summary(summary, report), file=sys.stderr)
    return 0


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
    if summary.component_means:
        lines.append("components: " + ", ".join(f"{k}={v:.3f}" for k, v in summary.component_means.items()))
    if summary.metric_means:
        lines.append("metrics: " + ", ".join(f"{k}={v:.3f}" for k, v in summary.metric_means.items()))
    if summary.flat_group_fraction is None:
        lines.append(f"prompts: {summary.prompt_groups}; no prompt has several samples, so reward spread is unknown")
    else:
        lines.append(
            f"prompts: {summary.prompt_groups}; {summary.flat_group_fraction:.1%} of prompts with several samples "
            "gave them all the same score (those teach an RFT job nothing)"
        )
    for error in report.errors[:5]:
        lines.append(f"error: sample {error.index} (id {error.id!r}): {error.reason}")
    if len(report.errors) > 5:
        lines.append(f"... and {len(report.errors) - 5} more errors")
    return "\n".join(lines)
