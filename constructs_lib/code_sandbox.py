"""The team's code sandbox: the only place model-written code runs."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from constructs_lib import nag
from constructs_lib.cfn import cfn_child
from constructs_lib.python_function import PythonFunction

SANDBOX_TIMEOUT = Duration.minutes(5)
SANDBOX_MEMORY_MB = 2048  # several concurrent child processes, each capped far below this
# A cap on concurrent sandboxes: bounds what model-written code can consume (and cost) at once,
# and keeps the sandbox from starving the account's other functions. Graders run a batch's
# code through one sandbox call each, so this is a cap on concurrent grader batches with code.
SANDBOX_RESERVED_CONCURRENCY = 100


class CodeSandbox(Construct):
    """A function whose role can do nothing but write its own logs.

    Graders that hold credentials send code here instead of running it (see
    lambda/code_sandbox/README.md for the isolation inside). No tracing: X-Ray would be one more
    permission, and the point of this role is that it has none.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        function_name: str,
        code: lambda_.Code,
        key: kms.IKey,
        log_retention_days: int,
        subnet_ids: tuple[str, ...] = (),
        security_group_ids: tuple[str, ...] = (),
    ) -> None:
        """`subnet_ids`: the team's job VPC subnets (no route out, the config's JobVpc): the
        sandbox then runs with network interfaces only there, so model-written code has no
        network even if the in-process isolation fails."""
        super().__init__(scope, id_)
        self.runtime = PythonFunction(
            self,
            "Runtime",
            description="RFT code sandbox: runs model-written code with no permissions",
            function_name=function_name,
            code=code,
            handler="handler.handler",
            key=key,
            log_retention_days=log_retention_days,
            timeout=SANDBOX_TIMEOUT,
            memory_mb=SANDBOX_MEMORY_MB,
            tracing=False,
            reserved_concurrency=SANDBOX_RESERVED_CONCURRENCY,
            vpc_subnet_ids=subnet_ids,
            vpc_security_group_ids=security_group_ids,
            environment={"POWERTOOLS_SERVICE_NAME": "rft-code-sandbox"},
        )
        self.function = self.runtime.function
        for rule in ("Serverless-LambdaTracing",):
            nag.acknowledge(
                cfn_child(self.function, lambda_.CfnFunction),
                rule,
                "Tracing is off on purpose: the sandbox role's only permission is writing its own "
                "logs, and X-Ray would add a write permission reachable by model-written code.",
            )
