"""A customization's alarms, and the composite alarm that rolls them up."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from constructs_lib.metric_catalog import CustomizationMetrics
from rft.config.team_config import AlarmSettings


class CustomizationAlarms(Construct):
    """Workflow failed or timed out, grader errors/throttles/near-timeout, reward collapse,
    judge parse errors (when the spec uses a judge); every alarm notifies the team topic."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        metrics: CustomizationMetrics,
        settings: AlarmSettings,
        grader_timeout: Duration,
        has_judge: bool,
        topic: sns.ITopic,
    ) -> None:
        super().__init__(scope, id_)
        m = metrics
        name = m.customization
        notify = actions.SnsAction(topic)
        missing = cw.TreatMissingData.NOT_BREACHING
        self.alarms: list[cw.Alarm] = []

        def alarm(
            id_: str,
            metric: cw.IMetric,
            threshold: float,
            description: str,
            comparison=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        ) -> None:
            created = cw.Alarm(
                self,
                id_,
                metric=metric,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=comparison,
                treat_missing_data=missing,
                alarm_description=f"{name}: {description}",
            )
            created.add_alarm_action(notify)
            self.alarms.append(created)

        alarm("WorkflowFailed", m.workflow("ExecutionsFailed"), 1, "a workflow run failed")
        alarm("WorkflowTimedOut", m.workflow("ExecutionsTimedOut"), 1, "a workflow run timed out")
        alarm(
            "GraderFunctionErrors",
            m.grader_lambda("Errors"),
            1,
            "the grader function failed whole invocations (Bedrock retries or loses the batch)",
        )
        alarm(
            "GraderThrottles",
            m.grader_lambda("Throttles"),
            1,
            "grader invocations were throttled (raise or remove reserved concurrency)",
        )
        alarm(
            "GraderNearTimeout",
            m.grader_lambda("Duration", "p95"),
            settings.grader_duration_fraction * grader_timeout.to_milliseconds(),
            f"grader p95 duration above {settings.grader_duration_fraction:.0%} of its timeout",
        )
        alarm(
            "GraderErrorRate",
            cw.MathExpression(
                expression="IF(samples > 0, errors / samples, 0)",
                using_metrics={"errors": m.grader("GraderErrors", "Sum"), "samples": m.grader("Samples", "Sum")},
                period=m.period,
                label="grader error rate",
            ),
            settings.grader_error_rate,
            f"more than {settings.grader_error_rate:.0%} of graded samples hit grader errors",
            comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )
        hourly = Duration.hours(1)
        reward = cw.Metric(
            namespace=m.grader("RewardMean").namespace,
            metric_name="RewardMean",
            dimensions_map=m.grader("RewardMean").dimensions,
            statistic="Average",
            period=hourly,
        )
        # DIFF(r) is this hour minus the previous one, so r - DIFF(r) is the previous hour.
        alarm(
            "RewardCollapse",
            cw.MathExpression(
                expression="IF((r - DIFF(r)) > 0, DIFF(r) / (r - DIFF(r)), 0)",
                using_metrics={"r": reward},
                period=hourly,
                label="hourly change of mean reward",
            ),
            -settings.reward_collapse_fraction,
            f"mean reward fell by more than {settings.reward_collapse_fraction:.0%} in an hour",
            comparison=cw.ComparisonOperator.LESS_THAN_THRESHOLD,
        )
        if has_judge:
            alarm(
                "JudgeParseErrors",
                m.grader("JudgeParseErrors", "Sum"),
                settings.judge_parse_errors,
                "judge verdicts could not be parsed",
            )
        self.composite = cw.CompositeAlarm(
            self,
            "Any",
            composite_alarm_name=f"rft-{m.team}-{name}-any",
            alarm_rule=cw.AlarmRule.any_of(*self.alarms),
            alarm_description=f"{name}: any alarm of this customization",
        )
        self.composite.add_alarm_action(notify)
