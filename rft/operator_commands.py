"""Operator commands on runs and promoted models (issue 12).

    rft runs cancel RUN --team T --customization C [--reason TEXT]
    rft runs compare RUN_A RUN_B --team T --customization C
    rft runs report RUN --team T --customization C -o report.html   (rft.report)
    rft models promote RUN --team T --customization C [--checkpoint STEP|final] [--force] --reason TEXT
    rft models rollback --team T --customization C --reason TEXT

``cancel`` stops the execution first (so no step can start a job after we looked), then
cancels the run's paid job (mantle: CancelFineTuningJob; native: StopModelCustomizationJob)
and records both in the registry. ``promote`` puts a candidate the run evaluated into service
through the same gate as the workflow (rft_workflow.gate, recomputed from the per-item results
in the artifacts bucket): a candidate the gate rejects needs ``--force``; one it would hold
counts as approved by you (and the team's distinct-approver rule applies). ``rollback`` puts
the model parameter back to the value it had before its current value (SSM parameter history).
Every promotion and rollback is recorded with who and why. Errors print one line and exit 2.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from rft.aws_errors import CliError, guarded, load_customization

STOPPED_ERROR = "Cancelled"


# --------------------------------------------------------------------------- registration
def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--team", required=True, help="team whose config names the customization")
    parser.add_argument("--customization", required=True, help="the customization")


def register_runs(commands: Any) -> None:
    cancel = commands.add_parser("cancel", help="stop a run's execution and cancel its paid job")
    cancel.add_argument("run_id", metavar="RUN")
    _common(cancel)
    cancel.add_argument("--reason", default="cancelled by an operator", help="recorded in the registry")
    cancel.set_defaults(
        func=lambda a: guarded("rft runs cancel", lambda: cancel_run(a.team, a.customization, a.run_id, a.reason))
    )
    compare = commands.add_parser("compare", help="two runs' held-out results side by side")
    compare.add_argument("run_a", metavar="RUN_A")
    compare.add_argument("run_b", metavar="RUN_B")
    _common(compare)
    compare.set_defaults(
        func=lambda a: guarded("rft runs compare", lambda: compare_runs(a.team, a.customization, a.run_a, a.run_b))
    )
    report = commands.add_parser("report", help="write one self-contained HTML report of a run")
    report.add_argument("run_id", metavar="RUN")
    _common(report)
    report.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the HTML")
    report.set_defaults(
        func=lambda a: guarded("rft runs report", lambda: _report(a.team, a.customization, a.run_id, a.output))
    )


def register_models(commands: Any) -> None:
    promote = commands.add_parser("promote", help="promote a run's candidate (through the gate unless --force)")
    promote.add_argument("run_id", metavar="RUN")
    _common(promote)
    promote.add_argument(
        "--checkpoint", metavar="STEP", help="the checkpoint's step, or 'final' (default: the candidate the gate chose)"
    )
    promote.add_argument("--force", action="store_true", help="promote even if the gate rejects it")
    promote.add_argument("--reason", required=True, help="why (recorded with who)")
    promote.set_defaults(
        func=lambda a: guarded(
            "rft models promote",
            lambda: promote_run(
                a.team, a.customization, a.run_id, checkpoint=a.checkpoint, force=a.force, reason=a.reason
            ),
        )
    )
    rollback = commands.add_parser("rollback", help="put the previously promoted model back in service")
    _common(rollback)
    rollback.add_argument("--reason", required=True, help="why (recorded with who)")
    rollback.set_defaults(
        func=lambda a: guarded("rft models rollback", lambda: rollback_model(a.team, a.customization, a.reason))
    )


def _report(team: str, customization: str, run_id: str, out: str) -> int:
    from rft.report import write_report

    return write_report(team, customization, run_id, out)


# --------------------------------------------------------------------------- helpers
def _registry(team):
    import boto3

    from rft_contracts import naming
    from rft_contracts.registry import RunRegistry

    return RunRegistry(boto3.resource("dynamodb", region_name=team.region).Table(naming.registry_table_name(team.team)))


def _item(team, customization, run_id: str) -> dict:
    item = _registry(team).get(customization.name, run_id)
    if item is None:
        raise CliError(f"no run {run_id} of {customization.name} in the registry")
    return item


def _caller(team) -> str:
    from rft.run_control import _caller as caller

    return caller(team)


def _parameter(team, customization) -> str:
    from rft_contracts import naming

    return naming.parameter_path(team.team, customization.name, "model")


# --------------------------------------------------------------------------- cancel
def cancel_run(team_name: str, customization_name: str, run_id: str, reason: str) -> int:
    import boto3

    from rft_contracts import naming
    from rft_contracts.registry import FINISHED

    team, customization = load_customization(team_name, customization_name)
    item = _item(team, customization, run_id)
    if item.get("status") in FINISHED:
        raise CliError(f"run {run_id} already ended ({item['status']}); nothing to cancel")
    by = _caller(team)
    sfn = boto3.client("stepfunctions", region_name=team.region)
    arn = (
        naming.state_machine_arn(team.team, customization.name, team.account, team.region).replace(
            ":stateMachine:", ":execution:"
        )
        + f":{run_id}"
    )
    try:
        sfn.stop_execution(executionArn=arn, error=STOPPED_ERROR, cause=f"cancelled by {by}: {reason}"[:32768])
    except sfn.exceptions.ExecutionDoesNotExist:
        pass  # recorded but never started, or already gone: still cancel the job below
    item = _item(team, customization, run_id)  # re-read: submit may have recorded a job meanwhile
    job_id = item.get("job_id") or (item.get("submit") or {}).get("job_id")
    plane = item.get("plane") or customization.control_plane.value
    cancelled = _cancel_job(team, plane, job_id) if job_id else False
    _registry(team).record_cancel(customization.name, run_id, by=by, reason=reason, job_cancelled=cancelled)
    print(
        f"{run_id}: execution stopped; "
        + (f"job {job_id} cancelled" if cancelled else f"job {job_id or '(none)'} not running")
        + f"; by {by}"
    )
    return 0


def _cancel_job(team, plane: str, job_id: str) -> bool:
    if plane == "mantle":
        import openai

        from rft.aws_errors import mantle_client

        try:
            mantle_client(team.region).fine_tuning.jobs.cancel(job_id)
            return True
        except (openai.BadRequestError, openai.ConflictError, openai.NotFoundError):
            return False  # already ended or gone
    import boto3
    from botocore.exceptions import ClientError

    try:
        boto3.client("bedrock", region_name=team.region).stop_model_customization_job(jobIdentifier=job_id)
        return True
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("ConflictException", "ValidationException", "ResourceNotFoundException"):
            return False
        raise


# --------------------------------------------------------------------------- promote / rollback
def _gate_settings(customization):
    from rft_contracts.runtime_config import PromotionGateSettings

    return PromotionGateSettings(**customization.promotion.model_dump())


def _item_results(team, customization, run_id: str) -> dict[str, list[dict]]:
    """Per candidate key, the evaluation item documents the run wrote."""
    import boto3

    from rft_contracts import naming

    s3 = boto3.client("s3", region_name=team.region)
    bucket = naming.bucket_name(team.team, "artifacts", team.account, team.region)
    prefix = naming.evaluation_key(customization.name, run_id, naming.EVALUATION_ITEMS_DIR)
    out: dict[str, list[dict]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            key = obj["Key"][len(prefix) :].split("/", 1)[0]
            out.setdefault(key, []).append(json.loads(s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()))
    return out


def gate_for(team, customization, item: dict, candidate_key: str) -> dict:
    """The workflow's gate, recomputed for one candidate of a recorded run."""
    from rft_workflow import gate

    recorded = item.get("gate") or {}
    candidates = recorded.get("candidates") or []
    if not candidates:
        raise CliError(f"run {item['run_id']} has no held-out evaluation recorded")
    settings = _gate_settings(customization)
    results = _item_results(team, customization, item["run_id"])
    keys = {c["key"] for c in candidates if c["role"] == "candidate"}
    values = {key: gate.per_prompt_values(docs, settings, failures_count=key in keys) for key, docs in results.items()}
    plan = {
        "prompts": recorded.get("prompts"),
        "note": "",
        "candidates": [c for c in candidates if c["role"] != "candidate" or c["key"] == candidate_key],
    }
    return gate.decide(
        plan,
        values,
        {},
        settings,
        customization.checkpoint_selection.prefer,
        customization.checkpoint_selection.metric,
        seed=item["run_id"],
    )


