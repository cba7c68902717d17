"""What IAM checks for a recorded call, and which policies the synthesized role of a function has.

``checks_for_boto_call`` turns one botocore call into the authorization requests AWS makes
for it: the action (which is not always the operation's name: Converse is authorized as
``bedrock:InvokeModel``, a versioned GetObject as ``s3:GetObjectVersion``), the resource ARN
built from the call's parameters, the condition keys the request carries, and the KMS calls
the service makes with the caller's permissions when the resource is encrypted with the team
key (``kms:ViaService``). A call through a cross-region inference profile is authorized twice:
on the profile, and on the foundation model in the region the profile routes to, with
``bedrock:InferenceProfileArn`` set.

An operation not in the table raises, so a new kind of call fails the coverage test until
someone states what IAM checks for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.iam.policy_eval import Request
from tests.iam.recorder import CALLER_HEADER, BotoCall

_GEO_PREFIXES = ("us-gov", "us", "eu", "apac", "jp", "au", "ca", "global")
# A region other than the caller's, where a geography's profile may route a call.
ROUTED_REGION = {"us": "us-east-2", "global": "eu-west-1", "eu": "eu-central-1", "apac": "ap-southeast-2"}
_PREFIX_OF_SIGNING_NAME = {"monitoring": "cloudwatch"}
# Calls that need no IAM permission at all.
_UNAUTHORIZED_OPERATIONS = {("sts", "GetCallerIdentity")}


@dataclass(frozen=True)
class World:
    """The ARNs the checks need: where the team's encrypted resources are, and its key."""

    account: str
    region: str
    key_arn: str
    encrypted_buckets: frozenset[str]
    encrypted_tables: frozenset[str]
    encrypted_topics: frozenset[str]
    # function name -> its tags (as the template sets them): IAM sees them as aws:ResourceTag/*
    function_tags: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def _via(world: World, service: str, region: str, *actions: str) -> list[Request]:
    return [
        Request(f"kms:{a}", world.key_arn, {"kms:ViaService": f"{service}.{region}.amazonaws.com"}) for a in actions
    ]


def _model_checks(action: str, model_id: str, account: str, region: str) -> list[Request]:
    if model_id.startswith("arn:"):
        return [Request(action, model_id)]
    head, _, tail = model_id.partition(".")
    if head in _GEO_PREFIXES and "." in tail:
        profile = f"arn:aws:bedrock:{region}:{account}:inference-profile/{model_id}"
        routed = f"arn:aws:bedrock:{ROUTED_REGION.get(head, region)}::foundation-model/{tail}"
        return [Request(action, profile), Request(action, routed, {"bedrock:InferenceProfileArn": profile})]
    return [Request(action, f"arn:aws:bedrock:{region}::foundation-model/{model_id}")]


