"""Each primitive with right, wrong and adversarial answers."""

import io
import json

import pytest
from grader_testkit import FakeSandbox, grade, make_sample, score

from rft_graders import text_metrics


def sc(op, reference="{{item.reference_answer}}"):
    return {"type": "string_check", "input": "{{sample.output_text}}", "reference": reference, "operation": op}


@pytest.mark.parametrize(
    "op, response, reference, expected",
    [
        ("eq", "Paris", "Paris", 1.0),
        ("eq", "paris", "Paris", 0.0),
        ("eq", "Paris ", "Paris", 0.0),
        ("ne", "Lyon", "Paris", 1.0),
        ("ne", "Paris", "Paris", 0.0),
        ("like", "It is Paris.", "Paris", 1.0),
        ("like", "It is paris.", "Paris", 0.0),
        ("ilike", "It is PARIS.", "Paris", 1.0),
        ("ilike", "It is Lyon.", "Paris", 0.0),
        ("eq", "東京", "東京", 1.0),
    ],
)
def test_string_check(op, response, reference, expected):
    assert score(sc(op), response, reference) == expected


def test_string_check_like_with_empty_reference_is_an_error_not_a_free_point():
    result = grade(sc("like"), [make_sample("anything", "")])[0]
    assert result["aggregate_reward_score"] == 0.0
    assert any(m["name"] == "grader_error" for m in result["metrics_list"])


def test_output_json_template_on_non_json_scores_zero_without_grader_error():
    spec = sc("eq", "{{item.reference_answer}}") | {"input": "{{sample.output_json.city}}"}
    assert score(spec, '{"city": "Paris"}', "Paris") == 1.0
    assert score(spec, '```json\n{"city": "Paris"}\n```', "Paris") == 1.0
    result = grade(spec, [make_sample("Paris", "Paris")])[0]
    names = {m["name"] for m in result["metrics_list"]}
    assert result["aggregate_reward_score"] == 0.0 and "response_parse_error" in names and "grader_error" not in names
    assert score(spec, '{"town": "Paris"}', "Paris") == 0.0


# ---- text_similarity ---------------------------------------------------------------------

PAIRS = [
    ("the cat sat on the mat today", "the cat is sitting on the mat today"),
    (
        "It is a guide to action which ensures that the military always obeys the commands of the party",
        "It is a guide to action that ensures that the military will forever heed Party commands",
    ),
    ("a b c d e f", "f e d c b a"),
]
# Values computed with nltk 3.10.4 (sentence_bleu, sentence_gleu, meteor_score without
# stemming/WordNet) and rouge-score 0.1.2 (fmeasure, no stemmer) on the same pairs.
KNOWN = {
    0: {
        "bleu": 0.423837,
        "gleu": 0.5,
        "meteor": 0.745429,
        "rouge_1": 0.8,
        "rouge_2": 0.615385,
        "rouge_3": 0.363636,
        "rouge_l": 0.8,
    },
    1: {
        "bleu": 0.42086,
        "gleu": 0.454545,
        "meteor": 0.694444,
        "rouge_1": 0.705882,
        "rouge_2": 0.5,
        "rouge_3": 0.4,
        "rouge_l": 0.647059,
    },
    2: {
        "bleu": 0.0,
        "gleu": 0.333333,
        "meteor": 0.5,
        "rouge_1": 1.0,
        "rouge_2": 0.0,
        "rouge_3": 0.0,
        "rouge_l": 0.166667,
    },
}


@pytest.mark.parametrize("index", list(KNOWN))
def test_similarity_metrics_match_known_values(index):
    hyp, ref = PAIRS[index]
    for metric, expected in KNOWN[index].items():
        assert text_metrics.similarity(metric, hyp, ref) == pytest.approx(expected, abs=1e-6), metric


@pytest.mark.parametrize("index", list(KNOWN))
def test_similarity_metrics_match_reference_libraries(index):
    # Reference implementations pinned in requirements-dev.txt: a missing one fails, not skips.
    import nltk.translate.bleu_score as nltk_bleu
    from nltk.translate.gleu_score import sentence_gleu
    from nltk.translate.meteor_score import meteor_score
    from rouge_score import rouge_scorer

    class NoWordNet:
        def synsets(self, *args, **kwargs):
            return []

    class NoStem:
        def stem(self, word):
            return word

    hyp, ref = PAIRS[index]
    h, r = text_metrics.tokens(hyp), text_metrics.tokens(ref)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert text_metrics.bleu(h, r) == pytest.approx(nltk_bleu.sentence_bleu([r], h))
    assert text_metrics.gleu(h, r) == pytest.approx(sentence_gleu([r], h))
    assert text_metrics.meteor(h, r) == pytest.approx(meteor_score([r], h, stemmer=NoStem(), wordnet=NoWordNet()))
    scores = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rouge4", "rougeL"]).score(ref, hyp)
    for ours, theirs in [("rouge_1", "rouge1"), ("rouge_2", "rouge2"), ("rouge_4", "rouge4"), ("rouge_l", "rougeL")]:
        assert text_metrics.similarity(ours, hyp, ref) == pytest.approx(scores[theirs].fmeasure)


