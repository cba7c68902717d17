"""One customization's own stack: its data records, grader, workflow and alarms.

A stack per customization keeps every stack far below CloudFormation's 500-resource limit (a
customization costs about 25 resources) and means adding, changing or removing one never moves
another's resources. Shared pieces (topic, sandbox, workflow functions) live in the platform
stack and are reached by their fixed names.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack, Tags
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from constructs_lib.customization import CustomizationResources
from constructs_lib.customization_alarms import CustomizationAlarms
from constructs_lib.customization_dashboard import CustomizationDashboard
from constructs_lib.grader_function import GraderFunction
from constructs_lib.lambda_assets import grader_code
from constructs_lib.metric_catalog import CustomizationMetrics
from constructs_lib.rft_workflow import RftWorkflow
from constructs_lib.run_report import STEP as REPORT_STEP
from constructs_lib.workflow_functions import DEPLOYMENT_STEPS, STEPS
from rft.config.runtime_config import build_runtime_config
from rft.config.team_config import Customization, TeamConfig
from rft_contracts.naming import (
    customization_dashboard_name,
    grader_function_name,
    lambda_arn,
    sandbox_function_name,
    state_machine_arn,
    state_machine_name,
    topic_arn,
    workflow_function_name,
)
from rft_graders.spec_walk import judge_models


class CustomizationStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        team: TeamConfig,
        customization: Customization,
        datasets_bucket_name: str,
        artifacts_bucket_name: str,
        registry_table_name: str,
        key: kms.IKey,
        **kwargs,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        c = customization
        Tags.of(self).add("rft:team", team.team)
        Tags.of(self).add("rft:customization", c.name)
        retention = team.data.log_retention_days
        datasets_bucket = s3.Bucket.from_bucket_name(self, "DatasetsBucket", datasets_bucket_name)
        artifacts_bucket = s3.Bucket.from_bucket_name(self, "ArtifactsBucket", artifacts_bucket_name)
        topic = sns.Topic.from_topic_arn(self, "Topic", topic_arn(team.team, self.account, self.region, self.partition))

        # Construct ids carry the customization name, so logical ids stay unique team-wide.
        self.resources = CustomizationResources(
            self,
            f"Customization-{c.name}",
            team=team.team,
            customization=c,
            datasets_bucket=datasets_bucket,
            artifacts_bucket=artifacts_bucket,
            key=key,
        )
        sandbox = sandbox_function_name(team.team)
        self.grader = GraderFunction(
            self.resources,
            "Grader",
            team=team.team,
            customization=c,
            function_name=grader_function_name(team.team, c.name),
            code=grader_code(),
            key=key,
            log_retention_days=retention,
            sandbox_function_name=sandbox,
            sandbox_function_arn=self._function_arn(sandbox),
        )
        if self.resources.service_role:
            self.resources.service_role.grant_invoke_grader(self.grader.function.function_arn)
            if team.job_vpc:
                self.resources.service_role.allow_job_vpc(team.job_vpc.subnet_ids, team.job_vpc.security_group_ids)

        functions = {
            step: lambda_.Function.from_function_arn(
                self, f"Step-{step}", self._function_arn(workflow_function_name(team.team, step))
            )
            for step in (*STEPS, REPORT_STEP, *(DEPLOYMENT_STEPS if c.evaluation.nova_deployment.enabled else ()))
        }
        self.workflow = RftWorkflow(
            self.resources,
            "Workflow",
            state_machine_name=state_machine_name(team.team, c.name),
            customization=c,
            config=build_runtime_config(
                team,
                c,
                account=self.account,
                region=self.region,
                partition=self.partition,
                grader_function_arn=self.grader.function.function_arn,
                service_role_arn=self.resources.service_role.role.role_arn if self.resources.service_role else None,
                kms_key_arn=key.key_arn,
                datasets_bucket=datasets_bucket_name,
                artifacts_bucket=artifacts_bucket_name,
                registry_table=registry_table_name,
            ),
            job_vpc=team.job_vpc,
            functions=functions,
            topic=topic,
            key=key,
            log_retention_days=retention,
        )
        metrics = CustomizationMetrics(
            team=team.team,
            customization=c.name,
            grader_function_name=self.grader.function.function_name,
            state_machine_arn=self.workflow.state_machine.state_machine_arn,
            period=Duration.minutes(team.alarms.period_minutes),
        )
        grader_timeout = Duration.minutes(c.grader_function.timeout_minutes)
        has_judge = bool(judge_models(c.grader))
        CustomizationAlarms(
            self.resources,
            "Alarms",
            metrics=metrics,
            settings=team.alarms,
            grader_timeout=grader_timeout,
            has_judge=has_judge,
            topic=topic,
        )
        # Here, not in the team dashboard: the platform stack then does not grow per customization.
        CustomizationDashboard(
            self.resources,
            "Dashboard",
            dashboard_name=customization_dashboard_name(team.team, c.name),
            metrics=CustomizationMetrics(
                team=team.team,
                customization=c.name,
                grader_function_name=grader_function_name(team.team, c.name),
                state_machine_arn=state_machine_arn(team.team, c.name, self.account, self.region, self.partition),
                period=metrics.period,
            ),
            grader_timeout=grader_timeout,
            has_judge=has_judge,
        )

    def _function_arn(self, name: str) -> str:
        return lambda_arn(name, self.account, self.region, self.partition)
