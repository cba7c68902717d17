"""A scripted judge for the import round trip (``--scripted-judge roundtrip_judges:judge``).

It reads only the data blocks of the prompt (what the templates rendered), so both sides of
the round trip get the same verdict exactly when the templates render the same values. It
records each call's model id, so a test can see the mapped Bedrock judge being called.
"""

import json
import re

from rft_graders.judges.scripted import request_text, verdict

MODEL_IDS: list[str] = []


def _blocks(text):
    boundary = re.search(r"The boundary (\S+) is random", text).group(1)
    pattern = rf"<<<BEGIN DATA {boundary} (\S+)>>>\n(.*?)\n<<<END DATA {boundary}>>>"
    return {name: value for name, value in re.findall(pattern, text, re.DOTALL)}


def judge(request):
    MODEL_IDS.append(request["modelId"])
    text = request_text(request)
    blocks = _blocks(text)
    response = blocks.pop("response", "").lower()
    hit = any(value.strip().lower() in response for value in blocks.values() if value.strip())
    labels = re.search(r"label is exactly one of: (.+?)[.:]", text)
    if labels:
        names = json.loads(f"[{labels.group(1)}]")
        return verdict(request, label=names[0] if hit else names[1])
    low, high = (float(x) for x in re.search(r"score is a number from (\S+) to (\S+?)[.:;,]?\s", text).groups())
    return verdict(request, score=high * 0.9 + low * 0.1 if hit else low + (high - low) * 0.2)