@pytest.mark.parametrize(
    "metric",
    ["fuzzy_match", "bleu", "gleu", "meteor", "rouge_1", "rouge_2", "rouge_3", "rouge_4", "rouge_5", "rouge_l"],
)
def test_similarity_identical_is_one_and_empty_is_zero(metric):
    text = "the quick brown fox jumps over the lazy dog"
    spec = {
        "type": "text_similarity",
        "input": "{{sample.output_text}}",
        "reference": "{{item.reference_answer}}",
        "evaluation_metric": metric,
    }
    # METEOR keeps a small fragmentation penalty even for identical text (by definition).
    assert score(spec, text, text) == pytest.approx(1.0, abs=1e-2 if metric == "meteor" else 1e-9)
    assert score(spec, "", text) == 0.0
    assert 0.0 <= score(spec, "zebra " * 5000, text) < 0.5


def test_short_exact_answer_is_not_zero_under_bleu():
    assert text_metrics.similarity("bleu", "hello world", "hello world") == pytest.approx(1.0)


def test_fuzzy_match_and_pass_threshold_metric():
    spec = {
        "type": "text_similarity",
        "name": "sim",
        "input": "{{sample.output_text}}",
        "reference": "{{item.reference_answer}}",
        "evaluation_metric": "fuzzy_match",
        "pass_threshold": 0.9,
    }
    result = grade(spec, [make_sample("Ada Lovelace", "Ada Lovelac")])[0]
    assert 0.9 < result["aggregate_reward_score"] < 1.0
    assert {"name": "sim_pass", "value": 1.0, "type": "Metric"} in result["metrics_list"]


# ---- regex / numeric -------------------------------------------------------------------------


def test_regex():
    assert score({"type": "regex", "pattern": r"^\d{3}-\d{4}$", "mode": "fullmatch"}, "555-1234") == 1.0
    assert score({"type": "regex", "pattern": r"\d{3}-\d{4}", "mode": "fullmatch"}, "call 555-1234") == 0.0
    assert score({"type": "regex", "pattern": "sorry", "ignore_case": True, "negate": True}, "SORRY, no.") == 0.0
    assert score({"type": "regex", "pattern": "sorry", "negate": True}, "Here it is") == 1.0


@pytest.mark.parametrize(
    "spec_extra, response, reference, expected",
    [
        ({}, "the result is 3.14159", "3.14159", 1.0),
        ({"abs_tol": 0.01}, "about 3.14", "3.14159", 1.0),
        ({}, "about 3.14", "3.14159", 0.0),
        ({"rel_tol": 0.05}, "1,000", "1040", 1.0),
        ({"rel_tol": 0.01}, "1,000", "1040", 0.0),
        ({"extract": "whole"}, "42", "42", 1.0),
        ({"extract": "whole"}, "it is 42", "42", 0.0),
        ({}, "no number", "42", 0.0),
        ({}, "41 42 43", "42", 0.0),
    ],
)
def test_numeric(spec_extra, response, reference, expected):
    assert score({"type": "numeric", **spec_extra}, response, reference) == expected


def test_numeric_reference_not_a_number_is_grader_error():
    result = grade({"type": "numeric"}, [make_sample("42", "forty-two")])[0]
    assert any(m["name"] == "grader_error" for m in result["metrics_list"])


# ---- json_schema / extraction -----------------------------------------------------------------

SCHEMA = {
    "type": "object",
    "required": ["name", "age"],
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
}


def test_json_schema_gate_and_partial_credit():
    spec = {"type": "json_schema", "schema": SCHEMA, "reference": "{{item.reference_answer}}"}
    ref = {"name": "Ada", "age": 36}
    assert score(spec, '{"name": "ada ", "age": 36}', ref) == 1.0
    assert score(spec, '{"name": "Ada", "age": 37}', ref) == 0.5
    assert score(spec, '{"name": "Ada", "age": "36"}', ref) == 0.0  # schema gate
    assert score(spec, '{"name": "Ada"}', ref) == 0.0  # schema: age required
    assert score(spec, "not json", ref) == 0.0
    assert score(spec, "[1, 2]", ref) == 0.0


def test_json_schema_without_reference_is_validity_only():
    spec = {"type": "json_schema", "schema": SCHEMA}
    assert score(spec, '```json\n{"name": "x", "age": 1}\n```') == 1.0
    assert score(spec, '{"name": "x"}') == 0.0


