"""`rft doctor --team T`: check, in a sandbox account, the AWS behaviour the platform assumes.

    rft doctor --team T [--paid-probes]

Each check prints one line, ``STATUS  check-id  message``, where STATUS is PASS, WARN, FAIL or
SKIP; the check ids are the ones docs/aws-contracts.md lists next to each assumption. Every
check is read-only (Describe/Get/List calls, a bearer token minted locally) except those behind
``--paid-probes``, which make one tiny inference call per mantle base model. Checks that would
need a paid job print SKIP with what to do by hand.

Exit status: 0 when no check failed (WARN and SKIP allowed), 1 when one failed, 2 when the
doctor could not run (unknown team, no credentials).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from rft.aws_errors import guarded, load_team, message

PASS, WARN, FAIL, SKIP = "PASS", "WARN", "FAIL", "SKIP"
SNAPSHOT_POLICY_SID = "KeepTrainedDatasetSnapshots"  # stacks/data_stack.py
CLEANUP_STEP = "CleanupAbandonedRun"  # constructs_lib/abandoned_runs.py
PROBE_PROMPT = "Reply with the single word: ready."


@dataclass(frozen=True)
class Result:
    status: str
    check: str
    message: str

    def line(self) -> str:
        return f"{self.status:<5} {self.check}  {' '.join(self.message.split())}"


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "doctor",
        help="check the AWS behaviour the platform assumes (sandbox account)",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("--team", required=True, help="team whose deployed resources are checked")
    parser.add_argument(
        "--paid-probes",
        action="store_true",
        help="also make one tiny inference call per mantle base model (costs cents)",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    def body() -> int:
        results = []
        for result in Doctor(load_team(args.team), paid_probes=args.paid_probes).checks():
            print(result.line(), flush=True)
            results.append(result)
        return 1 if any(r.status == FAIL for r in results) else 0

    return guarded("rft doctor", body)


class Doctor:
    """The checks of one team; ``client(service)`` and ``mantle()`` are replaceable in tests."""

    def __init__(
        self,
        team: Any,
        *,
        paid_probes: bool = False,
        client: Callable[[str], Any] | None = None,
        mantle: Callable[[], Any] | None = None,
    ):
        self.team = team
        self.paid_probes = paid_probes
        self._client = client or self._boto3_client
        self._mantle = mantle or self._mantle_client
        self._mantle_instance = None

    # -- clients ------------------------------------------------------------------------------
    def _boto3_client(self, service: str) -> Any:
        import boto3

        return boto3.client(service, region_name=self.team.region)

    def _mantle_client(self) -> Any:
        from rft.aws_errors import mantle_client

        return mantle_client(self.team.region)

    def mantle(self) -> Any:
        if self._mantle_instance is None:
            self._mantle_instance = self._mantle()
        return self._mantle_instance

    # -- running ------------------------------------------------------------------------------
    def checks(self) -> Iterator[Result]:
        """Every check in order; the identity check first (nothing else is meaningful without it)."""
        identity = self._guard("identity", self.identity)
        yield identity
        if identity.status == FAIL:
            return
        for check, fn in self._plan():
            yield self._guard(check, fn)

    def _guard(self, check: str, fn: Callable[[], tuple[str, str]]) -> Result:
        try:
            status, text = fn()
        except Exception as exc:  # noqa: BLE001 - every failure is one line
            text = message(exc) or _openai_message(exc) or f"{type(exc).__name__}: {exc}"
            return Result(FAIL, check, text)
        return Result(status, check, text)

    def _plan(self) -> list[tuple[str, Callable[[], tuple[str, str]]]]:
        from rft.config.catalog import ControlPlane

        team = self.team
        plan: list[tuple[str, Callable[[], tuple[str, str]]]] = [
            ("registry-table", self.registry_table),
            ("snapshot-protection", self.snapshot_protection),
            ("abandoned-run-rule", self.abandoned_run_rule),
        ]
        for c in team.customizations:
            plan.append((f"state-machine:{c.name}", partial(self.state_machine, c.name)))
            plan.append((f"grader-function:{c.name}", partial(self.grader_function, c.name)))
        mantle_models = sorted({c.base_model for c in team.customizations if c.control_plane is ControlPlane.MANTLE})
        native = [c for c in team.customizations if c.control_plane is ControlPlane.NATIVE]
        if mantle_models:
            plan.append(("mantle-fine-tuning-api", self.mantle_fine_tuning_api))
            for model in mantle_models:
                plan.append((f"mantle-route:{model}", partial(self.mantle_route, model)))
                plan.append((f"mantle-responses:{model}", partial(self.mantle_responses, model)))
            plan.append(
                (
                    "mantle-validation-file",
                    lambda: (
                        SKIP,
                        (
                            "needs a paid job: create one job on a 100-row file with validation_file, check it is "
                            "accepted and used, then cancel it (docs/aws-contracts.md A5)"
                        ),
                    ),
                )
            )
        for model in sorted({c.base_model for c in native}):
            plan.append((f"native-base-model:{model}", partial(self.native_base_model, model)))
        for c in native:
            plan.append((f"native-inference-profile:{c.name}", partial(self.native_inference_profile, c)))
        if native:
            plan.append(
                (
                    "native-rft-config",
                    lambda: (
                        SKIP,
                        (
                            "needs a paid job: run `aws stepfunctions test-state` on the CreateNativeJob state with "
                            "the real role, then stop the job (docs/aws-contracts.md A9)"
                        ),
                    ),
                )
            )
        plan.append(
            (
                "grader-event-shape",
                lambda: (
                    SKIP,
                    (
                        "needs a paid job: run a 1-epoch job and read one raw grader event in the grader's logs "
                        "(envelope, reference location, id format; docs/aws-contracts.md A1-A3)"
                    ),
                ),
            )
        )
        return plan

    # -- checks -------------------------------------------------------------------------------
    def identity(self) -> tuple[str, str]:
        account = self._client("sts").get_caller_identity()["Account"]
        if account != self.team.account:
            return FAIL, f"credentials are for account {account}; team {self.team.team} deploys to {self.team.account}"
        return PASS, f"credentials are for account {account} (the team's), region {self.team.region}"

    def registry_table(self) -> tuple[str, str]:
        from rft_contracts.naming import registry_table_name

        name = registry_table_name(self.team.team)
        status = self._client("dynamodb").describe_table(TableName=name)["Table"]["TableStatus"]
        return (PASS if status == "ACTIVE" else WARN), f"{name} is {status}"

    def snapshot_protection(self) -> tuple[str, str]:
        import json

        from rft_contracts.naming import bucket_name

        bucket = bucket_name(self.team.team, "datasets", self.team.account, self.team.region)
        policy = json.loads(self._client("s3").get_bucket_policy(Bucket=bucket)["Policy"])
        denies = [
            s for s in policy.get("Statement", []) if s.get("Sid") == SNAPSHOT_POLICY_SID and s.get("Effect") == "Deny"
        ]
        if not denies:
            return FAIL, f"s3://{bucket} has no {SNAPSHOT_POLICY_SID} deny: trained-on dataset copies can be deleted"
        return PASS, f"s3://{bucket} denies deleting the by-sha256/ dataset copies runs trained on"

    def abandoned_run_rule(self) -> tuple[str, str]:
        from rft_contracts.naming import lambda_arn, workflow_function_name

        arn = lambda_arn(workflow_function_name(self.team.team, CLEANUP_STEP), self.team.account, self.team.region)
        events = self._client("events")
        names = events.list_rule_names_by_target(TargetArn=arn).get("RuleNames", [])
        if not names:
            return FAIL, f"no EventBridge rule targets {arn}: aborted or timed-out runs would keep their jobs"
        states = {n: events.describe_rule(Name=n).get("State") for n in names}
        if any(s != "ENABLED" for s in states.values()):
            return FAIL, f"the abandoned-run rule is not enabled: {states}"
        return PASS, f"rule {', '.join(names)} sends aborted / timed-out executions to {CLEANUP_STEP}"

    def state_machine(self, customization: str) -> tuple[str, str]:
        from rft_contracts.naming import state_machine_arn

        arn = state_machine_arn(self.team.team, customization, self.team.account, self.team.region)
        described = self._client("stepfunctions").describe_state_machine(stateMachineArn=arn)
        return PASS, f"{described['name']} is {described.get('status', 'ACTIVE')}"

    def grader_function(self, customization: str) -> tuple[str, str]:
        from rft_contracts.naming import grader_function_name

        name = grader_function_name(self.team.team, customization)
        configuration = self._client("lambda").get_function(FunctionName=name)["Configuration"]
        return PASS, f"{name} exists ({configuration.get('Runtime')}, timeout {configuration.get('Timeout')} s)"

    def mantle_fine_tuning_api(self) -> tuple[str, str]:
        """Route, bearer token and bedrock-mantle:ListFineTuningJobs in one read-only call."""
        from rft_contracts.naming import mantle_base_url

        page = self.mantle().fine_tuning.jobs.list(limit=1)
        return PASS, f"{mantle_base_url(self.team.region)} lists fine-tuning jobs ({len(page.data)} on the first page)"

    def mantle_route(self, model: str) -> tuple[str, str]:
        """AWS: on mantle the path prefix depends on the model (/v1 for most, /openai/v1 for some)."""
        try:
            listed = {m.id for m in self.mantle().models.list()}
        except Exception as exc:  # noqa: BLE001 - a missing models route is a warning, not a failure
            return WARN, (
                f"could not list models under /v1 ({_openai_message(exc) or type(exc).__name__}); "
                f"check by hand that {model} is served under /v1, not /openai/v1"
            )
        if model in listed:
            return PASS, f"{model} is listed under /v1, the prefix the platform uses"
        return WARN, (
            f"{model} is not listed under /v1 ({len(listed)} models are); AWS serves some models "
            "under /openai/v1 only; the fine-tuning docs use /v1"
        )

    def mantle_responses(self, model: str) -> tuple[str, str]:
        from rft.config.catalog import base_model

        expected = base_model(model).responses_api
        if not self.paid_probes:
            return (
                SKIP,
                f"catalog says Responses is {'served' if expected else 'not served'}; run with --paid-probes to check",
            )
        client = self.mantle()
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": PROBE_PROMPT}], max_tokens=16)
        try:
            client.responses.create(model=model, input=PROBE_PROMPT, store=False, max_output_tokens=16)
            served = True
        except Exception as exc:  # noqa: BLE001 - the answer is the point
            served, detail = False, _openai_message(exc) or type(exc).__name__
        if served == expected:
            return (
                PASS,
                f"Chat Completions answers; Responses {'answers' if served else 'is refused'}, as the catalog says",
            )
        if served:
            return WARN, "Responses answers though the catalog says it is not served: the smoke test could use it"
        return FAIL, f"Responses is refused ({detail}) though the catalog says it is served: the smoke test would fail"

    def native_base_model(self, model: str) -> tuple[str, str]:
        details = self._client("bedrock").get_foundation_model(modelIdentifier=model)["modelDetails"]
        supported = details.get("customizationsSupported") or []
        return PASS, f"{details.get('modelId', model)} exists; customizations listed: {', '.join(supported) or 'none'}"

    def native_inference_profile(self, customization: Any) -> tuple[str, str]:
        profile = customization.audit.model_id
        if not profile:
            return WARN, (
                f"audit.model_id is not set: the audit invokes {customization.base_model}, which AWS's "
                "Nova guide does not list for invocation (use the us./global. profile)"
            )
        found = self._client("bedrock").get_inference_profile(inferenceProfileIdentifier=profile)
        return (
            PASS,
            f"{profile} is {found.get('status', 'ACTIVE')} and routes to {len(found.get('models', []))} model(s)",
        )


def _openai_message(exc: BaseException) -> str | None:
    status = getattr(exc, "status_code", None)
    if status is not None:
        return f"{type(exc).__name__} ({status})"
    if type(exc).__module__.startswith("openai"):
        return type(exc).__name__
    return None
