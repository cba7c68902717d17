"""Cleanup of runs whose execution ended without the failure path: aborted or timed out.

A manual stop (``StopExecution``), an abort, or the execution timeout ends a run between two
states, so ``RecordFailure`` never runs and a paid job keeps training. An EventBridge rule on
Step Functions' "Execution Status Change" events (status ``ABORTED`` or ``TIMED_OUT``, the
team's state machines only; ``constructs_lib/abandoned_runs.py``) invokes this step, which:

1. maps the state machine name ``rft-<team>-<customization>`` to the customization (others
   are ignored) and the execution name to the run id;
2. finds the run's job by the registry record or its idempotency key (``recovery.py``) and
   cancels it if it may still run;
3. when the team deploys Nova models for evaluation, deletes the run's evaluation deployment
   by its name (``deployment.delete_for_run``; never one a promotion of the run made live);
4. records the outcome in the run's registry item (``RunRegistry.record_abandoned``);
5. asks WriteRunReport for the run's report page (no state of the run got to write it), with
   the runtime config read from the state machine's own definition. Synchronously, so the
   outcome is known here and the report function stays invoked synchronously only (its nag
   acknowledgment says so). Best effort: a page that cannot be written is a note, never a retry.

Errors propagate (EventBridge retries the invocation; the function's Errors alarm tells the
team): a job we could not cancel costs money, so failing loudly is the point.
"""

from __future__ import annotations

import json
from typing import Any

from rft_contracts.naming import state_machine_name
from rft_contracts.registry import RunRegistry
from rft_contracts.runtime_config import config_of_definition

from . import clients, deployment, recovery

ABANDONED = ("ABORTED", "TIMED_OUT")
# WriteRunReport's timeout (constructs_lib/run_report.py) plus a margin; the cleanup function's
# own timeout (constructs_lib/abandoned_runs.py) leaves room for this wait after its work.
REPORT_WAIT_SECONDS = 130


def execution_of(event: dict) -> tuple[str, str, str]:
    """(state machine name, execution name, status) of an Execution Status Change event."""
    detail = event.get("detail") or {}
    machine_arn = str(detail.get("stateMachineArn") or "")
    name = detail.get("name") or str(detail.get("executionArn") or "").rsplit(":", 1)[-1]
    return machine_arn.rsplit(":", 1)[-1], str(name), str(detail.get("status") or "")


def cleanup(
    event: dict,
    *,
    team: str,
    planes: list[str],
    region: str,
    registry: RunRegistry,
    deployments: bool = False,
    report_function: str | None = None,
) -> dict[str, Any]:
    """``planes``: the control planes the team's customizations use ("mantle", "native");
    ``deployments``: whether any of them deploys Nova models for evaluation;
    ``report_function``: the team's WriteRunReport function, asked for the run's page.

    The customization is the state machine's name after ``rft-<team>-``. A run the registry
    does not know (its execution died before any step recorded it, or a hyphenated team's
    machine matched the rule's prefix) is looked for on each of the team's planes by its
    idempotency key; the plane the registry recorded is used when there is one."""
    machine, run_id, status = execution_of(event)
    prefix = state_machine_name(team, "")
    customization = machine[len(prefix) :] if machine.startswith(prefix) else ""
    if not customization or status not in ABANDONED or not run_id:
        return {"ignored": True, "state_machine": machine, "status": status}
    item = registry.get(customization, run_id) or {}
    outcome: dict[str, Any] = {}
    for plane in [item["plane"]] if item.get("plane") else planes:
        outcome = recovery.find_and_cancel(region, plane, customization, run_id, item)
        if outcome.get("job_id"):
            break
    deleted = None
    if deployments and "native" in ([item["plane"]] if item.get("plane") else planes):
        try:
            deleted = deployment.delete_for_run(region, team, customization, run_id, item, None)
        except Exception as exc:  # noqa: BLE001 - recorded, then raised below for a retry
            deleted = f"delete failed: {type(exc).__name__}: {str(exc)[:200]}"
    if not item and not outcome.get("job_id") and deleted in (None, "absent"):
        return {"ignored": True, "state_machine": machine, "status": status}
    record = {k: outcome[k] for k in ("job_id", "plane", "cancelled", "recovered")}
    record["notes"] = outcome["notes"]
    if deleted is not None:
        record["deployment"] = deleted
    registry.record_abandoned(team, customization, run_id, execution_status=status, cleanup=record)
    if report_function:
        record["report"] = request_report(region, event, run_id, report_function)
    failed_cancel = [n for n in outcome["notes"] if n.startswith(("cancel failed", "job lookup failed"))]
    if str(deleted).startswith("delete failed"):
        failed_cancel.append(f"evaluation deployment {deleted}")
    if failed_cancel:
        # Recorded above; raising makes EventBridge retry and the Errors alarm fire.
        raise RuntimeError(f"run {run_id}: the job or deployment may still be running: {failed_cancel[0]}")
    return {"ignored": False, "customization": customization, "run_id": run_id, "status": status, **record}


def request_report(region: str, event: dict, run_id: str, function: str) -> str:
    """Invoke WriteRunReport with the run's config, read from the deployed state machine's
    definition: "written", or why not."""
    machine_arn = str((event.get("detail") or {}).get("stateMachineArn") or "")
    try:
        described = clients.client("stepfunctions", region).describe_state_machine(stateMachineArn=machine_arn)
        config = config_of_definition(json.loads(described["definition"]))
        answer = clients.client("lambda", region, read_timeout=REPORT_WAIT_SECONDS).invoke(
            FunctionName=function, Payload=json.dumps({"run_id": run_id, "config": config}).encode()
        )
        result = json.loads(answer["Payload"].read() or b"{}")
    except Exception as exc:  # noqa: BLE001 - the page is best effort; the job and deployment were handled
        return f"not written: {type(exc).__name__}: {str(exc)[:200]}"
    if answer.get("FunctionError") or not (isinstance(result, dict) and result.get("written")):
        return f"not written: {str(result)[:200]}"
    return "written"


def cleanup_from_environment(event: dict, environ: dict[str, str]) -> dict[str, Any]:
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or ""
    registry = RunRegistry(clients.resource("dynamodb", region).Table(environ["RFT_REGISTRY_TABLE"]))
    return cleanup(
        event,
        team=environ["RFT_TEAM"],
        planes=environ["RFT_TEAM_PLANES"].split(","),
        region=region,
        registry=registry,
        deployments=environ.get("RFT_EVALUATION_DEPLOYMENTS") == "true",
        report_function=environ.get("RFT_REPORT_FUNCTION") or None,
    )
