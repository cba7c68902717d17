"""A customization's reward function: the Lambda Bedrock calls with batches of samples."""

from __future__ import annotations

import json

from aws_cdk import Annotations, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from constructs_lib import nag
from constructs_lib.judge_access import judge_invoke_statements
from constructs_lib.python_function import PythonFunction
from rft.config.team_config import Customization
from rft_contracts.metrics import GRADER_SERVICE, grader_namespace
from rft_graders.judges import same_family
from rft_graders.spec_walk import forwarded_function_arns, judge_models, runs_code

# Lambda allows 4 KB for all environment variables together; keep headroom for the others.
MAX_SPEC_BYTES = 3000
# Reserved concurrency when the customization sets none (grader_function.reserved_concurrency):
# Bedrock's grader concurrency is undocumented; 50 concurrent batches leaves room for a
# batchSize x samples step while one runaway job cannot take the account's whole pool.
DEFAULT_GRADER_RESERVED_CONCURRENCY = 50


class GraderFunction(Construct):
    """The grader runtime with this customization's spec compiled into its configuration.

    Bedrock may invoke it (resource policy scoped to this account); it may invoke the team's code
    sandbox when its spec runs code, and nothing else beyond its own logs and traces.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        team: str,
        customization: Customization,
        function_name: str,
        code: lambda_.Code,
        key: kms.IKey,
        log_retention_days: int,
        sandbox_function_name: str,
        sandbox_function_arn: str,
    ) -> None:
        super().__init__(scope, id_)
        spec = json.dumps(customization.grader, separators=(",", ":"), sort_keys=True)
        if len(spec.encode()) > MAX_SPEC_BYTES:
            raise ValueError(
                f"customization {customization.name}: the grader spec is {len(spec.encode())} "
                f"bytes as JSON; at most {MAX_SPEC_BYTES} fit in the function's configuration"
            )
        settings = customization.grader_function
        self.runtime = PythonFunction(
            self,
            "Runtime",
            description=f"RFT grader of customization {customization.name}",
            function_name=function_name,
            code=code,
            handler="handler.lambda_handler",
            key=key,
            log_retention_days=log_retention_days,
            timeout=Duration.minutes(settings.timeout_minutes),
            memory_mb=settings.memory_mb,
            reserved_concurrency=settings.reserved_concurrency or DEFAULT_GRADER_RESERVED_CONCURRENCY,
            environment={
                "GRADER_SPEC": spec,
                "SANDBOX_FUNCTION_NAME": sandbox_function_name,
                "CUSTOMIZATION_NAME": customization.name,
                "POWERTOOLS_SERVICE_NAME": GRADER_SERVICE,
                "POWERTOOLS_METRICS_NAMESPACE": grader_namespace(team),
                "GRADER_DEBUG": "false",  # true logs prompts and responses: never in production
            },
        )
        self.function = self.runtime.function
        if runs_code(customization.grader):
            # Only graders that run model-written (or inline) code may reach the sandbox.
            self.runtime.policy.add_statements(
                iam.PolicyStatement(
                    sid="RunCodeInSandbox",
                    actions=["lambda:InvokeFunction"],
                    resources=[sandbox_function_arn],
                )
            )
        forwarded = sorted(forwarded_function_arns(customization.grader))
        if forwarded:
            # `lambda` graders forward samples to team functions named in the reviewed spec.
            self.runtime.policy.add_statements(
                iam.PolicyStatement(
                    sid="ForwardToDeclaredGraders",
                    actions=["lambda:InvokeFunction"],
                    resources=forwarded,
                )
            )
        self._grant_judges(customization)
        # Bedrock calls the grader on both control planes; only for customization jobs of this
        # account and region. AWS documents no resource policy for RFT graders (the documented
        # path is the caller's / service role's identity permission, bedrock-rft.md §5a, 5b), so
        # this statement is a hedge: SourceAccount plus the job ARN pattern the service role's
        # trust policy uses (`model-customization-job/*`). Which SourceArn the mantle plane sends,
        # if any, is unconfirmed [U]; if it differs, this statement simply never applies.
        stack = Stack.of(self)
        self.function.add_permission(
            "InvokedByBedrock",
            principal=iam.ServicePrincipal("bedrock.amazonaws.com"),
            action="lambda:InvokeFunction",
            source_account=stack.account,
            source_arn=stack.format_arn(service="bedrock", resource="model-customization-job", resource_name="*"),
        )

    def _grant_judges(self, customization: Customization) -> None:
        judges = judge_models(customization.grader)
        if not judges:
            return
        statements, wildcards = judge_invoke_statements(self, judges)
        self.runtime.policy.add_statements(*statements)
        for arn in wildcards:
            nag.acknowledge(
                self.runtime.policy,
                nag.wildcard_resource_finding(self, arn),
                "A cross-region inference profile routes each call to the judge model in one of "
                "its regions; the statement allows that model only through that profile "
                "(bedrock:InferenceProfileArn condition).",
            )
        for judge in sorted(judges):
            if same_family(judge, customization.base_model):
                Annotations.of(self).add_warning_v2(
                    "rft:judge-self-preference",
                    f"customization {customization.name}: judge {judge} is from the same model "
                    f"family as the base model {customization.base_model}; judges favour their "
                    "own family's answers (self-preference), so pick a judge of another family",
                )
