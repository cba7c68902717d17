"""A run's bundle -> one self-contained HTML page.

The page opens offline: plotly.js is inlined (no CDN, no network). It shows the training
reward and loss curves from the job's metric events (when the bundle has them), each candidate's
held-out score with its bootstrap interval next to the base and current models, the gate's
decision and comparisons, the per-candidate reward distributions, the cost estimate against
what the job reports it used, a failed run's error, and a table of sample prompts with the
base model's and the chosen model's answers and scores. Everything from the dataset or a model
is HTML-escaped (a prompt is data, never markup).

Pure: no AWS call, no clock. The bundle's shape is ``rft_report.bundle.make_bundle``'s.
"""

from __future__ import annotations

import html
import json
from typing import Any

SAMPLE_ROWS = 12
TEXT_CHARS = 600
CAUSE_CHARS = 2000
TRAINING_REWARD_KEYS = ("critic_rewards_mean", "reward_mean", "train_reward_mean", "rewards_mean")
TRAINING_LOSS_KEYS = ("loss", "train_loss", "actor_loss", "policy_loss")


# --------------------------------------------------------------------------- figures
def _training_points(events: list[dict]) -> list[dict]:
    points = []
    for event in events:
        data = event.get("data")
        if not isinstance(data, dict):
            data = {}
        if "step" not in data:
            continue
        reward = next((data[k] for k in TRAINING_REWARD_KEYS if isinstance(data.get(k), (int, float))), None)
        loss = next((data[k] for k in TRAINING_LOSS_KEYS if isinstance(data.get(k), (int, float))), None)
        points.append({"step": data["step"], "reward": reward, "loss": loss})
    return sorted(points, key=lambda p: p["step"])


def _figures(bundle: dict) -> list[tuple[str, Any]]:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    gate = bundle["item"].get("gate") or {}
    figures: list[tuple[str, Any]] = []
    points = _training_points(bundle.get("events") or [])
    if points:
        fig = make_subplots(specs=[[{"secondary_y": True}]])
        fig.add_trace(
            go.Scatter(
                x=[p["step"] for p in points],
                y=[p["reward"] for p in points],
                name="training reward",
                mode="lines+markers",
            )
        )
        if any(p["loss"] is not None for p in points):
            fig.add_trace(
                go.Scatter(
                    x=[p["step"] for p in points], y=[p["loss"] for p in points], name="loss", mode="lines+markers"
                ),
                secondary_y=True,
            )
        fig.update_layout(title="Training curves (job metric events)", xaxis_title="step", height=380)
        figures.append(("training", fig))
    candidates = gate.get("candidates") or []
    scored = [c for c in candidates if c.get("mean") is not None]
    if scored:
        colors = {"candidate": "#1f77b4", "base": "#7f7f7f", "current": "#ff7f0e"}
        chosen_key = (gate.get("chosen") or {}).get("key")
        fig = go.Figure()
        for role in ("base", "current", "candidate"):
            group = [c for c in scored if c["role"] == role]
            if not group:
                continue
            fig.add_trace(
                go.Bar(
                    x=[c["key"] + (" (chosen)" if c["key"] == chosen_key else "") for c in group],
                    y=[c["mean"] for c in group],
                    name=role,
                    marker_color=colors[role],
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": [(c["ci"] or [c["mean"]] * 2)[1] - c["mean"] for c in group],
                        "arrayminus": [c["mean"] - (c["ci"] or [c["mean"]] * 2)[0] for c in group],
                    },
                    hovertext=[f"n={c['n']}, missing prompts={c.get('missing_prompts')}" for c in group],
                )
            )
        fig.update_layout(
            title=f"Held-out {gate.get('metric', 'reward_mean')} with "
            f"{gate.get('confidence', 0.95):.0%} bootstrap intervals",
            height=400,
            yaxis_title=gate.get("metric", "reward"),
        )
        figures.append(("heldout", fig))
    results = bundle.get("results") or {}
    if results:
        fig = go.Figure()
        for key in sorted(results):
            rewards = [s["reward"] for doc in results[key] for s in doc["scores"] if s.get("reward") is not None]
            fig.add_trace(go.Box(y=rewards, name=key, boxmean=True))
        fig.update_layout(title="Reward distribution per model (held-out prompts)", height=400)
        figures.append(("distribution", fig))
    estimate, used = _cost(bundle)
    if estimate is not None or used is not None:
        fig = go.Figure(
            go.Bar(
                x=["estimated", "used (job report)"],
                y=[estimate or 0, used or 0],
                text=[_usd(estimate), _usd(used)],
                textposition="auto",
            )
        )
        fig.update_layout(title="Cost (USD)", height=320)
        figures.append(("cost", fig))
    return figures


