"""The team's CloudWatch dashboard: one section per customization, then model traffic.

Built on plain `aws_cloudwatch` rather than cdk-monitoring-constructs: most of what matters here
is our own metrics (grader EMF, training events, search expressions over per-run series) that a
facade does not know, and one fewer jsii dependency keeps aws-cdk-lib and cdk-nag pinned together.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from constructs_lib.metric_catalog import CustomizationMetrics, mantle_inference, runtime_inference

WIDTH = 24


def _graph(title: str, metrics: list[cw.IMetric], *, right: list[cw.IMetric] | None = None,
           annotations: list[cw.HorizontalAnnotation] | None = None, width: int = 8) -> cw.GraphWidget:
    return cw.GraphWidget(title=title, left=metrics, right=right or [], width=width, height=6,
                          left_annotations=annotations or [])


class TeamDashboard(Construct):
    def __init__(self, scope: Construct, id_: str, *, dashboard_name: str,
                 sections: list[tuple[CustomizationMetrics, Duration, bool]],
                 has_native: bool = False) -> None:
        """`sections`: (metrics, grader timeout, uses a judge) per customization; `has_native`
        adds bedrock-runtime traffic, where Nova custom model deployments report."""
        super().__init__(scope, id_)
        self.dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=dashboard_name,
                                      default_interval=Duration.days(7))
        for metrics, grader_timeout, has_judge in sections:
            self._section(metrics, grader_timeout, has_judge)
        period = Duration.minutes(5)
        self.dashboard.add_widgets(
            cw.TextWidget(markdown="## Tuned models on the OpenAI-compatible endpoint "
                                   "(AWS/BedrockMantle, per model)", width=WIDTH, height=1),
            _graph("Inferences and client errors", [mantle_inference("Inferences", period)],
                   right=[mantle_inference("InferenceClientErrors", period)], width=12),
            _graph("Tokens", [mantle_inference("TotalInputTokens", period),
                              mantle_inference("TotalOutputTokens", period)], width=12),
        )
        if has_native:
            self.dashboard.add_widgets(
                cw.TextWidget(markdown="## Nova custom model deployments (AWS/Bedrock, per ModelId)",
                              width=WIDTH, height=1),
                _graph("Invocations and errors", [runtime_inference("Invocations", period)],
                       right=[runtime_inference("InvocationClientErrors", period),
                              runtime_inference("InvocationServerErrors", period),
                              runtime_inference("InvocationThrottles", period)], width=WIDTH),
            )

    def _section(self, m: CustomizationMetrics, grader_timeout: Duration, has_judge: bool) -> None:
        timeout_ms = grader_timeout.to_milliseconds()
        self.dashboard.add_widgets(
            cw.TextWidget(markdown=f"## {m.customization}", width=WIDTH, height=1),
            _graph("Workflow executions", [
                m.workflow("ExecutionsStarted"), m.workflow("ExecutionsSucceeded"),
                m.workflow("ExecutionsFailed"), m.workflow("ExecutionsTimedOut"),
                m.workflow("ExecutionsAborted")]),
            _graph("Workflow duration (p50, max)", [
                m.workflow("ExecutionTime", "p50"), m.workflow("ExecutionTime", "Maximum")]),
            _graph("Grader invocations, errors, throttles", [
                m.grader_lambda("Invocations"), m.grader_lambda("Errors"),
                m.grader_lambda("Throttles")], right=[m.grader_lambda("ConcurrentExecutions", "Maximum")]),
            _graph("Grader duration p95 vs timeout", [m.grader_lambda("Duration", "p95")],
                   annotations=[cw.HorizontalAnnotation(value=timeout_ms, label="timeout")]),
            _graph("Reward mean and spread (grader)", [m.grader("RewardMean"), m.grader("RewardStd")],
                   right=[m.grader("ZeroRewardFraction")]),
            _graph("Graded samples and grader errors", [m.grader("Samples", "Sum"),
                                                        m.grader("GraderErrors", "Sum")]),
            _graph("Reward per component", [m.component_means()]),
            _graph("Training reward (critic_rewards_mean, per run)", [m.training("critic_rewards_mean")]),
            _graph("Response length (per run)", [m.training("response_length_mean")]),
            _graph("Held-out metric per model and run (promotion gate)", [m.held_out()]),
            _graph("Promotion gate decisions", [m.gate_decisions()]),
        )
        if has_judge:
            self.dashboard.add_widgets(
                _graph("Judge tokens", [m.grader("JudgeInputTokens", "Sum"),
                                        m.grader("JudgeOutputTokens", "Sum")], width=12),
                _graph("Judge parse errors, refusals, timeouts", [
                    m.grader("JudgeParseErrors", "Sum"), m.grader("JudgeRefusals", "Sum"),
                    m.grader("JudgeTimeouts", "Sum")], width=12),
            )
