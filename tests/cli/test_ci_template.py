"""The shipped CI template: pinned actions, pip cache, diff on PRs, deploys only through `make deploy`."""

from __future__ import annotations

import re

import yaml

from rft.config.loader import REPO_ROOT

TEMPLATE = REPO_ROOT / ".github" / "workflows" / "rft-platform.yml"


def _workflow() -> dict:
    return yaml.safe_load(TEMPLATE.read_text())


def _steps():
    for name, job in _workflow()["jobs"].items():
        for step in job.get("steps", []):
            yield name, step


def test_every_action_is_pinned_by_commit_with_its_version_named():
    lines = [line for line in TEMPLATE.read_text().splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        assert re.search(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40}\s+# v\d+\.\d+\.\d+$", line), line


def test_python_setup_caches_pip_on_the_requirement_files():
    setups = [step for _, step in _steps() if step.get("uses", "").startswith("actions/setup-python@")]
    assert setups and all(
        step["with"]["cache"] == "pip" and "requirements" in step["with"]["cache-dependency-path"] for step in setups
    )


def test_pull_requests_run_cdk_diff_and_pushes_deploy_through_make():
    jobs = _workflow()["jobs"]
    assert "pull_request" in jobs["diff"]["if"]
    assert any("make diff TEAM=" in step.get("run", "") for step in jobs["diff"]["steps"])
    assert "push" in jobs["deploy"]["if"]
    assert any("make deploy TEAM=" in step.get("run", "") for step in jobs["deploy"]["steps"])


def test_no_deploy_skips_the_approval_of_iam_changes():
    assert "--require-approval never" not in TEMPLATE.read_text().replace("deploy: {require_approval: never}", "")
    assert not any("cdk deploy" in step.get("run", "") for _, step in _steps())


def test_only_teams_with_a_deploy_role_are_deployed_and_placeholders_are_explained():
    text = TEMPLATE.read_text()
    assert "RFT_DEPLOY_ROLE_$suffix" in text and "is not deployed" in text
    assert "Starting clean" in text and "111111111111" in text
