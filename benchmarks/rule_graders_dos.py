"""Worst-case time of every rule grader on crafted responses up to 1 MB, printed as JSON.

    .venv/bin/python benchmarks/rule_graders_dos.py [--quick] [--only=templates|primitives|...]

For each template and primitive, every attack below (inputs that made the old Python-regex
graders quadratic or worse, plus dense-match and Unicode cases) is graded as a one-sample
batch at several sizes, each in a forked child with a time limit, and the slowest run is
reported. The per-sample budget is lifted while measuring, so the figures are the graders'
own work, not the budget cutting it short. Goal: no response of up to 1 MB takes more than
1 s in any rule grader. ``math_reasoning`` (owned elsewhere) is measured and reported
separately. Measures, never asserts.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "lambda" / "grader"))

from rft_graders.base import PerSampleGrader  # noqa: E402
from rft_graders.batch import grade_batch  # noqa: E402
from rft_graders.build import build_grader  # noqa: E402
from rft_graders.ifeval import INSTRUCTIONS  # noqa: E402

GOAL_S = 1.0
LIMIT_S = 10.0  # a run still going then is reported as ">= 10 s"
BIG = 10**9  # thresholds no response reaches: counting never stops early


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


ATTACKS = {
    "newlines": lambda n: _fill("\n", n),
    "spaces_then_x": lambda n: _fill(" ", n - 1) + "x",
    "blank_lines_with_indent": lambda n: _fill(" \n", n),
    "backticks_no_newline": lambda n: _fill("`", n),
    "fence_openers": lambda n: _fill("```x\n", n),
    "fence_long_first_line": lambda n: "```" + _fill("a", n - 3),
    "brackets": lambda n: _fill("[", n),
    "angle_brackets": lambda n: _fill("<<", n),
    "stars": lambda n: _fill("*", n),
    "star_bullets": lambda n: _fill("* a\n", n),
    "dash_bullets": lambda n: _fill("- a\n", n),
    "bold_blank": lambda n: _fill("** ", n),
    "sentences": lambda n: _fill("a. ", n),
    "abbreviations": lambda n: _fill("Dr. ", n),
    "words": lambda n: _fill("a ", n),
    "caps_joined": lambda n: _fill("A-", n),
    "postscript_spaces": lambda n: _fill(" ", n - 4) + "p. x",
    "sections": lambda n: _fill("SECTION 1 ", n),
    "numbers": lambda n: _fill("1 ", n),
    "zero_divisions": lambda n: _fill("1/0 ", n),
    "huge_exponent": lambda n: _fill("1 ", n - 12) + "1e99999999",
    "thousands": lambda n: _fill("1,000", n),
    "deep_json": lambda n: _fill("[", n // 2) + _fill("]", n - n // 2),
    "json_objects_array": lambda n: "[" + _fill("{},", n - 3) + "{}]",
    "json_keys": lambda n: '{"' + _fill("a", n - 8) + '": 1}',
    "boxed_unclosed": lambda n: _fill("\\boxed{", n),
    "boxed_many": lambda n: _fill("\\boxed{1}", n),
    "labels_dense": lambda n: _fill("a", n),
    "labels_hedge": lambda n: _fill("low high ", n),
    "unicode_words": lambda n: _fill("é ", n),
    "cjk": lambda n: _fill("中文字", n),
    "unicode_sentences": lambda n: _fill("é.\u00a0", n),
    "ab_random": lambda n: "".join("ab"[(i * 2654435761 >> 7) & 1] for i in range(n)),
    "prose": lambda n: _fill("The quick brown fox jumps over the lazy dog. ", n),
}
SIZES = (99_000, 1_000_000)  # just under the 100,000-character caps, and 1 MB
QUICK_SIZES = (99_000,)

IFEVAL_KWARGS: dict[str, dict[str, Any]] = {
    "keywords:existence": {"keywords": ["zzz", "a"]},
    "keywords:frequency": {"keyword": "a", "frequency": BIG, "relation": "at least"},
    "keywords:forbidden_words": {"forbidden_words": ["zzz", "a"]},
    "keywords:letter_frequency": {"letter": "a", "let_frequency": BIG, "let_relation": "at least"},
    "language:response_language": {"language": "en"},
    "length_constraints:number_sentences": {"num_sentences": BIG, "relation": "at least"},
    "length_constraints:number_paragraphs": {"num_paragraphs": BIG},
    "length_constraints:number_words": {"num_words": BIG, "relation": "at least"},
    "length_constraints:nth_paragraph_first_word": {"num_paragraphs": 1, "nth_paragraph": 1, "first_word": "a"},
    "detectable_content:number_placeholders": {"num_placeholders": BIG},
    "detectable_content:postscript": {"postscript_marker": "P.S."},
    "detectable_format:number_bullet_lists": {"num_bullets": BIG},
    "detectable_format:number_highlighted_sections": {"num_highlights": BIG},
    "detectable_format:multiple_sections": {"section_spliter": "SECTION", "num_sections": BIG},
    "startend:end_checker": {"end_phrase": "a"},
    "change_case:capital_word_frequency": {"capital_frequency": BIG, "capital_relation": "at least"},
    "combination:repeat_prompt": {"prompt_to_repeat": "a"},
}
ALL_INSTRUCTIONS = {"instructions": [{"id": i, **IFEVAL_KWARGS.get(i, {})} for i in INSTRUCTIONS]}
LONG_REFERENCE = " ".join(f"w{i % 97}" for i in range(6000))

# name -> (spec, reference, metadata)
TEMPLATES = {
    "instruction_following (all 25, strict)": ({"template": "instruction_following"}, ALL_INSTRUCTIONS, None),
    "instruction_following (all 25, loose)": (
        {"template": "instruction_following", "mode": "loose"},
        ALL_INSTRUCTIONS,
        None,
    ),
    "classification (labels)": ({"template": "classification", "labels": ["a", "aa", "low", "high", "x"]}, "low", None),
    "classification (answer_regex)": (
        {"template": "classification", "labels": ["a", "low", "high"], "answer_regex": r"(?:label|answer)?\s*(\w+)"},
        "low",
        None,
    ),
    "classification (no labels)": ({"template": "classification"}, "low", None),
    "extraction": ({"template": "extraction"}, {"a": 1, "b": "x"}, None),
    "extraction (schema)": (
        {
            "template": "extraction",
            "schema": {
                "type": ["object", "array"],
                "uniqueItems": True,
                "items": {"type": "object"},
                "patternProperties": {"^a+$": {"type": "integer"}},
                "additionalProperties": False,
            },
        },
        {"a": 1},
        None,
    ),
}
PRIMITIVES = {
    "regex (benign)": ({"type": "regex", "pattern": r"^\d{3}-\d{4}$", "multiline": True}, None, None),
    "regex (worst accepted: a[ab]{998}c)": ({"type": "regex", "pattern": "a[ab]{998}c"}, None, None),
    "regex (worst accepted: 4 x 2 x [ab]{100})": (
        {"type": "regex", "pattern": "(?:a[ab]{100}|b[ab]{100}){4}c"},
        None,
        None,
    ),
    "regex (worst accepted: \\p{L}{15})": ({"type": "regex", "pattern": r"\p{L}{15}x"}, None, None),
    "regex (old ReDoS shape, now RE2)": ({"type": "regex", "pattern": r"^(a|a)*(x+x+)+$", "negate": True}, None, None),
    "string_check (ilike)": (
        {
            "type": "string_check",
            "input": "{{sample.output_text}}",
            "reference": "{{item.reference_answer}}",
            "operation": "ilike",
        },
        "a" * 99 + "b",
        None,
    ),
    "numeric": ({"type": "numeric"}, "1", None),
    "json_schema (no schema)": ({"type": "json_schema"}, None, None),
    "label_match": ({"type": "label_match", "labels": ["a", "b c", "non-a"]}, "a", None),
    "multi (regex + numeric)": (
        {
            "type": "multi",
            "graders": {"r": {"type": "regex", "pattern": "a+b"}, "n": {"type": "numeric"}},
            "calculate_output": "r * n",
        },
        "1",
        None,
    ),
}
for _metric in ("fuzzy_match", "bleu", "gleu", "meteor", "rouge_1", "rouge_5", "rouge_l"):
    PRIMITIVES[f"text_similarity {_metric} (6000-token reference)"] = (
        {
            "type": "text_similarity",
            "input": "{{sample.output_text}}",
            "reference": "{{item.reference_answer}}",
            "evaluation_metric": _metric,
        },
        LONG_REFERENCE,
        None,
    )
MATH = {
    "math_reasoning": ({"template": "math_reasoning"}, "72", None),
    "math_reasoning (format_weight)": ({"template": "math_reasoning", "format_weight": 0.1}, "72", None),
}


def _event(response: str, reference, metadata) -> list[dict]:
    raw = {"id": "s0", "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": response}]}
    if reference is not None:
        raw["reference_answer"] = reference
    if metadata:
        raw["metadata"] = metadata
    return [raw]


def _child(grader, event, conn) -> None:
    started = time.perf_counter()
    report = grade_batch(event, grader)
    conn.send((time.perf_counter() - started, report.results[0]["aggregate_reward_score"]))


def measure(grader, event) -> float:
    """Seconds to grade ``event`` (the fastest of up to three runs: the machine is shared),
    each in a forked child so that a run past LIMIT_S can be killed."""
    best = _measure_once(grader, event)
    for _ in range(2):
        if best < 0.05 or best == float("inf"):
            break
        best = min(best, _measure_once(grader, event))
    return best


def _measure_once(grader, event) -> float:
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(grader, event, child))
    process.start()
    if not parent.poll(LIMIT_S):
        process.kill()
        process.join()
        return float("inf")
    elapsed, _ = parent.recv()
    process.join()
    return elapsed


def worst(cases: dict, sizes) -> dict:
    out = {}
    for name, (spec, reference, metadata) in cases.items():
        grader = build_grader(spec)
        grade_batch(_event("warm up. P.S. 1", reference, metadata), grader)  # lazy imports, profiles
        runs = []
        for attack, make in ATTACKS.items():
            for size in sizes:
                runs.append((measure(grader, _event(make(size), reference, metadata)), attack, size))
        elapsed, attack, size = max(runs)
        out[name] = {
            "worst_s": round(elapsed, 4) if elapsed != float("inf") else f">= {LIMIT_S}",
            "attack": attack,
            "chars": size,
            "over_goal": elapsed > GOAL_S,
        }
        print(f"  {name}: {out[name]}", file=sys.stderr, flush=True)
    return out


def main() -> None:
    PerSampleGrader.default_budget_s = 1e9  # measure the work itself, not the budget's cut
    quick = "--quick" in sys.argv
    sizes = QUICK_SIZES if quick else SIZES
    ifeval_cases = {
        iid: ({"type": "instruction_following"}, {"instructions": [{"id": iid, **IFEVAL_KWARGS.get(iid, {})}]}, None)
        for iid in INSTRUCTIONS
    }
    groups: dict[str, dict] = {
        "templates": TEMPLATES,
        "primitives": PRIMITIVES,
        "ifeval_instructions_strict": ifeval_cases,
        "math_not_owned_here": MATH,
    }
    only = [arg.split("=", 1)[1] for arg in sys.argv if arg.startswith("--only=")]
    result: dict[str, Any] = {"goal_s_per_response": GOAL_S, "sizes_chars": list(sizes), "attacks": sorted(ATTACKS)}
    for group, cases in groups.items():
        result[group] = worst(cases, sizes) if not only or group in only else {}
    owned = [v for group in ("templates", "primitives", "ifeval_instructions_strict") for v in result[group].values()]
    result["owned_worst_s"] = max((v["worst_s"] for v in owned if isinstance(v["worst_s"], float)), default=0.0)
    result["owned_over_goal"] = sorted(
        name
        for group in ("templates", "primitives", "ifeval_instructions_strict")
        for name, v in result[group].items()
        if v["over_goal"]
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
