"""`rft judge`: check an AI-judge grader against human labels before training with it.

    rft judge calibrate --grader SPEC.yaml --labelled LABELLED.jsonl [--repeats 3]
                        [--threshold 0.5] [--length-tolerance 0.02] [--no-length-probe]
                        [--scripted-judge MODULE:FUNC] [--out REPORT.json]

LABELLED.jsonl: one Bedrock sample per line (as the grader receives them) with a
``human_score`` in [0, 1], at the top level or under ``metadata``. The report (JSON, stdout
or --out) has agreement (Spearman, accuracy at --threshold, MAE), stability over --repeats
gradings, a length-bias probe (each response padded with neutral filler must not score
higher; passes when the mean delta <= --length-tolerance) and the judge's token use and
error counts; a short summary goes to stderr. Only gradings that ended in a verdict count (not
grader errors, unparseable verdicts, refusals or timeouts): exit 0 when it ran (read the
pass/fail fields), 1 when no sample got a usable verdict (no check passes on no data), 2 on
bad input or missing credentials. Progress goes to stderr on a terminal. Judges call Bedrock with your AWS credentials, or
the scripted judge (``--scripted-judge`` / env RFT_SCRIPTED_JUDGE).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rft.grade import (
    CliError,
    _read_samples,
    _spec_from_file,
    add_scripted_judge_argument,
    judge_client_factory,
    stderr_console,
)


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "judge",
        help="AI-judge tools (calibrate a judge grader against human labels)",
        description=__doc__.split("\n\n")[0],
    )
    sub = parser.add_subparsers(dest="judge_command", metavar="COMMAND", required=True)
    calibrate = sub.add_parser(
        "calibrate",
        help="agreement with human scores, stability over repeats, length-bias probe",
        description=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    calibrate.add_argument("--grader", metavar="SPEC", required=True, help="grader spec file (YAML or JSON)")
    calibrate.add_argument(
        "--labelled", metavar="JSONL", required=True, help="Bedrock samples with human_score in [0, 1]"
    )
    calibrate.add_argument("--repeats", type=int, default=3, help="gradings per sample, for stability (default 3)")
    calibrate.add_argument("--threshold", type=float, default=0.5, help="pass mark for accuracy (default 0.5)")
    calibrate.add_argument(
        "--length-tolerance",
        type=float,
        default=0.02,
        help="largest mean score gain from padding that passes (default 0.02)",
    )
    calibrate.add_argument("--no-length-probe", action="store_true", help="skip the length-bias probe")
    calibrate.add_argument("--out", metavar="JSON", help="write the report here instead of stdout")
    calibrate.add_argument(
        "--json",
        action="store_true",
        help="the JSON report only (stdout is JSON either way; this drops the summary on stderr)",
    )
    add_scripted_judge_argument(calibrate)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        if args.judge_command != "calibrate":  # argparse enforces the choice; kept for clarity
            raise CliError(f"unknown judge command {args.judge_command!r}")
        return _calibrate(args)
    except CliError as exc:
        print(f"rft judge {args.judge_command}: {exc}", file=sys.stderr)
        return 2


def _calibrate(args: argparse.Namespace) -> int:
    from rft.local_sandbox import LocalSandboxClient
    from rft_graders.build import BuildContext, build_grader
    from rft_graders.judges.calibrate import CalibrationError, calibrate
    from rft_graders.spec_walk import judge_models

    if args.repeats < 1 or args.repeats > 20:
        raise CliError("--repeats must be between 1 and 20")
    if not 0 < args.threshold < 1:
        raise CliError("--threshold must be between 0 and 1")
    spec = _spec_from_file(args.grader)
    if not judge_models(spec):
        raise CliError(f"{args.grader}: the grader has no judge (score_model, label_model or a judge template)")
    samples = _read_samples(Path(args.labelled))
    factory = judge_client_factory(spec, args.scripted_judge)
    try:
        grader = build_grader(spec, BuildContext(sandbox=LocalSandboxClient(), judge_client_factory=factory))
    except Exception as exc:  # noqa: BLE001
        raise CliError(f"cannot build the grader: {exc}") from None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = stderr_console()
    total = len(samples) * (args.repeats + (0 if args.no_length_probe else 1))
    columns = (TextColumn("calibrating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
            task = progress.add_task("calibrating", total=total)
            report = calibrate(
                samples,
                grader,
                repeats=args.repeats,
                threshold=args.threshold,
                tolerance=args.length_tolerance,
                length_probe=not args.no_length_probe,
                on_graded=lambda count: progress.advance(task, count),
            )
    except CalibrationError as exc:
        raise CliError(f"{args.labelled}: {exc}") from None
    text = json.dumps(report, indent=2) + "\n"
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"{args.out}: cannot write: {exc}") from None
    else:
        sys.stdout.write(text)
    if not args.json:
        print(format_report(report), file=sys.stderr)
    if report["no_data"]:
        print(
            f"rft judge calibrate: no sample got a usable verdict ({report['samples']} samples x "
            f"{report['repeats']} repeats); nothing was calibrated",
            file=sys.stderr,
        )
        return 1
    return 0


def _num(value, spec: str = ".3f", none: str = "n/a") -> str:
    return none if value is None else format(value, spec)


def format_report(report: dict) -> str:
    agreement, stability = report["agreement"], report["stability"]
    if agreement["spearman"] is None:
        spearman = "n/a (no verdicts)" if report["no_data"] else "n/a (constant scores or one sample)"
    else:
        spearman = f"{agreement['spearman']:.3f}"
    lines = [
        f"samples: {report['samples']}   repeats: {report['repeats']}   "
        f"with a verdict in every repeat: {report['usable']}",
        f"agreement: spearman {spearman}   accuracy@{report['threshold']} {_num(agreement['accuracy'], '.1%')}   "
        f"mae {_num(agreement['mae'])}   judge mean {_num(agreement['judge_mean'])} vs human "
        f"{_num(agreement['human_mean'])}",
        f"stability: mean std {_num(stability['mean_std'])}   max std {_num(stability['max_std'])}   "
        f"identical {_num(stability['identical_fraction'], '.1%')}",
    ]
    if "length_bias" in report:
        bias = report["length_bias"]
        if bias["pairs"] == 0:
            lines.append("length bias: FAIL   no pair of original and padded response got a verdict")
        else:
            verdict = "PASS" if bias["passed"] else "FAIL"
            lines.append(
                f"length bias: {verdict}   mean delta {bias['mean_delta']:+.3f} (tolerance {bias['tolerance']}, "
                f"{bias['pairs']} pairs)   padded scored higher in {bias['higher_fraction']:.1%}"
            )
    judge = report["judge"]
    lines.append(
        f"judge: {judge['JudgeInputTokens']} input / {judge['JudgeOutputTokens']} output tokens   "
        f"parse errors {judge['JudgeParseErrors']}   refusals {judge['JudgeRefusals']}   "
        f"timeouts {judge['JudgeTimeouts']}   grader errors {judge['grader_errors']}"
    )
    return "\n".join(lines)
