"""The stateless half of a team's platform: graders, the code sandbox and one workflow per
customization, plus the functions and topic those workflows share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Duration, Stack, Tags
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib.code_sandbox import CodeSandbox
from constructs_lib.consumer_access import ConsumerAccessPolicy
from constructs_lib.customization_alarms import CustomizationAlarms
from constructs_lib.customization import CustomizationResources
from constructs_lib.grader_function import GraderFunction
from constructs_lib.job_events import JobStateEvents
from constructs_lib.metric_catalog import CustomizationMetrics
from constructs_lib.notification_topic import NotificationTopic
from constructs_lib.python_bundling import python_code
from constructs_lib.rft_workflow import RftWorkflow
from constructs_lib.team_dashboard import TeamDashboard
from constructs_lib.workflow_functions import WorkflowFunctions
from rft.config.catalog import ControlPlane
from rft.config.models import Customization, TeamConfig
from rft.naming import (
    consumer_policy_name,
    dashboard_name,
    notification_topic_name,
    parameter_path,
    state_machine_name,
)
from rft_graders.judges import judge_models
from rft_graders.spec import parse_grader_spec, spec_hash

LAMBDA_DIR = Path(__file__).resolve().parents[1] / "lambda"
# Sdist-only pure-Python dependencies of the grader, built into wheels before bundling.
GRADER_SDIST_ONLY = ("langdetect==1.0.9",)
GRADER_REQUIREMENTS = LAMBDA_DIR / "grader" / "requirements.txt"


def training_metrics_namespace(team: str) -> str:
    return f"RFT/{team}/Training"


class PlatformStack(Stack):
    """Everything per customization, and what the team's customizations share.

    The team config arrives as a typed, frozen model (keyword-only), never as context or
    environment read here: the same inputs always give the same template.
    """

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

        self.topic = NotificationTopic(self, "Notifications", topic_name=notification_topic_name(team),
                                       key=key, emails=config.notifications.emails).topic
        self.sandbox = CodeSandbox(
            self, "CodeSandbox", key=key, log_retention_days=retention,
            code=python_code(LAMBDA_DIR / "code_sandbox", sources=(LAMBDA_DIR / "code_sandbox",),
                             requirements=(LAMBDA_DIR / "code_sandbox" / "requirements.txt",)),
        )
        # One asset for every grader: the spec differs per customization, the code does not.
        grader_code = python_code(
            LAMBDA_DIR / "grader", sources=(LAMBDA_DIR / "grader",),
            requirements=(GRADER_REQUIREMENTS,), sdist_only=GRADER_SDIST_ONLY,
        )
        self.customizations: dict[str, CustomizationResources] = {}
        self.graders: dict[str, GraderFunction] = {}
        for c in config.customizations:
            resources = CustomizationResources(
                self, f"Customization-{c.name}", team=team, customization=c,
                datasets_bucket=datasets_bucket, artifacts_bucket=artifacts_bucket, key=key,
            )
            grader = GraderFunction(
                resources, "Grader", team=team, customization=c, code=grader_code, key=key,
                log_retention_days=retention, sandbox=self.sandbox.function,
            )
            if resources.service_role:
                resources.service_role.grant_invoke_grader(grader.function.function_arn)
            self.customizations[c.name] = resources
            self.graders[c.name] = grader

        if not config.customizations:
            return
        base_models: dict[str, list[str]] = {}
        for c in config.customizations:
            base_models.setdefault(c.control_plane.value, [])
            if c.base_model not in base_models[c.control_plane.value]:
                base_models[c.control_plane.value].append(c.base_model)
        self.workflow_functions = WorkflowFunctions(
            self, "WorkflowFunctions", team=team, key=key, log_retention_days=retention,
            code=python_code(
                LAMBDA_DIR / "workflow",
                sources=(LAMBDA_DIR / "workflow", LAMBDA_DIR / "grader" / "rft_graders",
                         LAMBDA_DIR / "grader" / "team_graders"),
                requirements=(LAMBDA_DIR / "workflow" / "requirements.txt", GRADER_REQUIREMENTS),
                sdist_only=GRADER_SDIST_ONLY,
            ),
            datasets_bucket=datasets_bucket, artifacts_bucket=artifacts_bucket, registry=registry,
            topic=self.topic,
            grader_function_arns=[g.function.function_arn for g in self.graders.values()],
            base_models=base_models,
            model_parameter_arn_pattern=self.format_arn(
                service="ssm", resource="parameter", resource_name=f"rft/{team}/*/model"),
            training_metrics_namespace=training_metrics_namespace(team),
        )
        self.workflows: dict[str, RftWorkflow] = {}
        for c in config.customizations:
            self.workflows[c.name] = RftWorkflow(
                self.customizations[c.name], "Workflow",
                state_machine_name=state_machine_name(team, c.name), customization=c,
                config=self._runtime_config(config, c, datasets_bucket_name, artifacts_bucket_name,
                                            registry_table_name, key),
                functions=self.workflow_functions.functions, topic=self.topic, key=key,
                log_retention_days=retention,
            )
        self._observability(config, registry, key)

    def _observability(self, config: TeamConfig, registry: dynamodb.ITable, key: kms.IKey) -> None:
        """Dashboard, alarms, native job events and the consumer policy of the team."""
        period = Duration.minutes(config.alarms.period_minutes)
        sections = []
        for c in config.customizations:
            metrics = CustomizationMetrics(
                team=config.team, customization=c.name,
                grader_function_name=self.graders[c.name].function.function_name,
                state_machine_arn=self.workflows[c.name].state_machine.state_machine_arn, period=period)
            timeout = Duration.minutes(c.grader_function.timeout_minutes)
            has_judge = bool(judge_models(c.grader))
            CustomizationAlarms(self.customizations[c.name], "Alarms", metrics=metrics,
                                settings=config.alarms, grader_timeout=timeout, has_judge=has_judge,
                                topic=self.topic)
            sections.append((metrics, timeout, has_judge))
        self.dashboard = TeamDashboard(self, "Dashboard", dashboard_name=dashboard_name(config.team),
                                       sections=sections).dashboard
        native = [c.name for c in config.customizations if c.control_plane is ControlPlane.NATIVE]
        if native:
            self.job_events = JobStateEvents(
                self, "JobStateEvents", customizations=native, key=key,
                log_retention_days=config.data.log_retention_days, topic=self.topic,
                registry_table_arn=registry.table_arn, registry_table_name=registry.table_name,
                code=python_code(LAMBDA_DIR / "job_events", sources=(LAMBDA_DIR / "job_events",),
                                 requirements=(LAMBDA_DIR / "job_events" / "requirements.txt",)),
            )
        self.consumer_policy = ConsumerAccessPolicy(
            self, "ConsumerAccess", team=config.team, policy_name=consumer_policy_name(config.team),
            has_native=bool(native)).policy

    def _runtime_config(self, team: TeamConfig, c: Customization, datasets_bucket: str,
                        artifacts_bucket: str, registry_table: str, key: kms.IKey) -> dict[str, Any]:
        """The `config` object the workflow functions read from the state (their contract)."""
        resources = self.customizations[c.name]
        price = team.pricing[c.base_model]
        return {
            "team": team.team, "customization": c.name, "base_model": c.base_model,
            "control_plane": c.control_plane.value, "region": self.region, "account": self.account,
            "hyperparameters": dict(c.hyperparameters),
            "grader_function_arn": self.graders[c.name].function.function_arn,
            "grader_spec": c.grader,
            "grader_spec_hash": spec_hash(parse_grader_spec(c.grader)),
            "datasets_bucket": datasets_bucket, "artifacts_bucket": artifacts_bucket,
            "service_role_arn": resources.service_role.role.role_arn if resources.service_role else None,
            "kms_key_arn": key.key_arn,
            "registry_table": registry_table,
            "model_parameter": parameter_path(team.team, c.name, "model"),
            "topic_arn": self.topic.topic_arn,
            "dataset_limits": {"min_rows": 100, "max_rows": 20000,
                               "max_prompt_tokens": int(c.hyperparameters.get("maxPromptLength", 8192))},
            "audit": c.audit.model_dump(),
            "budget": {"approval_above_usd": team.budget.approval_above_usd,
                       "max_usd": team.budget.max_usd_per_run},
            "pricing": price.model_dump(),
            "workflow": {"poll_seconds": c.workflow.poll_seconds, "max_job_hours": c.workflow.max_job_hours},
            "evaluation": c.evaluation.model_dump(),
            "selection": c.checkpoint_selection.model_dump(),
        }