def test_extraction_template_fields_and_string_refs():
    spec = {"template": "extraction", "fields": ["vendor", "total"]}
    ref = {"vendor": "ACME Corp", "total": 1250.0, "currency": "EUR"}
    assert score(spec, '{"vendor": "ACME  corp", "total": 1250, "currency": "USD"}', ref) == 1.0
    assert score(spec, '{"vendor": "ACME", "total": 1250}', ref) == 0.5
    assert score(spec, '{"vendor": true, "total": true}', {"vendor": "x", "total": 1}) == 0.0
    assert score({"template": "extraction"}, '{"a": 1}', json.dumps({"a": 1, "b": 2})) == 0.5
    bad = grade({"template": "extraction"}, [make_sample("{}", "not an object")])[0]
    assert any(m["name"] == "grader_error" for m in bad["metrics_list"])


# ---- classification ---------------------------------------------------------------------------

CLS = {
    "template": "classification",
    "label_field": "priority",
    "labels": ["low", "medium", "high", "non-urgent", "urgent"],
}


@pytest.mark.parametrize(
    "response, gold, expected",
    [
        ("urgent", "urgent", 1.0),
        ("Priority: **Urgent**.", "urgent", 1.0),
        ("URGENT", "urgent", 1.0),
        ("non-urgent", "non-urgent", 1.0),
        ("non-urgent", "urgent", 0.0),
        ("high", "urgent", 0.0),
        ("high or urgent", "urgent", 0.0),
        ("low, medium, high, urgent", "urgent", 0.0),
        ("critical", "urgent", 0.0),
        ("", "urgent", 0.0),
        ("urgently", "urgent", 0.0),
    ],
)
def test_classification(response, gold, expected):
    assert score(CLS, response, metadata={"priority": gold}) == expected


def test_classification_without_label_set_needs_exact_normalized_answer():
    spec = {"template": "classification"}
    assert score(spec, "Answer: Positive.", "positive") == 1.0
    assert score(spec, "positive or negative", "positive") == 0.0


def test_classification_gold_outside_label_set_is_grader_error():
    result = grade(CLS, [make_sample("urgent", metadata={"priority": "p0"})])[0]
    assert any(m["name"] == "grader_error" for m in result["metrics_list"])


def test_classification_answer_regex():
    spec = {**CLS, "answer_regex": r"label:\s*(\S+)"}
    assert score(spec, "Thinking about high vs low...\nLabel: low", metadata={"priority": "low"}) == 1.0


# ---- python -------------------------------------------------------------------------------------


def test_python_module_runs_in_process():
    spec = {"type": "python", "module": "team_grader_example"}
    assert score(spec, " Paris ", "Paris") == 1.0
    assert score(spec, "I think Paris", "Paris") == 0.25
    assert score(spec, "Lyon", "Paris") == 0.0


def test_python_module_returning_non_number_is_grader_error():
    result = grade({"type": "python", "module": "team_grader_bad"}, [make_sample("x", "x")])[0]
    assert any(m["name"] == "grader_error" for m in result["metrics_list"])


def test_python_source_runs_in_the_sandbox_with_percent_resolution():
    sandbox = FakeSandbox()
    spec = {"type": "python", "source": "def grade(sample, item):\n    return len(sample['output_text']) / 10\n"}
    results = grade(
        spec, [make_sample("abc", "x"), make_sample("a" * 20, "x", sid="2"), make_sample("", "x", sid="3")], sandbox
    )
    assert [r["aggregate_reward_score"] for r in results] == [pytest.approx(0.3), 1.0, 0.0]
    assert len(sandbox.calls) == 1 and all(run["scoring"] == "fraction" for run in sandbox.calls[0])


def test_python_source_without_sandbox_fails_samples_never_runs_locally():
    spec = {"type": "python", "source": "def grade(sample, item):\n    return 1.0\n"}
    result = grade(spec, [make_sample("x", "x")], None)[0]
    assert result["aggregate_reward_score"] == 0.0
    assert any(m["name"] == "grader_error" for m in result["metrics_list"])


def test_python_source_exception_is_grader_error():
    spec = {"type": "python", "source": "def grade(sample, item):\n    raise KeyError('x')\n"}
    result = grade(spec, [make_sample("x", "x")], FakeSandbox())[0]
    assert any(m["name"] == "grader_error" for m in result["metrics_list"])


# ---- code -----------------------------------------------------------------------------------------

HUMANEVAL = {
    "tests": "def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(0, 0) == 0\n",
    "entry_point": "add",
}
MBPP = {"tests": "assert is_even(2)\nassert not is_even(3)\nassert is_even(0)\nassert not is_even(7)\n"}


