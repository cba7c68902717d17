"""Shared helpers for the code-sandbox tests (they run real sandbox processes)."""

import json
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from rft_sandbox.runner import SandboxConfig, _interpreter, run_batch

SANDBOX_DIR = Path(__file__).resolve().parents[3] / "lambda" / "code_sandbox"
IS_ROOT = os.geteuid() == 0


def _make_run(code, tests, entry_point=None, scoring="all_or_nothing", timeout_s=5.0):
    return {"code": code, "tests": tests, "entry_point": entry_point, "scoring": scoring, "timeout_s": timeout_s}


@pytest.fixture
def make_run():
    return _make_run


@pytest.fixture
def sandbox():
    """sandbox(code, tests, config=None, **run_fields) -> result dict for one run."""

    def run(code, tests, config=None, **fields):
        (result,) = run_batch([_make_run(code, tests, **fields)], config or SandboxConfig())
        return result

    return run


def _unprivileged_parent(runs, config_args="", patch="", env=None, timeout=90):
    """Run ``run_batch`` in a fresh parent process that is itself ``nobody``: Lambda's shape.

    On Lambda the runtime, the zygote and both children share one unprivileged uid; locally the
    suite is root, which the kernel exempts from most of what is being tested (ptrace access to
    non-dumpable processes, RLIMIT_NPROC). Returns (results, names left in the parent's TMPDIR).
    """
    if not IS_ROOT:
        pytest.skip("needs root to start a parent as nobody")
    nobody = pwd.getpwnam("nobody")
    python = _interpreter(True)
    if python is None:
        pytest.skip("no interpreter executable by nobody")
    home = tempfile.mkdtemp(prefix="sbx-parent-", dir="/var/tmp")
    os.chown(home, nobody.pw_uid, nobody.pw_gid)
    script = f"""
import json, os, sys
sys.path.insert(0, {str(SANDBOX_DIR)!r})
from rft_sandbox import runner as sandbox_runner
{patch}
from rft_sandbox.runner import SandboxConfig, run_batch
runs = json.loads(sys.stdin.read())
print(json.dumps({{"pid": os.getpid(), "results": run_batch(runs, SandboxConfig({config_args}))}}))
"""
    try:
        proc = subprocess.run(
            [python, "-c", script],
            input=json.dumps(runs),
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=home,
            user=nobody.pw_uid,
            group=nobody.pw_gid,
            extra_groups=[],
            env={"PATH": "/usr/bin:/bin", "TMPDIR": home, **(env or {})},
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        report = json.loads(proc.stdout)
        return report["results"], sorted(os.listdir(home))
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def unprivileged_parent():
    """unprivileged_parent(runs, config_args="", patch="", env=None) -> (results, leftovers)."""
    return _unprivileged_parent
