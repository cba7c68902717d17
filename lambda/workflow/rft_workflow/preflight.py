"""The dataset pre-flight of a run: read the exact object versions, check them, write the report.

Checks (``dataset``): schema, row limits, prompt length, duplicates and train/validation
overlap, and (``grading``) whether the grader can use each row's ``reference_answer``.
Offline graders check every row; a grader that calls an AI judge checks a deterministic sample
of ``JUDGE_PROBE_ROWS`` rows (one paid judge call per row and judge model: 20,000 rows would
be 20,000 calls inside one Lambda), chosen from the run id like the audit's prompts.
Problems fail the run with ``DatasetInvalid``, the first few by line number in the message and
all of them in the report.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from rft_contracts import registry as run_registry
from rft_contracts.runtime_config import WorkflowConfig
from rft_graders.spec_walk import judge_models

from . import clients, dataset, grading, storage
from .audit import sample_indices
from .errors import DatasetInvalid
from .state import ObjectRef, RunInput

MAX_REPORTED_PROBLEMS = 5000
_UNREADABLE = ("NoSuchKey", "NoSuchVersion", "InvalidArgument", "404")


def _read(s3: Any, config: WorkflowConfig, name: str, ref: ObjectRef) -> tuple[bytes, str | None]:
    try:
        return storage.read_object(s3, config.datasets_bucket, ref.key, ref.version_id)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code in _UNREADABLE:
            version = f" version {ref.version_id}" if ref.version_id else ""
            raise DatasetInvalid(
                f"{name}: s3://{config.datasets_bucket}/{ref.key}{version} cannot be read ({code})"
            ) from None
        raise


def reference_probe(
    config: WorkflowConfig, checks: dict[str, dataset.FileCheck], problems: list[dataset.Problem], run_id: str
) -> dict[str, Any]:
    """Grade each row's reference (a sample of rows for judges); appends the rows the grader
    cannot use."""
    skip = grading.probe_skip_reason(config.grader_spec)
    if skip:
        return {"status": "skipped", "reason": skip}
    located = [(name, row) for name, check in checks.items() for row in check.rows]
    sampled_from = None
    if judge_models(config.grader_spec):
        sampled_from = len(located)
        located = [located[i] for i in sample_indices(len(located), grading.JUDGE_PROBE_ROWS, run_id)]
    try:
        found = grading.reference_problems(config.grader_spec, [row.data for _, row in located])
    except Exception as exc:  # noqa: BLE001 - a grader that cannot be built offline is reported, not fatal
        return {
            "status": "skipped",
            "reason": f"cannot build the grader offline: {type(exc).__name__}: {str(exc)[:200]}",
        }
    for index, reason in found:
        name, row = located[index]
        problems.append(
            dataset.Problem(name, row.line, "grader", f"the grader cannot use this reference_answer ({reason})")
        )
    result = {"status": "ran", "rows": len(located), "unusable": len(found)}
    if sampled_from is not None:
        result["sampled_from"] = sampled_from  # a judge grades only a sample (JUDGE_PROBE_ROWS)
    return result


def validate(config: WorkflowConfig, run_id: str, run_input: RunInput) -> tuple[dict, dict]:
    """(the dataset part of the state, the report written to the artifacts bucket).

    Raises ``DatasetInvalid`` (after writing the report) when any check fails."""
    limits = config.dataset_limits
    s3 = clients.client("s3", config.region)
    checks: dict[str, dataset.FileCheck] = {}
    versions: dict[str, str | None] = {}
    refs: dict[str, ObjectRef] = {}
    problems: list[dataset.Problem] = []
    for name, ref in (("train", run_input.train), ("validation", run_input.validation)):
        if ref is None:
            continue
        refs[name] = ref
        data, versions[name] = _read(s3, config, name, ref)
        checks[name] = check = dataset.check_file(name, data, limits.max_prompt_tokens)
        problems.extend(check.problems)
        minimum = limits.min_rows if name == "train" else 1
        problems.extend(dataset.row_count_problems(check, minimum, limits.max_rows, check.lines))
    if "validation" in checks:
        problems.extend(dataset.overlap_problems(checks["train"], checks["validation"]))
    probe = reference_probe(config, checks, problems, run_id)

    report_key = config.artifact_key(run_id, "dataset-report.json")
    files: dict[str, Any] = {}
    for name, check in checks.items():
        tokens = check.prompt_tokens
        files[name] = {
            "key": refs[name].key,
            "version_id": versions[name],
            "sha256": check.sha256,
            "rows": check.lines,
            "prompt_tokens_mean": round(sum(tokens) / len(tokens), 1) if tokens else 0.0,
            "prompt_tokens_p95": dataset.percentile(tokens, 0.95),
            "prompt_tokens_max": max(tokens) if tokens else 0,
        }
    report = {
        "run_id": run_id,
        "customization": config.customization,
        "valid": not problems,
        "files": files,
        "limits": limits.model_dump(),
        "token_estimate": dataset.TOKEN_ESTIMATE,
        "grader_reference_check": probe,
        "problem_count": len(problems),
        "problems": [p.as_dict() for p in problems[:MAX_REPORTED_PROBLEMS]],
        "checked_at": run_registry.now_iso(),
    }
    storage.put_json(s3, config.artifacts_bucket, report_key, report)
    if problems:
        raise DatasetInvalid(
            f"{dataset.summary_message(problems)} (report: s3://{config.artifacts_bucket}/{report_key})"
        )
    result = {"train": files["train"], "validation": files.get("validation"), "report_key": report_key}
    return result, report
