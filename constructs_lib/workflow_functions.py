"""The Lambda functions the team's RFT workflows call, one per step, each with its own role.

They are shared by every state machine of the team: per-customization copies would cost about
50 CloudFormation resources per customization and hit the 500-per-stack limit at a handful of
customizations. The team is the trust boundary: each role reaches the team's prefixes, table,
parameters and graders, and only what its one step does with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from constructs_lib import nag
from constructs_lib.iam_statements import mantle_project_arn, use_key_through
from constructs_lib.judge_access import judge_invoke_statements
from constructs_lib.python_function import PythonFunction
from rft.config.catalog import ControlPlane, base_model
from rft.config.team_config import Customization
from rft_contracts.metrics import WORKFLOW_SERVICE
from rft_contracts.naming import DATASET_SNAPSHOT_DIR, workflow_function_name
from rft_graders.spec_walk import judge_models


@dataclass(frozen=True)
class _Step:
    handler: str
    timeout: Duration
    memory_mb: int = 512


# Construct id -> handler in lambda/workflow/handlers.py
STEPS: dict[str, _Step] = {
    "ValidateDataset": _Step("handlers.validate_dataset", Duration.minutes(10), 2048),
    "AuditRewardSignal": _Step("handlers.audit_reward_signal", Duration.minutes(15), 1024),
    "EstimateCost": _Step("handlers.estimate_cost", Duration.seconds(30)),
    "RequestApproval": _Step("handlers.request_approval", Duration.seconds(30)),
    "SubmitMantleJob": _Step("handlers.submit_mantle_job", Duration.minutes(10), 1024),
    "JobStatus": _Step("handlers.job_status", Duration.minutes(2)),
    "ListCheckpoints": _Step("handlers.list_checkpoints", Duration.minutes(1)),
    # Held-out evaluation and the promotion gate (constructs_lib.evaluation_gate). One
    # EvaluateBatch call is one candidate x evaluation.batch_size prompts.
    "PlanEvaluation": _Step("handlers.plan_evaluation", Duration.minutes(2), 1024),
    "EvaluateBatch": _Step("handlers.evaluate_batch", Duration.minutes(15), 1024),
    "PromotionGate": _Step("handlers.promotion_gate", Duration.minutes(5), 1024),
    "RequestPromotionApproval": _Step("handlers.request_promotion_approval", Duration.seconds(30)),
    "CheckPromotionApproval": _Step("handlers.check_promotion_approval", Duration.seconds(30)),
    "Promote": _Step("handlers.promote", Duration.minutes(1)),
    "SmokeTest": _Step("handlers.smoke_test", Duration.minutes(2)),
    "RecordFailure": _Step("handlers.record_failure", Duration.minutes(2)),
}
# The Nova evaluation deployment (rft_workflow.deployment): only for a team with a customization
# that opts in (evaluation.nova_deployment.enabled).
DEPLOYMENT_STEPS: dict[str, _Step] = {
    "CreateEvaluationDeployment": _Step("handlers.create_evaluation_deployment", Duration.minutes(1)),
    "EvaluationDeploymentStatus": _Step("handlers.evaluation_deployment_status", Duration.minutes(1)),
    "ReleaseEvaluationDeployment": _Step("handlers.release_evaluation_deployment", Duration.minutes(1)),
}


def deploys_for_evaluation(customizations: Sequence[Customization]) -> bool:
    return any(c.evaluation.nova_deployment.enabled for c in customizations)


class WorkflowFunctions(Construct):
    """One function per workflow step; `functions[step]` for the state machines."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        team: str,
        code: lambda_.Code,
        key: kms.IKey,
        log_retention_days: int,
        datasets_bucket: s3.IBucket,
        artifacts_bucket: s3.IBucket,
        registry: dynamodb.ITable,
        topic: sns.ITopic,
        grader_function_arns: list[str],
        base_models: dict[str, list[str]],
        model_parameter_arn_pattern: str,
        training_metrics_namespace: str,
        customizations: tuple[Customization, ...] = (),
    ) -> None:
        super().__init__(scope, id_)
        self._scope_stack = Stack.of(self)
        self.functions: dict[str, lambda_.IFunction] = {}
        self._policies: dict[str, iam.ManagedPolicy] = {}
        deploys = deploys_for_evaluation(customizations)
        for step, spec in {**STEPS, **(DEPLOYMENT_STEPS if deploys else {})}.items():
            runtime = PythonFunction(
                self,
                step,
                description=f"RFT workflow of team {team}: {step}",
                function_name=workflow_function_name(team, step),
                code=code,
                handler=spec.handler,
                key=key,
                log_retention_days=log_retention_days,
                timeout=spec.timeout,
                memory_mb=spec.memory_mb,
                environment={
                    "POWERTOOLS_SERVICE_NAME": WORKFLOW_SERVICE,
                    "POWERTOOLS_METRICS_NAMESPACE": training_metrics_namespace,
                },
            )
            self.functions[step] = runtime.function
            self._policies[step] = runtime.policy

        datasets = datasets_bucket.arn_for_objects("*")
        artifacts = artifacts_bucket.arn_for_objects("*")
        read_datasets = iam.PolicyStatement(
            sid="ReadTeamDatasets", actions=["s3:GetObject", "s3:GetObjectVersion"], resources=[datasets]
        )
        write_reports = iam.PolicyStatement(sid="WriteRunReports", actions=["s3:PutObject"], resources=[artifacts])
        s3_key = use_key_through(self, key, "s3", sid="UseTeamKeyThroughS3")
        table_key = use_key_through(self, key, "dynamodb", sid="UseTeamKeyThroughDynamoDB")
        # Graders by name pattern and team tag, not one ARN each: the platform template then
        # stays the same size however many customizations the team has.
        invoke_graders = (
            iam.PolicyStatement(
                sid="InvokeTeamGraders",
                actions=["lambda:InvokeFunction"],
                resources=grader_function_arns,
                conditions={"StringEquals": {"aws:ResourceTag/rft:team": team}},
            )
            if grader_function_arns
            else None
        )
        project = mantle_project_arn(self)
        bearer = iam.PolicyStatement(
            sid="MintBearerTokens", actions=["bedrock-mantle:CallWithBearerToken"], resources=["*"]
        )
        mantle_models = base_models.get("mantle", [])
        native_models = base_models.get("native", [])
        # What each plane's audit invokes: the runtime config's audit.model_id (the team's, else
        # the catalog's invocation id: Nova 2 through its `us.` inference profile).
        audit_models = {
            plane: sorted(
                {
                    c.audit.model_id or base_model(c.base_model).invocation_id
                    for c in customizations
                    if c.control_plane is plane
                }
            )
            for plane in ControlPlane
        }
        audit_mantle_models = sorted(set(mantle_models) | set(audit_models[ControlPlane.MANTLE]))
        # The dataset pre-flight grades a sample of rows through each customization's judges.
        judges = set().union(*(judge_models(c.grader) for c in customizations))
        extra_wildcards: dict[str, str] = {}

        def registry_actions(*actions: str) -> iam.PolicyStatement:
            return iam.PolicyStatement(
                sid="UseRunRegistry", actions=[f"dynamodb:{a}" for a in actions], resources=[registry.table_arn]
            )

        validate = [read_datasets, write_reports, s3_key]
        if judges:
            validate += self._invoke_through_profiles(
                judges,
                "ProbeReferencesThroughJudges",
                "ProbeJudgeThroughProfile",
                "The pre-flight's judge probe calls each judge",
                extra_wildcards,
            )
        self._grant("ValidateDataset", *validate)
        audit = [read_datasets, write_reports, s3_key]
        if invoke_graders:
            audit.append(invoke_graders)
        if audit_mantle_models:
            audit += [
                bearer,
                iam.PolicyStatement(
                    sid="SampleMantleBaseModels",
                    actions=["bedrock-mantle:CreateInference"],
                    resources=[project],
                    conditions={"StringEquals": {"bedrock-mantle:Model": audit_mantle_models}},
                ),
            ]
        if audit_models[ControlPlane.NATIVE]:
            audit += self._invoke_through_profiles(
                set(audit_models[ControlPlane.NATIVE]),
                "SampleNativeBaseModels",
                "SampleNativeThroughProfile",
                "The audit samples the Nova base model",
                extra_wildcards,
            )
        self._grant("AuditRewardSignal", *audit)
        self._grant(
            "RequestApproval",
            registry_actions("GetItem", "PutItem", "UpdateItem"),
            table_key,
            iam.PolicyStatement(sid="NotifyTeam", actions=["sns:Publish"], resources=[topic.topic_arn]),
            use_key_through(self, key, "sns", sid="UseTeamKeyThroughSNS"),
        )
        if mantle_models:
            # The run's immutable, content-addressed dataset copies (rft_workflow/snapshots.py).
            keep_snapshots = iam.PolicyStatement(
                sid="KeepDatasetSnapshots",
                actions=["s3:PutObject"],
                resources=[datasets_bucket.arn_for_objects(f"*/{DATASET_SNAPSHOT_DIR}/*")],
            )
            submit = [
                read_datasets,
                keep_snapshots,
                s3_key,
                bearer,
                registry_actions("GetItem", "PutItem", "UpdateItem"),
                table_key,
                iam.PolicyStatement(
                    sid="UploadTrainingFiles",
                    actions=["bedrock-mantle:CreateFile", "bedrock-mantle:GetFile"],
                    resources=[project],
                ),
                iam.PolicyStatement(
                    sid="CreateJobsOnTeamModels",
                    actions=["bedrock-mantle:CreateFineTuningJob"],
                    resources=[project],
                    conditions={"StringEquals": {"bedrock-mantle:Model": mantle_models}},
                ),
                iam.PolicyStatement(
                    sid="FindExistingJobs",
                    actions=["bedrock-mantle:ListFineTuningJobs", "bedrock-mantle:GetFineTuningJob"],
                    resources=[project],
                ),
            ]
            if invoke_graders:
                # The caller of a mantle job with a Lambda grader must itself be allowed to invoke it.
                submit.append(invoke_graders)
            self._grant("SubmitMantleJob", *submit)
        status = [
            iam.PolicyStatement(
                sid="PublishTrainingMetrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={"StringEquals": {"cloudwatch:namespace": training_metrics_namespace}},
            )
        ]
        # Each plane's statements only when the team has a customization on it: a Nova-only
        # team's roles carry no bedrock-mantle right, an open-weight-only team's no native one.
        # ListFineTuningJobs as a hedge: the authorization reference names no action for job
        # events or checkpoints (bedrock-rft.md, corrections 3; docs/aws-contracts.md).
        read_jobs: list[iam.PolicyStatement] = []
        if mantle_models:
            read_jobs += [
                bearer,
                iam.PolicyStatement(
                    sid="ReadMantleJobs",
                    actions=["bedrock-mantle:GetFineTuningJob", "bedrock-mantle:ListFineTuningJobs"],
                    resources=[project],
                ),
            ]
        if native_models:
            read_jobs.append(self._native_jobs_statement("ReadNativeJobs", "bedrock:GetModelCustomizationJob"))
        self._grant("JobStatus", *status, *read_jobs)
        self._grant("ListCheckpoints", *read_jobs)
        infer = iam.PolicyStatement(
            sid="InferOnTunedModels", actions=["bedrock-mantle:CreateInference"], resources=[project]
        )
        evaluate = [read_datasets, s3_key]
        if mantle_models:
            evaluate += [bearer, infer]
        if invoke_graders:
            evaluate.append(invoke_graders)
        nova_smoke: list[iam.PolicyStatement] = []
        delete_deployments: list[iam.PolicyStatement] = []
        if deploys:
            # The held-out evaluation answers through the run's deployment (Converse =
            # bedrock:InvokeModel) and the Nova base model through its inference profile.
            deployments = self._scope_stack.format_arn(
                service="bedrock", resource="custom-model-deployment", resource_name="*"
            )
            invoke_deployments = iam.PolicyStatement(
                sid="InvokeEvaluationDeployments", actions=["bedrock:InvokeModel"], resources=[deployments]
            )
            # A Nova custom model is encrypted with the team key: invoking or deploying it
            # uses the key through Bedrock only (bedrock-rft.md, corrections 8).
            tuned_key = iam.PolicyStatement(
                sid="UseTunedModelKeyThroughBedrock",
                actions=["kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKey"],
                resources=[key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"bedrock.{self._scope_stack.region}.amazonaws.com"}},
            )
            base_invoke = self._invoke_through_profiles(
                set(audit_models[ControlPlane.NATIVE]),
                "EvaluateNativeBaseModels",
                "EvaluateNativeThroughProfile",
                "The evaluation answers with the Nova base model",
                extra_wildcards,
            )
            evaluate += [invoke_deployments, tuned_key, *base_invoke]
            nova_smoke = [invoke_deployments, tuned_key]
            read_deployment = iam.PolicyStatement(
                sid="ReadEvaluationDeployments", actions=["bedrock:GetCustomModelDeployment"], resources=[deployments]
            )
            delete_deployments = [
                iam.PolicyStatement(
                    sid="DeleteEvaluationDeployments",
                    actions=["bedrock:DeleteCustomModelDeployment"],
                    resources=[deployments],
                )
            ]
            run_registry = registry_actions("GetItem", "PutItem", "UpdateItem")
            self._grant(
                "CreateEvaluationDeployment",
                iam.PolicyStatement(
                    sid="DeployTunedModels",
                    actions=["bedrock:CreateCustomModelDeployment"],
                    resources=[
                        self._scope_stack.format_arn(service="bedrock", resource="custom-model", resource_name="*"),
                        deployments,
                    ],
                ),
                read_deployment,
                tuned_key,
                run_registry,
                table_key,
            )
            self._grant("EvaluationDeploymentStatus", read_deployment, run_registry, table_key)
            self._grant("ReleaseEvaluationDeployment", *delete_deployments, run_registry, table_key)
        self._grant_evaluation(
            evaluate,
            read_datasets,
            s3_key,
            artifacts_bucket,
            model_parameter_arn_pattern,
            registry_actions("GetItem", "PutItem", "UpdateItem"),
            table_key,
            topic,
            use_key_through(self, key, "sns", sid="UseTeamKeyThroughSNS"),
        )
        self._grant(
            "Promote",
            iam.PolicyStatement(
                sid="RecordPromotedModel", actions=["ssm:PutParameter"], resources=[model_parameter_arn_pattern]
            ),
            registry_actions("GetItem", "PutItem", "UpdateItem"),
            table_key,
        )
        if mantle_models:
            self._grant("SmokeTest", bearer, infer)
        if nova_smoke:
            self._grant("SmokeTest", *nova_smoke)
        cancel: list[iam.PolicyStatement] = []
        if mantle_models:
            cancel += [
                bearer,
                iam.PolicyStatement(
                    sid="CancelMantleJobs",
                    actions=[
                        "bedrock-mantle:CancelFineTuningJob",
                        "bedrock-mantle:GetFineTuningJob",
                        "bedrock-mantle:ListFineTuningJobs",
                    ],
                    resources=[project],
                ),
            ]
        if native_models:
            cancel.append(
                self._native_jobs_statement(
                    "StopNativeJobs", "bedrock:StopModelCustomizationJob", "bedrock:GetModelCustomizationJob"
                )
            )
        self._grant(
            "RecordFailure",
            registry_actions("GetItem", "PutItem", "UpdateItem"),
            table_key,
            *cancel,
            *delete_deployments,
        )
        self._acknowledge_wildcards(
            datasets,
            artifacts,
            project,
            model_parameter_arn_pattern,
            datasets_bucket.arn_for_objects(f"*/{DATASET_SNAPSHOT_DIR}/*"),
            extra_wildcards,
            [arn for arn in grader_function_arns if "*" in arn],
        )

    def _grant_evaluation(
        self,
        evaluate: list[iam.PolicyStatement],
        read_datasets: iam.PolicyStatement,
        s3_key: iam.PolicyStatement,
        artifacts_bucket: s3.IBucket,
        parameters: str,
        registry: iam.PolicyStatement,
        table_key: iam.PolicyStatement,
        topic: sns.ITopic,
        sns_key: iam.PolicyStatement,
    ) -> None:
        """The held-out evaluation reads and writes its per-item results in the artifacts bucket
        (ListBucket so a result not yet written reads as 404, not 403: that is how an item
        knows it has work to do)."""
        artifacts = artifacts_bucket.arn_for_objects("*")
        results = iam.PolicyStatement(
            sid="ReadWriteEvaluationResults", actions=["s3:GetObject", "s3:PutObject"], resources=[artifacts]
        )
        listing = iam.PolicyStatement(
            sid="ListEvaluationResults", actions=["s3:ListBucket"], resources=[artifacts_bucket.bucket_arn]
        )
        self._grant(
            "PlanEvaluation",
            read_datasets,
            s3_key,
            results,
            iam.PolicyStatement(sid="ReadPromotedModel", actions=["ssm:GetParameter"], resources=[parameters]),
        )
        self._grant("EvaluateBatch", *[s for s in evaluate if s is not read_datasets], results, listing)
        self._grant("PromotionGate", results, listing, s3_key, registry, table_key)
        self._grant(
            "RequestPromotionApproval",
            registry,
            table_key,
            sns_key,
            iam.PolicyStatement(sid="NotifyTeam", actions=["sns:Publish"], resources=[topic.topic_arn]),
        )
        self._grant("CheckPromotionApproval", registry, table_key)

    def _invoke_through_profiles(
        self, models: set[str], sid: str, routed_sid: str, who: str, wildcards: dict[str, str]
    ) -> list[iam.PolicyStatement]:
        """InvokeModel on ``models`` (inference profiles and the models they route to, only
        through the profile); the routed models' wildcard ARNs get their reason in ``wildcards``."""
        statements, routed = judge_invoke_statements(self, models, sid=sid, routed_sid=routed_sid)
        reason = (
            f"{who} through its cross-region inference profile, which routes to the model in one of "
            "its regions; allowed only through that profile (bedrock:InferenceProfileArn condition)."
        )
        for arn in routed:
            key = nag.render_resource(self._scope_stack.resolve(arn))
            # One reason per wildcard for every policy it is in: name every step that uses it.
            wildcards[key] = (
                f"{wildcards[key]} {reason}" if key in wildcards and reason not in wildcards[key] else reason
            )
        return statements

    def _native_jobs_statement(self, sid: str, *actions: str) -> iam.PolicyStatement:
        return iam.PolicyStatement(
            sid=sid,
            actions=list(actions),
            resources=[
                self._scope_stack.format_arn(service="bedrock", resource="model-customization-job", resource_name="*")
            ],
        )

    def _grant(self, step: str, *statements: iam.PolicyStatement) -> None:
        self._policies[step].add_statements(*statements)

    def _acknowledge_wildcards(
        self,
        datasets: str,
        artifacts: str,
        project: str,
        parameters: str,
        snapshots: str,
        extra: dict[str, str],
        graders: Sequence[str] = (),
    ) -> None:
        reasons = {
            datasets: "Workflow steps are shared by the team's customizations, so they read any "
            "object of the team's datasets bucket (never another bucket).",
            artifacts: "Workflow steps write run reports under each customization's prefix of the "
            "team's artifacts bucket; the object names are created per run.",
            project: "bedrock-mantle authorizes fine-tuning and inference against the project the "
            "call runs in; fine-tuned model ids only exist after training, so the model "
            "condition applies where the model is known (base models).",
            parameters: "Promotion writes the 'model' parameter of whichever team customization the "
            "run belongs to, under the team's /rft/<team>/ path.",
            snapshots: "Submission writes each run's content-addressed dataset copy under the "
            "by-sha256/ folder of whichever team customization the run belongs to.",
            "*": "bedrock-mantle:CallWithBearerToken and cloudwatch:PutMetricData support no "
            "resource-level permissions; PutMetricData is limited to the team's training "
            "namespace by condition.",
            "native-jobs": "Bedrock customization job ARNs carry a generated id; the statement is "
            "limited to jobs of this account and region.",
            "deployments": "A Nova run's evaluation deployment gets a generated id when it is "
            "created; limited to deployments of this account and region.",
            "custom-models": "The custom model a Nova job creates gets a generated id; deploying "
            "it for evaluation is limited to custom models of this account and region.",
        }
        native_jobs = self._scope_stack.format_arn(
            service="bedrock", resource="model-customization-job", resource_name="*"
        )
        by_rendered = {
            nag.render_resource(self._scope_stack.resolve(arn)): reason
            for arn, reason in (
                (datasets, reasons[datasets]),
                (artifacts, reasons[artifacts]),
                (project, reasons[project]),
                (parameters, reasons[parameters]),
                (native_jobs, reasons["native-jobs"]),
                (
                    self._scope_stack.format_arn(
                        service="bedrock", resource="custom-model-deployment", resource_name="*"
                    ),
                    reasons["deployments"],
                ),
                (
                    self._scope_stack.format_arn(service="bedrock", resource="custom-model", resource_name="*"),
                    reasons["custom-models"],
                ),
                ("*", reasons["*"]),
                (snapshots, reasons[snapshots]),
                *(
                    (
                        g,
                        "Workflow steps invoke the grader of whichever team "
                        "customization a run belongs to: functions named "
                        "rft-<team>-*-grader that also carry the team's rft:team tag "
                        "(a hyphenated team's graders match the name, not the tag).",
                    )
                    for g in graders
                ),
            )
        } | extra
        for policy in self._policies.values():
            document = self._scope_stack.resolve(policy.document.to_json())
            wildcards = {
                nag.render_resource(r)
                for s in document.get("Statement", [])
                for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
                if "*" in nag.render_resource(r)
            }
            for rendered in sorted(wildcards):
                if rendered not in by_rendered:
                    raise ValueError(
                        f"{policy.node.path}: wildcard resource {rendered} has no "
                        "reviewed reason in WorkflowFunctions._acknowledge_wildcards"
                    )
                nag.acknowledge(policy, f"AwsSolutions-IAM5[Resource::{rendered}]", by_rendered[rendered])
