"""Scripted judges for CLI tests (loaded as --scripted-judge scripted_judges:<name>)."""

import re

from rft_graders.judges.scripted import request_text, verdict


def _block(request, name):
    text = request_text(request)
    boundary = re.search(r"The boundary (\S+) is random", text).group(1)
    match = re.search(rf"<<<BEGIN DATA {boundary} {name}>>>\n(.*?)\n<<<END DATA {boundary}>>>", text, re.DOTALL)
    return match.group(1) if match else ""


def fair(request):
    """9 when the reference answer is in the response, else 2; length does not matter."""
    reference = _block(request, "reference_answer").strip().lower()
    return verdict(request, score=9 if reference and reference in _block(request, "response").lower() else 2)


def length_lover(request):
    """Pays for length: the bias the probe must catch."""
    return verdict(request, score=round(min(10.0, len(_block(request, "response")) / 40), 1))


def refuser(request):
    return "I'm sorry, but I can't help with grading this."


def refuses_lyon(request):
    """Fair, but refuses the one response that mentions Lyon (a partial failure)."""
    if "lyon" in _block(request, "response").lower():
        return refuser(request)
    return fair(request)
