"""The run registry: one DynamoDB item per run, key (customization, run_id), and every write to it.

Writers: the workflow steps (approval request, submit, promote, failure), the CLI's approve /
reject path, and the job-events function. They all write through ``RunRegistry`` below, so the
item's shape is defined here once. Readers (the CLI's ``rft runs``, the workflow) decode with
``from_dynamo``.

Item (attributes appear as the run advances; every write sets ``updated_at``)::

    customization (S, partition key)   run_id (S, sort key)
    team, created_at, updated_at       ISO-8601 UTC
    status             awaiting_approval | approved | rejected | submitting | running |
                       succeeded | failed
    task_token         while awaiting approval (removed when answered)
    approval_requested_at, cost_estimate_usd, approval {approved, by, reason, at}
    submit             {"state": "submitting"|"submitted", "started_at", "train_file_id",
                        "validation_file_id", "files_uploaded_at", "job_id", "adopted": bool,
                        "owner": Lambda request id holding the claim, "lease_until": epoch s,
                        "claimed_at"}   (mantle submit; see rft_workflow.submit)
    job_id, plane, base_model
    job_event_status, job_event_at, job_failure_message, job_output_model_arn   (job events)
    lineage            (promote) datasets, grader spec hash, hyperparameters, job, chosen
                       checkpoint and every score, cost estimate
    model_id, model_parameter, parameter_version, promoted_at
    error {Error, Cause}, failed_step, failed_at, job_cancelled, job_recovered   (failure path)
    execution_status, abandoned_at, cleanup {job_id, plane, cancelled, note}    (cleanup of an
                       aborted / timed-out execution, rft_workflow.cleanup)
    dataset_snapshots  {"train"|"validation": {"bucket", "key", "sha256"}}    (submit)
    started_by         the principal that started the run (``rft run start``), when known
    gate               (promotion gate) decision promote|hold|reject, reason, metric, chosen
                       candidate, per-candidate means with intervals and sample counts, the
                       paired comparisons with baselines, evaluation report key
    promotion_approval {approved, by, reason, at}   a person's answer to a held promotion
    not_promoted_reason                             status not_promoted: why
    cancelled {by, reason, at, job_cancelled}       rft runs cancel
    promotion_history  [{model_id, previous_model_id, by, reason, how, at, parameter_version}]
                       manual promotions and rollbacks (rft models promote | rollback)
    report_key, report_written_at   the run's report page in the artifacts bucket (WriteRunReport,
                       at the end of every run; leaves updated_at alone)
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any, Literal

Status = Literal[
    "awaiting_approval",
    "approved",
    "rejected",
    "submitting",
    "running",
    "succeeded",
    "failed",
    "awaiting_promotion_approval",
    "not_promoted",
    "cancelled",
]
# updated_at is when it ended. not_promoted: the run finished, the gate (or a person) kept the
# current model; succeeded: the run's model was promoted.
FINISHED: tuple[Status, ...] = ("succeeded", "failed", "rejected", "not_promoted", "cancelled")


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# The table's key: partition by customization, sort by run id (constructs_lib/run_registry.py).
PARTITION_KEY, SORT_KEY = "customization", "run_id"


def key(customization: str, run_id: str) -> dict[str, str]:
    return {PARTITION_KEY: customization, SORT_KEY: run_id}


def served_model_id(candidate: dict[str, Any], deployment_kept: bool) -> str:
    """What the model parameter names when ``candidate`` is promoted: a Nova model evaluated
    through the run's deployment (``custom_model_arn`` set, ``model_id`` the deployment ARN) is
    served by that deployment only while it is kept; otherwise by the custom model itself.
    The workflow's Promote and the operator's ``rft models promote`` both ask this."""
    if candidate.get("custom_model_arn") and not deployment_kept:
        return str(candidate["custom_model_arn"])
    return str(candidate["model_id"])


# --------------------------------------------------------------------------- codec
def to_dynamo(value: Any) -> Any:
    """JSON-like value -> DynamoDB-safe value (floats as Decimal, non-finite floats as None)."""
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): to_dynamo(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_dynamo(v) for v in value]
    return value


def from_dynamo(value: Any) -> Any:
    """DynamoDB value -> JSON-like value (Decimal as int when integral, else float; sets as
    sorted lists; binary as text)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: from_dynamo(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [from_dynamo(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(from_dynamo(v) for v in value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if type(value).__name__ == "Binary":  # boto3.dynamodb.types.Binary, without importing boto3
        return bytes(value.value).decode("utf-8", "replace")
    return value


class ConditionFailed(Exception):
    """A conditional registry write lost (someone else wrote first, or the run is not there)."""


# --------------------------------------------------------------------------- the table
class RunRegistry:
    """Reads and the project's writes on the registry table (a boto3 ``Table`` resource)."""

    def __init__(self, table: Any):
        self.table = table

    def newest(self, customization: str, limit: int) -> list[dict]:
        """The newest ``limit`` runs of one customization (run ids sort by start time)."""
        from boto3.dynamodb.conditions import Key

        items: list[dict] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("customization").eq(customization),
            "ScanIndexForward": False,
        }
        while len(items) < limit:
            page = self.table.query(**kwargs, Limit=limit - len(items))
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return [from_dynamo(item) for item in items]

    def get(self, customization: str, run_id: str) -> dict | None:
        item = self.table.get_item(Key=key(customization, run_id), ConsistentRead=True).get("Item")
        return from_dynamo(item) if item else None

    def update(
        self,
        customization: str,
        run_id: str,
        fields: dict[str, Any],
        *,
        remove: tuple[str, ...] = (),
        condition: str | None = None,
        condition_values: dict[str, Any] | None = None,
        condition_names: dict[str, str] | None = None,
    ) -> dict:
        """Upsert ``fields`` (top-level attributes); returns the item after the write."""
        from botocore.exceptions import ClientError

        names: dict[str, str] = dict(condition_names or {})
        values: dict[str, Any] = {":now": now_iso()}
        sets = ["#updated_at = :now", "#created_at = if_not_exists(#created_at, :now)"]
        names["#updated_at"], names["#created_at"] = "updated_at", "created_at"
        for index, (name, value) in enumerate(fields.items()):
            names[f"#f{index}"] = name
            values[f":f{index}"] = to_dynamo(value)
            sets.append(f"#f{index} = :f{index}")
        expression = "SET " + ", ".join(sets)
        if remove:
            for index, name in enumerate(remove):
                names[f"#r{index}"] = name
            expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(remove)))
        kwargs: dict[str, Any] = {
            "Key": key(customization, run_id),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ReturnValues": "ALL_NEW",
        }
        if condition:
            kwargs["ConditionExpression"] = condition
            values.update(to_dynamo(condition_values or {}))
        try:
            return from_dynamo(self.table.update_item(**kwargs)["Attributes"])
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ConditionFailed(condition) from None
            raise

    # -- the writes ----------------------------------------------------------------------
    def request_approval(
        self, team: str, customization: str, run_id: str, task_token: str, estimate_usd: float | None
    ) -> dict:
        return self.update(
            customization,
            run_id,
            {
                "team": team,
                "status": "awaiting_approval",
                "task_token": task_token,
                "approval_requested_at": now_iso(),
                "cost_estimate_usd": estimate_usd,
            },
        )

    def record_decision(self, customization: str, run_id: str, decision: dict[str, Any]) -> dict:
        """A person's answer (``{approved, by, reason}``), written after Step Functions took it."""
        return self.update(
            customization,
            run_id,
            {
                "status": "approved" if decision["approved"] else "rejected",
                "approval": {**decision, "at": now_iso()},
            },
            remove=("task_token",),
        )

    def record_submit(
        self,
        customization: str,
        run_id: str,
        record: dict[str, Any],
        *,
        condition: str,
        condition_values: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict:
        """The submit step's progress record (see rft_workflow.submit); conditional on the job id
        (``#s`` is the record, ``#owner`` its owner)."""
        names = {"#s": "submit", **({"#owner": "owner"} if "#owner" in condition else {})}
        return self.update(
            customization,
            run_id,
            {"submit": record, **(extra or {})},
            condition=condition,
            condition_names=names,
            condition_values=condition_values,
        )

    def claim_submit(
        self, customization: str, run_id: str, record: dict[str, Any], *, previous_owner: str | None
    ) -> dict:
        """Take the submission claim (``record`` carries the new owner and lease): succeeds only
        while no job is recorded and the owner is still the one the caller read, so of two
        concurrent claimants exactly one wins (the other gets ConditionFailed)."""
        if previous_owner is None:
            condition = "attribute_not_exists(#s.job_id) AND attribute_not_exists(#s.#owner)"
            values: dict[str, Any] = {}
        else:
            condition = "attribute_not_exists(#s.job_id) AND #s.#owner = :previous"
            values = {":previous": previous_owner}
        return self.record_submit(customization, run_id, record, condition=condition, condition_values=values)

    def release_submit_claim(self, customization: str, run_id: str, owner: str) -> None:
        """Give the claim up (an owner that failed); a no-op if someone else holds it."""
        item = self.get(customization, run_id) or {}
        record = {k: v for k, v in (item.get("submit") or {}).items() if k not in ("owner", "lease_until")}
        try:
            self.record_submit(
                customization,
                run_id,
                record,
                condition="attribute_not_exists(#s.job_id) AND #s.#owner = :owner",
                condition_values={":owner": owner},
            )
        except ConditionFailed:
            pass

    def record_dataset_snapshots(self, customization: str, run_id: str, snapshots: dict[str, Any]) -> dict:
        """Where the immutable, content-addressed copies of the run's datasets are."""
        return self.update(customization, run_id, {"dataset_snapshots": snapshots})

    def record_promotion(
        self,
        team: str,
        customization: str,
        run_id: str,
        *,
        model_id: str,
        model_parameter: str,
        parameter_version: int,
        promoted_at: str,
        job_id: str | None,
        plane: str,
        base_model: str,
        lineage: dict[str, Any],
    ) -> dict:
        return self.update(
            customization,
            run_id,
            {
                "team": team,
                "status": "succeeded",
                "model_id": model_id,
                "model_parameter": model_parameter,
                "parameter_version": parameter_version,
                "promoted_at": promoted_at,
                "job_id": job_id,
                "plane": plane,
                "base_model": base_model,
                "lineage": lineage,
            },
        )

    def record_failure(
        self,
        team: str,
        customization: str,
        run_id: str,
        *,
        status: Status,
        error: dict[str, str],
        failed_step: str,
        job_cancelled: bool,
        job_id: str | None,
        job_recovered: bool = False,
        deployment_deleted: str | None = None,
    ) -> dict:
        return self.update(
            customization,
            run_id,
            {
                "team": team,
                "status": status,
                "error": error,
                "failed_step": failed_step,
                "failed_at": now_iso(),
                "job_cancelled": job_cancelled,
                **({"job_id": job_id} if job_id else {}),
                **({"job_recovered": True} if job_recovered else {}),
                **({"deployment_deleted": deployment_deleted} if deployment_deleted else {}),
            },
            remove=("task_token",),
        )

    def record_abandoned(
        self, team: str, customization: str, run_id: str, *, execution_status: str, cleanup: dict[str, Any]
    ) -> dict:
        """An execution that was aborted or timed out (no failure path ran): the cleanup done.
        The run becomes ``failed`` unless it had already succeeded (promotion is its last step)."""
        fields = {
            "team": team,
            "execution_status": execution_status,
            "abandoned_at": now_iso(),
            "cleanup": cleanup,
            **({"job_id": cleanup["job_id"]} if cleanup.get("job_id") else {}),
        }
        try:
            return self.update(
                customization,
                run_id,
                {
                    **fields,
                    "status": "failed",
                    "error": {
                        "Error": f"Execution{execution_status.title().replace('_', '')}",
                        "Cause": f"the execution ended {execution_status}; no failure path ran",
                    },
                    "failed_step": "Execution",
                    "failed_at": now_iso(),
                    "job_cancelled": bool(cleanup.get("cancelled")),
                },
                remove=("task_token",),
                condition="attribute_not_exists(#status) OR #status <> :succeeded",
                condition_names={"#status": "status"},
                condition_values={":succeeded": "succeeded"},
            )
        except ConditionFailed:
            return self.update(customization, run_id, fields)

    def record_job_event(self, customization: str, run_id: str, detail: dict[str, Any]) -> dict:
        """A native job's state-change event; only for a run the workflow already recorded
        (raises ConditionFailed otherwise: an event never invents a run)."""
        fields = {
            "job_event_status": detail["jobStatus"],
            "job_event_at": detail.get("lastModifiedTime") or detail.get("endTime") or "",
        }
        if detail.get("failureMessage"):
            fields["job_failure_message"] = str(detail["failureMessage"])[:2000]
        if detail.get("outputModelArn"):
            fields["job_output_model_arn"] = detail["outputModelArn"]
        return self.update(
            customization, run_id, fields, condition="attribute_exists(#run_id)", condition_names={"#run_id": "run_id"}
        )

    # -- promotion gate, operator commands (issue 12) ---------------------------------------
    def record_gate(
        self, team: str, customization: str, run_id: str, gate: dict[str, Any], *, started_by: str | None = None
    ) -> dict:
        """The gate's decision with its intervals and sample counts; a reject ends the run
        ``not_promoted`` here (a promote is completed by ``record_promotion``)."""
        fields: dict[str, Any] = {"team": team, "gate": gate}
        if started_by:
            fields["started_by"] = started_by
        if gate["decision"] == "reject":
            fields.update(status="not_promoted", not_promoted_reason=gate.get("reason"))
        return self.update(customization, run_id, fields)

    def record_deployment(self, team: str, customization: str, run_id: str, deployment: dict[str, Any]) -> dict:
        """The run's Nova evaluation deployment (name, ARN, status; when released: deleted or
        kept), so operators and the abandoned-run cleanup can see what may still exist."""
        return self.update(customization, run_id, {"team": team, "evaluation_deployment": deployment})

    def request_promotion_approval(self, team: str, customization: str, run_id: str, task_token: str) -> dict:
        return self.update(
            customization,
            run_id,
            {
                "team": team,
                "status": "awaiting_promotion_approval",
                "task_token": task_token,
                "promotion_approval_requested_at": now_iso(),
            },
        )

    def record_promotion_decision(
        self, customization: str, run_id: str, decision: dict[str, Any], *, accepted: bool, reason: str
    ) -> dict:
        """A person's answer to a held promotion; ``accepted`` False (a rejection, or an approval
        the gate refused, e.g. by the run's own starter) ends the run not promoted."""
        fields: dict[str, Any] = {"promotion_approval": {**decision, "accepted": accepted, "at": now_iso()}}
        if not accepted:
            fields.update(status="not_promoted", not_promoted_reason=reason)
        return self.update(customization, run_id, fields, remove=("task_token",))

    def record_not_promoted(self, customization: str, run_id: str, reason: str) -> dict:
        return self.update(
            customization, run_id, {"status": "not_promoted", "not_promoted_reason": reason}, remove=("task_token",)
        )

    def record_cancel(self, customization: str, run_id: str, *, by: str, reason: str, job_cancelled: bool) -> dict:
        return self.update(
            customization,
            run_id,
            {
                "status": "cancelled",
                "cancelled": {"by": by, "reason": reason, "at": now_iso(), "job_cancelled": job_cancelled},
            },
            remove=("task_token",),
        )

    def record_report(self, customization: str, run_id: str, report_key: str) -> bool:
        """The key of the run's report page. Only on an existing item (False when there is none:
        a report never creates a partial run record), and ``updated_at`` stays when the run ended."""
        from botocore.exceptions import ClientError

        try:
            self.table.update_item(
                Key=key(customization, run_id),
                UpdateExpression="SET #report = :report, #at = :at",
                ConditionExpression="attribute_exists(#run_id)",
                ExpressionAttributeNames={"#report": "report_key", "#at": "report_written_at", "#run_id": "run_id"},
                ExpressionAttributeValues={":report": report_key, ":at": now_iso()},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def record_manual_promotion(
        self, customization: str, run_id: str, entry: dict[str, Any], *, promoted: bool
    ) -> dict:
        """A manual promotion or rollback (``entry``: model_id, previous_model_id, by, reason,
        how, parameter_version), appended to the run's ``promotion_history``. ``promoted``: the
        run's model now serves (status succeeded, model_id set)."""
        entry = {**entry, "at": now_iso()}
        fields: dict[str, Any] = {}
        if promoted:
            fields.update(
                status="succeeded",
                model_id=entry["model_id"],
                promoted_at=entry["at"],
                parameter_version=entry.get("parameter_version"),
            )
        item = self.get(customization, run_id) or {}
        history = list(item.get("promotion_history") or []) + [entry]
        return self.update(customization, run_id, {**fields, "promotion_history": history})
