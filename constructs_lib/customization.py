"""Everything one declared customization owns in the platform stack."""

from __future__ import annotations

from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from constructs_lib.bedrock_service_role import BedrockServiceRole
from rft.config.catalog import ControlPlane
from rft.config.team_config import Customization
from rft_contracts.naming import parameter_path


class CustomizationResources(Construct):
    """A customization's data prefixes, its Bedrock role (native plane) and its SSM records.

    Graders, the workflow and the dashboard attach to this construct: it is the one place that
    knows where a customization's data lives.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        team: str,
        customization: Customization,
        datasets_bucket: s3.IBucket,
        artifacts_bucket: s3.IBucket,
        key: kms.IKey,
    ) -> None:
        super().__init__(scope, id_)
        self.customization = customization
        self.prefix = f"{customization.name}/"
        self.datasets_bucket = datasets_bucket
        self.artifacts_bucket = artifacts_bucket
        self.key = key

        self.service_role: BedrockServiceRole | None = None
        if customization.control_plane is ControlPlane.NATIVE:
            # The mantle (OpenAI-compatible) API takes no role: Bedrock reads the data we upload
            # through its Files API. Only native jobs get a service role.
            self.service_role = BedrockServiceRole(
                self,
                "BedrockServiceRole",
                customization=customization.name,
                datasets_bucket=datasets_bucket,
                artifacts_bucket=artifacts_bucket,
                key=key,
            )

        dataset = customization.dataset
        records = {
            "base-model": customization.base_model,
            "control-plane": customization.control_plane.value,
            "train-data-uri": self.dataset_uri(dataset.train),
            "validation-data-uri": self.dataset_uri(dataset.validation) if dataset.validation else "none",
            "artifacts-uri": f"s3://{artifacts_bucket.bucket_name}/{self.prefix}",
        }
        if self.service_role:
            records["service-role-arn"] = self.service_role.role.role_arn
        self.parameters = {
            name: ssm.StringParameter(
                self,
                f"Param-{name}",
                parameter_name=parameter_path(team, customization.name, name),
                string_value=value,
                description=f"RFT customization {customization.name}: {name}",
            )
            for name, value in records.items()
        }

    def dataset_uri(self, object_name: str) -> str:
        return f"s3://{self.datasets_bucket.bucket_name}/{self.prefix}{object_name}"
