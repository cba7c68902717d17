"""Local happy-path wall time and Step Functions state transitions per run.

    python benchmarks/workflow.py [--team example] [--customization ticket-triage] [--job-hours 4]

Runs the synthesized state machine end to end in moto's engine (the same world as the e2e
tests) twice, with the job finishing after 1 and after 3 status polls. The difference gives the
transitions each poll costs; a job of `--job-hours` polled at the customization's configured
interval then costs `base + polls * per_poll` transitions (Standard workflows bill per state
transition). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "lambda" / "grader", REPO / "lambda" / "workflow", REPO / "lambda" / "code_sandbox"):
    sys.path.insert(0, str(path))

import os  # noqa: E402

os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # Node 24 for jsii


def transitions(history: list[dict]) -> int:
    """State transitions as billed: every state entered (Map iterations included)."""
    return sum(1 for event in history if event["type"].endswith("StateEntered"))


def run_once(worlds, team: str, customization: str, polls: int) -> tuple[float, int, int]:
    from tests.e2e.local_world import datasets

    world = worlds.build(team, customization, statuses=["running"] * polls + ["succeeded"])
    started = time.perf_counter()
    execution = world.start(datasets(world))
    described = world.wait(execution, timeout=300)
    wall = time.perf_counter() - started
    if described["status"] != "SUCCEEDED":
        raise SystemExit(f"run failed: {described.get('error')}: {described.get('cause')}")
    history = world.history(execution)
    job_status_calls = sum(1 for e in history if e.get("stateEnteredEventDetails", {}).get("name") == "JobStatus")
    worlds.close()
    return wall, transitions(history), job_status_calls


def main() -> None:
    import pytest

    from rft.config.loader import load_team
    from tests.e2e.local_world import LocalWorlds
    from tests.synth_support import synthesize

    parser = argparse.ArgumentParser()
    parser.add_argument("--team", default="example")
    parser.add_argument("--customization", default="ticket-triage")
    parser.add_argument("--job-hours", type=float, default=4.0)
    args = parser.parse_args()
    config = load_team(args.team)
    poll_seconds = config.customization(args.customization).workflow.poll_seconds
    with tempfile.TemporaryDirectory() as outdir:
        synth_started = time.perf_counter()
        template = synthesize(config, Path(outdir)).template("all-but-data")
        synth_s = time.perf_counter() - synth_started
    # Handlers print logs and EMF documents to stdout, as in Lambda: send them to stderr here.
    with pytest.MonkeyPatch.context() as monkeypatch, contextlib.redirect_stdout(sys.stderr):
        worlds = LocalWorlds(lambda team: template, monkeypatch)
        wall_1, base, status_1 = run_once(worlds, args.team, args.customization, polls=0)
        wall_3, more, status_3 = run_once(worlds, args.team, args.customization, polls=2)
    per_poll = (more - base) / (status_3 - status_1)
    polls = math.ceil(args.job_hours * 3600 / poll_seconds)
    print(
        json.dumps(
            {
                "benchmark": "workflow",
                "team": args.team,
                "customization": args.customization,
                "synth_s": round(synth_s, 2),
                "local_happy_path_wall_s": round(wall_1, 2),
                "local_happy_path_wall_s_with_2_more_polls": round(wall_3, 2),
                "transitions_happy_path_one_poll": base,
                "transitions_per_poll": per_poll,
                "job_hours": args.job_hours,
                "poll_seconds": poll_seconds,
                "polls": polls,
                "transitions_per_run": int(base + (polls - status_1) * per_poll),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
