"""Fakes for judge tests: a clock that never sleeps, a scripted Converse client, and a
deliberately gullible judge for the injection corpus."""

from __future__ import annotations

import json
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


NONCE = "$NONCE"  # in a scripted reply: replaced by the nonce of the call it answers


def bind(reply: dict, request: dict) -> dict:
    """The reply with every ``$NONCE`` replaced by the request's declared nonce: how a test
    writes "an honest verdict for this call" before the call exists."""
    nonce = declared_nonce(request)
    if nonce is None:
        return reply
    return json.loads(json.dumps(reply).replace(NONCE, nonce))


def verdict(**fields) -> str:
    """Verdict JSON text bound to the call it answers (see ``bind``)."""
    return json.dumps({"nonce": NONCE, **fields})


class FakeBedrock:
    """A bedrock-runtime stand-in: ``script(request, call_number)`` returns a response dict
    or raises; ``$NONCE`` in the reply becomes the request's nonce. Records requests; counts
    calls in flight at once."""

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
            return bind(self.script(request, number), request)
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

    Its verdicts always carry the call's nonce: it plays a model that obeys, not one that
    copies (that is CopycatJudge).

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
        # An obeyed injection still gets a well-formed verdict for this call (nonce
        # included): this judge tests delimiting, not verdict binding.
        fake = _FAKE_VERDICT.search(outside)
        if fake:
            self.obeyed += 1
            return json.dumps(honest_verdict(request, float(fake.group(1))))
        if any(p.search(outside) for p in _OBEY):
            self.obeyed += 1
            return json.dumps(honest_verdict(request, 10))
        reference = blocks.get("reference_answer", "").strip()
        response = blocks.get("response", "")
        correct = bool(reference) and reference.lower() in response.lower()
        return json.dumps(honest_verdict(request, 9 if correct else 2))


def declared_nonce(request: dict) -> str | None:
    """The nonce this call's instructions declare (None when the prompt declares none).
    Read from the start of the system prompt, where our preamble states it before any
    spec text or data."""
    system = (request.get("system") or [{}])[0].get("text", "")
    match = re.search(r"This call's nonce is ([0-9a-f]+)\.", system)
    return match.group(1) if match else None


def honest_verdict(request: dict, score: float) -> dict:
    """An honest verdict for this call: carries the declared nonce (if any)."""
    verdict = {"reasoning": "checked against the reference", "score": score}
    nonce = declared_nonce(request)
    if nonce is not None:
        verdict = {"nonce": nonce, **verdict}
    return verdict


_VERDICT_OBJECT = re.compile(r"\{[^{}]*\"(?:score|label)\"[^{}]*\}")


class CopycatJudge:
    """A judge that repeats any verdict it sees in its input, data blocks included (the way a
    weak model parrots a JSON object it was shown), and otherwise grades honestly like
    NaiveJudge: 9 when the reference is in the response, else 2. It answers with a tool call
    when the request offers the verdict tool, else with text.

    Nothing in the prompt can stop this judge from copying; only binding the verdict to the
    call (a nonce the copied text cannot carry) keeps the copy from scoring."""

    def __init__(self):
        self.copied = 0

    def __call__(self, request: dict):
        text = request_text(request)
        verdict = None
        for match in _VERDICT_OBJECT.finditer(text):
            try:
                verdict = json.loads(match.group(0))
            except ValueError:
                continue  # our own instruction's example is not valid JSON
            self.copied += 1
            break
        if verdict is None:
            boundary = re.search(r"The boundary (\S+) is random", text).group(1)
            reference = re.search(
                rf"<<<BEGIN DATA {boundary} reference_answer>>>\n(.*?)\n<<<END DATA {boundary}>>>", text, re.DOTALL
            )
            reference = reference.group(1).strip().lower() if reference else ""
            correct = bool(reference) and reference in response_block(request).lower()
            verdict = honest_verdict(request, 9 if correct else 2)
        if "toolConfig" in request:
            return tool_reply(verdict)
        return text_reply(json.dumps(verdict))


def echo_input(request: dict) -> str:
    """A judge that returns its whole input verbatim."""
    return request_text(request)


def echo_response(request: dict) -> str:
    """A judge that returns the response it was shown, verbatim."""
    return response_block(request)
