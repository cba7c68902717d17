"""`make synth` keeps the last good cloud assembly; `make diff` / `make deploy` refuse before cdk runs.

The CDK CLI is replaced by a stub (the Makefile's `CDK` variable) that records its arguments and
writes or fails like `cdk synth` would, so these tests exercise the Makefile's own logic.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from rft.config.loader import REPO_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")

STUB = """#!/bin/sh
echo "$@" >> "{log}"
out=""
prev=""
for arg in "$@"; do
  [ "$prev" = "--output" ] && out="$arg"
  prev="$arg"
done
if [ -n "$STUB_FAIL" ]; then echo "error: config typo" >&2; exit 2; fi
mkdir -p "$out" && echo '{{"artifacts": {{}}}}' > "$out/manifest.json" && echo fresh > "$out/marker"
"""


def _make(tmp_path: Path, *targets: str, env: dict | None = None) -> subprocess.CompletedProcess:
    stub = tmp_path / "cdk"
    stub.write_text(STUB.format(log=tmp_path / "cdk.log"))
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    # A copy of the Makefile in a scratch directory, so the checkout's cdk.out is never touched.
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    shutil.copy(REPO_ROOT / "Makefile", work / "Makefile")
    for name in (".venv", "rft", "config", "lambda", "rft_contracts"):
        if not (work / name).exists():
            (work / name).symlink_to(REPO_ROOT / name)
    # This checkout's grader runtime, whatever an editable install elsewhere put on the path.
    path = os.pathsep.join(str(REPO_ROOT / p) for p in ("lambda/grader", "."))
    return subprocess.run(
        ["make", "-o", "setup", f"CDK={stub}", *targets],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"PYTHONPATH": path} | (env or {}),
    )


def _good_assembly(work: Path) -> None:
    (work / "cdk.out").mkdir(parents=True)
    (work / "cdk.out" / "manifest.json").write_text(json.dumps({"artifacts": {}}))
    (work / "cdk.out" / "marker").write_text("last good")


def test_failed_synth_keeps_the_last_good_cdk_out(tmp_path):
    _good_assembly(tmp_path / "work")
    result = _make(tmp_path, "synth", env={"STUB_FAIL": "1"})
    assert result.returncode != 0
    assert (tmp_path / "work" / "cdk.out" / "marker").read_text() == "last good"
    assert not (tmp_path / "work" / "cdk.out.new").exists()


def test_successful_synth_replaces_cdk_out(tmp_path):
    _good_assembly(tmp_path / "work")
    result = _make(tmp_path, "synth")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "work" / "cdk.out" / "marker").read_text().strip() == "fresh"
    assert "team example" in result.stdout  # the summary read the new assembly


@pytest.mark.parametrize("target", ["deploy", "diff"])
def test_placeholder_account_stops_diff_and_deploy_before_cdk_runs(tmp_path, target):
    result = _make(tmp_path, target, "TEAM=example")
    assert result.returncode != 0
    assert "account 111111111111 is a placeholder" in result.stderr
    assert not (tmp_path / "cdk.log").exists(), "cdk ran although the account is a placeholder"
