"""The stateless half of a team's platform: one set of resources per declared customization."""

from __future__ import annotations

from aws_cdk import Stack, Tags
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib.customization import CustomizationResources
from rft.config.models import Customization


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
        **kwargs,
    ) -> None:
        super().__init__(scope, id_, **kwargs)
        Tags.of(self).add("rft:team", team)
        # By name, not by object: policies then carry literal ARNs instead of cross-stack tokens.
        datasets_bucket = s3.Bucket.from_bucket_name(self, "DatasetsBucket", datasets_bucket_name)
        artifacts_bucket = s3.Bucket.from_bucket_name(self, "ArtifactsBucket", artifacts_bucket_name)
        self.customizations = {
            c.name: CustomizationResources(
                self, f"Customization-{c.name}", team=team, customization=c,
                datasets_bucket=datasets_bucket, artifacts_bucket=artifacts_bucket, key=key,
            )
            for c in customizations
        }
