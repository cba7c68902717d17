"""Bedrock RFT grader Lambda: a thin shell over ``rft_graders``.

Environment:
  GRADER_SPEC            the grader spec as JSON, or
  GRADER_SPEC_FILE       a JSON/YAML spec file, relative to this directory
  SANDBOX_FUNCTION_NAME  the code-sandbox function (code/python-source graders need it)
  CUSTOMIZATION_NAME     EMF dimension `Customization`
  POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME  Powertools settings
  GRADER_DEBUG=true      also log per-sample details (may include prompts and responses)
                         and every judge request and reply
  JUDGE_DEADLINE_MARGIN_S  seconds kept free before the function timeout (default: 10% of
                         the remaining time, at least 2 s, at most 30 s); bounds every grader
  RULE_SAMPLE_BUDGET_S   time one sample may take in a rule grader (default 1 s)

The spec is parsed and compiled once, at cold start: a bad spec fails the init loudly rather
than scoring every sample 0. Logs carry counts, durations and error reasons only.
Every grader gets a deadline from ``context.get_remaining_time_in_millis()`` minus the margin:
samples still waiting for a judge then score 0 (``judge_timeout``), samples a rule grader has
not reached score 0 (``grader_timeout``), and the batch returns in time, ids aligned, instead
of the whole invocation timing out. A rule-graded sample over its budget also scores 0
(``grader_timeout``); all patterns on model output run in RE2, in linear time.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from lazy_tracing import lazy_tracer, traced_client

from rft_graders.base import PerSampleGrader
from rft_graders.batch import BatchReport, grade_batch
from rft_graders.bedrock_event import InvalidEventError
from rft_graders.build import BuildContext, build_grader
from rft_graders.judges.client import JudgeEnv, default_judge_client
from rft_graders.sandbox_client import LambdaSandboxClient, UnavailableSandboxClient
from rft_graders.spec import parse_grader_spec, spec_hash
from rft_graders.spec_walk import judge_models
from rft_graders.stats import Summary, judge_totals, summarize

HERE = Path(__file__).resolve().parent
DEBUG = os.environ.get("GRADER_DEBUG", "").lower() == "true"

logger = Logger()
metrics = Metrics()
# X-Ray SDK loaded when the grader first makes an AWS client, not at cold start (lazy_tracing).
tracer = lazy_tracer()


def load_spec_source() -> dict:
    """The raw spec from GRADER_SPEC (JSON) or GRADER_SPEC_FILE (JSON or YAML)."""
    if os.environ.get("GRADER_SPEC"):
        return json.loads(os.environ["GRADER_SPEC"])
    path_value = os.environ.get("GRADER_SPEC_FILE")
    if not path_value:
        raise RuntimeError("set GRADER_SPEC (JSON) or GRADER_SPEC_FILE (path relative to the handler)")
    path = (HERE / path_value).resolve()
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml  # lazy: only YAML spec files need it

        return yaml.safe_load(text)
    return json.loads(text)


def _sandbox():
    name = os.environ.get("SANDBOX_FUNCTION_NAME")
    if not name:
        # Never fall back to running code here: this function holds credentials.
        return UnavailableSandboxClient()

    import boto3  # lazy: only code graders need it

    return LambdaSandboxClient(name, boto3.client("lambda"))


class _LazySandbox:
    """Creates the sandbox client (and its boto3 client) on first use, not at cold start."""

    def __init__(self):
        self._client = None

    def run_batch(self, runs):
        if self._client is None:
            self._client = traced_client(_sandbox)()
        return self._client.run_batch(runs)


def _judge_debug(message: str, detail: dict) -> None:
    # Wired in only when GRADER_DEBUG=true; INFO so the opt-in works at the default log level.
    logger.info(message, extra=detail)


def deadline_from(context: Any) -> float | None:
    """A time.monotonic() value safely before this invocation's timeout, or None when the
    context cannot tell (local runs)."""
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(remaining_ms):
        return None
    remaining = remaining_ms() / 1000
    margin = os.environ.get("JUDGE_DEADLINE_MARGIN_S")
    margin_s = float(margin) if margin else min(30.0, max(2.0, 0.1 * remaining))
    return time.monotonic() + max(0.0, remaining - margin_s)


if os.environ.get("RULE_SAMPLE_BUDGET_S"):
    PerSampleGrader.default_budget_s = float(os.environ["RULE_SAMPLE_BUDGET_S"])
SPEC = parse_grader_spec(load_spec_source())
SPEC_HASH = spec_hash(SPEC)
JUDGES = sorted(judge_models(SPEC))
# The bedrock-runtime client is made by the judge on its first call, never at cold start.
GRADER = build_grader(
    SPEC,
    BuildContext(
        sandbox=_LazySandbox(),
        judge_env=JudgeEnv(client_factory=traced_client(default_judge_client), debug=_judge_debug if DEBUG else None),
    ),
)
CUSTOMIZATION = os.environ.get("CUSTOMIZATION_NAME", "unknown")


def _publish(report: BatchReport) -> Summary:
    summary = summarize(report.results)
    metrics.add_dimension(name="Customization", value=CUSTOMIZATION)
    metrics.add_metric(name="Samples", unit=MetricUnit.Count, value=summary.count)
    metrics.add_metric(name="RewardMean", unit=MetricUnit.NoUnit, value=summary.mean)
    metrics.add_metric(name="RewardStd", unit=MetricUnit.NoUnit, value=summary.std)
    metrics.add_metric(name="ZeroRewardFraction", unit=MetricUnit.NoUnit, value=summary.zero_fraction)
    metrics.add_metric(name="GraderErrors", unit=MetricUnit.Count, value=summary.error_count)
    metrics.add_metric(name="GraderTimeouts", unit=MetricUnit.Count, value=report.timeouts)
    metrics.add_metric(name="BatchDuration", unit=MetricUnit.Milliseconds, value=report.duration_s * 1000)
    # EMF allows 100 metrics per document; components beyond that are dropped, not fatal.
    if JUDGES:
        for name, value in judge_totals(report.results).items():
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    for name, value in list(summary.component_means.items())[:75]:
        metrics.add_metric(name=f"Component.{name}", unit=MetricUnit.NoUnit, value=value)
    return summary


@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@logger.inject_lambda_context(log_event=False)
def lambda_handler(event: Any, context: Any) -> list[dict]:
    try:
        report = grade_batch(event, GRADER, deadline=deadline_from(context))
    except InvalidEventError as exc:
        logger.error("invalid grader event", extra={"reason": str(exc)})
        raise
    summary = _publish(report)
    logger.info(
        "graded batch",
        extra={
            "samples": summary.count,
            "errors": summary.error_count,
            "timeouts": report.timeouts,
            "reward_mean": round(summary.mean, 4),
            "duration_ms": round(report.duration_s * 1000, 1),
            "grader": GRADER.name,
            "spec_hash": SPEC_HASH,
            **({"judges": JUDGES, **judge_totals(report.results)} if JUDGES else {}),
        },
    )
    for error in report.errors[:20]:  # reasons are safe to log; cap the volume
        logger.warning("sample not graded", extra={"index": error.index, "id": error.id, "reason": error.reason})
    if DEBUG:
        logger.debug("grader debug", extra={"event": event, "results": report.results})
    return report.results
