"""Round trip: the imported grader on converted rows scores exactly as the OpenAI grader JSON on
the original rows, both through `rft grade`, for every OpenAI grader type.

The original side grades OpenAI rows (fields at the top level, as `rft grade` reads a raw
line) with the grader JSON as OpenAI had it. The converted side grades the rows the import
wrote, shaped as Bedrock delivers them to the grader Lambda: the documented event (dataset
fields under ``metadata``, built by the workflow's own ``bedrock_sample``) and the AWS samples'
variant (``reference_answer`` at the top level). Fixtures: ``openai_grader_fixtures.py``.
"""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import pytest
import yaml

from rft import grade as grade_cli
from rft import import_openai
from tests.cli.openai_grader_fixtures import FIXTURES, JUDGE

HERE = Path(__file__).resolve().parent
BEDROCK_JUDGE = "us.amazon.nova-pro-v1:0"


def cli(module, *argv):
    parser = argparse.ArgumentParser(prog="rft")
    module.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    return args.func(args)


def padded(rows: list[dict]) -> list[dict]:
    """The fixture rows first, then distinct variants up to the 100 rows a training file needs."""
    out = [copy.deepcopy(r) for r in rows]
    k = 0
    while len(out) < 100:
        row = copy.deepcopy(rows[k % len(rows)])
        row["messages"][-1]["content"] += f" (variant {k})"
        out.append(row)
        k += 1
    return out


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def grade(tmp_path: Path, name: str, spec: dict, samples: list[dict]) -> list[float]:
    spec_path = tmp_path / f"{name}.yaml"
    spec_path.write_text(yaml.safe_dump(spec))
    samples_path = write_jsonl(tmp_path / f"{name}-samples.jsonl", samples)
    out = tmp_path / f"{name}-results.jsonl"
    assert (
        cli(
            grade_cli,
            "grade",
            "--grader",
            str(spec_path),
            "--samples",
            str(samples_path),
            "--out",
            str(out),
            "--scripted-judge",
            "roundtrip_judges:judge",
        )
        == 0
    )
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in results] == [s["id"] for s in samples]
    assert not any(m["name"] == "grader_error" for r in results for m in r.get("metrics_list") or []), results
    return [r["aggregate_reward_score"] for r in results]


@pytest.mark.parametrize("kind", list(FIXTURES))
def test_imported_grader_scores_converted_rows_like_the_original(kind, tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(HERE))
    import roundtrip_judges

    fixture = FIXTURES[kind]
    grader, rows, answers = fixture["grader"], fixture["rows"], fixture["answers"]
    job = tmp_path / "job.json"
    job.write_text(
        json.dumps(
            {
                "model": "o4-mini-2025-04-16",
                "training_file": "file-x",
                "method": {"type": "reinforcement", "reinforcement": {"grader": grader}},
            }
        )
    )
    train = write_jsonl(tmp_path / "train.openai.jsonl", padded(rows))
    mapping = ["--map-model", f"{JUDGE}={BEDROCK_JUDGE}"] if JUDGE in json.dumps(grader) else []
    code = cli(
        import_openai,
        "import-openai",
        str(job),
        "--team",
        "example",
        "--name",
        "imported",
        "--base-model",
        "qwen.qwen3-32b",
        "--training-file",
        str(train),
        "--out",
        str(tmp_path / "out"),
        *mapping,
    )
    assert code == 0, capsys.readouterr()
    imported = yaml.safe_load((tmp_path / "out" / "customization.yaml").read_text())[0]["grader"]
    converted = [json.loads(line) for line in (tmp_path / "out" / "train.jsonl").read_text().splitlines()][: len(rows)]

    from rft_workflow.grading import bedrock_sample

    original, documented, sample_style = [], [], []
    for i, (row, new) in enumerate(zip(rows, converted, strict=False)):
        for j, answer in enumerate(answers[i]):
            sid = f"r{i}-a{j}"
            fields = {k: v for k, v in row.items() if k != "messages"}
            original.append(
                {"id": sid, "messages": row["messages"] + [{"role": "assistant", "content": answer}], **fields}
            )
            event = bedrock_sample(sid, new["messages"], answer, new)
            documented.append(event)
            top = copy.deepcopy(event)
            top["reference_answer"] = top["metadata"].pop("reference_answer")
            sample_style.append(top)

    roundtrip_judges.MODEL_IDS.clear()
    before = grade(tmp_path, "original", grader, original)
    original_models = set(roundtrip_judges.MODEL_IDS)
    roundtrip_judges.MODEL_IDS.clear()
    after = grade(tmp_path, "converted", imported, documented)
    after_top = grade(tmp_path, "converted-top", imported, sample_style)
    assert after == before and after_top == before
    assert len(set(before)) > 1, "the answers must tell good from bad, or equality proves nothing"
    if mapping:
        assert original_models == {JUDGE} and set(roundtrip_judges.MODEL_IDS) == {BEDROCK_JUDGE}
