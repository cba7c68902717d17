"""Names of deployed resources and endpoints, derived from the team config alone.

The CDK app, the Lambdas and the operator CLI all use these, so `rft` can find a team's
buckets and parameters without reading CloudFormation outputs, and a Lambda reaches the
resources synth created under the very same names.
"""

from __future__ import annotations

import os

# Overrides the mantle endpoint for every client of the platform (tests point it at a local fake).
MANTLE_BASE_URL_ENV = "MANTLE_BASE_URL"

BUCKET_PURPOSES = ("datasets", "artifacts", "logs")


def bucket_name(team: str, purpose: str, account: str, region: str) -> str:
    """`rft-<team>-<purpose>-<account>-<region>`: globally unique, at most 62 characters.

    Account and region make the name unique across S3's global namespace; the team slug is
    capped at 20 characters so the longest purpose and region still fit in 63.
    """
    if purpose not in BUCKET_PURPOSES:
        raise ValueError(f"unknown bucket purpose {purpose!r}; use one of {BUCKET_PURPOSES}")
    return f"rft-{team}-{purpose}-{account}-{region}"


def parameter_path(team: str, customization: str, name: str = "") -> str:
    """SSM path of a customization's parameter: /rft/<team>/<customization>/<name>."""
    return f"/rft/{team}/{customization}/{name}".rstrip("/")


def kms_alias(team: str) -> str:
    return f"alias/rft/{team}"


def state_machine_name(team: str, customization: str) -> str:
    """`rft-<team>-<customization>`: at most 65 characters (Step Functions allows 80)."""
    return f"rft-{team}-{customization}"


def state_machine_arn(team: str, customization: str, account: str, region: str, partition: str = "aws") -> str:
    return f"arn:{partition}:states:{region}:{account}:stateMachine:{state_machine_name(team, customization)}"


def registry_table_name(team: str) -> str:
    return f"rft-{team}-runs"


def notification_topic_name(team: str) -> str:
    return f"rft-{team}-notifications"


def dashboard_name(team: str) -> str:
    return f"rft-{team}"


def customization_dashboard_name(team: str, customization: str) -> str:
    """`rft-<team>_<customization>`: the underscore, in neither slug, keeps it apart from
    every team dashboard (`rft-<team>`, where the team slug may itself contain hyphens)."""
    return f"rft-{team}_{customization}"


def consumer_policy_name(team: str) -> str:
    return f"rft-{team}-model-consumers"


def grader_function_name(team: str, customization: str) -> str:
    """At most 4 + 20 + 1 + 32 + 7 = 64 characters, Lambda's limit."""
    return f"rft-{team}-{customization}-grader"


def sandbox_function_name(team: str) -> str:
    return f"rft-{team}-code-sandbox"


def workflow_function_name(team: str, step: str) -> str:
    """`rft-<team>-wf-<step in kebab case>`, e.g. rft-example-wf-validate-dataset."""
    kebab = "".join(f"-{c.lower()}" if c.isupper() else c for c in step).lstrip("-")
    return f"rft-{team}-wf-{kebab}"


def lambda_arn(name: str, account: str, region: str, partition: str = "aws") -> str:
    return f"arn:{partition}:lambda:{region}:{account}:function:{name}"


def topic_arn(team: str, account: str, region: str, partition: str = "aws") -> str:
    return f"arn:{partition}:sns:{region}:{account}:{notification_topic_name(team)}"


def customization_stack_name(team: str, customization: str) -> str:
    return f"Rft-{team}-{customization}"


def mantle_base_url(region: str) -> str:
    """The bedrock-mantle OpenAI-compatible endpoint of a region (bedrock-rft.md §6)."""
    return os.environ.get(MANTLE_BASE_URL_ENV) or f"https://bedrock-mantle.{region}.api.aws/v1"


def runs_prefix(customization: str) -> str:
    """Key prefix of every run's artifacts (reports, dataset snapshots, job output)."""
    return f"{customization}/runs/"


def artifact_key(customization: str, run_id: str, name: str) -> str:
    """``<customization>/runs/<run_id>/<name>`` in the artifacts bucket."""
    return f"{runs_prefix(customization)}{run_id}/{name}"


# The run's held-out evaluation artifacts (per-item results, prompts, gate report) and the run's
# report page, under its artifact prefix.
EVALUATION_DIR = "evaluation/"
EVALUATION_ITEMS_DIR = "items/"  # items/<model key>/<batch>.json, one per Map item
EVALUATION_PROMPTS = "prompts.jsonl"  # the held-out prompts every model answered
EVALUATION_GATE = "gate.json"  # the gate's decision, intervals and sample counts
RUN_REPORT = "report.html"


def evaluation_key(customization: str, run_id: str, name: str = "") -> str:
    """``<customization>/runs/<run_id>/evaluation/<name>`` in the artifacts bucket."""
    return artifact_key(customization, run_id, EVALUATION_DIR + name)


def run_report_key(customization: str, run_id: str) -> str:
    """``<customization>/runs/<run_id>/report.html``: the page WriteRunReport writes at the end
    of every run (the same page `rft runs report` renders)."""
    return artifact_key(customization, run_id, RUN_REPORT)


def s3_uri(bucket: str, key: str) -> str:
    return f"s3://{bucket}/{key}"


# The AWS console's host per partition, told apart by the region's name.
CONSOLE_HOSTS = (("cn-", "console.amazonaws.cn"), ("us-gov-", "console.amazonaws-us-gov.com"))


def s3_console_url(bucket: str, key: str, region: str) -> str:
    """The S3 console page of an object, in the region's partition. Opening it needs the
    reader's own console session and rights: no credentials in the link, unlike a presigned URL."""
    from urllib.parse import quote

    host = next((h for prefix, h in CONSOLE_HOSTS if region.startswith(prefix)), "console.aws.amazon.com")
    return f"https://{host}/s3/object/{bucket}?region={region}&prefix={quote(key, safe='/')}"


# Immutable, content-addressed copies of the exact data each run trained on (lineage): written
# once by the workflow, never deleted (the datasets bucket's policy denies it on this prefix).
DATASET_SNAPSHOT_DIR = "by-sha256"


def dataset_snapshot_key(customization: str, sha256: str) -> str:
    """``<customization>/by-sha256/<sha256>.jsonl`` in the datasets bucket."""
    return f"{customization}/{DATASET_SNAPSHOT_DIR}/{sha256}.jsonl"


def dataset_key(customization: str, object_name: str) -> str:
    """Where `rft run start` uploads a customization's dataset in the datasets bucket."""
    return f"{customization}/{object_name}"


# Bedrock's custom model deployment names: at most 63 letters or digits, each followed by at
# most one '-' or '_' (botocore's bedrock model, ModelDeploymentName).
DEPLOYMENT_NAME_MAX_ALNUM = 63


def evaluation_deployment_name(team: str, customization: str, run_id: str) -> str:
    """The on-demand deployment a Nova run is evaluated through: one per run, found again by
    this name (the create step adopts it, the failure path and the abandoned-run cleanup delete
    it), so it is unique per team, customization and run."""
    import hashlib

    name = f"rft-{team}-{customization}-{run_id}"
    if sum(ch.isalnum() for ch in name) > DEPLOYMENT_NAME_MAX_ALNUM:
        digest = hashlib.sha256(f"{team}/{customization}".encode()).hexdigest()[:12]
        name = f"rft-{digest}-{run_id}"
    return name
