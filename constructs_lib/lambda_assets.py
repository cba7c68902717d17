"""The Lambda code assets of the platform: which folders and requirements each one bundles.

A `Code` object belongs to one stack, so each call returns a new one; CDK bundles identical
assets (same content hash) once per synth.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_

from constructs_lib.python_bundling import python_code

REPO_DIR = Path(__file__).resolve().parents[1]
LAMBDA_DIR = REPO_DIR / "lambda"
# The ground floor every Lambda imports its shared facts from (ARCHITECTURE.md).
CONTRACTS_DIR = REPO_DIR / "rft_contracts"
GRADER_DIR = LAMBDA_DIR / "grader"
# Each function bundles its hash-locked requirements (`make lock` writes them from the
# requirements.txt beside them, resolved for Python 3.13 on Linux arm64).
LOCK = "requirements.lock"
GRADER_LOCK = GRADER_DIR / LOCK
# Sdist-only pure-Python dependencies of the grader runtime, built into wheels before bundling.
GRADER_SDIST_ONLY = ("langdetect==1.0.9",)


def grader_code() -> lambda_.Code:
    """The grader runtime and handler, with team_graders/ for in-process python graders."""
    return python_code(
        GRADER_DIR, sources=(GRADER_DIR, CONTRACTS_DIR), requirements=(GRADER_LOCK,), sdist_only=GRADER_SDIST_ONLY
    )


def sandbox_code() -> lambda_.Code:
    """The sandbox imports nothing of the repo (it hosts model-written code), so no contracts."""
    folder = LAMBDA_DIR / "code_sandbox"
    return python_code(folder, sources=(folder,), requirements=(folder / LOCK,))


def workflow_code() -> lambda_.Code:
    """Workflow handlers, plus the grader runtime they use to check references."""
    folder = LAMBDA_DIR / "workflow"
    return python_code(
        folder,
        sources=(folder, CONTRACTS_DIR, GRADER_DIR / "rft_graders", GRADER_DIR / "team_graders"),
        requirements=(folder / LOCK,),
        sdist_only=GRADER_SDIST_ONLY,
    )


def job_events_code() -> lambda_.Code:
    folder = LAMBDA_DIR / "job_events"
    return python_code(folder, sources=(folder, CONTRACTS_DIR), requirements=(folder / LOCK,))


def run_report_code() -> lambda_.Code:
    """The WriteRunReport function alone: plotly (38 MB unzipped of this 59 MB asset,
    benchmarks/run_report.py) stays out of every other workflow function's bundle."""
    folder = LAMBDA_DIR / "run_report"
    return python_code(folder, sources=(folder, CONTRACTS_DIR), requirements=(folder / LOCK,))
