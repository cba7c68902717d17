"""Judge batch throughput under latency and throttling, printed as one JSON object.

    .venv/bin/python benchmarks/judges.py [--samples 64] [--concurrency 8] [--latency 1.0] [--throttle 0.1]

A fake bedrock-runtime client sleeps ``latency`` seconds per call (real sleeping: this is
the wall-clock measurement) and throws ThrottlingException on a ``throttle`` share of calls
(after 50 ms, as a real throttle returns fast). The grader is the conversation_quality
template with its default retry policy and a 60 s deadline. Target: wall time within
samples / concurrency + 2 seconds, zero lost samples (no timeouts, no grader errors).
Measures, never asserts.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lambda" / "grader"))

from botocore.exceptions import ClientError  # noqa: E402

from rft_graders.batch import grade_batch  # noqa: E402
from rft_graders.build import BuildContext, build_grader  # noqa: E402
from rft_graders.judges.scripted import verdict  # noqa: E402
from rft_graders.stats import judge_totals  # noqa: E402


class SlowThrottlingJudge:
    def __init__(self, latency: float, throttle: float, seed: int = 1):
        self.latency, self.throttle = latency, throttle
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.calls = self.throttled = 0

    def converse(self, **request):
        with self.lock:
            self.calls += 1
            throttled = self.rng.random() < self.throttle
            self.throttled += throttled
        if throttled:
            time.sleep(0.05)
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Too many requests"}}, "Converse")
        time.sleep(self.latency)
        return {
            "output": {
                "message": {"role": "assistant", "content": [{"text": verdict(request, reasoning="fine", score=7)}]}
            },
            "stopReason": "end_turn",
            "usage": {"inputTokens": 600, "outputTokens": 20, "totalTokens": 620},
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--throttle", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1, help="which calls get throttled")
    args = parser.parse_args()

    judge = SlowThrottlingJudge(args.latency, args.throttle, args.seed)
    spec = {"template": "conversation_quality", "model": "qwen.qwen3-32b-v1:0", "max_concurrency": args.concurrency}
    grader = build_grader(spec, BuildContext(judge_client_factory=lambda: judge))
    samples = [
        {
            "id": f"s{i}",
            "messages": [{"role": "user", "content": f"question {i}"}, {"role": "assistant", "content": f"answer {i}"}],
        }
        for i in range(args.samples)
    ]
    started = time.monotonic()
    report = grade_batch(samples, grader, deadline=started + 60)
    wall = time.monotonic() - started
    totals = judge_totals(report.results)
    lost = sum(1 for r in report.results if r["aggregate_reward_score"] != 0.7)
    target = args.samples / args.concurrency + 2
    print(
        json.dumps(
            {
                "samples": args.samples,
                "concurrency": args.concurrency,
                "latency_s": args.latency,
                "throttle_rate": args.throttle,
                "seed": args.seed,
                "wall_s": round(wall, 2),
                "target_s": round(target, 2),
                "within_target": wall <= target,
                "lost_samples": lost,
                "judge_calls": judge.calls,
                "throttled_calls": judge.throttled,
                "timeouts": int(totals["JudgeTimeouts"]),
                "grader_errors": len(report.errors),
                "ids_aligned": [r["id"] for r in report.results] == [s["id"] for s in samples],
                "judge_input_tokens": int(totals["JudgeInputTokens"]),
                "judge_output_tokens": int(totals["JudgeOutputTokens"]),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
