"""Example team grader: the fraction of the reference's keywords the answer mentions.

Reference: {"keywords": ["refund", "order number", ...]} (case-insensitive whole phrases).
Spec: {type: python, name: keyword_coverage, module: team_graders.keyword_coverage}
"""

from __future__ import annotations

import re


def grade(sample: dict, item: dict) -> float:
    keywords = item.get("keywords") or []
    if not keywords:
        return 0.0
    text = sample.get("output_text", "").lower()
    found = sum(1 for k in keywords if re.search(rf"\b{re.escape(str(k).lower())}\b", text))
    return found / len(keywords)
