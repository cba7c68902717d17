"""Make the shared helpers in grader_testkit.py importable (pytest runs with importlib mode)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grader_testkit import FakeSandbox  # noqa: E402


@pytest.fixture
def fake_sandbox():
    return FakeSandbox()
