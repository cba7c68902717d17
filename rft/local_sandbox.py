"""The code sandbox run locally, for `rft grade` and `rft judge` on an operator's machine.

The grader Lambda reaches the sandbox Lambda through ``rft_graders.sandbox_client``; locally
the CLI runs the very same ``rft_sandbox.runner.run_batch`` in child processes instead.
"""

from __future__ import annotations

from typing import Any


class LocalSandboxClient:
    """Runs code through ``rft_sandbox.runner.run_batch`` (imported on first use)."""

    def __init__(self, runner: Any = None):
        self._runner = runner

    def run_batch(self, runs: list[dict]) -> list[dict]:
        if self._runner is None:
            from rft_sandbox import runner

            self._runner = runner
        return self._runner.run_batch(runs)
