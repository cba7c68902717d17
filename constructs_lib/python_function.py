"""A Python Lambda function with the platform's defaults, and a role that starts with nothing."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from constructs_lib import checkov_skips, nag
from constructs_lib.cfn import cfn_child
from constructs_lib.iam_statements import use_key_through
from constructs_lib.python_bundling import ARCHITECTURE, RUNTIME


class PythonFunction(Construct):
    """Python 3.13 on arm64, JSON logs to its own KMS-encrypted log group, explicit limits.

    The role's only starting permission is writing to that log group (no AWSLambdaBasic-
    ExecutionRole, whose log rights span every group). Callers add what the function needs to
    `policy`, a customer-managed policy, so every right is a reviewed statement.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        description: str,
        function_name: str,
        code: lambda_.Code,
        handler: str,
        key: kms.IKey,
        log_retention_days: int,
        timeout: Duration,
        memory_mb: int,
        environment: dict[str, str] | None = None,
        reserved_concurrency: int | None = None,
        tracing: bool = True,
        dead_letter_queue: sqs.IQueue | None = None,
        vpc_subnet_ids: tuple[str, ...] = (),
        vpc_security_group_ids: tuple[str, ...] = (),
    ) -> None:
        super().__init__(scope, id_)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            encryption_key=key,
            removal_policy=RemovalPolicy.DESTROY,  # operational logs; datasets live in S3
        )
        # Days straight from the validated config (CDK's enum has no constructor from days).
        cfn_child(self.log_group, logs.CfnLogGroup).retention_in_days = log_retention_days
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=description,
        )
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            roles=[self.role],
            description=f"Permissions of: {description}",
            statements=[
                iam.PolicyStatement(
                    sid="WriteOwnLogs",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[self.log_group.log_group_arn],
                )
            ],
        )
        self.function = lambda_.Function(
            self,
            "Function",
            # A fixed name: other stacks of the team invoke and grant it by name, without
            # cross-stack references (which would pin the stacks' deployment order forever).
            function_name=function_name,
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=code,
            handler=handler,
            role=self.role,
            timeout=timeout,
            memory_size=memory_mb,
            environment=environment or {},
            environment_encryption=key,
            reserved_concurrent_executions=reserved_concurrency,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
        )
        if tracing:
            # Set on the resource, with the X-Ray rights in our managed policy: CDK's
            # `tracing=ACTIVE` would add them as a second, inline policy instead.
            cfn_child(self.function, lambda_.CfnFunction).tracing_config = lambda_.CfnFunction.TracingConfigProperty(
                mode="Active"
            )
            self.policy.add_statements(
                iam.PolicyStatement(
                    sid="WriteTraces",
                    actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                    resources=["*"],
                )
            )
            nag.acknowledge(
                self.policy,
                "AwsSolutions-IAM5[Resource::*]",
                "X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level "
                "permissions, so '*' is the only possible resource for these two actions.",
            )
        self.function.node.add_dependency(self.policy)  # logs must be writable on first invoke
        resource = cfn_child(self.function, lambda_.CfnFunction)
        if dead_letter_queue is not None:
            # Set on the resource with the send rights in our managed policy (CDK's
            # `dead_letter_queue=` would grant them, with kms:ReEncrypt*, in an inline policy).
            resource.dead_letter_config = lambda_.CfnFunction.DeadLetterConfigProperty(
                target_arn=dead_letter_queue.queue_arn
            )
            self.policy.add_statements(
                iam.PolicyStatement(
                    sid="SendFailedEventsToDeadLetterQueue",
                    actions=["sqs:SendMessage"],
                    resources=[dead_letter_queue.queue_arn],
                ),
                use_key_through(self, key, "sqs", sid="UseTeamKeyThroughSQS"),
            )
        if vpc_subnet_ids:
            resource.vpc_config = lambda_.CfnFunction.VpcConfigProperty(
                subnet_ids=list(vpc_subnet_ids), security_group_ids=list(vpc_security_group_ids)
            )
            # Lambda creates and deletes the function's network interfaces with the role's rights.
            self.policy.add_statements(
                iam.PolicyStatement(
                    sid="ManageOwnNetworkInterfaces",
                    actions=[
                        "ec2:CreateNetworkInterface",
                        "ec2:DescribeNetworkInterfaces",
                        "ec2:DeleteNetworkInterface",
                        "ec2:AssignPrivateIpAddresses",
                        "ec2:UnassignPrivateIpAddresses",
                    ],
                    resources=["*"],
                )
            )
            nag.acknowledge(
                self.policy,
                "AwsSolutions-IAM5[Resource::*]",
                "Lambda's VPC networking actions (ec2:CreateNetworkInterface and the describe/"
                "delete/assign calls) support no resource-level permissions for a function's ENIs.",
            )
        nag.acknowledge_each(
            resource,
            ["AwsSolutions-L1", "Serverless-LambdaLatestVersion"],
            "Python 3.13 is pinned on purpose for every function, with binary wheels (pydantic-"
            "core, rapidfuzz) bundled for cp313; moving to 3.14 is one reviewed change of RUNTIME "
            "in constructs_lib/python_bundling.py, after which this acknowledgment goes stale "
            "and the nag tests say so.",
        )
        synchronous = (
            "Invoked synchronously only (by Bedrock, Step Functions or another function, "
            "which receive the error and retry); a dead-letter queue applies to "
            "asynchronous invocations."
        )
        if dead_letter_queue is None:
            for rule in ("Serverless-LambdaDLQ", "NIST.800.53.R5-LambdaDLQ", "HIPAA.Security-LambdaDLQ"):
                nag.acknowledge(resource, rule, synchronous)
            checkov_skips.skip(resource, "CKV_AWS_116", synchronous)
        no_vpc = (
            "Reaches only AWS APIs (Lambda, Bedrock, S3, DynamoDB, CloudWatch, Step Functions) through "
            "IAM-authorized endpoints and stores nothing; a VPC would add NAT or endpoints "
            "without narrowing what its role may do."
        )
        if not vpc_subnet_ids:
            for rule in ("NIST.800.53.R5-LambdaInsideVPC", "HIPAA.Security-LambdaInsideVPC"):
                nag.acknowledge(resource, rule, no_vpc)
            checkov_skips.skip(resource, "CKV_AWS_117", no_vpc)
        if reserved_concurrency is None:
            unreserved = (
                "Runs once per workflow state of a team run (the evaluation Map is capped by "
                "evaluation.max_concurrency) or once per job/execution event of the team, so "
                "its concurrency follows the team's runs; reserving would take from the account's pool."
            )
            for rule in ("NIST.800.53.R5-LambdaConcurrency", "HIPAA.Security-LambdaConcurrency"):
                nag.acknowledge(resource, rule, unreserved)
            checkov_skips.skip(resource, "CKV_AWS_115", unreserved)