def checks_for_boto_call(call: BotoCall, world: World) -> list[Request]:
    p, op = call.params, call.operation
    region = call.region or world.region
    account = world.account
    prefix = _PREFIX_OF_SIGNING_NAME.get(call.signing_name, call.signing_name)
    if (call.service, op) in _UNAUTHORIZED_OPERATIONS:
        return []
    if call.service == "s3":
        bucket = p["Bucket"]
        if op in ("GetObject", "HeadObject"):
            action = "s3:GetObjectVersion" if p.get("VersionId") else "s3:GetObject"
            checks = [Request(action, f"arn:aws:s3:::{bucket}/{p['Key']}")]
            return checks + (_via(world, "s3", region, "Decrypt") if bucket in world.encrypted_buckets else [])
        if op == "PutObject":
            checks = [Request("s3:PutObject", f"arn:aws:s3:::{bucket}/{p['Key']}")]
            return checks + (_via(world, "s3", region, "GenerateDataKey") if bucket in world.encrypted_buckets else [])
        if op == "CopyObject":
            source = p["CopySource"]
            if isinstance(source, str):
                source_bucket, _, rest = source.lstrip("/").partition("/")
                source_key, _, version = rest.partition("?versionId=")
            else:
                source_bucket, source_key, version = source["Bucket"], source["Key"], source.get("VersionId")
            checks = [
                Request(
                    "s3:GetObjectVersion" if version else "s3:GetObject", f"arn:aws:s3:::{source_bucket}/{source_key}"
                ),
                Request("s3:PutObject", f"arn:aws:s3:::{bucket}/{p['Key']}"),
            ]
            if {bucket, source_bucket} & world.encrypted_buckets:
                checks += _via(world, "s3", region, "Decrypt", "GenerateDataKey")
            return checks
        if op in ("ListObjectsV2", "ListObjects"):
            context = {"s3:prefix": p["Prefix"]} if p.get("Prefix") else {}
            return [Request("s3:ListBucket", f"arn:aws:s3:::{bucket}", context)]
        if op == "ListObjectVersions":
            context = {"s3:prefix": p["Prefix"]} if p.get("Prefix") else {}
            return [Request("s3:ListBucketVersions", f"arn:aws:s3:::{bucket}", context)]
    if call.service == "dynamodb":
        table = p["TableName"]
        checks = [Request(f"dynamodb:{op}", f"arn:aws:dynamodb:{region}:{account}:table/{table}")]
        return checks + (_via(world, "dynamodb", region, "Decrypt") if table in world.encrypted_tables else [])
    if call.service == "lambda" and op == "Invoke":
        name = p["FunctionName"]
        arn = name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{name}"
        tags = world.function_tags.get(arn.split(":function:", 1)[-1].split(":")[0], {})
        return [Request("lambda:InvokeFunction", arn, {f"aws:ResourceTag/{k}": v for k, v in tags.items()})]
    if call.service == "sns" and op == "Publish":
        topic = p["TopicArn"]
        return [Request("sns:Publish", topic)] + (
            _via(world, "sns", region, "GenerateDataKey", "Decrypt") if topic in world.encrypted_topics else []
        )
    if call.service == "ssm" and op in ("PutParameter", "GetParameter", "GetParameters"):
        names = p.get("Names") or [p["Name"]]
        return [Request(f"ssm:{op}", f"arn:aws:ssm:{region}:{account}:parameter/{n.lstrip('/')}") for n in names]
    if call.service == "stepfunctions" and op == "DescribeStateMachine":
        return [Request("states:DescribeStateMachine", p["stateMachineArn"])]
    if call.service == "cloudwatch" and op == "PutMetricData":
        return [Request("cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": p["Namespace"]})]
    if call.service == "bedrock-runtime":
        action = {
            "Converse": "bedrock:InvokeModel",
            "InvokeModel": "bedrock:InvokeModel",
            "ConverseStream": "bedrock:InvokeModelWithResponseStream",
            "InvokeModelWithResponseStream": "bedrock:InvokeModelWithResponseStream",
        }[op]
        checks = _model_checks(action, p["modelId"], account, region)
        if ":custom-model-deployment/" in p["modelId"]:
            # A Nova custom model encrypted with the team key: whoever invokes its deployment
            # needs kms:Decrypt through Bedrock (bedrock-rft.md, corrections 8).
            checks += _via(world, "bedrock", region, "Decrypt")
        return checks
    if call.service == "bedrock" and op == "CreateModelCustomizationJob":
        # The caller's side (bedrock-rft.md §5a "Caller"): the action on the job, the base model
        # and the custom model it creates (both generated ids), PassRole of the service role, and
        # the custom-model key through Bedrock when one is given.
        create = "bedrock:CreateModelCustomizationJob"
        checks = [
            Request(create, f"arn:aws:bedrock:{region}:{account}:model-customization-job/generated-id"),
            Request(create, f"arn:aws:bedrock:{region}:{account}:custom-model/generated-id"),
            *_model_checks(create, p["baseModelIdentifier"], account, region),
            Request("iam:PassRole", p["roleArn"], {"iam:PassedToService": "bedrock.amazonaws.com"}),
        ]
        if p.get("customModelKmsKeyId"):
            checks += [
                Request(f"kms:{a}", p["customModelKmsKeyId"], {"kms:ViaService": f"bedrock.{region}.amazonaws.com"})
                for a in ("DescribeKey", "CreateGrant", "GenerateDataKey", "Decrypt")
            ]
        if p.get("jobTags") or p.get("customModelTags"):
            checks.append(
                Request(
                    "bedrock:TagResource", f"arn:aws:bedrock:{region}:{account}:model-customization-job/generated-id"
                )
            )
        return checks
    if call.service == "bedrock" and op == "CreateCustomModelDeployment":
        # Service authorization reference: the action on the custom model it deploys and on the
        # deployment it creates (a generated id).
        create = "bedrock:CreateCustomModelDeployment"
        return [
            Request(create, p["modelArn"]),
            Request(create, f"arn:aws:bedrock:{region}:{account}:custom-model-deployment/generated-id"),
        ]
    if call.service == "bedrock" and op in ("GetCustomModelDeployment", "DeleteCustomModelDeployment"):
        identifier = p["customModelDeploymentIdentifier"]
        # By name, IAM still authorizes against the deployment's ARN (its id is generated).
        arn = (
            identifier
            if identifier.startswith("arn:")
            else (f"arn:aws:bedrock:{region}:{account}:custom-model-deployment/generated-id")
        )
        return [Request(f"bedrock:{op}", arn)]
    if call.service == "bedrock" and op in ("GetModelCustomizationJob", "StopModelCustomizationJob"):
        job = p["jobIdentifier"]
        arn = job if job.startswith("arn:") else f"arn:aws:bedrock:{region}:{account}:model-customization-job/{job}"
        return [Request(f"bedrock:{op}", arn)]
    raise KeyError(
        f"no IAM mapping for {call.service}:{op} ({prefix}); add what IAM checks for it to tests/iam/authorization.py"
    )


