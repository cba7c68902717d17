"""The stateless half of a team's platform: one set of resources per declared customization."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Stack, Tags
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib.code_sandbox import CodeSandbox
from constructs_lib.customization import CustomizationResources
from constructs_lib.grader_function import GraderFunction
from constructs_lib.python_bundling import python_code
from rft.config.models import Customization

LAMBDA_DIR = Path(__file__).resolve().parents[1] / "lambda"
# Sdist-only pure-Python dependencies of the grader, built into wheels before bundling.
GRADER_SDIST_ONLY = ("langdetect==1.0.9",)


class PlatformStack(Stack):
    """Graders, workflows and dashboards plug in here, per customization.

    Each customization arrives as a typed, frozen model (keyword-only), never as context or
    environment read here: the same inputs always give the same template.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        team: str,
        customizations: tuple[Customization, ...],
        datasets_bucket_name: str,
        artifacts_bucket_name: str,
        key: kms.IKey,
        log_retention_days: int,
        **kwargs,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        Tags.of(self).add("rft:team", team)
        # By name, not by object: policies then carry literal ARNs instead of cross-stack tokens.
        datasets_bucket = s3.Bucket.from_bucket_name(self, "DatasetsBucket", datasets_bucket_name)
        artifacts_bucket = s3.Bucket.from_bucket_name(self, "ArtifactsBucket", artifacts_bucket_name)
        self.sandbox = CodeSandbox(
            self, "CodeSandbox", key=key, log_retention_days=log_retention_days,
            code=python_code(LAMBDA_DIR / "code_sandbox",
                             sources=(LAMBDA_DIR / "code_sandbox",),
                             requirements=LAMBDA_DIR / "code_sandbox" / "requirements.txt"),
        )
        # One asset for every grader: the spec differs per customization, the code does not.
        grader_code = python_code(
            LAMBDA_DIR / "grader", sources=(LAMBDA_DIR / "grader",),
            requirements=LAMBDA_DIR / "grader" / "requirements.txt", sdist_only=GRADER_SDIST_ONLY,
        )
        self.customizations: dict[str, CustomizationResources] = {}
        self.graders: dict[str, GraderFunction] = {}
        for c in customizations:
            resources = CustomizationResources(
                self, f"Customization-{c.name}", team=team, customization=c,
                datasets_bucket=datasets_bucket, artifacts_bucket=artifacts_bucket, key=key,
            )
            grader = GraderFunction(
                resources, "Grader", team=team, customization=c, code=grader_code, key=key,
                log_retention_days=log_retention_days, sandbox=self.sandbox.function,
            )
            if resources.service_role:
                resources.service_role.grant_invoke_grader(grader.function.function_arn)
            self.customizations[c.name] = resources
            self.graders[c.name] = grader
