"""AI judges (RLAIF): ``score_model`` / ``label_model`` graders and the rubric templates.

A judge renders its prompt from the sample (every substituted value quoted as data between
random per-call boundaries), calls a Bedrock model through the Converse API, and parses a
strict verdict. Modules:

- ``spec``: the spec models (OpenAI's field names plus ours); ``templates``: rubric templates
- ``prompt``: Converse request building and data delimiting; ``verdict``: strict parsing,
  refusal detection
- ``client``: the call with retries, backoff and deadline; ``runner``: bounded concurrency
- ``grader``: the runnable grader; ``calibrate``: agreement, stability, length-bias probe
- ``scripted``: a Converse stand-in driven by a Python function (tests, ``rft`` CLI)

- ``model_ids``: what a Bedrock model reference names, and its model family

This package imports no boto3; the model-id helpers are cheap enough to call at synth time.
Which judge models a spec calls: ``rft_graders.spec_walk.judge_models``.
"""

from .model_ids import is_bedrock_model, model_family, same_family

__all__ = ["same_family", "model_family", "is_bedrock_model"]
