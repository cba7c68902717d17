"""Shared helpers of the workflow handler tests (importable: conftest puts this dir on sys.path)."""

from __future__ import annotations

import json

REGION = "us-west-2"
ACCOUNT = "123456789012"
TEAM = "example"
CUSTOMIZATION = "ticket-triage"
LABELS = ["low", "high"]
SPEC = {"template": "classification", "labels": LABELS}


def ticket_row(i: int, label: str | None = None, **extra) -> dict:
    row = {
        "messages": [
            {"role": "system", "content": "Classify the ticket priority as low or high."},
            {"role": "user", "content": f"Ticket {i}: the service {'is down' if i % 2 else 'looks slow'} (#{i})"},
        ],
        "reference_answer": label or ("high" if i % 2 else "low"),
    }
    row.update(extra)
    return row


def jsonl(rows) -> bytes:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows).encode()


def gold_label(messages: list) -> str:
    return "high" if "is down" in messages[-1]["content"] else "low"


def state(aws, run_id: str = "r20260101000000-abc123", **parts) -> dict:
    return {"run_id": run_id, "config": aws.config, **parts}