def _candidate(item: dict, checkpoint: str | None) -> dict:
    candidates = [c for c in (item.get("gate") or {}).get("candidates") or [] if c["role"] == "candidate"]
    if checkpoint is None:
        chosen = (item.get("gate") or {}).get("chosen")
        if chosen:
            return next(c for c in candidates if c["key"] == chosen["key"])
        finals = [c for c in candidates if c.get("final")]
        if finals:
            return finals[0]
        raise CliError("the run has no candidate to promote")
    key = "final" if checkpoint == "final" else f"step-{checkpoint}"
    found = next((c for c in candidates if c["key"] == key), None)
    if found is None:
        raise CliError(
            f"run {item['run_id']} has no candidate {key} (it has: {', '.join(c['key'] for c in candidates) or 'none'})"
        )
    return found


def served_model_id(item: dict, candidate: dict) -> str:
    """What the model parameter should name for a candidate: a Nova model evaluated through the
    run's deployment is served by that deployment only while it exists (kept); the run deleted
    it otherwise, so the parameter names the custom model itself (as the workflow's Promote)."""
    from rft_contracts.registry import served_model_id as served

    return served(candidate, deployment_kept=(item.get("evaluation_deployment") or {}).get("action") == "kept")


def _put_model(team, customization, model_id: str) -> tuple[int, str | None]:
    import boto3

    ssm = boto3.client("ssm", region_name=team.region)
    name = _parameter(team, customization)
    try:
        previous = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        previous = None
    version = ssm.put_parameter(Name=name, Value=model_id, Type="String", Overwrite=True)["Version"]
    return version, previous


