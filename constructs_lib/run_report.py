"""The WriteRunReport function: a finished run's report page, written to the artifacts bucket.

One per team, like the other workflow functions (rft-<team>-wf-write-run-report), with its own
code asset (lambda/run_report: plotly is heavy and only this step draws). The state machines
call it at the end of every run path (constructs_lib.rft_workflow.RftWorkflow.report_then).

Its role reads exactly what the page shows and writes exactly the page:

* s3:ListBucket on the artifacts bucket, only for prefixes ``*/runs/*/evaluation/*`` (so a run
  without an evaluation lists empty, not 403), s3:GetObject on those objects;
* s3:PutObject on ``*/runs/*/report.html`` only;
* dynamodb:GetItem / UpdateItem on the run registry (the run's item; ``report_key``);
* the team key through S3 and DynamoDB only.

Nothing reaches mantle or CloudWatch: the page has no training curves (rft_report.publish).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from constructs_lib import nag
from constructs_lib.iam_statements import use_key_through
from constructs_lib.python_function import PythonFunction
from rft_contracts.metrics import WORKFLOW_SERVICE
from rft_contracts.naming import EVALUATION_DIR, artifact_key, run_report_key, workflow_function_name

STEP = "WriteRunReport"
HANDLER = "report_handler.write_run_report"
# A 6-model x 500-prompt page (4.9 MB, plotly.js inlined) renders in about 0.3 s from a cold
# interpreter at a peak of ~70 MB (benchmarks/run_report.py, measured off Lambda): 512 MB and
# 2 minutes leave room for a slower CPU and S3 reads of ~120 evaluation items.
TIMEOUT = Duration.minutes(2)
MEMORY_MB = 512


class RunReportFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        team: str,
        code: lambda_.Code,
        key: kms.IKey,
        log_retention_days: int,
        artifacts_bucket: s3.IBucket,
        registry: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, id_)
        runtime = PythonFunction(
            self,
            STEP,
            description=f"RFT workflow of team {team}: {STEP}",
            function_name=workflow_function_name(team, STEP),
            code=code,
            handler=HANDLER,
            key=key,
            log_retention_days=log_retention_days,
            timeout=TIMEOUT,
            memory_mb=MEMORY_MB,
            environment={"POWERTOOLS_SERVICE_NAME": WORKFLOW_SERVICE},
        )
        self.function = runtime.function
        evaluation_prefix = artifact_key("*", "*", f"{EVALUATION_DIR}*")
        evaluation = artifacts_bucket.arn_for_objects(evaluation_prefix)
        page = artifacts_bucket.arn_for_objects(run_report_key("*", "*"))
        runtime.policy.add_statements(
            iam.PolicyStatement(
                sid="ListRunEvaluation",
                actions=["s3:ListBucket"],
                resources=[artifacts_bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [evaluation_prefix]}},
            ),
            iam.PolicyStatement(sid="ReadRunEvaluation", actions=["s3:GetObject"], resources=[evaluation]),
            iam.PolicyStatement(sid="WriteRunReportPage", actions=["s3:PutObject"], resources=[page]),
            iam.PolicyStatement(
                sid="RecordRunReport",
                actions=["dynamodb:GetItem", "dynamodb:UpdateItem"],
                resources=[registry.table_arn],
            ),
            use_key_through(self, key, "s3", "dynamodb", sid="UseTeamKeyThroughS3AndDynamoDB"),
        )
        for arn, reason in (
            (
                evaluation,
                "Reads the held-out evaluation artifacts (evaluation/ folder) of whichever team "
                "customization and run it reports on; run ids are created per run.",
            ),
            (
                page,
                "Writes only the report.html page of whichever team customization and run it reports "
                "on; run ids are created per run.",
            ),
        ):
            nag.acknowledge(runtime.policy, nag.wildcard_resource_finding(self, arn), reason)
