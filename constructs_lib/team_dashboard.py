"""The team's CloudWatch dashboard: a fixed-size overview of every customization, then model
traffic.

Each customization's detailed widgets live on its own dashboard, in its own stack
(`CustomizationDashboard`), so this one, in the platform stack, does not grow with the number of
customizations: its widgets are SEARCH expressions that draw one series per customization.

Built on plain `aws_cloudwatch` rather than cdk-monitoring-constructs: most of what matters here
is our own metrics (grader EMF, training events, search expressions over per-run series) that a
facade does not know, and one fewer jsii dependency keeps aws-cdk-lib and cdk-nag pinned together.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from constructs_lib.customization_dashboard import WIDTH, graph
from constructs_lib.metric_catalog import TeamMetrics, mantle_inference, runtime_inference


class TeamDashboard(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        dashboard_name: str,
        metrics: TeamMetrics,
        customization_dashboards: str,
        has_native: bool = False,
    ) -> None:
        """`customization_dashboards` names the per-customization dashboards (a pattern, shown
        as text); `has_native` adds bedrock-runtime traffic, where Nova custom model
        deployments report."""
        super().__init__(scope, id_)
        self.dashboard = cw.Dashboard(
            self, "Dashboard", dashboard_name=dashboard_name, default_interval=Duration.days(7)
        )
        m = metrics
        self.dashboard.add_widgets(
            cw.TextWidget(
                markdown=f"## Customizations (one series each; details and alarms on "
                f"each customization's dashboard, `{customization_dashboards}`)",
                width=WIDTH,
                height=1,
            ),
            graph("Reward mean (grader)", [m.per_customization("RewardMean")]),
            graph("Graded samples", [m.per_customization("Samples", "Sum")]),
            graph("Grader errors", [m.per_customization("GraderErrors", "Sum")]),
            graph(
                "Training reward (critic_rewards_mean, per run)", [m.training_per_run("critic_rewards_mean")], width=12
            ),
            graph("Response length (per run)", [m.training_per_run("response_length_mean")], width=12),
        )
        period = Duration.minutes(5)
        self.dashboard.add_widgets(
            cw.TextWidget(
                markdown="## Tuned models on the OpenAI-compatible endpoint (AWS/BedrockMantle, per model)",
                width=WIDTH,
                height=1,
            ),
            graph(
                "Inferences and client errors",
                [mantle_inference("Inferences", period)],
                right=[mantle_inference("InferenceClientErrors", period)],
                width=12,
            ),
            graph(
                "Tokens",
                [mantle_inference("TotalInputTokens", period), mantle_inference("TotalOutputTokens", period)],
                width=12,
            ),
        )
        if has_native:
            self.dashboard.add_widgets(
                cw.TextWidget(
                    markdown="## Nova custom model deployments (AWS/Bedrock, per ModelId)", width=WIDTH, height=1
                ),
                graph(
                    "Invocations and errors",
                    [runtime_inference("Invocations", period)],
                    right=[
                        runtime_inference("InvocationClientErrors", period),
                        runtime_inference("InvocationServerErrors", period),
                        runtime_inference("InvocationThrottles", period),
                    ],
                    width=WIDTH,
                ),
            )
