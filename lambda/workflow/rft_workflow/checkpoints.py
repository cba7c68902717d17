"""The candidates of a finished job: its checkpoints and final model (mantle), in step order."""

from __future__ import annotations

from typing import Any

from rft_contracts.runtime_config import WorkflowConfig

from . import clients, mantle

MAX_PAGES = 100
PAGE_SIZE = 100
NOVA_NO_INFERENCE = (
    "the Nova model was not evaluated: Nova (native plane) custom models answer only through a "
    "custom model deployment (CreateCustomModelDeployment) or Provisioned Throughput, and this "
    "customization does not opt in to an evaluation deployment (evaluation.nova_deployment), so "
    "the gate cannot promote it and the smoke test is skipped"
)
NOVA_FINAL_ONLY = "a Nova job's candidate is its final custom model (no intermediate checkpoints are listed)"


def list_candidates(config: WorkflowConfig, job: dict) -> dict:
    if (job.get("plane") or config.control_plane) != "mantle":
        note = NOVA_FINAL_ONLY if config.evaluation.nova_deployment.enabled else NOVA_NO_INFERENCE
        return {"items": [], "final_model": job.get("output_model_arn"), "note": note}
    client = clients.mantle(config)
    final_model = job.get("fine_tuned_model") or mantle.as_dict(client.fine_tuning.jobs.retrieve(job["job_id"])).get(
        "fine_tuned_model"
    )
    items: list[dict[str, Any]] = []
    after = None
    for _ in range(MAX_PAGES):
        kwargs: dict[str, Any] = {"limit": PAGE_SIZE}
        if after:
            kwargs["after"] = after
        page = client.fine_tuning.jobs.checkpoints.list(job["job_id"], **kwargs)
        batch = [mantle.as_dict(c) for c in page.data]
        items.extend(
            {
                "model_id": c.get("fine_tuned_model_checkpoint"),
                "step": c.get("step_number"),
                "metrics": c.get("metrics") or {},
                "final": False,
            }
            for c in batch
        )
        if not getattr(page, "has_more", False) or not batch:
            break
        after = batch[-1]["id"]
    items.sort(key=lambda c: (c["step"] is None, c["step"]))
    note = "" if items else "the job reported no checkpoints; only the final model is evaluated"
    if final_model and final_model not in {c["model_id"] for c in items}:
        last = max((c["step"] for c in items if isinstance(c["step"], int)), default=None)
        items.append({"model_id": final_model, "step": last, "metrics": {}, "final": True})
    return {"items": items, "final_model": final_model, "note": note}
