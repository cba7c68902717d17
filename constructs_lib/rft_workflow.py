"""One customization's RFT workflow: a Standard state machine from dataset version to served model.

    LoadConfig -> ValidateDataset -> RewardSignalAudit -> EstimateCost -> [RequestApproval]
      -> Submit (mantle Lambda | native CreateModelCustomizationJob) -> Wait/JobStatus loop
      -> ListCheckpoints -> [Nova, opt-in: CreateEvaluationDeployment -> Wait/status loop]
      -> PlanEvaluation -> Map(EvaluateBatch) -> PromotionGate
      -> [RequestPromotionApproval] -> SmokeTest -> Promote -> [ReleaseEvaluationDeployment]
      -> WriteRunReport -> Notify
         (or [ReleaseEvaluationDeployment] -> WriteRunReportNotPromoted -> NotifyNotPromoted)
    any failure -> RecordFailure (cancels a running job, deletes the deployment, records why)
      -> WriteRunReportFailed -> Notify -> Fail   (the report is best effort: the notification
         links it when written)

Written in JSONPath without variables on purpose: the definition must run in moto's local
Step Functions engine, which has no JSONata or `Assign`. Customization settings are a literal
`config` object injected by the first state, so the shared workflow functions need no
per-customization environment.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from constructs_lib import nag
from constructs_lib.cfn import cfn_child
from constructs_lib.evaluation_gate import held_out_gate
from constructs_lib.iam_statements import use_key_through
from constructs_lib.run_report import STEP as REPORT_STEP
from rft.config.catalog import ControlPlane
from rft.config.team_config import Customization, JobVpc
from rft_contracts.naming import dataset_snapshot_key, runs_prefix
from rft_contracts.phases import FAILED_STATE_PATH, Phase
from rft_contracts.run_ids import job_name_prefix
from rft_contracts.runtime_config import CONFIG_STATE, WorkflowConfig

# Transient failures worth another attempt: a Lambda that timed out or died (Lambda.Unknown,
# Sandbox.Timedout) and the openai SDK's retryable errors once its own retries are spent. Every
# step is idempotent (submit adopts the job it already created), so retrying is safe.
TRANSIENT_ERRORS = [
    "Lambda.Unknown",
    "Sandbox.Timedout",
    "RateLimitError",
    "InternalServerError",
    "APIConnectionError",
    "APITimeoutError",
]
NATIVE_HYPERPARAMETERS = "HyperParameters"  # rftConfig member; keys are catalog names, capitalized


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def native_create_job_parameters(
    *, config: WorkflowConfig, with_validation: bool, vpc: JobVpc | None = None
) -> dict[str, Any]:
    """Parameters of the aws-sdk:bedrock:createModelCustomizationJob task (PascalCase, as the
    Step Functions SDK integration expects). Tests check them against botocore's model."""
    artifacts = f"s3://{config.artifacts_bucket}/{runs_prefix(config.customization)}"
    # The job trains from the run's immutable, content-addressed copies (SnapshotTrain/-Validation).
    snapshot = f"s3://{config.datasets_bucket}/{dataset_snapshot_key(config.customization, '{}')}"
    job_name = f"States.Format('{job_name_prefix(config.customization)}{{}}', $.run_id)"
    parameters: dict[str, Any] = {
        "JobName.$": job_name,
        "CustomModelName.$": job_name,
        "ClientRequestToken.$": "$.run_id",  # a retried task finds the job instead of paying twice
        "RoleArn": config.service_role_arn,
        "BaseModelIdentifier": config.base_model,
        "CustomizationType": "REINFORCEMENT_FINE_TUNING",
        "TrainingDataConfig": {"S3Uri.$": f"States.Format('{snapshot}', $.dataset.train.sha256)"},
        "OutputDataConfig": {"S3Uri.$": f"States.Format('{artifacts}{{}}/output/', $.run_id)"},
        "CustomizationConfig": {
            "RftConfig": {
                "GraderConfig": {"LambdaGrader": {"LambdaArn": config.grader_function_arn}},
                NATIVE_HYPERPARAMETERS: {_pascal(k): v for k, v in config.hyperparameters.items()},
            }
        },
        "CustomModelKmsKeyId": config.kms_key_arn,
    }
    if with_validation:
        parameters["ValidationDataConfig"] = {
            "Validators": [{"S3Uri.$": f"States.Format('{snapshot}', $.dataset.validation.sha256)"}]
        }
    if vpc is not None:
        parameters["VpcConfig"] = {"SubnetIds": list(vpc.subnet_ids), "SecurityGroupIds": list(vpc.security_group_ids)}
    return parameters