def promote_run(
    team_name: str, customization_name: str, run_id: str, *, checkpoint: str | None, force: bool, reason: str
) -> int:
    team, customization = load_customization(team_name, customization_name)
    item = _item(team, customization, run_id)
    if item.get("status") == "awaiting_promotion_approval":
        raise CliError(
            f"run {run_id} is waiting for a promotion approval; answer it with "
            f"`rft run approve {run_id} --team {team.team} --customization {customization.name}`"
        )
    candidate = _candidate(item, checkpoint)
    by = _caller(team)
    how = "forced"
    if not force:
        decision = gate_for(team, customization, item, candidate["key"])
        if decision["decision"] == "reject":
            raise CliError(
                f"the gate rejects {candidate['key']} ({decision['reason']}); use --force to "
                "promote it anyway (recorded as forced)"
            )
        if decision["decision"] == "hold":
            started_by = item.get("started_by")
            if customization.promotion.require_distinct_approver and (not started_by or started_by == by):
                raise CliError(
                    f"the gate holds {candidate['key']} for approval and the team requires an "
                    f"approver other than the run's starter ({started_by or 'unknown'})"
                )
            how = "approved_hold"
        else:
            how = "gate"
    model_id = served_model_id(item, candidate)
    version, previous = _put_model(team, customization, model_id)
    _registry(team).record_manual_promotion(
        customization.name,
        run_id,
        {
            "model_id": model_id,
            "previous_model_id": previous,
            "by": by,
            "reason": reason,
            "how": how,
            "candidate": candidate["key"],
            "parameter_version": version,
        },
        promoted=True,
    )
    print(
        f"{customization.name}: {model_id} ({run_id} {candidate['key']}) promoted ({how}) "
        f"by {by}; previous {previous or '(none)'}"
    )
    return 0


