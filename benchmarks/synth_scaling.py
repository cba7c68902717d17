"""Synth wall time and template size for a team with 1, 10 and 50 customizations.

    python benchmarks/synth_scaling.py [--sizes 1 10 50]

Each size is synthesized in a fresh process (no jsii warm-up shared between sizes) with the nag
packs on and asset bundling skipped, and prints one JSON object with all figures, including how
close the fullest stack comes to CloudFormation's per-stack limits.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from aws_cdk import App
from rft.config.loader import load_team
from stacks.team_app import build_team_app, cdk_json_context
n, outdir = int(sys.argv[1]), sys.argv[2]
base = load_team("example")
template = base.customizations[0]
customizations = tuple(template.model_copy(update={"name": f"customization-{i}"}) for i in range(n))
config = base.model_copy(update={"customizations": customizations})
imported = time.perf_counter()
app = App(context=cdk_json_context() | {"aws:cdk:bundling-stacks": []}, outdir=outdir)
build_team_app(app, config)
app.synth()
done = time.perf_counter()
sizes = {p.name: p.stat().st_size for p in Path(outdir).glob("*.template.json")}
resources = {p.name: len(json.loads(p.read_text())["Resources"]) for p in Path(outdir).glob("*.template.json")}
print(json.dumps({"import_s": imported - started, "synth_s": done - imported,
                  "template_bytes": sizes, "resources": resources}))
"""


def measure(n: int) -> dict:
    with tempfile.TemporaryDirectory() as outdir:
        started = time.perf_counter()
        env = os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        out = subprocess.run([sys.executable, "-c", _CHILD, str(n), outdir], cwd=REPO, env=env,
                             capture_output=True, text=True, check=True).stdout
        wall = time.perf_counter() - started
    figures = json.loads(out.strip().splitlines()[-1])
    largest = max(figures["template_bytes"].values())
    most = max(figures["resources"].values())
    return {
        "customizations": n,
        "stacks": len(figures["resources"]),
        "process_wall_s": round(wall, 2),
        "build_and_synth_s": round(figures["synth_s"], 2),
        "resources": sum(figures["resources"].values()),
        "most_resources_in_a_stack": most,
        "most_resources_limit_pct": round(100 * most / 500, 1),  # CloudFormation: 500 per stack
        "largest_template_kb": round(largest / 1024, 1),
        "largest_template_limit_pct": round(100 * largest / 1_000_000, 1),  # 1 MB through S3
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 50])
    args = parser.parse_args()
    print(json.dumps({"benchmark": "synth_scaling", "results": [measure(n) for n in args.sizes]},
                     indent=2))


if __name__ == "__main__":
    main()
