"""IAM for AI judges: InvokeModel (used by Converse) on exactly the judge models of a spec."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import IConstruct

from rft_graders.judges.model_ids import bare_model_id

_GEO_PREFIXES = ("us-gov", "us", "eu", "apac", "jp", "au", "ca", "global")


def is_profile_id(model: str) -> bool:
    head, _, tail = model.partition(".")
    return head in _GEO_PREFIXES and "." in tail


def judge_invoke_statements(
    scope: IConstruct, models: set[str], *, sid: str = "CallDeclaredJudges", routed_sid: str = "JudgeThroughProfile"
) -> tuple[list[iam.PolicyStatement], list[str]]:
    """Statements for the judges, and the wildcard resources among them (for acknowledgment).

    Also used for any other Converse caller of known models (the reward-signal audit of Nova,
    the dataset pre-flight's judge probe), with its own statement ids.

    * a model id: that foundation model in this region;
    * a cross-region inference profile id (`us.…`, `global.…`): the profile in this region, and
      the underlying foundation model in whichever region the profile routes to, but only when
      called through that profile (`bedrock:InferenceProfileArn`);
    * an ARN: exactly that ARN.
    """
    stack = Stack.of(scope)
    direct: list[str] = []
    statements: list[iam.PolicyStatement] = []
    wildcards: list[str] = []
    for model in sorted(models):
        if model.startswith("arn:"):
            direct.append(model)
        elif is_profile_id(model):
            profile = stack.format_arn(service="bedrock", resource="inference-profile", resource_name=model)
            direct.append(profile)
            routed = f"arn:{stack.partition}:bedrock:*::foundation-model/{bare_model_id(model)}"
            wildcards.append(routed)
            statements.append(
                iam.PolicyStatement(
                    sid=f"{routed_sid}{len(statements)}",
                    actions=["bedrock:InvokeModel"],
                    resources=[routed],
                    conditions={"StringEquals": {"bedrock:InferenceProfileArn": profile}},
                )
            )
        else:
            direct.append(
                stack.format_arn(service="bedrock", account="", resource="foundation-model", resource_name=model)
            )
    if direct:
        statements.insert(0, iam.PolicyStatement(sid=sid, actions=["bedrock:InvokeModel"], resources=direct))
    return statements, wildcards
