"""`rft run`: start, watch and approve/reject fine-tuning runs of a deployed team.

    rft run start   --team T --customization C [--train FILE] [--validation FILE] [--poll-seconds N]
    rft run watch   NAME --team T --customization C
    rft run approve NAME --team T --customization C [--reason TEXT]
    rft run reject  NAME --team T --customization C [--reason TEXT]
    rft run stop    NAME --team T --customization C [--reason TEXT]

Names come from the team config (rft.naming): the datasets bucket, the state machine
``rft-<team>-<customization>`` and the run registry table. AWS credentials and the region come
from the environment; the region is the team's. Errors print one line and exit 2.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from rft.aws_errors import CliError, guarded, load_customization
from rft_contracts.run_ids import make_run_id

TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
_sleep = time.sleep  # tests replace it


def register(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "run", help="start, watch and approve fine-tuning runs", description=__doc__.split("\n\n")[0]
    )
    commands = parser.add_subparsers(dest="run_command", metavar="ACTION", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--team", required=True, help="team whose config names the resources")
        sub.add_argument("--customization", required=True, help="customization within the team")

    start = commands.add_parser("start", help="upload data (optional) and start a run")
    common(start)
    start.add_argument("--train", metavar="FILE", help="training JSONL to upload as a new object version")
    start.add_argument("--validation", metavar="FILE", help="validation JSONL to upload as a new object version")
    start.add_argument("--poll-seconds", type=int, metavar="N", help="override the job status poll interval")
    start.set_defaults(func=run)

    watch = commands.add_parser("watch", help="follow a run's states until it ends")
    watch.add_argument("name", help="run (execution) name printed by `rft run start`")
    common(watch)
    watch.add_argument("--interval", type=float, default=10.0, help="seconds between polls (default 10)")
    watch.set_defaults(func=run)

    for action in ("approve", "reject"):
        sub = commands.add_parser(action, help=f"{action} a run waiting for cost approval")
        sub.add_argument("name", help="run name")
        common(sub)
        sub.add_argument("--reason", default="", help="why (recorded in the run registry)")
        sub.set_defaults(func=run)

    stop = commands.add_parser("stop", help="stop a run; its training job is cancelled by the cleanup")
    stop.add_argument("name", help="run name")
    common(stop)
    stop.add_argument("--reason", default="", help="why (kept as the execution's stop cause)")
    stop.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    def body() -> int:
        team, customization = load_customization(args.team, args.customization)
        if args.run_command == "start":
            print(start(team, customization, args))
            return 0
        if args.run_command == "watch":
            return watch(team, customization, args.name, args.interval)
        if args.run_command == "stop":
            return stop_run(team, customization, args.name, args.reason)
        return answer(team, customization, args.name, approved=args.run_command == "approve", reason=args.reason)

    return guarded("rft run", body)


def _client(service: str, team):
    import boto3

    return boto3.client(service, region_name=team.region)


def _read(path_text: str) -> bytes:
    path = Path(path_text)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    return path.read_bytes()


def start(team, customization, args) -> str:
    from rft_contracts import naming

    bucket = naming.bucket_name(team.team, "datasets", team.account, team.region)
    s3 = _client("s3", team)
    files = {"train": customization.dataset.train, "validation": customization.dataset.validation}
    local = {"train": args.train, "validation": args.validation}
    if args.validation and files["validation"] is None:
        raise CliError(
            f"customization {customization.name} declares no validation dataset; "
            "set dataset.validation in the team config to use --validation"
        )
    run_input: dict[str, Any] = {}
    train_digest = None
    for part in ("train", "validation"):
        object_name = files[part]
        if object_name is None:
            run_input[part] = None
            continue
        key = naming.dataset_key(customization.name, object_name)
        if local[part]:
            body = _read(local[part])
            version = s3.put_object(Bucket=bucket, Key=key, Body=body).get("VersionId")
            digest = hashlib.sha256(body).hexdigest()
        else:
            head = _head(s3, bucket, key, required=part == "train")
            if head is None:
                run_input[part] = None
                continue
            version = head.get("VersionId")
            digest = hashlib.sha256(f"{key}@{version}".encode()).hexdigest()
        if part == "train":
            train_digest = digest
        run_input[part] = {"key": key, "version_id": version}
    if args.poll_seconds is not None:
        if args.poll_seconds < 1:
            raise CliError("--poll-seconds must be a positive number of seconds")
        run_input["poll_seconds"] = args.poll_seconds
    assert train_digest is not None  # the train part is required: uploaded or found above
    name = make_run_id(train_digest)
    run_input["started_by"] = _caller(team)  # the promotion gate's distinct-approver rule reads it
    arn = naming.state_machine_arn(team.team, customization.name, team.account, team.region)
    sfn = _client("stepfunctions", team)
    try:
        sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps({"input": run_input}))
    except sfn.exceptions.StateMachineDoesNotExist:
        raise CliError(
            f"state machine {arn} does not exist; deploy the customization's stack "
            f"{naming.customization_stack_name(team.team, customization.name)} first"
        ) from None
    except sfn.exceptions.ExecutionAlreadyExists:
        raise CliError(f"a run named {name} already exists; wait a second and start again") from None
    return name


def _head(s3, bucket: str, key: str, required: bool) -> dict | None:
    from botocore.exceptions import ClientError

    try:
        return s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            if required:
                raise CliError(f"s3://{bucket}/{key} does not exist; pass --train FILE to upload it") from None
            return None
        raise


def _execution_arn(team, customization, name: str) -> str:
    from rft_contracts import naming

    machine = naming.state_machine_arn(team.team, customization.name, team.account, team.region)
    return machine.replace(":stateMachine:", ":execution:", 1) + f":{name}"


def _history(sfn, arn: str) -> list[dict]:
    events, token = [], None
    while True:
        kwargs = {"executionArn": arn, "maxResults": 1000}
        if token:
            kwargs["nextToken"] = token
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return events


def describe_event(event: dict) -> str | None:
    kind = event["type"]
    if kind.endswith("StateEntered"):
        return f"-> {event['stateEnteredEventDetails']['name']}"
    if kind.endswith("StateExited"):
        return f"ok {event['stateExitedEventDetails']['name']}"
    for key in ("taskFailedEventDetails", "lambdaFunctionFailedEventDetails", "executionFailedEventDetails"):
        if key in event:
            details = event[key]
            cause = (details.get("cause") or "")[:300]
            return f"!! {kind}: {details.get('error', '')}{': ' + cause if cause else ''}"
    if kind == "ExecutionSucceeded":
        return "run succeeded"
    if kind in ("ExecutionAborted", "ExecutionTimedOut"):
        return f"run {kind.removeprefix('Execution').lower()}"
    return None


def watch(team, customization, name: str, interval: float) -> int:
    sfn = _client("stepfunctions", team)
    arn = _execution_arn(team, customization, name)
    seen: set[int] = set()
    while True:
        try:
            status = sfn.describe_execution(executionArn=arn)["status"]
        except sfn.exceptions.ExecutionDoesNotExist:
            raise CliError(f"no run {name} of {customization.name} (team {team.team})") from None
        for event in _history(sfn, arn):
            if event["id"] in seen:
                continue
            seen.add(event["id"])
            line = describe_event(event)
            if line:
                stamp = event["timestamp"].strftime("%H:%M:%S") if hasattr(event["timestamp"], "strftime") else ""
                print(f"{stamp} {line}".strip(), flush=True)
        if status in TERMINAL:
            print(f"{name}: {status}")
            return 0 if status == "SUCCEEDED" else 1
        _sleep(interval)


def stop_run(team, customization, name: str, reason: str) -> int:
    """StopExecution. A stopped execution runs no failure path; the team's CleanupAbandonedRun
    function (EventBridge, constructs_lib/abandoned_runs.py) cancels the job and records it."""
    sfn = _client("stepfunctions", team)
    arn = _execution_arn(team, customization, name)
    try:
        status = sfn.describe_execution(executionArn=arn)["status"]
    except sfn.exceptions.ExecutionDoesNotExist:
        raise CliError(f"no run {name} of {customization.name} (team {team.team})") from None
    if status != "RUNNING":
        raise CliError(f"run {name} is not running (status: {status})")
    sfn.stop_execution(
        executionArn=arn, error="StoppedByOperator", cause=(reason or f"stopped by {_caller(team)}")[:32768]
    )
    print(
        f"{name}: stopped; its training job (if any) is cancelled by the team's cleanup function, "
        f"see `rft runs show {name}`"
    )
    return 0


def _caller(team) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return _client("sts", team).get_caller_identity()["Arn"]
    except (BotoCoreError, ClientError):
        return os.environ.get("USER") or getpass.getuser()


def answer(team, customization, name: str, *, approved: bool, reason: str) -> int:
    import boto3

    from rft_contracts import naming
    from rft_contracts.registry import RunRegistry

    table_name = naming.registry_table_name(team.team)
    registry = RunRegistry(boto3.resource("dynamodb", region_name=team.region).Table(table_name))
    item = registry.get(customization.name, name)
    if item is None:
        raise CliError(f"no run {name} of {customization.name} in the registry {table_name}")
    promotion = item.get("status") == "awaiting_promotion_approval"  # held by the promotion gate
    if item.get("status") not in ("awaiting_approval", "awaiting_promotion_approval") or not item.get("task_token"):
        raise CliError(f"run {name} is not awaiting approval (status: {item.get('status', 'unknown')})")
    by = _caller(team)
    decision = {"approved": approved, "by": by, "reason": reason or ("approved" if approved else "rejected")}
    sfn = _client("stepfunctions", team)
    try:
        sfn.send_task_success(taskToken=item["task_token"], output=json.dumps(decision))
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist):
        raise CliError(f"the approval request of run {name} has expired or was already answered") from None
    if not promotion:  # a promotion decision is checked and recorded by the workflow itself
        registry.record_decision(customization.name, name, decision)
    print(f"{name}: {'approved' if approved else 'rejected'} by {by}")
    return 0
