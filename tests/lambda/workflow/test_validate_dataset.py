"""validate_dataset: every check, with line numbers in the error, plus the report and versions."""

from __future__ import annotations

import json

import pytest
from workflow_testkit import jsonl, state, ticket_row


def run(handlers, aws, ctx, inputs, run_id="r20260101000000-abc123"):
    return handlers.validate_dataset(state(aws, run_id, input=inputs), ctx)


def expect_invalid(handlers, aws, ctx, inputs) -> str:
    from rft_workflow.errors import DatasetInvalid

    with pytest.raises(DatasetInvalid) as caught:
        run(handlers, aws, ctx, inputs)
    return str(caught.value)


def test_valid_dataset_result_and_report(handlers, aws, ctx, datasets):
    import hashlib

    result = run(handlers, aws, ctx, datasets)
    body = aws.s3.get_object(Bucket=aws.config["datasets_bucket"], Key=datasets["train"]["key"])["Body"].read()
    assert result["train"]["sha256"] == hashlib.sha256(body).hexdigest()
    assert result["train"]["rows"] == 40 and result["validation"]["rows"] == 12
    assert result["train"]["version_id"] == datasets["train"]["version_id"]
    assert result["report_key"] == "ticket-triage/runs/r20260101000000-abc123/dataset-report.json"
    report = aws.read_json(result["report_key"])
    assert report["valid"] is True and report["problem_count"] == 0
    assert report["grader_reference_check"] == {"status": "ran", "rows": 52, "unusable": 0}


def test_latest_version_is_read_and_recorded_when_none_given(handlers, aws, ctx, datasets):
    newer = aws.put_dataset("train.jsonl", [ticket_row(i) for i in range(50)])
    result = run(handlers, aws, ctx, {"train": {"key": datasets["train"]["key"], "version_id": None}})
    assert result["train"]["version_id"] == newer["version_id"] and result["train"]["rows"] == 50
    assert result["validation"] is None
    pinned = run(handlers, aws, ctx, {"train": datasets["train"]})
    assert pinned["train"]["rows"] == 40 and pinned["train"]["version_id"] == datasets["train"]["version_id"]


def test_schema_problems_name_lines_and_reasons(handlers, aws, ctx):
    rows = [ticket_row(i) for i in range(20)]
    rows[2] = "{not json"
    rows[4] = {"messages": [{"role": "bot", "content": "hi"}], "reference_answer": "low"}
    rows[6] = {
        "messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "low"}],
        "reference_answer": "low",
    }
    rows[8] = {"messages": [{"role": "user", "content": "y"}]}
    rows[10] = {"messages": [{"role": "user", "content": [{"type": "image", "url": "x"}]}], "reference_answer": "low"}
    message = expect_invalid(handlers, aws, ctx, {"train": aws.put_dataset("train.jsonl", rows)})
    assert message.startswith("6 dataset problems:")  # line 5 has two
    assert "train line 3: not valid JSON" in message
    assert "train line 5: messages[0].role 'bot' is not one of system, user, assistant" in message
    assert "train line 7: the last message is from the assistant" in message
    assert "train line 9: no reference_answer" in message
    assert "train line 11: messages[0].content must be non-empty text" in message
    assert "report: s3://" in message


def test_a_reference_only_under_metadata_is_rejected_with_its_line(handlers, aws, ctx):
    """Bedrock reads the top-level reference_answer of a training row; a row's own `metadata`
    reaches the grader as metadata.metadata (bedrock-rft.md, corrections 1), so a reference only
    there never reaches the grader as the reference. We reject (the trained bytes stay the
    user's bytes, so their sha256 in the lineage is the file the user uploaded)."""
    rows = [ticket_row(i) for i in range(20)]
    rows[12] = {"messages": [{"role": "user", "content": "meta"}], "metadata": {"reference_answer": "high"}}
    rows[14] = ticket_row(14, metadata={"reference_answer": "low", "source": "crm"})  # both: fine
    message = expect_invalid(handlers, aws, ctx, {"train": aws.put_dataset("train.jsonl", rows)})
    assert message.startswith("1 dataset problem:")
    assert (
        "train line 13: reference_answer is under 'metadata'; Bedrock reads only a top-level "
        "reference_answer (move it up)" in message
    )


