"""OpenAI grader JSON, rows and answers for the `rft import-openai` round trip.

The graders are built from the examples in OpenAI's graders guide,
https://developers.openai.com/api/docs/guides/graders (string check, text similarity, score
model, python, multigrader sections; rewritten, not copied), plus a label model grader as the
API reference describes it (https://platform.openai.com/docs/api-reference/graders) and a
nested multigrader. Templates keep the guide's spacing (``{{ sample.output_text }}``).
Departures, each because of our runtime: the guide's python example scores with rapidfuzz,
which our sandbox (standard library only) lacks, so this one uses difflib; the score model
names an OpenAI judge, which the import maps to a Bedrock model.

Each fixture: ``grader``, ``rows`` (OpenAI RFT rows: messages plus the fields the grader
reads) and ``answers`` (per row, the model outputs to grade; some right, some wrong).
"""

from __future__ import annotations

import json

JUDGE = "o4-mini-2025-04-16"


def _messages(question: str) -> list[dict]:
    return [{"role": "developer", "content": "Answer briefly."}, {"role": "user", "content": question}]


CITIES = [
    ("France", "Paris"),
    ("Japan", "Tokyo"),
    ("Kenya", "Nairobi"),
    ("Peru", "Lima"),
    ("Canada", "Ottawa"),
    ("Egypt", "Cairo"),
    ("Chile", "Santiago"),
    ("Norway", "Oslo"),
    ("India", "New Delhi"),
    ("Spain", "Madrid"),
]


def _capital_rows(field: str) -> list[dict]:
    return [{"messages": _messages(f"What is the capital of {country}?"), field: city} for country, city in CITIES]


def _capital_answers() -> list[list[str]]:
    return [[city, f"It is {city}.", "London", city.lower()] for _, city in CITIES]


CONTACTS = [
    ("Ada Lovelace", "ada@example.com"),
    ("Alan Turing", "alan@example.org"),
    ("Grace Hopper", "grace@example.net"),
    ("Edsger Dijkstra", "ewd@example.com"),
    ("Barbara Liskov", "liskov@example.org"),
    ("Donald Knuth", "knuth@example.net"),
]


def _contact_rows() -> list[dict]:
    return [
        {
            "messages": _messages(f"Extract the contact as JSON with name and email: {name} <{email}>"),
            "name": name,
            "email": email,
        }
        for name, email in CONTACTS
    ]


def _contact_answers() -> list[list[str]]:
    out = []
    for name, email in CONTACTS:
        out.append(
            [
                json.dumps({"name": name, "email": email}),
                json.dumps({"name": name.split()[0], "email": email}),
                json.dumps({"name": name, "email": "nobody@example.com"}),
                "not json",
            ]
        )
    return out


STRING_CHECK = {  # guide: "String check" (exact match against the reference answer)
    "type": "string_check",
    "name": "capital_exact",
    "operation": "eq",
    "input": "{{ sample.output_text }}",
    "reference": "{{ item.reference_answer }}",
}
TEXT_SIMILARITY = {  # guide: "Text similarity" (fuzzy_match with a pass threshold)
    "type": "text_similarity",
    "name": "capital_close",
    "input": "{{ sample.output_text }}",
    "reference": "{{ item.reference_answer }}",
    "evaluation_metric": "fuzzy_match",
    "pass_threshold": 0.8,
}
SCORE_MODEL = {  # guide: "Score model graders" (a judge compares the answer with the reference)
    "type": "score_model",
    "name": "capital_judge",
    "model": JUDGE,
    "input": [
        {
            "role": "user",
            "content": "Score how close the model answer is to the reference answer: 1 if they "
            "name the same city, 0 if not. Reference answer: {{item.capital}}\nModel answer: {{sample.output_text}}",
        }
    ],
    "range": [0, 1],
    "sampling_params": {"temperature": 1, "seed": 42, "max_completions_tokens": 1024},
}
LABEL_MODEL = {  # API reference: LabelModelGrader (labels, passing_labels)
    "type": "label_model",
    "name": "capital_label",
    "model": JUDGE,
    "input": [
        {"role": "developer", "content": "Label the answer correct or incorrect."},
        {
            "role": "user",
            "content": [{"type": "input_text", "text": "Expected: {{item.capital}}\nGiven: {{sample.output_text}}"}],
        },
    ],
    "labels": ["correct", "incorrect"],
    "passing_labels": ["correct"],
}
PYTHON = {  # guide: "Python graders" (a similarity ratio; difflib instead of rapidfuzz, see above)
    "type": "python",
    "name": "capital_ratio",
    "source": "from difflib import SequenceMatcher\n\n\ndef grade(sample, item) -> float:\n"
    '    output_text = sample["output_text"]\n    reference = item["capital"]\n'
    "    return SequenceMatcher(None, output_text.lower(), reference.lower()).ratio()\n",
}
MULTI = {  # guide: "Multigraders" (name by fuzzy match, email by exact match, averaged)
    "type": "multi",
    "name": "contact",
    "graders": {
        "name": {
            "type": "text_similarity",
            "name": "name_grader",
            "input": "{{sample.output_json.name}}",
            "reference": "{{item.name}}",
            "evaluation_metric": "fuzzy_match",
            "pass_threshold": 0.9,
        },
        "email": {
            "type": "string_check",
            "name": "email_grader",
            "input": "{{sample.output_json.email}}",
            "reference": "{{item.email}}",
            "operation": "eq",
        },
    },
    "calculate_output": "(name + email) / 2",
}
NESTED = {  # a multigrader inside a multigrader, with a judge
    "type": "multi",
    "name": "contact_judged",
    "graders": {
        "contact": MULTI,
        "judge": {
            "type": "score_model",
            "name": "email_judge",
            "model": JUDGE,
            "range": [0, 10],
            "input": [
                {"role": "system", "content": "10 if the answer contains the expected email, else 0."},
                {"role": "user", "content": "Expected: {{item.email}}\nAnswer: {{sample.output_text}}"},
            ],
        },
    },
    "calculate_output": "0.5 * contact + 0.5 * judge",
}

FIXTURES = {
    "string_check": {"grader": STRING_CHECK, "rows": _capital_rows("reference_answer"), "answers": _capital_answers()},
    "text_similarity": {
        "grader": TEXT_SIMILARITY,
        "rows": _capital_rows("reference_answer"),
        "answers": _capital_answers(),
    },
    "score_model": {"grader": SCORE_MODEL, "rows": _capital_rows("capital"), "answers": _capital_answers()},
    "label_model": {"grader": LABEL_MODEL, "rows": _capital_rows("capital"), "answers": _capital_answers()},
    "python": {"grader": PYTHON, "rows": _capital_rows("capital"), "answers": _capital_answers()},
    "multi": {"grader": MULTI, "rows": _contact_rows(), "answers": _contact_answers()},
    "nested multi": {"grader": NESTED, "rows": _contact_rows(), "answers": _contact_answers()},
}