def _cost(bundle: dict) -> tuple[float | None, float | None]:
    item = bundle["item"]
    lineage = item.get("lineage") or {}
    estimate = item.get("cost_estimate_usd")
    if estimate is None:
        estimate = (lineage.get("cost_estimate") or {}).get("estimate_usd")
    tokens, price = item.get("trained_tokens"), bundle.get("usd_per_million_training_tokens")
    used = tokens * price / 1e6 if isinstance(tokens, (int, float)) and isinstance(price, (int, float)) else None
    return estimate, used


def _usd(value: float | None) -> str:
    return f"${value:,.2f}" if isinstance(value, (int, float)) else "not reported"


# --------------------------------------------------------------------------- the page
def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _num(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, (int, float)) else "-"


def _prompt_text(row: dict) -> str:
    messages = row.get("messages") or []
    user = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    content = (user[-1] if user else (messages[-1] if messages else {})).get("content", "")
    return content if isinstance(content, str) else json.dumps(content)


def _samples(bundle: dict) -> str:
    gate = bundle["item"].get("gate") or {}
    chosen = (gate.get("chosen") or {}).get("key")
    by_model = {
        key: {s["index"]: s for doc in docs for s in doc["scores"]}
        for key, docs in (bundle.get("results") or {}).items()
    }
    base, tuned = by_model.get("base", {}), by_model.get(chosen or "", {})
    rows = []
    for index, row in enumerate((bundle.get("prompts") or [])[:SAMPLE_ROWS]):
        b, t = base.get(index, {}), tuned.get(index, {})
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{cell}</td>"
                for cell in (
                    index,
                    _e(_prompt_text(row)[:TEXT_CHARS]),
                    _e((b.get("answer") or b.get("error") or "")[:TEXT_CHARS]),
                    _num(b.get("reward")),
                    _e((t.get("answer") or t.get("error") or "")[:TEXT_CHARS]),
                    _num(t.get("reward")),
                )
            )
            + "</tr>"
        )
    if not rows:
        return "<p>No evaluated prompts.</p>"
    return (
        "<table class='samples'><thead><tr><th>#</th><th>prompt</th><th>base answer</th><th>score</th>"
        f"<th>{_e(chosen or 'tuned')} answer</th><th>score</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _nova_deployment(item: dict, gate: dict) -> str:
    """How a Nova model was (or was not) evaluated: only through an on-demand deployment."""
    deployment = item.get("evaluation_deployment") or {}
    evaluated = any(c.get("n") for c in gate.get("candidates") or [] if c.get("role") == "candidate")
    if evaluated:
        return (
            f"<p id='nova-deployment'>The Nova model was evaluated through its on-demand deployment "
            f"{_e(deployment.get('arn') or deployment.get('name'))}; afterwards it was "
            f"{_e(deployment.get('action') or 'not yet released')}.</p>"
        )
    if deployment:
        why = (
            f"its evaluation deployment {_e(deployment.get('name'))} did not serve "
            f"({_e(deployment.get('status'))}: {_e(deployment.get('failure_message') or 'no reason given')})"
        )
    else:
        why = (
            "it answers only through a custom model deployment, and this customization does not opt in "
            "to one (evaluation.nova_deployment)"
        )
    return f"<p class='warn' id='nova-deployment'>The Nova model was not evaluated: {why}, so it was not promoted.</p>"


def _gate_section(bundle: dict) -> str:
    item = bundle["item"]
    gate = item.get("gate")
    if not gate:
        return "<p class='warn'>This run has no held-out evaluation recorded.</p>"
    parts = [
        f"<p class='decision decision-{_e(gate.get('decision'))}'>Gate decision: "
        f"<strong>{_e(gate.get('decision'))}</strong> &mdash; {_e(gate.get('reason'))}</p>"
    ]
    if bundle.get("control_plane") != "mantle":
        parts.append(_nova_deployment(item, gate))
    rows = "".join(
        f"<tr><td>{_e(c['baseline'])}</td><td>{_e(c.get('model_id'))}</td><td>{_num(c.get('mean_difference'))}</td>"
        f"<td>[{_num((c.get('ci') or [None, None])[0])}, {_num((c.get('ci') or [None, None])[1])}]</td>"
        f"<td>{_num(c.get('confidence'))}</td><td>{_e(c.get('paired_prompts'))}</td>"
        f"<td>{_e(c.get('required_improvement'))}</td><td>{_e(c.get('verdict'))}</td></tr>"
        for c in gate.get("comparisons") or []
    )
    if rows:
        parts.append(
            "<table><thead><tr><th>vs</th><th>model</th><th>mean difference</th><th>interval</th>"
            "<th>confidence</th><th>paired prompts</th><th>required</th><th>verdict</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    cand = "".join(
        f"<tr><td>{_e(c['key'])}</td><td>{_e(c['role'])}</td><td>{_e(c.get('model_id'))}</td><td>{_num(c.get('mean'))}"
        f"</td><td>[{_num((c.get('ci') or [None, None])[0])}, {_num((c.get('ci') or [None, None])[1])}]</td>"
        f"<td>{_e(c.get('n'))}</td><td>{_e(c.get('missing_items'))}</td></tr>"
        for c in gate.get("candidates") or []
    )
    parts.append(
        "<table><thead><tr><th>model</th><th>role</th><th>id</th><th>mean</th><th>interval</th><th>n</th>"
        f"<th>missing items</th></tr></thead><tbody>{cand}</tbody></table>"
    )
    return "\n".join(parts)


STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}td,th{border:1px solid #ccc;padding:4px 8px;
vertical-align:top;text-align:left}.samples td{max-width:320px;white-space:pre-wrap}
.decision{font-size:1.2em}.decision-promote{color:#1a7f37}.decision-reject{color:#b42318}
.decision-hold{color:#9a6700}.warn{background:#fff4e5;padding:0.5em}.failure{color:#b42318}"""


def _events_note(bundle: dict) -> str:
    note = bundle.get("events_note")
    return f"<p class='warn' id='events-note'>{_e(note)}</p>" if note else ""


def _failure_section(item: dict) -> str:
    error = item.get("error")
    if not isinstance(error, dict):
        return ""
    cause = str(error.get("Cause") or "")
    return (
        "<h2>Failure</h2>"
        f"<p class='failure'>Failed in <strong>{_e(item.get('failed_step'))}</strong> with "
        f"<strong>{_e(error.get('Error'))}</strong> at {_e(item.get('failed_at'))}; "
        f"job cancelled: {_e(item.get('job_cancelled'))}.</p>"
        f"<pre>{_e(cause[:CAUSE_CHARS])}{' ...' if len(cause) > CAUSE_CHARS else ''}</pre>"
    )


def render(bundle: dict) -> str:
    """The page of ``bundle`` (see ``rft_report.bundle.make_bundle``)."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    item = bundle["item"]
    charts = "\n".join(
        f"<div class='chart' id='chart-{name}'>"
        f"{pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=f'plot-{name}')}</div>"
        for name, fig in _figures(bundle)
    )
    estimate, used = _cost(bundle)
    lineage = item.get("lineage") or {}
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>RFT run {_e(bundle["run_id"])}: {_e(bundle["customization"])}</title>
<style>{STYLE}</style>
<script>{get_plotlyjs()}</script>
</head><body>
<h1>Run {_e(bundle["run_id"])}</h1>
<p>Team {_e(bundle["team"])}, customization {_e(bundle["customization"])}, base model {_e(bundle["base_model"])}
({_e(bundle.get("control_plane"))} plane). Status: <strong id="status">{_e(item.get("status"))}</strong>.
Model now promoted by this run: {_e(item.get("model_id") or "none")}.</p>
{_failure_section(item)}
<h2>Promotion gate</h2>
{_gate_section(bundle)}
<h2>Charts</h2>
{_events_note(bundle)}
{charts or "<p>No metrics to chart.</p>"}
<h2>Cost</h2>
<p>Estimated before training: {_usd(estimate)}; used according to the job: {_usd(used)}.</p>
<h2>Sample prompts</h2>
{_samples(bundle)}
<h2>Lineage</h2>
<pre>{
        _e(
            json.dumps(
                {k: lineage.get(k) for k in ("datasets", "grader_spec_hash", "hyperparameters", "job")},
                indent=1,
                sort_keys=True,
                default=str,
            )
        )
    }</pre>
</body></html>
"""