class RftWorkflow(Construct):
    """The state machine of one customization, its KMS-encrypted log group, and its role."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        state_machine_name: str,
        customization: Customization,
        config: WorkflowConfig,
        job_vpc: JobVpc | None = None,
        functions: dict[str, lambda_.IFunction],
        topic: sns.ITopic,
        key: kms.IKey,
        log_retention_days: int,
    ) -> None:
        super().__init__(scope, id_)
        self._config = config
        self._job_vpc = job_vpc
        self._functions = functions
        self._key = key
        settings = customization.workflow

        self._topic = topic
        notify_failure = self.notify(
            "NotifyFailure",
            f"RFT run failed: {customization.name}",
            outcome="failed",
            error=sfn.JsonPath.string_at("$.error.Error"),
            cause=sfn.JsonPath.string_at("$.error.Cause"),
        )
        notify_failure.next(sfn.Fail(self, "RunFailed", error_path="$.error.Error", cause_path="$.error.Cause"))
        report_failure = self.report_then("WriteRunReportFailed", notify_failure)
        record_failure = self._step("RecordFailure", "$.failure")
        record_failure.add_catch(report_failure, errors=["States.ALL"], result_path="$.failure_error")
        record_failure.next(report_failure)
        self._on_failure = record_failure
        self._phase_states: dict[str, sfn.Pass] = {}

        load = sfn.Pass(
            self,
            CONFIG_STATE,
            parameters={
                "run_id.$": "$$.Execution.Name",
                "input.$": "$.input",
                "config": config.model_dump(mode="json"),
                "poll_seconds": settings.poll_seconds,
            },
        )
        poll_override = (
            sfn.Choice(self, "PollOverride?")
            .when(
                sfn.Condition.is_present("$.input.poll_seconds"),
                sfn.Pass(self, "UsePollOverride", input_path="$.input.poll_seconds", result_path="$.poll_seconds"),
            )
            .afterwards(include_otherwise=True)
        )

        validate = self._step("ValidateDataset", "$.dataset", phase="ValidateDataset")
        if customization.audit.skip_reason:
            audit: sfn.IChainable = sfn.Pass(
                self,
                "RewardSignalAuditSkipped",
                result_path="$.audit",
                result=sfn.Result.from_object({"skipped": customization.audit.skip_reason}),
            )
        else:
            audit = self._step("AuditRewardSignal", "$.audit", phase="RewardSignalAudit")
        estimate = self._step("EstimateCost", "$.cost", phase="CostGuard")

        submit_chain, job_started = self._submit(customization)
        approval = self._approval(submit_chain, Duration.minutes(round(customization.cost_approval_timeout_hours * 60)))
        cost_gate = (
            sfn.Choice(self, "CostGate")
            .when(
                sfn.Condition.string_equals("$.cost.decision", "over_cap"),
                self._fail_with(
                    "OverBudget",
                    "States.Format('Estimated cost {} USD is above the hard cap of this team', $.cost.estimate_usd)",
                    phase="CostGuard",
                ),
            )
            .when(
                sfn.Condition.string_equals("$.cost.decision", "needs_approval"),
                approval,
            )
            .otherwise(submit_chain)
        )

        wait = sfn.Wait(self, "WaitForJob", time=sfn.WaitTime.seconds_path("$.poll_seconds"))
        status = self._step("JobStatus", "$.job", phase="TrainingJob")
        evaluate_chain = self._evaluation(customization)
        monitor = (
            sfn.Choice(self, "JobState")
            .when(
                sfn.Condition.string_equals("$.job.status", "succeeded"),
                evaluate_chain,
            )
            .when(
                sfn.Condition.or_(
                    sfn.Condition.string_equals("$.job.status", "failed"),
                    sfn.Condition.string_equals("$.job.status", "cancelled"),
                ),
                self._fail_with(
                    "JobFailed",
                    "States.Format('Job {} ended {}: {}', $.job.job_id, $.job.status, $.job.failure_message)",
                    phase="TrainingJob",
                ),
            )
            .when(
                sfn.Condition.boolean_equals("$.job.past_deadline", True),
                self._fail_with(
                    "JobDeadlineExceeded",
                    "States.Format('Job {} still running after "
                    f"{settings.max_job_hours:g} hours; cancelled', $.job.job_id)",
                    phase="TrainingJob",
                ),
            )
            .otherwise(wait)
        )
        job_started.next(wait)
        wait.next(status).next(monitor)

        definition = load.next(poll_override).next(validate).next(audit).next(estimate).next(cost_gate)

        self.log_group = logs.LogGroup(self, "Logs", encryption_key=key, removal_policy=RemovalPolicy.DESTROY)
        cfn_child(self.log_group, logs.CfnLogGroup).retention_in_days = log_retention_days
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=state_machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            timeout=Duration.minutes(round(settings.execution_timeout_hours * 60)),
            tracing_enabled=True,
            # ALL events without execution data: operators see every state transition and
            # every error name, but no state input or output, which would carry the approval
            # task token and error causes quoting model output. Failure details stay in the
            # execution history (access-controlled). ERROR alone would hide the transitions.
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        self._grant_native(customization)
        self.state_machine.add_to_role_policy(use_key_through(self, key, "sns", sid="PublishEncrypted"))
        self._acknowledge(customization)

    # -- building blocks ------------------------------------------------------------------

    def _step(self, step: str, result_path: str, *, phase: Phase | None = None) -> tasks.LambdaInvoke:
        """A workflow function's task; with a phase, any failure goes to the failure path."""
        task = tasks.LambdaInvoke(
            self,
            step,
            lambda_function=self._functions[step],
            payload_response_only=True,
            result_path=result_path,
            retry_on_service_exceptions=True,
        )
        task.add_retry(
            errors=TRANSIENT_ERRORS,
            interval=Duration.seconds(30),
            max_attempts=3,
            backoff_rate=2,
            jitter_strategy=sfn.JitterType.FULL,
        )
        if phase is not None:
            self._catch(task, phase)
        return task

    def _failed_in(self, phase: Phase) -> sfn.Pass:
        """Records the phase a run failed in (``$.failed_state``), then the failure path."""
        if phase not in self._phase_states:
            state = sfn.Pass(
                self, f"FailedIn{phase}", result_path=FAILED_STATE_PATH, result=sfn.Result.from_string(phase)
            )
            state.next(self._on_failure)
            self._phase_states[phase] = state
        return self._phase_states[phase]

    def _catch(self, task: sfn.TaskStateBase | sfn.Map, phase: Phase) -> None:
        task.add_catch(self._failed_in(phase), errors=["States.ALL"], result_path="$.error")

    def _fail_with(self, error: str, cause_expression: str, *, phase: Phase) -> sfn.Pass:
        """A Pass that records why the run failed, then the failure path."""
        state = sfn.Pass(
            self, f"{error}Error", result_path="$.error", parameters={"Error": error, "Cause.$": cause_expression}
        )
        state.next(self._failed_in(phase))
        return state

    def _approval(self, on_approved: sfn.IChainable, timeout: Duration) -> sfn.IChainable:
        """Wait for a human; past `timeout` the run fails (States.Timeout) before any job exists."""
        request = tasks.LambdaInvoke(
            self,
            "RequestApproval",
            lambda_function=self._functions["RequestApproval"],
            integration_pattern=sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
            payload=sfn.TaskInput.from_object(
                {
                    "task_token": sfn.JsonPath.task_token,
                    "run_id": sfn.JsonPath.string_at("$.run_id"),
                    "config": sfn.JsonPath.object_at("$.config"),
                    "cost": sfn.JsonPath.object_at("$.cost"),
                    "dataset": sfn.JsonPath.object_at("$.dataset"),
                }
            ),
            result_path="$.approval",
            task_timeout=sfn.Timeout.duration(timeout),
        )
        self._catch(request, "Approval")
        return request.next(
            sfn.Choice(self, "Approved?")
            .when(
                sfn.Condition.boolean_equals("$.approval.approved", True),
                on_approved,
            )
            .otherwise(
                self._fail_with(
                    "Rejected",
                    "States.Format('Rejected by {}: {}', $.approval.by, $.approval.reason)",
                    phase="Approval",
                )
            )
        )

    def _submit(self, customization: Customization) -> tuple[sfn.IChainable, sfn.INextable]:
        """The submit chain and its last state (which the monitor loop follows)."""
        if customization.control_plane is ControlPlane.MANTLE:
            submit = self._step("SubmitMantleJob", "$.job", phase="TrainingJob")
            # Another invocation of this step holds the run's submission claim (an overlapping
            # retry): come back later; the claim holder's job is then recorded and returned.
            submit.add_retry(
                errors=["SubmitInProgress"], interval=Duration.seconds(60), max_attempts=10, backoff_rate=1
            )
            return submit, submit
        config = self._config
        with_validation = customization.dataset.validation is not None

        def snapshot(name: str, part: str) -> tasks.CallAwsService:
            # Bedrock reads an S3 URI, not an object version: copy the exact versions the
            # validation step read to their content-addressed keys (immutable: the datasets
            # bucket denies deleting them), which the job trains from and the lineage names.
            task = tasks.CallAwsService(
                self,
                name,
                service="s3",
                action="copyObject",
                parameters={
                    "Bucket": config.datasets_bucket,
                    "Key.$": f"States.Format('{dataset_snapshot_key(config.customization, '{}')}', "
                    f"$.dataset.{part}.sha256)",
                    "CopySource.$": f"States.Format('{config.datasets_bucket}/{{}}?versionId={{}}', "
                    f"$.dataset.{part}.key, $.dataset.{part}.version_id)",
                },
                # copyObject is no IAM action: the copy needs PutObject on the target (here) and
                # GetObject(Version) on the source (ReadValidatedVersions below).
                iam_action="s3:PutObject",
                iam_resources=[self._snapshot_arn()],
                result_path=sfn.JsonPath.DISCARD,
            )
            self._catch(task, "TrainingJob")
            return task

        create = tasks.CallAwsService(
            self,
            "CreateNativeJob",
            service="bedrock",
            action="createModelCustomizationJob",
            parameters=native_create_job_parameters(config=config, with_validation=with_validation, vpc=self._job_vpc),
            iam_resources=self._native_job_arns(),
            result_selector={"job_arn.$": "$.JobArn"},
            result_path="$.submitted",
        )
        create.add_retry(
            errors=["Bedrock.ThrottlingException", "Bedrock.InternalServerException"],
            interval=Duration.seconds(10),
            max_attempts=4,
            backoff_rate=2,
        )
        self._catch(create, "TrainingJob")
        started = sfn.Pass(
            self,
            "NativeJobStarted",
            result_path="$.job",
            parameters={
                "job_id.$": "$.submitted.job_arn",
                "plane": "native",
                "status": "running",
                "started_at.$": "$$.State.EnteredTime",
                "past_deadline": False,
            },
        )
        chain: tasks.CallAwsService | sfn.Chain = snapshot("SnapshotTrain", "train")
        if with_validation:
            chain = chain.next(snapshot("SnapshotValidation", "validation"))
        chain.next(create).next(started)
        return chain, started

    def _evaluation(self, customization: Customization) -> sfn.IChainable:
        checkpoints = self._step("ListCheckpoints", "$.checkpoints", phase="ListCheckpoints")
        notify = self.notify(
            "NotifySuccess",
            f"RFT run promoted: {customization.name}",
            outcome="succeeded",
            # What the model parameter now names (a Nova model: its kept deployment or the model).
            model=sfn.JsonPath.string_at("$.promotion.model_id"),
            selection=sfn.JsonPath.object_at("$.selection"),
            **self.deployment_fields(customization),
        )
        self._catch(notify, "Notify")
        notify.next(sfn.Succeed(self, "RunSucceeded"))
        deploys = customization.evaluation.nova_deployment.enabled
        # The candidate answers first; only then does the parameter applications read move.
        report = self.report_then("WriteRunReport", notify)
        # The release is recorded in the registry before the report page is drawn from it.
        promoted = self._release_deployment("ReleaseDeploymentAfterPromotion", report) if deploys else report
        promote = (
            self._step("SmokeTest", "$.smoke", phase="SmokeTest")
            .next(self._step("Promote", "$.promotion", phase="Promote"))
            .next(promoted)
        )
        # The gate selects the candidate ($.selection) and decides whether it is promoted at all.
        gate = held_out_gate(
            self,
            customization,
            promote,
            before_not_promoted=(
                (lambda then: self._release_deployment("ReleaseDeploymentNotPromoted", then)) if deploys else None
            ),
        )
        if not deploys:
            return checkpoints.next(gate)
        return checkpoints.next(self._deploy_for_evaluation(gate))

    @staticmethod
    def deployment_fields(customization: Customization) -> dict[str, Any]:
        """What a run's end message says of its Nova evaluation deployment (deleted, kept, or
        the error its release hit): always set on both paths of a customization that deploys."""
        if not customization.evaluation.nova_deployment.enabled:
            return {}
        return {"deployment": sfn.JsonPath.object_at("$.deployment_release")}

    def _deploy_for_evaluation(self, evaluate: sfn.IChainable) -> sfn.IChainable:
        """Nova, opt-in: an on-demand deployment of the tuned model to evaluate through, polled
        until Active, Failed or past its deadline; then the evaluation, which plans nothing
        (and the gate rejects, with the deployment's reason) unless it is ready."""
        create = self._step("CreateEvaluationDeployment", "$.deployment", phase="EvaluateCheckpoints")
        status = self._step("EvaluationDeploymentStatus", "$.deployment", phase="EvaluateCheckpoints")
        for task in (create, status):
            task.add_retry(
                errors=["DeploymentThrottled"],
                interval=Duration.seconds(20),
                max_attempts=5,
                backoff_rate=2,
                jitter_strategy=sfn.JitterType.FULL,
            )
        wait = sfn.Wait(self, "WaitForDeployment", time=sfn.WaitTime.seconds_path("$.poll_seconds"))
        ready = (
            sfn.Choice(self, "DeploymentSettled?")
            .when(sfn.Condition.boolean_equals("$.deployment.done", True), evaluate)
            .otherwise(wait)
        )
        created = (
            sfn.Choice(self, "DeploymentCreated?")
            .when(sfn.Condition.string_equals("$.deployment.status", "Failed"), evaluate)
            .otherwise(wait)
        )
        wait.next(status).next(ready)
        return create.next(created)

    def _release_deployment(self, state_id: str, then: sfn.IChainable) -> tasks.LambdaInvoke:
        """Delete the run's evaluation deployment (or keep a promoted one, if the team keeps
        them). A release that fails after its retries does not change the run's outcome: the
        notification carries the error, the registry the deployment, and the abandoned-run
        cleanup is not involved (the run ends normally), so the message is what tells the team."""
        release = tasks.LambdaInvoke(
            self,
            state_id,
            lambda_function=self._functions["ReleaseEvaluationDeployment"],
            payload_response_only=True,
            result_path="$.deployment_release",
            retry_on_service_exceptions=True,
        )
        release.add_retry(
            errors=[*TRANSIENT_ERRORS, "DeploymentThrottled"],
            interval=Duration.seconds(20),
            max_attempts=4,
            backoff_rate=2,
            jitter_strategy=sfn.JitterType.FULL,
        )
        release.add_catch(then, errors=["States.ALL"], result_path="$.deployment_release")
        release.next(then)
        return release

    def _snapshot_arn(self) -> str:
        stack = Stack.of(self)
        return (
            f"arn:{stack.partition}:s3:::{self._config.datasets_bucket}/"
            f"{dataset_snapshot_key(self._config.customization, '*')}"
        )

    def _native_job_arns(self) -> list[str]:
        """What CreateModelCustomizationJob authorizes against: the declared base model, and the
        job and custom model it creates (their ARNs carry generated ids)."""
        stack = Stack.of(self)
        return [
            stack.format_arn(
                service="bedrock", account="", resource="foundation-model", resource_name=self._config.base_model
            ),
            stack.format_arn(service="bedrock", resource="custom-model", resource_name="*"),
            stack.format_arn(service="bedrock", resource="model-customization-job", resource_name="*"),
        ]

    def notify(self, state_id: str, subject: str, **fields: Any) -> tasks.SnsPublish:
        """A message to the team topic about this run: team, customization, run id and ``fields``."""
        return tasks.SnsPublish(
            self,
            state_id,
            topic=self._topic,
            subject=subject,
            message=sfn.TaskInput.from_object(
                {
                    "outcome": fields.pop("outcome"),
                    "team": self._config.team,
                    "customization": self._config.customization,
                    "run_id": sfn.JsonPath.string_at("$.run_id"),
                    **fields,
                    # Every notify follows report_then: the page's s3:// URI and console URL.
                    "run_report": sfn.JsonPath.object_at("$.run_report"),
                }
            ),
            result_path=sfn.JsonPath.DISCARD,
        )

    def report_then(self, state_id: str, notify: tasks.SnsPublish) -> sfn.Chain:
        """WriteRunReport, then ``notify``, best effort: any error of the report (after one
        retry of a transient one) goes on to ``notify`` with ``$.run_report`` saying no page was
        written; the run's outcome never depends on it. The link is an s3:// URI and an S3
        console URL, never a presigned URL (that would embed the function's credentials and
        outlive access reviews)."""
        task = tasks.LambdaInvoke(
            self,
            state_id,
            lambda_function=self._functions[REPORT_STEP],
            payload_response_only=True,
            result_path="$.run_report",
            retry_on_service_exceptions=True,
        )
        task.add_retry(errors=TRANSIENT_ERRORS, interval=Duration.seconds(10), max_attempts=1)
        missed = sfn.Pass(
            self,
            f"{state_id}Missed",
            result_path="$.run_report",
            result=sfn.Result.from_object(
                {"written": False, "note": "the report page could not be written; rft runs report RUN renders it"}
            ),
        )
        task.add_catch(missed, errors=["States.ALL"], result_path="$.run_report_error")
        missed.next(notify)
        return task.next(notify)

    # -- permissions ----------------------------------------------------------------------

    def _grant_native(self, customization: Customization) -> None:
        if customization.control_plane is not ControlPlane.NATIVE:
            return
        config = self._config
        # CustomizationStack creates a Bedrock service role for every native customization.
        assert config.service_role_arn is not None, "a native customization has a service role"
        stack = Stack.of(self)
        prefix = f"{config.customization}/"
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                sid="PassOwnServiceRole",
                actions=["iam:PassRole"],
                resources=[config.service_role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"}},
            )
        )
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                sid="ReadValidatedVersions",
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=[f"arn:{stack.partition}:s3:::{config.datasets_bucket}/{prefix}*"],
            )
        )
        self.state_machine.add_to_role_policy(use_key_through(self, self._key, "s3", sid="CopyEncrypted"))
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(
                sid="EncryptTunedModel",
                actions=["kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKey", "kms:Decrypt"],
                resources=[self._key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"bedrock.{stack.region}.amazonaws.com"}},
            )
        )

    def _acknowledge(self, customization: Customization) -> None:
        policy = self.state_machine.role.node.find_child("DefaultPolicy")
        # CDK's Role keeps its grants in an iam.Policy child named DefaultPolicy.
        assert isinstance(policy, iam.Policy), "the state machine role has a DefaultPolicy"
        if customization.control_plane is ControlPlane.NATIVE:
            stack = Stack.of(self)
            reads = f"arn:{stack.partition}:s3:::{self._config.datasets_bucket}/{self._config.customization}/*"
            for arn, reason in (
                (reads, "Reads the validated dataset versions of this customization's prefix only."),
                (
                    self._snapshot_arn(),
                    "Writes the run's content-addressed dataset copies under this "
                    "customization's by-sha256/ folder; names are content hashes.",
                ),
                (
                    self._native_job_arns()[1],
                    "The custom model a job creates gets a generated id; limited to this account and region.",
                ),
                (
                    self._native_job_arns()[2],
                    "The customization job gets a generated id; limited to this account and region.",
                ),
            ):
                nag.acknowledge(policy, nag.wildcard_resource_finding(self, arn), reason)
        resource = cfn_child(policy, iam.CfnPolicy)
        for rule in ("NIST.800.53.R5-IAMNoInlinePolicy", "HIPAA.Security-IAMNoInlinePolicy"):
            nag.acknowledge(
                resource,
                rule,
                "CDK generates the state machine role's grants (invoke the team's workflow "
                "functions, publish to the team topic, log delivery) as this role-only policy; "
                "every statement names its resources.",
            )
        nag.acknowledge(
            policy,
            "AwsSolutions-IAM5[Resource::*]",
            "CloudWatch Logs vended-log delivery and X-Ray actions of Step Functions support no "
            "resource-level permissions; CDK adds them for logging ALL and tracing.",
        )
        # LambdaInvoke grants each invoked function's ARN and its ':*' (versions and aliases).
        document = Stack.of(self).resolve(policy.document.to_json())
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if actions != ["lambda:InvokeFunction"]:
                continue
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for arn in resources:
                rendered = nag.render_resource(arn)
                if rendered.endswith(":*"):
                    nag.acknowledge(
                        policy,
                        f"AwsSolutions-IAM5[Resource::{rendered}]",
                        "The ':*' covers versions and aliases of one named workflow function, "
                        "which Step Functions may invoke by qualified ARN.",
                    )
