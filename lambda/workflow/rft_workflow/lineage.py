"""Promotion: the model parameter applications read, and the lineage recorded with it."""

from __future__ import annotations

from rft_contracts import registry as run_registry
from rft_contracts.naming import dataset_snapshot_key
from rft_contracts.runtime_config import WorkflowConfig

from . import clients, deployment
from .errors import NothingToPromote

JOB_FIELDS = ("job_id", "plane", "started_at", "fine_tuned_model", "output_model_arn", "raw_status")
DATASET_FIELDS = ("key", "version_id", "sha256", "rows")


def lineage(config: WorkflowConfig, state: dict) -> dict:
    """Everything needed to say what a promoted model was made from, from the run's state."""
    job = state.get("job") or {}
    ds = state.get("dataset") or {}
    audit = state.get("audit") or {}
    selection = state.get("selection") or {}
    return {
        "datasets": {
            name: {k: (ds.get(name) or {}).get(k) for k in DATASET_FIELDS} if ds.get(name) else None
            for name in ("train", "validation")
        },
        "datasets_bucket": config.datasets_bucket,
        # The immutable, content-addressed copies the job trained on (rft_workflow/snapshots.py):
        # they outlive re-uploads and version expiry of the keys above.
        "dataset_snapshots": {
            name: {
                "bucket": config.datasets_bucket,
                "key": dataset_snapshot_key(config.customization, ds[name]["sha256"]),
                "sha256": ds[name]["sha256"],
            }
            for name in ("train", "validation")
            if (ds.get(name) or {}).get("sha256")
        },
        "dataset_report_key": ds.get("report_key"),
        "audit": {
            "summary": audit.get("summary"),
            "report_key": audit.get("report_key"),
            "skipped": audit.get("skipped", False),
        },
        "grader_function_arn": config.grader_function_arn,
        "grader_spec_hash": config.grader_spec_hash,
        "base_model": config.base_model,
        "control_plane": config.control_plane,
        "hyperparameters": config.hyperparameters,
        "job": {k: job.get(k) for k in JOB_FIELDS},
        "chosen": selection.get("chosen") or {},
        "scores": selection.get("scores") or [],
        "selection_rule": selection.get("rule"),
        "cost_estimate": state.get("cost"),
        "approval": state.get("approval"),
    }


def promote(config: WorkflowConfig, run_id: str, state: dict) -> dict:
    """Point the customization's model parameter at the chosen model and record the lineage."""
    chosen = (state.get("selection") or {}).get("chosen") or {}
    model_id = chosen.get("model_id")
    if not model_id:
        raise NothingToPromote(f"the selection chose no model ({chosen.get('reason', 'no reason given')})")
    # A Nova model was evaluated through the run's deployment (model_id is its ARN): the
    # parameter names the deployment when the team keeps it, else the custom model itself.
    model_id = run_registry.served_model_id(chosen, deployment_kept=deployment.kept(config, promoted=True))
    version = clients.client("ssm", config.region).put_parameter(
        Name=config.model_parameter,
        Value=model_id,
        Type="String",
        Overwrite=True,
    )["Version"]
    promoted_at = run_registry.now_iso()
    clients.registry(config).record_promotion(
        config.team,
        config.customization,
        run_id,
        model_id=model_id,
        model_parameter=config.model_parameter,
        parameter_version=version,
        promoted_at=promoted_at,
        job_id=(state.get("job") or {}).get("job_id"),
        plane=config.control_plane,
        base_model=config.base_model,
        lineage=lineage(config, state),
    )
    return {
        "model_id": model_id,
        "parameter": config.model_parameter,
        "parameter_version": version,
        "promoted_at": promoted_at,
        "registry": {"table": config.registry_table, "customization": config.customization, "run_id": run_id},
    }
