"""Metric names and namespaces, as the emitters write them and the dashboard and alarms read them.

Emitters: the grader handler (Powertools EMF into ``RFT/<team>/Graders``, dimensions
Customization and service), the workflow steps (Powertools EMF and PutMetricData into
``RFT/<team>/Training``; job_status adds Customization and RunId), and AWS services.
"""

from __future__ import annotations

GRADER_SERVICE = "rft-grader"  # POWERTOOLS_SERVICE_NAME of the grader function: an EMF dimension
WORKFLOW_SERVICE = "rft-workflow"

# The grader handler's per-batch metrics, and the judges' counters.
GRADER_METRICS = ("Samples", "RewardMean", "RewardStd", "ZeroRewardFraction", "GraderErrors", "BatchDuration")
# Per-sample judge metric (in a sample's metrics_list) -> the batch counter the handler emits.
JUDGE_COUNTERS = {
    "judge_input_tokens": "JudgeInputTokens",
    "judge_output_tokens": "JudgeOutputTokens",
    "judge_parse_error": "JudgeParseErrors",
    "judge_refusal": "JudgeRefusals",
    "judge_timeout": "JudgeTimeouts",
    "judge_truncated": "JudgeTruncated",
}
JUDGE_METRICS = tuple(JUDGE_COUNTERS.values())
COMPONENT_METRIC_PREFIX = "Component."  # + a component's name: its mean reward per batch

# Workflow step metrics (EMF, dimension Customization).
DATASET_ROWS = "DatasetRows"
AUDIT_REWARD_MEAN = "AuditRewardMean"
ESTIMATED_COST_USD = "EstimatedCostUSD"
# The promotion gate (EMF, dimensions Customization, RunId, Model = candidate key | base | current):
# each model's held-out metric mean; and one count per decision (dimension Customization, Decision).
HELD_OUT_METRIC = "HeldOutMetric"
GATE_DECISION = "GateDecision"

# Fields of mantle "metrics" events (bedrock-rft.md §6) that the dashboard plots.
TRAINING_METRICS = ("critic_rewards_mean", "response_length_mean")
MANTLE_INFERENCE_METRICS = ("Inferences", "InferenceClientErrors", "TotalInputTokens", "TotalOutputTokens")
RUNTIME_INFERENCE_METRICS = ("Invocations", "InvocationClientErrors", "InvocationServerErrors", "InvocationThrottles")


def grader_namespace(team: str) -> str:
    return f"RFT/{team}/Graders"


def training_namespace(team: str) -> str:
    return f"RFT/{team}/Training"