def rollback_model(team_name: str, customization_name: str, reason: str) -> int:
    import boto3

    team, customization = load_customization(team_name, customization_name)
    ssm = boto3.client("ssm", region_name=team.region)
    name = _parameter(team, customization)
    history = []
    for page in ssm.get_paginator("get_parameter_history").paginate(Name=name):
        history.extend(page["Parameters"])
    history.sort(key=lambda p: p["Version"])
    if not history:
        raise CliError(f"{name} has no history: nothing was promoted")
    current = history[-1]["Value"]
    previous = next((p["Value"] for p in reversed(history) if p["Value"] != current), None)
    if previous is None:
        raise CliError(f"{name} has had one model only ({current}); there is nothing to roll back to")
    by = _caller(team)
    version = ssm.put_parameter(Name=name, Value=previous, Type="String", Overwrite=True)["Version"]
    entry = {
        "model_id": previous,
        "previous_model_id": current,
        "by": by,
        "reason": reason,
        "how": "rollback",
        "parameter_version": version,
    }
    registry = _registry(team)
    runs = [
        r
        for r in (
            registry.get(customization.name, i["run_id"]) for i in _registry(team).newest(customization.name, 200)
        )
        if r
    ]
    demoted = next((r for r in runs if r.get("model_id") == current), None)
    restored = next((r for r in runs if r.get("model_id") == previous), None)
    if demoted:
        registry.record_manual_promotion(customization.name, demoted["run_id"], entry, promoted=False)
    if restored and restored is not demoted:
        registry.record_manual_promotion(customization.name, restored["run_id"], entry, promoted=True)
    print(f"{customization.name}: rolled back from {current} to {previous} (parameter version {version}) by {by}")
    return 0


# --------------------------------------------------------------------------- compare
def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, (int, float)) else "-"


def compare_runs(team_name: str, customization_name: str, run_a: str, run_b: str) -> int:
    team, customization = load_customization(team_name, customization_name)
    items = [_item(team, customization, r) for r in (run_a, run_b)]

    def row(label: str, fn) -> str:
        return f"{label:<28}" + "".join(f"{str(fn(i))[:40]:<42}" for i in items)

    def model(i: dict, role: str) -> str:
        c = next((c for c in (i.get("gate") or {}).get("candidates") or [] if c["role"] == role), None)
        if not c:
            return "-"
        ci = c.get("ci") or [None, None]
        return f"{_fmt(c.get('mean'))} [{_fmt(ci[0])}, {_fmt(ci[1])}] n={c.get('n')}"

    def chosen(i: dict) -> str:
        c = (i.get("gate") or {}).get("chosen") or {}
        ci = c.get("ci") or [None, None]
        return f"{c.get('key', '-')} {_fmt(c.get('mean'))} [{_fmt(ci[0])}, {_fmt(ci[1])}]"

    def versus(i: dict, role: str) -> str:
        c = next((c for c in (i.get("gate") or {}).get("comparisons") or [] if c["baseline"] == role), None)
        if not c:
            return "-"
        ci = c.get("ci") or [None, None]
        return f"{_fmt(c.get('mean_difference'))} [{_fmt(ci[0])}, {_fmt(ci[1])}] {c.get('verdict')}"

    lines = [
        row("run", lambda i: i["run_id"]),
        row("status", lambda i: i.get("status")),
        row("gate decision", lambda i: (i.get("gate") or {}).get("decision", "-")),
        row("metric", lambda i: (i.get("gate") or {}).get("metric", "-")),
        row("chosen candidate", chosen),
        row("base model", lambda i: model(i, "base")),
        row("current model then", lambda i: model(i, "current")),
        row("chosen - base", lambda i: versus(i, "base")),
        row("chosen - current", lambda i: versus(i, "current")),
        row("held-out prompts", lambda i: (i.get("gate") or {}).get("prompts", "-")),
        row("missing items", lambda i: (i.get("gate") or {}).get("missing_items", "-")),
        row("promoted model", lambda i: i.get("model_id") or "-"),
        row("cost estimate (USD)", lambda i: _fmt(i.get("cost_estimate_usd"))),
        row("grader spec", lambda i: str((i.get("lineage") or {}).get("grader_spec_hash") or "-")[:12]),
    ]
    hp = [json.dumps((i.get("lineage") or {}).get("hyperparameters") or {}, sort_keys=True) for i in items]
    lines.append(
        row(
            "hyperparameters",
            lambda i: json.dumps((i.get("lineage") or {}).get("hyperparameters") or {}, sort_keys=True),
        )
    )
    if hp[0] == hp[1]:
        lines.append("(same hyperparameters)")
    print("\n".join(lines))
    return 0
