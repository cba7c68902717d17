"""Shared helpers for grader tests: sample builders and a fake code sandbox."""

from __future__ import annotations

import ast


def make_sample(response, reference=None, *, sid="s1", where="top", prompt="q", metadata=None):
    """A Bedrock sample; ``where`` puts the reference at the top level or under metadata."""
    raw = {"id": sid, "messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": response}]}
    meta = dict(metadata or {})
    if reference is not None:
        if where == "top":
            raw["reference_answer"] = reference
        else:
            meta["reference_answer"] = reference
    if meta:
        raw["metadata"] = meta
    return raw


class FakeSandbox:
    """Executes code in-process, counting top-level asserts of the tests one by one.

    Test-only: it stands in for lambda/code_sandbox so grader tests need neither the real
    sandbox nor AWS. ``calls`` records every batch received.
    """

    def __init__(self, status_override=None):
        self.calls: list[list[dict]] = []
        self.status_override = status_override

    def run_batch(self, runs):
        self.calls.append(runs)
        return [self._run(r) for r in runs]

    def _run(self, run):
        if self.status_override:
            return {"status": self.status_override, "passed": 0, "total": 0, "detail": "forced"}
        namespace: dict = {}
        try:
            exec(compile(run["code"], "<candidate>", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001
            return {"status": "failed", "passed": 0, "total": 1, "detail": type(exc).__name__}
        tree = ast.parse(run["tests"])
        passed = total = 0
        for node in tree.body:
            module = ast.Module(body=[node], type_ignores=[])
            is_assert = isinstance(node, ast.Assert)
            total += is_assert
            try:
                exec(compile(module, "<tests>", "exec"), namespace)
                passed += is_assert
            except AssertionError:
                continue
            except Exception as exc:  # noqa: BLE001
                if not is_assert:
                    return {"status": "error", "passed": 0, "total": 0, "detail": type(exc).__name__}
        if run.get("entry_point"):
            total += 1
            try:
                namespace["check"](namespace[run["entry_point"]])
                passed += 1
            except Exception:  # noqa: BLE001
                pass
        status = "passed" if passed == total else "failed"
        return {"status": status, "passed": passed, "total": total, "detail": ""}


def grade(spec, samples, sandbox=None, **ctx):
    """Build a grader from a raw spec and grade raw samples; returns the Bedrock results."""
    from rft_graders.batch import grade_batch
    from rft_graders.build import BuildContext, build_grader

    grader = build_grader(spec, BuildContext(sandbox=sandbox, **ctx))
    return grade_batch(samples, grader).results


def score(spec, response, reference=None, **kwargs):
    sandbox = kwargs.pop("sandbox", None)
    return grade(spec, [make_sample(response, reference, **kwargs)], sandbox)[0]["aggregate_reward_score"]