@pytest.mark.parametrize(
    "response, reference, scoring, expected",
    [
        ("```python\ndef add(a, b):\n    return a + b\n```", HUMANEVAL, "all_or_nothing", 1.0),
        ("def add(a, b):\n    return a - b", HUMANEVAL, "all_or_nothing", 0.0),
        (
            "draft:\n```python\ndef add(a, b): return 0\n```\nfinal:\n```python\ndef add(a, b):\n    return a + b\n```",
            HUMANEVAL,
            "all_or_nothing",
            1.0,
        ),
        ("```py\ndef is_even(n):\n    return n % 2 == 0\n```", MBPP, "fraction", 1.0),
        ("```python\ndef is_even(n):\n    return True\n```", MBPP, "fraction", 0.5),
        ("```python\ndef is_even(n):\n    return True\n```", MBPP, "all_or_nothing", 0.0),
        ("I cannot help.", MBPP, "fraction", 0.0),
    ],
)
def test_code(response, reference, scoring, expected):
    spec = {"template": "code_generation", "scoring": scoring}
    assert score(spec, response, reference, sandbox=FakeSandbox()) == expected


def test_code_sends_runs_in_the_documented_shape():
    sandbox = FakeSandbox()
    grade(
        {"template": "code_generation"},
        [make_sample("def add(a, b): return a + b", HUMANEVAL), make_sample("x = 1", MBPP, sid="2")],
        sandbox,
    )
    (runs,) = sandbox.calls
    assert [set(r) for r in runs] == [{"code", "tests", "entry_point", "scoring", "timeout_s"}] * 2
    assert runs[0]["entry_point"] == "add" and runs[1]["entry_point"] is None


@pytest.mark.parametrize("status, expect_error", [("timeout", False), ("error", True)])
def test_code_sandbox_timeout_is_zero_but_error_is_grader_error(status, expect_error):
    result = grade(
        {"template": "code_generation"}, [make_sample("def add(a,b): pass", HUMANEVAL)], FakeSandbox(status)
    )[0]
    assert result["aggregate_reward_score"] == 0.0
    assert any(m["name"] == "grader_error" for m in result["metrics_list"]) == expect_error


def test_code_with_broken_sandbox_client_fails_samples_not_batch():
    class Down:
        def run_batch(self, runs):
            raise ConnectionError("down")

    results = grade({"template": "code_generation"}, [make_sample("def f(): pass", MBPP)] * 2, Down())
    assert all(any(m["name"] == "grader_error" for m in r["metrics_list"]) for r in results)


def test_code_sandbox_returning_wrong_count_is_contained():
    class Short:
        def run_batch(self, runs):
            return []

    results = grade({"template": "code_generation"}, [make_sample("def f(): pass", MBPP)] * 3, Short())
    assert len(results) == 3 and all(r["aggregate_reward_score"] == 0.0 for r in results)


# ---- lambda -----------------------------------------------------------------------------------------

ARN = "arn:aws:lambda:us-west-2:123456789012:function:team-grader"


class FakeLambda:
    def __init__(self, respond):
        self.respond = respond
        self.calls = []

    def invoke(self, **kwargs):
        self.calls.append(kwargs)
        payload = json.loads(kwargs["Payload"])
        body, error = self.respond(payload)
        response = {"Payload": io.BytesIO(json.dumps(body).encode())}
        if error:
            response["FunctionError"] = "Unhandled"
        return response


def test_lambda_forwards_raw_samples_in_chunks_and_maps_results():
    def respond(batch):
        return [
            {
                "id": s["id"],
                "aggregate_reward_score": 0.5,
                "metrics_list": [{"name": "acc", "value": 0.5, "type": "Reward"}],
            }
            for s in batch
        ], False

    fake = FakeLambda(respond)
    spec = {"type": "lambda", "function_arn": ARN, "max_batch_size": 2}
    samples = [make_sample("x", "y", sid=str(i)) for i in range(5)]
    results = grade(spec, samples, lambda_client_factory=lambda: fake)
    assert [r["aggregate_reward_score"] for r in results] == [0.5] * 5
    assert len(fake.calls) == 3 and fake.calls[0]["FunctionName"] == ARN
    assert json.loads(fake.calls[0]["Payload"])[0] == samples[0]


@pytest.mark.parametrize(
    "respond",
    [
        lambda batch: ([], False),
        lambda batch: ({"errorMessage": "boom"}, True),
        lambda batch: ([{"id": "other", "aggregate_reward_score": 1.0}] * len(batch), False),
        lambda batch: ([{"id": s["id"], "aggregate_reward_score": "NaN"} for s in batch], False),
    ],
)
def test_lambda_bad_responses_are_grader_errors(respond):
    results = grade(
        {"type": "lambda", "function_arn": ARN},
        [make_sample("x", "y")],
        lambda_client_factory=lambda: FakeLambda(respond),
    )
    assert any(m["name"] == "grader_error" for m in results[0]["metrics_list"])
