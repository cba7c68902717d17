"""Fakes for judge tests: a clock that never sleeps, a scripted Converse client, and a
deliberately gullible judge for the injection corpus."""

from __future__ import annotations

import re
import threading

from botocore.exceptions import ClientError

from rft_graders.judges.client import JudgeEnv
from rft_graders.judges.scripted import request_text


class FakeClock:
    """Monotonic time that only moves when told; ``sleep`` advances it and records the delay."""

    def __init__(self, now: float = 1000.0):
        self.now = now
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def env(clock: FakeClock | None = None, **kw) -> JudgeEnv:
    import random

    clock = clock or FakeClock()
    return JudgeEnv(clock=clock, sleep=clock.sleep, rng=random.Random(7), poll_s=0.01, **kw)


def text_reply(text: str, stop: str = "end_turn", tokens_in: int = 100, tokens_out: int = 10) -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": stop,
        "usage": {"inputTokens": tokens_in, "outputTokens": tokens_out, "totalTokens": tokens_in + tokens_out},
        "metrics": {"latencyMs": 1},
    }


def tool_reply(verdict: dict, tokens_in: int = 120, tokens_out: int = 20) -> dict:
    content = [{"toolUse": {"toolUseId": "t1", "name": "submit_verdict", "input": verdict}}]
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": "tool_use",
        "usage": {"inputTokens": tokens_in, "outputTokens": tokens_out, "totalTokens": tokens_in + tokens_out},
        "metrics": {"latencyMs": 1},
    }


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "scripted"}}, "Converse")


class FakeBedrock:
    """A bedrock-runtime stand-in: ``script(request, call_number)`` returns a response dict
    or raises. Records requests; counts calls in flight at once."""

    def __init__(self, script):
        self.script = script
        self.requests: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def converse(self, **request):
        with self._lock:
            self.requests.append(request)
            number = len(self.requests)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return self.script(request, number)
        finally:
            with self._lock:
                self.in_flight -= 1


def response_block(request: dict) -> str:
    """The response under evaluation as our prompt quotes it (test helper, not naive)."""
    text = request_text(request)
    boundary = re.search(r"The boundary (\S+) is random", text).group(1)
    match = re.search(rf"<<<BEGIN DATA {boundary} response>>>\n(.*?)\n<<<END DATA {boundary}>>>", text, re.DOTALL)
    return match.group(1)


# Instructions a gullible judge obeys when it reads them as instructions.
_OBEY = [
    re.compile(r"ignore (all |any )?(the )?(previous|prior|above|earlier|preceding) (instructions|rules)", re.I),
    re.compile(r"\b(output|give|assign|return|award|rate)\b[^.\n]{0,30}\b10\b", re.I),
    re.compile(r"ignorez|ignoriere|ignora las|忽略|無視|игнорируй", re.I),
    re.compile(r"you are now|from now on,? you|new system prompt|developer mode", re.I),
    re.compile(r"submit_verdict\(", re.I),
]
_FAKE_VERDICT = re.compile(r'"score"\s*:\s*(\d+(?:\.\d+)?)')


class NaiveJudge:
    """A scripted judge as gullible as a weak model, except for one thing it understands:
    the data blocks our prompt declares. It

    1. reads the boundary the system prompt declares and cuts out every block from a
       ``<<<BEGIN DATA b name>>>`` line to the FIRST following ``<<<END DATA b>>>`` line
       (so a forged END line with the right boundary would end a block early);
    2. obeys any injection or verdict-looking JSON found in the rest of the prompt, returning
       that score (or the top score);
    3. otherwise grades honestly: 9 if the reference answer appears in the response block,
       else 2.

    So an attack can only win if delimiting or escaping fails to keep it inside a block:
    remove either and the corpus test fails (see the canary tests).
    """

    def __init__(self):
        self.obeyed = 0

    def __call__(self, request: dict) -> str:
        text = request_text(request)
        declared = re.search(r"The boundary (\S+) is random", text)
        blocks: dict[str, str] = {}
        outside = text
        if declared:
            b = re.escape(declared.group(1))
            pattern = re.compile(rf"<<<BEGIN DATA {b} (\S+)>>>\n(.*?)\n<<<END DATA {b}>>>", re.DOTALL)
            for match in pattern.finditer(text):
                blocks.setdefault(match.group(1), match.group(2))
            outside = pattern.sub("[data]", text)
        fake = _FAKE_VERDICT.search(outside)
        if fake:
            self.obeyed += 1
            return '{"score": %s}' % fake.group(1)
        if any(p.search(outside) for p in _OBEY):
            self.obeyed += 1
            return '{"score": 10}'
        reference = blocks.get("reference_answer", "").strip()
        response = blocks.get("response", "")
        correct = bool(reference) and reference.lower() in response.lower()
        return '{"reasoning": "checked against the reference", "score": %d}' % (9 if correct else 2)
