"""Cleanup of aborted and timed-out executions: no paid job outlives its run.

An execution that is stopped by hand, aborted, or hits its timeout ends between two states,
so its failure path (RecordFailure, which cancels the job) never runs. Step Functions emits an
"Execution Status Change" event for every status change of a Standard workflow (best-effort
delivery, default bus: https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html);
this rule sends the team's ABORTED / TIMED_OUT ones to the ``CleanupAbandonedRun`` workflow
function (``lambda/workflow/rft_workflow/cleanup.py``), which cancels the run's job and records
it in the registry. Its errors (a job that may still run) raise an alarm on the team topic;
events it could not take after EventBridge's retries wait in a dead-letter queue, alarmed too.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from constructs import Construct

from constructs_lib import nag
from constructs_lib.dead_letter_queue import dead_letter_queue
from constructs_lib.iam_statements import mantle_project_arn, use_key_through
from constructs_lib.python_function import PythonFunction
from rft_contracts.metrics import WORKFLOW_SERVICE
from rft_contracts.naming import lambda_arn, topic_arn, workflow_function_name

ABANDONED_STATUSES = ["ABORTED", "TIMED_OUT"]
STEP = "CleanupAbandonedRun"


def abandoned_execution_pattern(state_machine_arn_prefix: str) -> dict:
    """The rule's event pattern (also used by the tests): every state machine named
    ``rft-<team>-...`` by prefix, so the rule does not grow with the customizations (a
    hyphenated team's machines match too; the cleanup ignores runs its registry does not know)."""
    return {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {"status": ABANDONED_STATUSES, "stateMachineArn": [{"prefix": state_machine_arn_prefix}]},
    }


class AbandonedRunCleanup(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        team: str,
        code: lambda_.Code,
        key: kms.IKey,
        log_retention_days: int,
        registry_table_arn: str,
        registry_table_name: str,
        planes: set[str],
        state_machine_arn_prefix: str,
        deployments: bool = False,
        report_function_name: str | None = None,
    ) -> None:
        super().__init__(scope, id_)
        stack = Stack.of(self)
        self.dead_letters = dead_letter_queue(
            self,
            "DeadLetters",
            key=key,
            reason="This queue is itself the dead-letter queue of the abandoned-run rule's target and of "
            "its cleanup function; a dead-letter queue of a dead-letter queue would only move the problem.",
        )
        self.cleaner = PythonFunction(
            self,
            "Function",
            description=f"RFT workflow of team {team}: {STEP}",
            function_name=workflow_function_name(team, STEP),
            code=code,
            handler="handlers.cleanup_abandoned_run",
            key=key,
            log_retention_days=log_retention_days,
            # Its own work (a few calls) plus a synchronous WriteRunReport (2 minutes at most).
            timeout=Duration.minutes(4),
            memory_mb=512,
            # EventBridge invokes it asynchronously: a run the function failed on (after
            # Lambda's own retries) lands in the same queue as undeliverable events.
            dead_letter_queue=self.dead_letters,
            environment={
                "RFT_TEAM": team,
                "RFT_REGISTRY_TABLE": registry_table_name,
                "RFT_TEAM_PLANES": ",".join(sorted(planes)),
                # Whether a customization deploys Nova models for evaluation (delete the run's).
                "RFT_EVALUATION_DEPLOYMENTS": "true" if deployments else "false",
                # WriteRunReport, asked for the page of a run no state got to write it for.
                **({"RFT_REPORT_FUNCTION": report_function_name} if report_function_name else {}),
                "POWERTOOLS_SERVICE_NAME": WORKFLOW_SERVICE,
            },
        )
        statements = [
            iam.PolicyStatement(
                sid="UseRunRegistry",
                actions=["dynamodb:GetItem", "dynamodb:UpdateItem"],
                resources=[registry_table_arn],
            ),
            use_key_through(self, key, "dynamodb", sid="UseTeamKeyThroughDynamoDB"),
        ]
        if "mantle" in planes:
            statements += [
                iam.PolicyStatement(
                    sid="MintBearerTokens", actions=["bedrock-mantle:CallWithBearerToken"], resources=["*"]
                ),
                iam.PolicyStatement(
                    sid="FindAndCancelMantleJobs",
                    actions=[
                        "bedrock-mantle:ListFineTuningJobs",
                        "bedrock-mantle:GetFineTuningJob",
                        "bedrock-mantle:CancelFineTuningJob",
                    ],
                    resources=[mantle_project_arn(self)],
                ),
            ]
        native_jobs = stack.format_arn(service="bedrock", resource="model-customization-job", resource_name="*")
        if "native" in planes:
            statements.append(
                iam.PolicyStatement(
                    sid="FindAndStopNativeJobs",
                    actions=["bedrock:GetModelCustomizationJob", "bedrock:StopModelCustomizationJob"],
                    resources=[native_jobs],
                )
            )
        evaluation_deployments = stack.format_arn(
            service="bedrock", resource="custom-model-deployment", resource_name="*"
        )
        if deployments:
            statements.append(
                iam.PolicyStatement(
                    sid="DeleteEvaluationDeployments",
                    actions=["bedrock:DeleteCustomModelDeployment"],
                    resources=[evaluation_deployments],
                )
            )
        machines = f"{state_machine_arn_prefix}*"
        if report_function_name:
            statements += [
                iam.PolicyStatement(
                    sid="ReadTeamRunConfigs",
                    actions=["states:DescribeStateMachine"],
                    resources=[machines],
                ),
                iam.PolicyStatement(
                    sid="RequestRunReports",
                    actions=["lambda:InvokeFunction"],
                    resources=[lambda_arn(report_function_name, stack.account, stack.region, stack.partition)],
                ),
            ]
        self.cleaner.policy.add_statements(*statements)
        reasons = {
            "*": "bedrock-mantle:CallWithBearerToken supports no resource-level permissions.",
            nag.render_resource(
                stack.resolve(mantle_project_arn(self))
            ): "bedrock-mantle authorizes job reads and cancels against the project the call runs in.",
            nag.render_resource(
                stack.resolve(native_jobs)
            ): "Bedrock customization job ARNs carry a generated id; limited to this account and region.",
            nag.render_resource(
                stack.resolve(evaluation_deployments)
            ): "A run's evaluation deployment gets a generated id (it is deleted by the run's name); "
            "limited to this account and region.",
            nag.render_resource(stack.resolve(machines)): "Reads the definition (its runtime config) of "
            "whichever of the team's state machines, all named rft-<team>-<customization>, a run "
            "was aborted in, to ask for its report page.",
        }
        document = stack.resolve(self.cleaner.policy.document.to_json())
        for statement in document.get("Statement", []):
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for rendered in {nag.render_resource(r) for r in resources}:
                if "*" in rendered:
                    nag.acknowledge(self.cleaner.policy, f"AwsSolutions-IAM5[Resource::{rendered}]", reasons[rendered])

        pattern = abandoned_execution_pattern(state_machine_arn_prefix)
        self.rule = events.Rule(
            self,
            "Rule",
            description=f"RFT runs of team {team} aborted or timed out: cancel their jobs",
            event_pattern=events.EventPattern(
                source=pattern["source"], detail_type=pattern["detail-type"], detail=pattern["detail"]
            ),
        )
        self.rule.add_target(
            targets.LambdaFunction(
                self.cleaner.function,
                dead_letter_queue=self.dead_letters,
                retry_attempts=8,
                max_event_age=Duration.hours(24),
            )
        )
        # By its literal ARN, like every other alarm of the team (no token to the topic resource).
        notify = actions.SnsAction(
            sns.Topic.from_topic_arn(self, "AlarmTopic", topic_arn(team, stack.account, stack.region, stack.partition))
        )
        self.errors_alarm = cw.Alarm(
            self,
            "ErrorsAlarm",
            metric=self.cleaner.function.metric_errors(period=Duration.minutes(5)),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=f"rft-{team}: the cleanup of an aborted or timed-out run failed; its "
            "training job may still be running (see the function's logs and the run's registry item)",
        )
        self.errors_alarm.add_alarm_action(notify)
        self.dead_letter_alarm = cw.Alarm(
            self,
            "DeadLettersAlarm",
            metric=self.dead_letters.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=f"rft-{team}: an aborted or timed-out run's event could not be cleaned up; "
            "replay it from the dead-letter queue",
        )
        self.dead_letter_alarm.add_alarm_action(notify)
