"""Dataset validation: the rules a JSONL must meet before a paid job sees it. Pure.

Rules (line numbers are 1-based physical lines of the file):

- UTF-8 text; each non-blank line is one JSON object (blank lines are skipped, not rows).
- ``messages``: a non-empty list of ``{"role", "content"}`` objects. Roles: ``system``
  (only before the first non-system turn), ``user``, ``assistant``. ``content`` is a
  non-empty string or a non-empty list of text parts (``{"type": "text", "text": str}``, or
  a bare ``{"text": str}``); other part types are rejected because RFT prompts are text.
- At least one ``user`` turn, and the last turn is not ``assistant``: the prompt ends where
  the model's answer (the graded turn) begins.
- A reference answer at the top level (``reference_answer``), not null. Bedrock reads the
  reference of a *training row* only there; every other field of the row, a ``metadata``
  object included, reaches the grader inside the event's ``metadata`` (bedrock-rft.md,
  corrections 1). A row whose reference is only under ``metadata`` is rejected with its line
  rather than rewritten: the bytes Bedrock trains on stay the bytes the user uploaded, so the
  sha256 in the lineage names the user's file. (The *grader* still accepts both places in
  the event, where the contract is unsettled.)
- Prompt length: estimated tokens = ceil(characters of all message texts / 4) + 4 per
  message (a rough English-text heuristic, stated in the report), at most
  ``max_prompt_tokens``. Prompts longer than Bedrock's ``maxPromptLength`` are dropped by
  the service, silently, so we fail instead.
- Rows: ``min_rows`` .. ``max_rows`` in the training file; the validation file must have at
  least one row and at most ``max_rows``.
- No duplicate prompts within a file (same messages after whitespace normalisation).
- No validation prompt that is also a training prompt (it would not be held out).
- Every reference is usable by the customization's grader (``reference_problems``, see
  ``grading.py``).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

ROLES = ("system", "user", "assistant")
CHARS_PER_TOKEN = 4
TOKENS_PER_MESSAGE = 4
TOKEN_ESTIMATE = f"ceil(chars / {CHARS_PER_TOKEN}) + {TOKENS_PER_MESSAGE} per message"


@dataclass
class Problem:
    file: str  # "train" | "validation"
    line: int | None  # None: a whole-file problem
    check: str  # json | schema | reference | prompt_length | rows | duplicate | overlap | grader
    reason: str

    def text(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        return f"{self.file} {where}: {self.reason}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "check": self.check, "reason": self.reason}


@dataclass
class Row:
    line: int
    data: dict
    prompt_key: str
    prompt_tokens: int


@dataclass
class FileCheck:
    name: str
    sha256: str
    rows: list[Row] = field(default_factory=list)  # rows that passed the per-line checks
    lines: int = 0  # non-blank lines (what Bedrock counts as rows)
    problems: list[Problem] = field(default_factory=list)

    @property
    def prompt_tokens(self) -> list[int]:
        return [r.prompt_tokens for r in self.rows]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def message_text(content: Any) -> str | None:
    """The text of a content value, or None when the content is not a valid text content."""
    if isinstance(content, str):
        return content if content.strip() else None
    if isinstance(content, list) and content:
        texts = []
        for part in content:
            if not isinstance(part, dict) or not isinstance(part.get("text"), str):
                return None
            if part.get("type", "text") != "text":
                return None
            texts.append(part["text"])
        joined = "\n".join(texts)
        return joined if joined.strip() else None
    return None


def estimate_tokens(messages: list[dict]) -> int:
    chars = sum(len(message_text(m.get("content")) or "") for m in messages)
    return math.ceil(chars / CHARS_PER_TOKEN) + TOKENS_PER_MESSAGE * len(messages)


def prompt_key(messages: list[dict]) -> str:
    """Identity of a prompt for duplicate/overlap checks (whitespace-normalised)."""
    canonical = [[m.get("role"), " ".join((message_text(m.get("content")) or "").split())] for m in messages]
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


def reference_of(row: dict) -> tuple[bool, Any]:
    """(present, value) of the top-level ``reference_answer``, the only place Bedrock reads."""
    if "reference_answer" in row:
        return True, row["reference_answer"]
    return False, None


def reference_only_in_metadata(row: dict) -> bool:
    metadata = row.get("metadata")
    return "reference_answer" not in row and isinstance(metadata, dict) and "reference_answer" in metadata


def schema_problems(row: Any) -> list[tuple[str, str]]:
    """(check, reason) pairs for one parsed line."""
    if not isinstance(row, dict):
        return [("schema", f"expected a JSON object, got {type(row).__name__}")]
    out: list[tuple[str, str]] = []
    messages = row.get("messages")
    if not isinstance(messages, list) or not messages:
        out.append(("schema", "'messages' must be a non-empty list"))
    else:
        seen_non_system = False
        for index, message in enumerate(messages):
            where = f"messages[{index}]"
            if not isinstance(message, dict):
                out.append(("schema", f"{where} is not an object"))
                continue
            role = message.get("role")
            if role not in ROLES:
                out.append(("schema", f"{where}.role {role!r} is not one of system, user, assistant"))
            elif role == "system" and seen_non_system:
                out.append(("schema", f"{where}: a system message may only come before the conversation"))
            if role in ("user", "assistant"):
                seen_non_system = True
            if message_text(message.get("content")) is None:
                out.append(("schema", f"{where}.content must be non-empty text or a list of text parts"))
        roles = [m.get("role") for m in messages if isinstance(m, dict)]
        if "user" not in roles:
            out.append(("schema", "'messages' has no user turn"))
        if roles and roles[-1] == "assistant":
            out.append(("schema", "the last message is from the assistant; the prompt must end before the answer"))
    metadata = row.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        out.append(("schema", "'metadata' must be an object"))
    present, value = reference_of(row)
    if not present and reference_only_in_metadata(row):
        out.append(
            (
                "reference",
                ("reference_answer is under 'metadata'; Bedrock reads only a top-level reference_answer (move it up)"),
            )
        )
    elif not present:
        out.append(("reference", "no reference_answer at the top level of the row"))
    elif value is None:
        out.append(("reference", "reference_answer is null"))
    return out


def check_file(name: str, data: bytes, max_prompt_tokens: int) -> FileCheck:
    """Parse and check one JSONL file line by line (no cross-file checks)."""
    result = FileCheck(name=name, sha256=sha256(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        result.problems.append(Problem(name, None, "json", f"not UTF-8 text (byte {exc.start})"))
        return result
    first_line_of: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        result.lines += 1
        try:
            row = json.loads(line)
        except ValueError as exc:
            # JSONDecodeError has .msg; a plain ValueError (an integer past the digit limit) has not.
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            result.problems.append(Problem(name, number, "json", f"not valid JSON ({reason})"))
            continue
        problems = schema_problems(row)
        result.problems.extend(Problem(name, number, check, reason) for check, reason in problems)
        if any(check == "schema" for check, _ in problems):
            continue
        messages = row["messages"]
        tokens = estimate_tokens(messages)
        if tokens > max_prompt_tokens:
            result.problems.append(
                Problem(
                    name,
                    number,
                    "prompt_length",
                    f"prompt is about {tokens} tokens ({TOKEN_ESTIMATE}), above max_prompt_tokens {max_prompt_tokens}",
                )
            )
        key = prompt_key(messages)
        if key in first_line_of:
            result.problems.append(Problem(name, number, "duplicate", f"same prompt as line {first_line_of[key]}"))
        else:
            first_line_of[key] = number
        if not any(check == "reference" for check, _ in problems):
            result.rows.append(Row(number, row, key, tokens))
    return result


def row_count_problems(check: FileCheck, minimum: int, maximum: int, counted: int) -> list[Problem]:
    if counted < minimum:
        return [Problem(check.name, None, "rows", f"{counted} rows; at least {minimum} are needed")]
    if counted > maximum:
        return [Problem(check.name, None, "rows", f"{counted} rows; at most {maximum} are allowed")]
    return []


def overlap_problems(train: FileCheck, validation: FileCheck) -> list[Problem]:
    train_lines = {r.prompt_key: r.line for r in train.rows}
    return [
        Problem(validation.name, r.line, "overlap", f"same prompt as train line {train_lines[r.prompt_key]}")
        for r in validation.rows
        if r.prompt_key in train_lines
    ]


def summary_message(problems: Iterable[Problem], limit: int = 8) -> str:
    """'N problems: train line 4: ...; train line 9: ...; (and M more; see the report)'."""
    problems = sorted(problems, key=lambda p: (p.file != "train", p.line or 0))
    shown = "; ".join(p.text() for p in problems[:limit])
    more = f"; and {len(problems) - limit} more" if len(problems) > limit else ""
    noun = "problem" if len(problems) == 1 else "problems"
    return f"{len(problems)} dataset {noun}: {shown}{more}"


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return float(ordered[index])
