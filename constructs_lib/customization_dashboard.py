"""One customization's CloudWatch dashboard, in that customization's own stack.

A section per customization in the team dashboard cost the platform stack about 5 KB of
template per customization (CloudFormation's limit is 1 MB): here each customization carries
its own widgets, and the team dashboard keeps a fixed-size overview (`TeamDashboard`).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from constructs_lib.metric_catalog import CustomizationMetrics

WIDTH = 24


def graph(
    title: str,
    metrics: list[cw.IMetric],
    *,
    right: list[cw.IMetric] | None = None,
    annotations: list[cw.HorizontalAnnotation] | None = None,
    width: int = 8,
) -> cw.GraphWidget:
    return cw.GraphWidget(
        title=title, left=metrics, right=right or [], width=width, height=6, left_annotations=annotations or []
    )


class CustomizationDashboard(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        dashboard_name: str,
        metrics: CustomizationMetrics,
        grader_timeout: Duration,
        has_judge: bool,
    ) -> None:
        super().__init__(scope, id_)
        m = metrics
        self.dashboard = cw.Dashboard(
            self, "Dashboard", dashboard_name=dashboard_name, default_interval=Duration.days(7)
        )
        self.dashboard.add_widgets(
            cw.TextWidget(markdown=f"## {m.customization}", width=WIDTH, height=1),
            graph(
                "Workflow executions",
                [
                    m.workflow("ExecutionsStarted"),
                    m.workflow("ExecutionsSucceeded"),
                    m.workflow("ExecutionsFailed"),
                    m.workflow("ExecutionsTimedOut"),
                    m.workflow("ExecutionsAborted"),
                ],
            ),
            graph(
                "Workflow duration (p50, max)",
                [m.workflow("ExecutionTime", "p50"), m.workflow("ExecutionTime", "Maximum")],
            ),
            graph(
                "Grader invocations, errors, throttles",
                [m.grader_lambda("Invocations"), m.grader_lambda("Errors"), m.grader_lambda("Throttles")],
                right=[m.grader_lambda("ConcurrentExecutions", "Maximum")],
            ),
            graph(
                "Grader duration p95 vs timeout",
                [m.grader_lambda("Duration", "p95")],
                annotations=[cw.HorizontalAnnotation(value=grader_timeout.to_milliseconds(), label="timeout")],
            ),
            graph(
                "Reward mean and spread (grader)",
                [m.grader("RewardMean"), m.grader("RewardStd")],
                right=[m.grader("ZeroRewardFraction")],
            ),
            graph("Graded samples and grader errors", [m.grader("Samples", "Sum"), m.grader("GraderErrors", "Sum")]),
            graph("Reward per component", [m.component_means()]),
            graph("Training reward (critic_rewards_mean, per run)", [m.training("critic_rewards_mean")]),
            graph("Response length (per run)", [m.training("response_length_mean")]),
            graph("Held-out metric per model and run (promotion gate)", [m.held_out()]),
            graph("Promotion gate decisions", [m.gate_decisions()]),
        )
        if has_judge:
            self.dashboard.add_widgets(
                graph(
                    "Judge tokens",
                    [m.grader("JudgeInputTokens", "Sum"), m.grader("JudgeOutputTokens", "Sum")],
                    width=12,
                ),
                graph(
                    "Judge parse errors, refusals, timeouts",
                    [
                        m.grader("JudgeParseErrors", "Sum"),
                        m.grader("JudgeRefusals", "Sum"),
                        m.grader("JudgeTimeouts", "Sum"),
                    ],
                    width=12,
                ),
            )
