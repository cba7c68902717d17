"""Separate a model's reasoning from its answer, before any grader reads the answer.

Applied once, where the sample's answer text is made (``bedrock_event.to_sample``), so every
template, primitive, judge and python grader reads ``sample.output_text`` = the answer only.
Graders that want the reasoning read ``{{sample.reasoning_text}}`` (the reasoning) or
``{{sample.response_text}}`` (the whole response as the model wrote it) instead.

Shapes recognised (one linear pass each, no regular-expression backtracking):

- ``<think>…</think>`` / ``<thinking>…</thinking>`` blocks (Qwen3, DeepSeek-R1), any case.
  A leading ``…</think>`` with no opening tag is reasoning too: those chat templates put
  ``<think>`` in the prompt. Text outside the blocks is the answer (all of it, so an answer
  split around a block is graded whole). An opened block that never closes means the model
  ran out of tokens while thinking: there is no answer (empty text). So is a response with
  more than ``MAX_TAGS`` tags or harmony tokens (an attack on the scan, not a model's output).
- gpt-oss harmony channels: ``<|channel|>analysis<|message|>…<|end|>`` (and
  ``commentary``) are reasoning; the answer is the ``final`` channel's messages. A harmony
  response with no ``final`` message has no answer. The same response decoded without its
  special tokens (``analysis…assistantfinal…``) is read the same way.
- Reasoning delivered beside the content (message ``reasoning_content`` / ``reasoning`` /
  ``thinking`` fields, or ``reasoning`` / ``thinking`` / Converse ``reasoningContent``
  content parts) never reaches the answer text in the first place (``bedrock_event``).
"""

from __future__ import annotations

from dataclasses import dataclass

import re2

_THINK_TAG = re2.compile(r"(?i)<(/?)(?:think|thinking)>")
_HARMONY_TOKEN = re2.compile(r"<\|(start|end|message|channel|return|call|constrain)\|>")
_HARMONY_ENDS = {"end", "return", "call", "start", "channel"}
_DECODED_FINAL = "assistantfinal"
# More reasoning tags than this is not a reasoning model's output but an attack on the
# scan: such a response has no answer (and costs a bounded amount of work).
MAX_TAGS = 1000


@dataclass(frozen=True, slots=True)
class Split:
    answer: str
    reasoning: str
    complete: bool = True  # False: reasoning was opened and never closed, so no answer


def split_reasoning(text: str) -> Split:
    """The answer and the reasoning of one response text."""
    if not text:
        return Split("", "")
    reasoning: list[str] = []
    complete = True
    if "<|channel|>" in text or "<|message|>" in text:
        text, found, complete = _harmony(text, reasoning)
    elif text.lstrip().startswith("analysis") and _DECODED_FINAL in text:
        head, _, text = text.rpartition(_DECODED_FINAL)
        reasoning.append(head.lstrip()[len("analysis") :])
    if complete and "<" in text:
        text, complete = _think(text, reasoning)
    if not complete:
        return Split("", "\n".join(reasoning).strip(), complete=False)
    if not reasoning:
        return Split(text, "")  # untouched: exact-match graders see exactly what was written
    # The blank lines a model puts after </think> are layout, not answer.
    return Split(text.strip(), "\n".join(r.strip() for r in reasoning if r.strip()))


def _think(text: str, reasoning: list[str]) -> tuple[str, bool]:
    answer: list[str] = []
    pos = 0
    open_at: int | None = None
    for count, match in enumerate(_THINK_TAG.finditer(text)):
        if count >= MAX_TAGS:
            return "", False
        closing = match.group(1) == "/"
        if not closing:
            if open_at is None:
                answer.append(text[pos : match.start()])
                open_at = match.end()
            # a nested <think> inside a block is part of the reasoning
            continue
        if open_at is not None:
            reasoning.append(text[open_at : match.start()])
            open_at = None
        else:
            # A close with no open: everything since the last tag was reasoning (the
            # chat template opened the block in the prompt, or a nested block ended).
            reasoning.append(text[pos : match.start()])
        pos = match.end()
    if open_at is not None:
        reasoning.append(text[open_at:])
        return "", False
    answer.append(text[pos:])
    return "".join(answer), True


def _harmony(text: str, reasoning: list[str]) -> tuple[str, bool, bool]:
    """(answer, found a final message, complete)."""
    finals: list[str] = []
    tokens = []
    for match in _HARMONY_TOKEN.finditer(text):
        tokens.append(match)
        if len(tokens) > MAX_TAGS:
            return "", False, False
    channel = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.group(1)
        if kind == "channel":
            # <|channel|>final [<|constrain|>json] <|message|>
            header_end = tokens[index + 1].start() if index + 1 < len(tokens) else len(text)
            header = text[token.end() : header_end].strip().split()
            channel = header[0] if header else ""
        elif kind == "message":
            body_end = len(text)
            terminated = False
            if index + 1 < len(tokens) and tokens[index + 1].group(1) in _HARMONY_ENDS:
                body_end = tokens[index + 1].start()
                terminated = True
            body = text[token.end() : body_end]
            if channel == "final":
                finals.append(body)
            else:
                reasoning.append(body)
                if not terminated and not finals:
                    return "", False, False  # cut off while still reasoning
            channel = None
        index += 1
    if not finals:
        return "", False, False
    return "\n".join(finals), True, True
