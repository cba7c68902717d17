"""Held-out evaluation at scale: 4 candidates + 2 baselines on 500 prompts, 1 s per model call.

    python benchmarks/evaluation.py [--prompts 500] [--latency 1.0]

Runs the synthesized state machine end to end in moto's engine (the world of the e2e tests):
a job with 3 checkpoints and a final model (4 candidates), the base model, and a model already
promoted (the second baseline), each evaluated on the same `--prompts` validation prompts
through the real grader, against the fake mantle endpoint answering every call after
`--latency` seconds. Concurrency is the customization's default (evaluation.max_concurrency
items at once, evaluation.item_concurrency calls inside each item). Prints one JSON object:
the evaluation's wall time (PlanEvaluation entered -> PromotionGate exited), its billed state
transitions (Standard workflows bill each state entered, Map iterations and retries included),
the slowest item against Lambda's 15 minutes, and the plan's size against the 256 KiB state.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "lambda" / "grader", REPO / "lambda" / "workflow", REPO / "lambda" / "code_sandbox"):
    sys.path.insert(0, str(path))

import os  # noqa: E402

os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # Node 24 for jsii

LAMBDA_LIMIT_S = 900
STATE_LIMIT_BYTES = 256 * 1024
PREVIOUS_MODEL = "qwen.qwen3-32b-previously-promoted"


def _span(history: list[dict], first: str, last: str) -> tuple[float, int]:
    """Seconds from `first` entered to `last` exited, and the states entered in between."""
    start = next(i for i, e in enumerate(history) if e.get("stateEnteredEventDetails", {}).get("name") == first)
    end = next(i for i, e in enumerate(history) if e.get("stateExitedEventDetails", {}).get("name") == last)
    seconds = (history[end]["timestamp"] - history[start]["timestamp"]).total_seconds()
    entered = sum(1 for e in history[start : end + 1] if e["type"].endswith("StateEntered"))
    return seconds, entered


def main() -> None:
    import boto3
    import pytest

    import rft_workflow.eval_items as eval_items
    from rft.config.loader import load_team
    from tests.e2e.local_world import LocalWorlds, output, ticket
    from tests.synth_support import synthesize

    parser = argparse.ArgumentParser()
    parser.add_argument("--team", default="example")
    parser.add_argument("--customization", default="ticket-triage")
    parser.add_argument("--prompts", type=int, default=500)
    parser.add_argument("--latency", type=float, default=1.0)
    args = parser.parse_args()
    config = load_team(args.team)
    settings = config.customization(args.customization).evaluation
    with tempfile.TemporaryDirectory() as outdir:
        template = synthesize(config, Path(outdir)).template("all-but-data")

    def with_latency(handle):
        # The fake serves requests under one lock; the latency is spent before it, as a real
        # endpoint spends it in parallel.
        def slow(req):
            if req.method == "POST" and req.path.endswith(("/chat/completions", "/responses")):
                time.sleep(args.latency)
            return handle(req)

        return slow

    item_seconds: list[float] = []
    real_item = eval_items.evaluate_item

    def timed(*a, **k):
        began = time.perf_counter()
        try:
            return real_item(*a, **k)
        finally:
            item_seconds.append(time.perf_counter() - began)

    with pytest.MonkeyPatch.context() as monkeypatch, contextlib.redirect_stdout(sys.stderr):
        monkeypatch.setattr(eval_items, "evaluate_item", timed)
        worlds = LocalWorlds(lambda team: template, monkeypatch)
        world = worlds.build(
            args.team,
            args.customization,
            checkpoints=((10,), (20,), (30,)),
            edit_config=lambda c: c["evaluation"].update(max_prompts=args.prompts),
        )
        world.mantle.handle = with_latency(world.mantle.handle)
        boto3.client("ssm", region_name=world.region).put_parameter(
            Name=world.config["model_parameter"], Value=PREVIOUS_MODEL, Type="String"
        )
        run_input = {
            "train": world.put("train.jsonl", [ticket(i) for i in range(120)]),
            "validation": world.put("validation.jsonl", [ticket(i) for i in range(5000, 5000 + args.prompts)]),
            "poll_seconds": 1,
        }
        started = time.perf_counter()
        execution = world.start(run_input)
        described = world.wait(execution, timeout=3600)
        total = time.perf_counter() - started
        if described["status"] != "SUCCEEDED":
            raise SystemExit(f"run failed: {described.get('error')}: {described.get('cause')}")
        history = world.history(execution)
        out = output(described)
        worlds.close()
    seconds, entered = _span(history, "PlanEvaluation", "PromotionGate")
    plan = out["evaluation_plan"]
    candidates = out["gate"]["candidates"]
    print(
        json.dumps(
            {
                "benchmark": "evaluation",
                "models": {
                    "candidates": sum(c["role"] == "candidate" for c in candidates),
                    "baselines": [c["key"] for c in candidates if c["role"] != "candidate"],
                },
                "prompts": plan["prompts"],
                "model_latency_s": args.latency,
                "max_concurrency": settings.max_concurrency,
                "item_concurrency": settings.item_concurrency,
                "batch_size": plan["batch_size"],
                "items": len(plan["items"]),
                "model_calls": len(plan["items"]) and sum(c["n"] for c in candidates),
                "evaluation_wall_s": round(seconds, 1),
                "evaluation_transitions": entered,
                "execution_transitions": sum(1 for e in history if e["type"].endswith("StateEntered")),
                "execution_wall_s": round(total, 1),
                "slowest_item_s": round(max(item_seconds), 1),
                "lambda_limit_s": LAMBDA_LIMIT_S,
                "plan_state_bytes": len(json.dumps(plan)),
                "state_limit_bytes": STATE_LIMIT_BYTES,
                "gate_decision": out["gate"]["decision"],
                "missing_items": out["gate"]["missing_items"],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
