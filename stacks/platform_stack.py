"""What a team's customizations share: the notification topic, the code sandbox, the workflow
functions, the dashboard, native job events and the consumer policy.

Everything here is found by name from the customization stacks (`rft.naming`), so the stacks
never hold cross-stack references to each other: adding or removing a customization touches its
own stack and, for grants and the dashboard, this one.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack, Tags
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib.abandoned_runs import AbandonedRunCleanup
from constructs_lib.code_sandbox import CodeSandbox
from constructs_lib.consumer_access import ConsumerAccessPolicy
from constructs_lib.iam_statements import team_rule_name
from constructs_lib.job_events import JobStateEvents
from constructs_lib.lambda_assets import job_events_code, run_report_code, sandbox_code, workflow_code
from constructs_lib.metric_catalog import TeamMetrics
from constructs_lib.notification_topic import NotificationTopic
from constructs_lib.run_report import STEP as RUN_REPORT_STEP
from constructs_lib.run_report import RunReportFunction
from constructs_lib.team_dashboard import TeamDashboard
from constructs_lib.workflow_functions import WorkflowFunctions, deploys_for_evaluation
from rft.config.catalog import ControlPlane
from rft.config.team_config import TeamConfig
from rft_contracts.metrics import training_namespace
from rft_contracts.naming import (
    consumer_policy_name,
    customization_dashboard_name,
    dashboard_name,
    grader_function_name,
    lambda_arn,
    notification_topic_name,
    sandbox_function_name,
    state_machine_arn,
    workflow_function_name,
)


class PlatformStack(Stack):
    """The team config arrives as a typed, frozen model (keyword-only), never as context or
    environment read here: the same inputs always give the same template."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: TeamConfig,
        datasets_bucket_name: str,
        artifacts_bucket_name: str,
        registry_table_name: str,
        key: kms.IKey,
        **kwargs,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        team = config.team
        Tags.of(self).add("rft:team", team)
        retention = config.data.log_retention_days
        # By name, not by object: policies then carry literal ARNs instead of cross-stack tokens.
        datasets_bucket = s3.Bucket.from_bucket_name(self, "DatasetsBucket", datasets_bucket_name)
        artifacts_bucket = s3.Bucket.from_bucket_name(self, "ArtifactsBucket", artifacts_bucket_name)
        registry = dynamodb.Table.from_table_name(self, "RunRegistry", registry_table_name)

        self.topic = NotificationTopic(
            self,
            "Notifications",
            topic_name=notification_topic_name(team),
            key=key,
            emails=config.notifications.emails,
            team=team,
        ).topic
        self.sandbox = CodeSandbox(
            self,
            "CodeSandbox",
            function_name=sandbox_function_name(team),
            key=key,
            log_retention_days=retention,
            code=sandbox_code(),
            subnet_ids=config.job_vpc.subnet_ids if config.job_vpc else (),
            security_group_ids=config.job_vpc.security_group_ids if config.job_vpc else (),
        )
        if not config.customizations:
            return
        base_models: dict[str, list[str]] = {}
        for c in config.customizations:
            models = base_models.setdefault(c.control_plane.value, [])
            if c.base_model not in models:
                models.append(c.base_model)
        # One pattern, not an ARN per customization: the template does not grow with them.
        graders = [lambda_arn(grader_function_name(team, "*"), self.account, self.region, self.partition)]
        self.workflow_functions = WorkflowFunctions(
            self,
            "WorkflowFunctions",
            team=team,
            key=key,
            log_retention_days=retention,
            code=workflow_code(),
            datasets_bucket=datasets_bucket,
            artifacts_bucket=artifacts_bucket,
            registry=registry,
            topic=self.topic,
            grader_function_arns=graders,
            base_models=base_models,
            model_parameter_arn_pattern=self.format_arn(
                service="ssm", resource="parameter", resource_name=f"rft/{team}/*/model"
            ),
            training_metrics_namespace=training_namespace(team),
            customizations=config.customizations,
        )
        # The report page at the end of every run: its own function and asset (plotly).
        self.run_report = RunReportFunction(
            self,
            "RunReport",
            team=team,
            code=run_report_code(),
            key=key,
            log_retention_days=retention,
            artifacts_bucket=artifacts_bucket,
            registry=registry,
        )
        # Aborted / timed-out executions run no failure path: cancel their jobs (issue 11, item 7).
        self.abandoned_runs = AbandonedRunCleanup(
            self,
            "AbandonedRuns",
            team=team,
            code=workflow_code(),
            key=key,
            log_retention_days=retention,
            registry_table_arn=registry.table_arn,
            registry_table_name=registry.table_name,
            planes={c.control_plane.value for c in config.customizations},
            deployments=deploys_for_evaluation(config.customizations),
            report_function_name=workflow_function_name(team, RUN_REPORT_STEP),
            # rft-<team>- : every state machine of the team, present and future
            state_machine_arn_prefix=state_machine_arn(team, "", self.account, self.region, self.partition),
        )
        self._observability(config, registry, key)

    def _observability(self, config: TeamConfig, registry: dynamodb.ITable, key: kms.IKey) -> None:
        """The team dashboard, native job events and the consumer policy."""
        team = config.team
        native = [c.name for c in config.customizations if c.control_plane is ControlPlane.NATIVE]
        # A fixed-size overview: each customization's own dashboard lives in its stack.
        self.dashboard = TeamDashboard(
            self,
            "Dashboard",
            dashboard_name=dashboard_name(team),
            metrics=TeamMetrics(team=team, period=Duration.minutes(config.alarms.period_minutes)),
            customization_dashboards=customization_dashboard_name(team, "<customization>"),
            has_native=bool(native),
        ).dashboard
        if native:
            self.job_events = JobStateEvents(
                self,
                "JobStateEvents",
                customizations=native,
                function_name=f"rft-{team}-job-events",
                rule_name=team_rule_name(team, "job-events"),
                key=key,
                log_retention_days=config.data.log_retention_days,
                topic=self.topic,
                registry_table_arn=registry.table_arn,
                registry_table_name=registry.table_name,
                code=job_events_code(),
            )
        self.consumer_policy = ConsumerAccessPolicy(
            self,
            "ConsumerAccess",
            team=team,
            policy_name=consumer_policy_name(team),
            has_native=bool(native),
            key=key,
            has_mantle=any(c.control_plane is ControlPlane.MANTLE for c in config.customizations),
        ).policy
