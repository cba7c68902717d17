"""Every metric the dashboard and alarms read, in one place, named as its emitter writes it.

Emitters: the grader handler (Powertools EMF: namespace `RFT/<team>/Graders`, dimensions
Customization and service), the workflow's job_status step (PutMetricData into
`RFT/<team>/Training` with Customization and RunId), and AWS services (AWS/Lambda, AWS/States,
AWS/BedrockMantle, AWS/Bedrock). Tests check each name against what the emitters really write.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw

from rft_contracts.metrics import (  # noqa: F401 - the catalog re-exports the contract's names
    GATE_DECISION,
    GRADER_METRICS,
    GRADER_SERVICE,
    HELD_OUT_METRIC,
    JUDGE_METRICS,
    MANTLE_INFERENCE_METRICS,
    RUNTIME_INFERENCE_METRICS,
    TRAINING_METRICS,
    grader_namespace,
    training_namespace,
)


class CustomizationMetrics:
    """The metrics of one customization, each a `cw.IMetric` ready for widgets and alarms."""

    def __init__(
        self, *, team: str, customization: str, grader_function_name: str, state_machine_arn: str, period: Duration
    ) -> None:
        self.team = team
        self.customization = customization
        self._grader = grader_function_name
        self._state_machine = state_machine_arn
        self.period = period

    def grader(self, name: str, statistic: str = "Average") -> cw.Metric:
        if name not in GRADER_METRICS + JUDGE_METRICS:
            raise ValueError(f"the grader emits no metric {name!r}")
        return cw.Metric(
            namespace=grader_namespace(self.team),
            metric_name=name,
            dimensions_map={"Customization": self.customization, "service": GRADER_SERVICE},
            statistic=statistic,
            period=self.period,
        )

    def component_means(self) -> cw.MathExpression:
        """Per-component reward means: their names depend on the spec, so search for them."""
        return cw.MathExpression(
            expression=(
                f"SEARCH('{{{grader_namespace(self.team)},Customization,service}} "
                f'Customization="{self.customization}" MetricName="Component."\', '
                f"'Average', {self.period.to_seconds()})"
            ),
            label="",
            period=self.period,
        )

    def grader_lambda(self, name: str, statistic: str = "Sum") -> cw.Metric:
        return cw.Metric(
            namespace="AWS/Lambda",
            metric_name=name,
            dimensions_map={"FunctionName": self._grader},
            statistic=statistic,
            period=self.period,
        )

    def workflow(self, name: str, statistic: str = "Sum") -> cw.Metric:
        return cw.Metric(
            namespace="AWS/States",
            metric_name=name,
            dimensions_map={"StateMachineArn": self._state_machine},
            statistic=statistic,
            period=self.period,
        )

    def held_out(self) -> cw.MathExpression:
        """Each run's held-out metric per model (candidates and baselines), from the gate."""
        return cw.MathExpression(
            expression=(
                f"SEARCH('{{{training_namespace(self.team)},Customization,Model,RunId}} "
                f'Customization="{self.customization}" MetricName="{HELD_OUT_METRIC}"\', '
                f"'Average', 300)"
            ),
            label="",
            period=Duration.minutes(5),
        )

    def gate_decisions(self) -> cw.MathExpression:
        return cw.MathExpression(
            expression=(
                f"SEARCH('{{{training_namespace(self.team)},Customization,Decision}} "
                f'Customization="{self.customization}" MetricName="{GATE_DECISION}"\', '
                f"'Sum', 3600)"
            ),
            label="",
            period=Duration.hours(1),
        )

    def training(self, name: str) -> cw.MathExpression:
        """A training metric across runs (each run is its own RunId series)."""
        if name not in TRAINING_METRICS:
            raise ValueError(f"the workflow publishes no training metric {name!r} we plot")
        return cw.MathExpression(
            expression=(
                f"SEARCH('{{{training_namespace(self.team)},Customization,RunId}} "
                f'Customization="{self.customization}" MetricName="{name}"\', '
                f"'Average', 60)"
            ),
            label="",
            period=Duration.minutes(1),
        )


class TeamMetrics:
    """Every customization of a team at once: SEARCH expressions with one series per
    customization (or run), so a widget's size does not depend on how many there are."""

    def __init__(self, *, team: str, period: Duration) -> None:
        self.team = team
        self.period = period

    def per_customization(self, name: str, statistic: str = "Average") -> cw.MathExpression:
        if name not in GRADER_METRICS + JUDGE_METRICS:
            raise ValueError(f"the grader emits no metric {name!r}")
        return cw.MathExpression(
            expression=(
                f"SEARCH('{{{grader_namespace(self.team)},Customization,service}} "
                f"MetricName=\"{name}\"', '{statistic}', {self.period.to_seconds()})"
            ),
            label="",
            period=self.period,
        )

    def training_per_run(self, name: str) -> cw.MathExpression:
        if name not in TRAINING_METRICS:
            raise ValueError(f"the workflow publishes no training metric {name!r} we plot")
        return cw.MathExpression(
            expression=(
                f"SEARCH('{{{training_namespace(self.team)},Customization,RunId}} "
                f"MetricName=\"{name}\"', 'Average', 60)"
            ),
            label="",
            period=Duration.minutes(1),
        )


def _per_model(namespace: str, dimension: str, name: str, period: Duration) -> cw.MathExpression:
    """Every model's series of one metric: the tuned models' ids only exist after training."""
    return cw.MathExpression(
        expression=f"SEARCH('{{{namespace},{dimension}}} MetricName=\"{name}\"', 'Sum', {period.to_seconds()})",
        label="",
        period=period,
    )


def mantle_inference(name: str, period: Duration) -> cw.MathExpression:
    """Traffic on every model of the account on the OpenAI-compatible endpoint, per model."""
    if name not in MANTLE_INFERENCE_METRICS:
        raise ValueError(f"AWS/BedrockMantle has no metric {name!r} we plot")
    return _per_model("AWS/BedrockMantle", "Model", name, period)


def runtime_inference(name: str, period: Duration) -> cw.MathExpression:
    """Traffic on bedrock-runtime per ModelId (where Nova custom model deployments report)."""
    if name not in RUNTIME_INFERENCE_METRICS:
        raise ValueError(f"AWS/Bedrock has no metric {name!r} we plot")
    return _per_model("AWS/Bedrock", "ModelId", name, period)
