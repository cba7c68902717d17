"""Run checkov over synthesized templates and summarize it: shared by the test and the script.

checkov lives in its own virtual environment (requirements-checkov.txt: it pins boto3 and
packaging versions the project cannot use). It is found, in order, at ``$RFT_CHECKOV``,
``<repo>/.venv-checkov/bin/checkov``, or on ``PATH``.

    python -m tests.infra.checkov_run            # synthesizes both shipped teams, prints JSON
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def checkov_binary() -> str | None:
    for candidate in (
        os.environ.get("RFT_CHECKOV"),
        str(REPO / ".venv-checkov" / "bin" / "checkov"),
        shutil.which("checkov"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def run_checkov(binary: str, directory: Path) -> dict:
    """checkov's CloudFormation results for every template in `directory` (no network calls)."""
    completed = subprocess.run(
        [
            binary,
            "-d",
            str(directory),
            "--framework",
            "cloudformation",
            "--compact",
            "-o",
            "json",
            "--skip-download",
            "--no-fail-on-crash",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    report = json.loads(completed.stdout)
    reports = report if isinstance(report, list) else [report]
    [cfn] = [r for r in reports if r.get("check_type") == "cloudformation"]
    return cfn


def summary(cfn: dict) -> dict:
    s = cfn["summary"]
    passed, failed, skipped = s["passed"], s["failed"], s["skipped"]
    return {
        "passed": passed,
        "failed": failed,
        "skipped": skipped,
        # checkov's own measure: skipped checks are not evaluated
        "pass_rate_of_evaluated": round(passed / (passed + failed), 4) if passed + failed else 1.0,
        # the stricter one, counting skips as not passing
        "pass_rate_of_all": round(passed / (passed + failed + skipped), 4) if passed + failed + skipped else 1.0,
        "failed_checks": sorted({f"{f['check_id']} {f['resource']}" for f in cfn["results"].get("failed_checks", [])}),
    }


def main() -> None:
    sys.path.insert(0, str(REPO))
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    from rft.config.loader import load_team
    from tests.synth_support import synthesize

    binary = checkov_binary()
    if binary is None:
        raise SystemExit("checkov not found: make checkov-env (or set RFT_CHECKOV)")
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for team in ("example", "nova-example"):
            synth = synthesize(load_team(team), Path(tmp) / team)
            out[team] = summary(run_checkov(binary, synth.outdir))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
