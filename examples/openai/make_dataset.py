"""Write the worked example's OpenAI RFT rows: support tickets to triage as JSON.

    python examples/openai/make_dataset.py

Deterministic (no randomness): every ticket is a distinct combination of a product, an issue
and a customer situation, so prompts never repeat and the validation split shares none with
training. Rows follow OpenAI's RFT data format: `messages` plus the fields the grader reads
(`priority`, `team`, `summary`, `max_summary_chars`).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SYSTEM = (
    "You triage customer support tickets. Reply with only a JSON object with the keys "
    '"priority" (one of "low", "medium", "high", "urgent"), "team" (one of "billing", '
    '"accounts", "technical") and "summary" (one sentence, at most 120 characters).'
)
PRODUCTS = ["the mobile app", "the web dashboard", "the desktop client", "the public API"]
ISSUES = [
    (
        "I was charged twice for this month's invoice",
        "billing",
        "high",
        "Customer was charged twice for the monthly invoice",
    ),
    (
        "my refund from last week has not arrived",
        "billing",
        "medium",
        "Customer is still waiting for last week's refund",
    ),
    ("I would like a copy of an old receipt", "billing", "low", "Customer asks for a copy of an old receipt"),
    ("I cannot log in since the password reset", "accounts", "high", "Customer cannot log in after a password reset"),
    (
        "please change the email address on my account",
        "accounts",
        "low",
        "Customer wants to change the account email address",
    ),
    (
        "someone else logged into my account from abroad",
        "accounts",
        "urgent",
        "Customer reports an unknown login from abroad",
    ),
    ("every export fails with an error 500", "technical", "high", "Exports fail with an error 500"),
    ("the page is slow to load in the evening", "technical", "medium", "Pages load slowly in the evening"),
    (
        "the whole service is down for our company",
        "technical",
        "urgent",
        "The service is down for the customer's whole company",
    ),
    ("a button label has a typo", "technical", "low", "A button label contains a typo"),
    ("our invoices show the wrong tax rate", "billing", "medium", "Invoices show the wrong tax rate"),
    ("two-factor codes never arrive by SMS", "accounts", "high", "Two-factor codes are not delivered by SMS"),
]
SITUATIONS = [
    "Hello,",
    "Hi team,",
    "Good morning,",
    "To whom it may concern:",
    "Hey,",
    "Dear support,",
    "Urgent question:",
    "Quick one:",
    "Following up on my call:",
    "Hi there,",
    "Hello again,",
    "Dear team,",
]


def rows() -> list[dict]:
    out = []
    for issue, product, greeting in itertools.product(ISSUES, PRODUCTS, SITUATIONS[:3]):
        text, team, priority, summary = issue
        out.append(
            {
                "messages": [
                    {"role": "developer", "content": SYSTEM},
                    {"role": "user", "content": f"{greeting} using {product}, {text}. Can you help?"},
                ],
                "priority": priority,
                "team": team,
                "summary": summary,
                "max_summary_chars": 120,
            }
        )
    return out


def main() -> None:
    everything = rows()
    validation = everything[::6]  # every sixth ticket is held out
    train = [r for i, r in enumerate(everything) if i % 6]
    for name, part in (("train.openai.jsonl", train), ("validation.openai.jsonl", validation)):
        (HERE / name).write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
        print(f"{name}: {len(part)} rows")


if __name__ == "__main__":
    main()
