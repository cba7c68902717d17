"""The WriteRunReport function: bundle size, and a cold render of a 6-model x 500-prompt run.

    python benchmarks/run_report.py [--prompts 500] [--no-bundle]

Builds a recorded-shape bundle (4 candidates, the base and the current model, each answering
the same `--prompts` held-out prompts in items of 25, as the evaluation Map writes them; a gate
record with comparisons; a failed-free promoted run), then renders it in a fresh interpreter
(cold: plotly and pydantic imported from nothing, as in a new Lambda sandbox) and reports the
import and render times, the page size and the peak memory. With bundling (default) it also
builds the function's asset exactly as synth does (constructs_lib.python_bundling: the lock's
Linux arm64 wheels) and reports its unzipped and zipped size. Prints one JSON object.
Figures are of the machine this runs on, not of Lambda's arm64 CPU.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPORT_DIR = REPO / "lambda" / "run_report"
MODELS = ("base", "current", "step-100", "step-200", "step-300", "final")
BATCH = 25

_COLD = """
import json, resource, sys, time
started = time.perf_counter()
from rft_report.page import render
imported = time.perf_counter()
bundle = json.load(open(sys.argv[1]))
page = render(bundle)
done = time.perf_counter()
print(json.dumps({"import_s": imported - started, "render_s": done - imported, "page_bytes": len(page.encode()),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def recorded_bundle(prompts: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    results: dict[str, list[dict]] = {}
    for quality, key in zip((0.45, 0.6, 0.5, 0.58, 0.63, 0.66), MODELS, strict=True):
        results[key] = [
            {
                "candidate": key,
                "batch": batch,
                "grader_spec_hash": "0" * 64,
                "scores": [
                    {
                        "index": i,
                        "answer": f"Priority: {'urgent' if rng.random() < quality else 'low'}. " + "reason " * 30,
                        "reward": 1.0 if rng.random() < quality else 0.0,
                    }
                    for i in range(batch * BATCH, min(prompts, (batch + 1) * BATCH))
                ],
            }
            for batch in range((prompts + BATCH - 1) // BATCH)
        ]
    candidates = [
        {
            "key": key,
            "role": "base" if key == "base" else "current" if key == "current" else "candidate",
            "model_id": f"ft:{key}" if key.startswith(("step", "final")) else f"qwen.{key}",
            "mean": sum(s["reward"] for d in docs for s in d["scores"]) / prompts,
            "ci": [0.5, 0.7],
            "n": prompts,
            "missing_items": 0,
        }
        for key, docs in results.items()
    ]
    gate = {
        "decision": "promote",
        "reason": "final reward_mean over 500 prompts clears both baselines",
        "metric": "reward_mean",
        "confidence": 0.95,
        "chosen": {"key": "final", "model_id": "ft:final"},
        "candidates": candidates,
        "comparisons": [
            {"baseline": b, "model_id": f"qwen.{b}", "mean_difference": 0.1, "ci": [0.03, 0.17], "confidence": 0.9875}
            | {"paired_prompts": prompts, "required_improvement": 0.0, "verdict": "pass"}
            for b in ("base", "current")
        ],
    }
    rows = [
        {"messages": [{"role": "user", "content": f"Ticket {i}: checkout is down " + "detail " * 40}]}
        for i in range(prompts)
    ]
    return {
        "run_id": "r20261125180000-abc123",
        "team": "example",
        "customization": "ticket-triage",
        "base_model": "qwen.qwen3-32b",
        "control_plane": "mantle",
        "item": {"status": "succeeded", "gate": gate, "model_id": "ft:final", "cost_estimate_usd": 41.5},
        "results": results,
        "prompts": rows,
        "events": [],
        "events_note": "Training curves are not in this copy of the report.",
        "usd_per_million_training_tokens": 10.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompts", type=int, default=500)
    parser.add_argument("--no-bundle", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "bundle.json"
        path.write_text(json.dumps(recorded_bundle(args.prompts)))
        figures: dict = {"models": len(MODELS), "prompts": args.prompts, "bundle_json_bytes": path.stat().st_size}
        # Fresh interpreter, the development environment (its .pyc files exist).
        figures["cold"] = _cold(path, [sys.executable], f"{REPORT_DIR}:{REPO}")
        if not args.no_bundle:
            asset = Path(work) / "asset"
            figures |= asset_size(asset)
            # From the asset alone (-S: no site-packages; -B: no bytecode written): every module
            # compiled on import, as in a Lambda sandbox when the asset has no .pyc files.
            figures["cold_from_asset"] = _cold(path, [sys.executable, "-S", "-B"], str(asset))
    print(json.dumps(figures))


def _cold(bundle: Path, python: list[str], path: str) -> dict:
    run = subprocess.run(
        [*python, "-c", _COLD, str(bundle)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": path, "PATH": "", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return {k: round(v, 3) for k, v in json.loads(run.stdout).items()}


def asset_size(out: Path) -> dict:
    """The function's asset as synth bundles it (same sources, lock and platform), measured."""
    sys.path.insert(0, str(REPO))
    from constructs_lib.lambda_assets import CONTRACTS_DIR, LOCK
    from constructs_lib.python_bundling import _LocalPipBundler, content_hash

    sources, requirements = (REPORT_DIR, CONTRACTS_DIR), (REPORT_DIR / LOCK,)
    _LocalPipBundler(sources, requirements, (), content_hash(sources, requirements, ())).bundle(out)
    files = [p for p in out.rglob("*") if p.is_file()]
    archive = out.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for p in files:
            z.write(p, p.relative_to(out))
    plotly = sum(p.stat().st_size for p in (out / "plotly").rglob("*") if p.is_file())
    return {
        "asset_has_bytecode": any(p.suffix == ".pyc" for p in files),
        "asset_unzipped_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1),
        "asset_zipped_mb": round(archive.stat().st_size / 1e6, 1),
        "asset_files": len(files),
        "plotly_unzipped_mb": round(plotly / 1e6, 1),
    }


if __name__ == "__main__":
    main()
