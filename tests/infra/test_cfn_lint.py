"""cfn-lint on every synthesized template: zero errors and zero warnings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rft.config.loader import REPO_ROOT

CONFIG = REPO_ROOT / ".cfnlintrc.yaml"


@pytest.mark.parametrize("team", ["example", "nova-example"])
def test_cfn_lint_is_clean(synth, team):
    result = synth(team)
    templates = sorted(str(p) for p in Path(result.outdir).glob("*.template.json"))
    assert len(templates) == len(result.stack_names)  # data, platform, one per customization
    lint = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "--config-file", str(CONFIG), "--", *templates],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # Exit code is a bitmask: 2 errors, 4 warnings, 8 informational.
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_every_ignored_check_has_a_reason():
    text = CONFIG.read_text().splitlines()
    ignored = yaml.safe_load(CONFIG.read_text()).get("ignore_checks") or []
    for check in ignored:
        [line_no] = [i for i, line in enumerate(text) if line.strip() == f"- {check}"]
        assert text[line_no - 1].strip().startswith("#"), f"{check} is ignored without a reason"
