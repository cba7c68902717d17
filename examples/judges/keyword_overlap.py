"""An offline judge: try a judge grader end to end without Bedrock credentials or cost.

    rft grade --grader lambda/grader/examples/conversation_quality.yaml \
        --samples lambda/grader/examples/samples/conversation_quality.jsonl \
        --scripted-judge examples.judges.keyword_overlap:judge
    rft judge calibrate --grader lambda/grader/examples/conversation_quality.yaml \
        --labelled lambda/grader/examples/samples/conversation_quality.jsonl \
        --scripted-judge examples.judges.keyword_overlap:judge

(run from the repository root, so `examples.judges` imports). The judge receives the Converse
request the grader would send to Bedrock and answers with a verdict: the share of the
reference answer's words that the response uses, on the grader's 0-10 scale. It is a stand-in
that shows the plumbing, not a good judge: word overlap pays for padding, and `rft judge
calibrate`'s length probe says so. Write your own the same way: a function of the request
that returns `verdict(request, score=...)`, or raises to script a failure.
"""

from __future__ import annotations

import re

from rft_graders.judges.scripted import request_text, verdict

_WORD = re.compile(r"\w+")


def quoted(request: dict, name: str) -> str:
    """The data block the grader quoted as `name` (response, reference_answer, ...), or ''.

    The grader delimits each quoted field with a random boundary stated in the prompt, so that
    text inside an answer cannot pose as the prompt's own instructions."""
    text = request_text(request)
    boundary = re.search(r"The boundary (\S+) is random", text)
    if not boundary:
        return ""
    tag = re.escape(boundary.group(1))
    match = re.search(rf"<<<BEGIN DATA {tag} {re.escape(name)}>>>\n(.*?)\n<<<END DATA {tag}>>>", text, re.DOTALL)
    return match.group(1) if match else ""


def judge(request: dict) -> str:
    reference = set(_WORD.findall(quoted(request, "reference_answer").lower()))
    response = set(_WORD.findall(quoted(request, "response").lower()))
    score = 10 * len(reference & response) / max(1, len(reference))
    return verdict(request, score=round(score, 1))