def test_row_limits(handlers, aws, ctx):
    few = expect_invalid(
        handlers, aws, ctx, {"train": aws.put_dataset("train.jsonl", [ticket_row(i) for i in range(5)])}
    )
    assert "train file: 5 rows; at least 10 are needed" in few
    aws.config["dataset_limits"]["max_rows"] = 12
    many = expect_invalid(
        handlers, aws, ctx, {"train": aws.put_dataset("train.jsonl", [ticket_row(i) for i in range(13)])}
    )
    assert "train file: 13 rows; at most 12 are allowed" in many


def test_prompt_length_estimate(handlers, aws, ctx):
    rows = [ticket_row(i) for i in range(12)]
    rows[7]["messages"][1]["content"] = "x" * 4000  # ~1000 tokens > 200
    message = expect_invalid(handlers, aws, ctx, {"train": aws.put_dataset("train.jsonl", rows)})
    assert "train line 8: prompt is about 1" in message and "max_prompt_tokens 200" in message
    assert "chars / 4" in message


def test_duplicates_and_overlap(handlers, aws, ctx):
    rows = [ticket_row(i) for i in range(12)]
    rows[9] = ticket_row(3)
    rows[9]["messages"][1]["content"] = "  " + rows[9]["messages"][1]["content"].replace(" ", "   ")  # whitespace only
    validation = [ticket_row(100), ticket_row(5)]
    message = expect_invalid(
        handlers,
        aws,
        ctx,
        {"train": aws.put_dataset("train.jsonl", rows), "validation": aws.put_dataset("validation.jsonl", validation)},
    )
    assert "train line 10: same prompt as line 4" in message
    assert "validation line 2: same prompt as train line 6" in message


def test_reference_unusable_by_grader(handlers, aws, ctx):
    rows = [ticket_row(i) for i in range(12)]
    rows[3]["reference_answer"] = "medium"  # not in the template's labels
    rows[5]["reference_answer"] = ""
    message = expect_invalid(handlers, aws, ctx, {"train": aws.put_dataset("train.jsonl", rows)})
    assert (
        "train line 4: the grader cannot use this reference_answer (label_match: the gold label is not in the "
        "allowed labels)" in message
    )
    assert "train line 6: the grader cannot use this reference_answer (label_match: the gold label is empty)" in message
    report = aws.read_json("ticket-triage/runs/r20260101000000-abc123/dataset-report.json")
    assert report["valid"] is False
    assert {(p["line"], p["check"]) for p in report["problems"]} == {(4, "grader"), (6, "grader")}


def test_missing_object_is_a_dataset_error(handlers, aws, ctx):
    message = expect_invalid(handlers, aws, ctx, {"train": {"key": "ticket-triage/nope.jsonl", "version_id": None}})
    assert "train: s3://" in message and "nope.jsonl cannot be read (NoSuchKey)" in message


def test_many_problems_are_summarised(handlers, aws, ctx):
    rows = [ticket_row(i, label="urgent") for i in range(30)]
    message = expect_invalid(handlers, aws, ctx, {"train": aws.put_dataset("train.jsonl", rows)})
    assert message.startswith("30 dataset problems: train line 1:")
    assert "; and 22 more" in message


def test_blank_lines_are_not_rows(handlers, aws, ctx):
    body = jsonl([ticket_row(i) for i in range(10)]).replace(b"\n", b"\n\n", 3)
    result = run(handlers, aws, ctx, {"train": aws.put_dataset("train.jsonl", body)})
    assert result["train"]["rows"] == 10
    assert json.loads(json.dumps(result))  # JSON-serialisable for Step Functions
