"""Forward the batch to another grader Lambda that speaks the same Bedrock contract."""

from __future__ import annotations

import json
import math

from ..base import GradeResult


class LambdaForwardGrader:
    def __init__(self, spec, ctx):
        self.spec = spec
        self.name = spec.name
        self._client_factory = ctx.lambda_client_factory
        self._client = None

    def _lambda(self):
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def grade_many(self, samples):
        out = []
        size = self.spec.max_batch_size
        for start in range(0, len(samples), size):
            out.extend(self._grade_chunk(samples[start : start + size]))
        return out

    def _grade_chunk(self, chunk):
        # Positions, not ids, link request and response: ids may repeat or be missing.
        try:
            response = self._lambda().invoke(
                FunctionName=self.spec.function_arn,
                InvocationType="RequestResponse",
                Payload=json.dumps([s.raw for s in chunk], default=str).encode(),
            )
            if response.get("FunctionError"):
                return [GradeResult.failed(f"lambda grader error: {response['FunctionError']}")] * len(chunk)
            body = json.loads(response["Payload"].read())
        except Exception as exc:  # noqa: BLE001 - one failed call fails its chunk only
            return [GradeResult.failed(f"lambda grader call failed: {type(exc).__name__}")] * len(chunk)
        if not isinstance(body, list) or len(body) != len(chunk):
            return [GradeResult.failed("lambda grader returned a result list of the wrong length")] * len(chunk)
        return [self._result(sample, entry) for sample, entry in zip(chunk, body, strict=False)]

    @staticmethod
    def _result(sample, entry) -> GradeResult:
        if not isinstance(entry, dict) or entry.get("id") != sample.id:
            return GradeResult.failed("lambda grader result does not match the sample id")
        score = entry.get("aggregate_reward_score")
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
            return GradeResult.failed("lambda grader returned no finite score")
        components: dict[str, float] = {}
        metrics: dict[str, float] = {}
        for m in entry.get("metrics_list") or []:
            if isinstance(m, dict) and isinstance(m.get("name"), str) and isinstance(m.get("value"), (int, float)):
                (components if m.get("type") == "Reward" else metrics)[m["name"]] = float(m["value"])
        return GradeResult(float(score), components=components, metrics=metrics)
