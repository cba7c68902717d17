"""`rft runs report RUN -o report.html`: one self-contained HTML page per run.

``collect`` gathers a run's record (registry item, evaluation artifacts, the mantle job's
metric events) with the operator's credentials into one JSON-able bundle; ``render``
(``rft_report.page``, the code the workflow's WriteRunReport function runs too) turns it into
the page. The page the workflow writes at the end of every run
(``s3://<artifacts>/<customization>/runs/<run>/report.html``) is the same, without the
training curves, which only this command can read (``rft_report.publish``).
"""

from __future__ import annotations

from rft_report.bundle import evaluation_prefix, make_bundle, read_evaluation
from rft_report.page import render

__all__ = ["collect", "render", "write_report"]


# --------------------------------------------------------------------------- gathering
def collect(team, customization, run_id: str, *, events: list[dict] | None = None) -> dict:
    """The run's bundle: registry item, per-item evaluation results, prompts, training events."""
    import boto3

    from rft_contracts import naming
    from rft_contracts.registry import RunRegistry

    registry = RunRegistry(
        boto3.resource("dynamodb", region_name=team.region).Table(naming.registry_table_name(team.team))
    )
    item = registry.get(customization.name, run_id)
    if item is None:
        from rft.aws_errors import CliError

        raise CliError(f"no run {run_id} of {customization.name} in the registry")
    s3 = boto3.client("s3", region_name=team.region)
    bucket = naming.bucket_name(team.team, "artifacts", team.account, team.region)
    evaluation = read_evaluation(s3, bucket, evaluation_prefix(customization.name, run_id))
    if events is None:
        events = _job_events(team, item)
    price = team.pricing.get(customization.base_model) if hasattr(team, "pricing") else None
    return make_bundle(
        run_id=run_id,
        team=team.team,
        customization=customization.name,
        base_model=customization.base_model,
        control_plane=customization.control_plane.value,
        item=item,
        evaluation=evaluation,
        events=events,
        usd_per_million_training_tokens=getattr(price, "usd_per_million_training_tokens", None),
    )


def _job_events(team, item: dict) -> list[dict]:
    """The mantle job's metric events (oldest first); none for native jobs or when unreachable."""
    job_id = item.get("job_id") or (item.get("submit") or {}).get("job_id")
    if not job_id or item.get("plane", "mantle") != "mantle":
        return []
    try:
        from rft.aws_errors import mantle_client

        client = mantle_client(team.region)
        events = [
            e.to_dict() if hasattr(e, "to_dict") else dict(e)
            for e in client.fine_tuning.jobs.list_events(job_id, limit=100).data
        ]
        job = client.fine_tuning.jobs.retrieve(job_id)
        item.setdefault("trained_tokens", getattr(job, "trained_tokens", None))
    except Exception:  # noqa: BLE001 - a report without curves beats no report
        return []
    return list(reversed(events))


def write_report(team_name: str, customization_name: str, run_id: str, out: str) -> int:
    from pathlib import Path

    from rft.aws_errors import load_customization

    team, customization = load_customization(team_name, customization_name)
    Path(out).write_text(render(collect(team, customization, run_id)), encoding="utf-8")
    print(f"{run_id}: report written to {out}")
    return 0