def checks_for_mantle_request(method: str, path: str, body: Any, world: World) -> list[Request]:
    """The bedrock-mantle actions of one OpenAI-compatible request (service authorization
    reference; job events and checkpoints have no action of their own: [U], read as
    GetFineTuningJob, see shared/reference/bedrock-rft.md corrections, item 3)."""
    project = f"arn:aws:bedrock-mantle:{world.region}:{world.account}:project/default"
    parts = [p for p in path.split("/") if p][1:]  # drop "v1"
    body = body if isinstance(body, dict) else {}
    model = {"bedrock-mantle:Model": body["model"]} if "model" in body else {}
    if parts == ["files"] and method == "POST":
        action, context = "CreateFile", {}
    elif parts[:1] == ["files"] and method == "GET":
        action, context = ("ListFiles" if len(parts) == 1 else "GetFile"), {}
    elif parts == ["fine_tuning", "jobs"]:
        action, context = ("CreateFineTuningJob", model) if method == "POST" else ("ListFineTuningJobs", {})
    elif parts[:2] == ["fine_tuning", "jobs"] and len(parts) == 3:
        action, context = "GetFineTuningJob", {}
    elif parts[:2] == ["fine_tuning", "jobs"] and parts[3:] == ["cancel"]:
        action, context = "CancelFineTuningJob", {}
    elif parts[:2] == ["fine_tuning", "jobs"] and parts[3:] in (["events"], ["checkpoints"]):
        action, context = "GetFineTuningJob", {}
    elif parts in (["chat", "completions"], ["responses"]) and method == "POST":
        action, context = "CreateInference", model
    else:
        raise KeyError(f"no IAM mapping for mantle {method} {path}; add it to tests/iam/authorization.py")
    return [Request("bedrock-mantle:CallWithBearerToken", "*"), Request(f"bedrock-mantle:{action}", project, context)]


def mantle_caller(headers: dict[str, str]) -> str | None:
    return headers.get(CALLER_HEADER)


# -- the synthesized roles ------------------------------------------------------------------------


def role_policies(template: dict, resolve) -> dict[str, list[dict]]:
    """{function or state machine name: the resolved policy documents of its role}.

    ``resolve`` turns intrinsics into the strings the running world uses."""
    resources = template["Resources"]
    by_role: dict[str, list[dict]] = {}
    for logical_id, resource in resources.items():
        kind, properties = resource["Type"], resource.get("Properties", {})
        if kind in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
            for role in properties.get("Roles") or []:
                by_role.setdefault(role["Ref"], []).append(resolve(properties["PolicyDocument"]))
        if kind == "AWS::IAM::Role":
            if properties.get("ManagedPolicyArns"):
                raise AssertionError(f"{logical_id}: AWS-managed policies cannot be evaluated here")
            for inline in properties.get("Policies") or []:
                by_role.setdefault(logical_id, []).append(resolve(inline["PolicyDocument"]))
    out: dict[str, list[dict]] = {}
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::StepFunctions::StateMachine":
            properties = resource["Properties"]
            out[properties["StateMachineName"]] = by_role.get(properties["RoleArn"]["Fn::GetAtt"][0], [])
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        properties = resource["Properties"]
        role = properties["Role"]["Fn::GetAtt"][0]
        out[properties.get("FunctionName", logical_id)] = by_role.get(role, [])
    return out


def dumps(documents: list[dict]) -> str:
    return json.dumps(documents, indent=1)[:4000]
