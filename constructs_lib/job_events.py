"""Native-plane job state changes: EventBridge -> the team topic and the run registry."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from constructs_lib.dead_letter_queue import dead_letter_queue
from constructs_lib.iam_statements import use_key_through
from constructs_lib.python_function import PythonFunction
from rft_contracts.run_ids import job_name_prefix

TERMINAL_STATES = ["Completed", "Failed", "Stopped"]


def job_state_change_pattern(job_name_prefixes: list[str]) -> dict:
    """The rule's event pattern (also used by the tests): Bedrock's event, filtered on
    detail.jobStatus (not `status`) and on the team's job-name prefixes."""
    return {
        "source": ["aws.bedrock"],
        "detail-type": ["Model Customization Job State Change"],
        "detail": {"jobStatus": TERMINAL_STATES, "jobName": [{"prefix": p} for p in job_name_prefixes]},
    }


class JobStateEvents(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        customizations: list[str],
        function_name: str,
        code: lambda_.Code,
        key: kms.IKey,
        log_retention_days: int,
        topic: sns.ITopic,
        registry_table_arn: str,
        registry_table_name: str,
        rule_name: str | None = None,
    ) -> None:
        super().__init__(scope, id_)
        # Events EventBridge could not deliver to a target, kept 14 days for replay.
        # cdk-nag sees this queue as the recorder function's dead-letter queue (AwsSolutions-SQS3
        # is answered); Serverless-SQSRedrivePolicy still asks the queue for a DLQ of its own.
        self.dead_letters = dead_letter_queue(
            self,
            "DeadLetters",
            key=key,
            reason="This queue is itself the dead-letter queue of the job-state rule's targets and of the "
            "recorder function; a dead-letter queue of a dead-letter queue would only move the problem.",
        )
        self.recorder = PythonFunction(
            self,
            "Recorder",
            description="RFT: record native job state changes in the run registry",
            function_name=function_name,
            code=code,
            handler="handler.handler",
            key=key,
            log_retention_days=log_retention_days,
            timeout=Duration.seconds(30),
            memory_mb=256,
            # EventBridge invokes it asynchronously: events it still fails on after Lambda's
            # retries land in the same queue as undeliverable ones, for replay.
            dead_letter_queue=self.dead_letters,
            environment={
                "REGISTRY_TABLE": registry_table_name,
                "CUSTOMIZATIONS": json.dumps(sorted(customizations)),
                "POWERTOOLS_SERVICE_NAME": "rft-job-events",
            },
        )
        self.recorder.policy.add_statements(
            iam.PolicyStatement(
                sid="UpdateRunRecords", actions=["dynamodb:UpdateItem"], resources=[registry_table_arn]
            ),
            use_key_through(self, key, "dynamodb", sid="UseTeamKeyThroughDynamoDB"),
        )
        pattern = job_state_change_pattern([job_name_prefix(c) for c in customizations])
        self.rule = events.Rule(
            # Named rft-<team>-...: the team key and topic let EventBridge act only for those.
            self,
            "Rule",
            rule_name=rule_name,
            description="Bedrock native customization jobs of this team reach a final state",
            event_pattern=events.EventPattern(
                source=pattern["source"], detail_type=pattern["detail-type"], detail=pattern["detail"]
            ),
        )
        retry: dict[str, Any] = dict(
            dead_letter_queue=self.dead_letters, retry_attempts=8, max_event_age=Duration.hours(24)
        )
        self.rule.add_target(
            targets.SnsTopic(
                topic,
                message=events.RuleTargetInput.from_text(
                    f"Bedrock job {events.EventField.from_path('$.detail.jobName')} is "
                    f"{events.EventField.from_path('$.detail.jobStatus')}. "
                    f"{events.EventField.from_path('$.detail.failureMessage')}"
                ),
                **retry,
            )
        )
        self.rule.add_target(targets.LambdaFunction(self.recorder.function, **retry))
