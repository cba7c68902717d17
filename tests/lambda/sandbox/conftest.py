"""Shared helpers for the code-sandbox tests (they run real sandbox subprocesses)."""

import pytest

from sandbox_runner import SandboxConfig, run_batch


def _make_run(code, tests, entry_point=None, scoring="all_or_nothing", timeout_s=5.0):
    return {"code": code, "tests": tests, "entry_point": entry_point, "scoring": scoring,
            "timeout_s": timeout_s}


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
