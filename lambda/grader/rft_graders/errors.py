"""Per-sample failure types.

Two kinds of per-sample trouble are kept apart so that the error rate means "the grader
could not do its job" and not "the policy wrote a bad answer":

- ``SampleGradingError``: the grader could not grade (missing reference, bad template path,
  sandbox down). Scores 0 with a ``grader_error`` metric.
- ``ResponseParseError``: the model's response could not be read the way the spec asks
  (e.g. ``{{sample.output_json.x}}`` on a non-JSON answer). That is the policy's fault, so
  it scores 0 with a ``response_parse_error`` metric and does not count as a grader error.

A sample whose grading runs past its time budget, or that the batch deadline leaves
ungraded, scores 0 with a ``grader_timeout`` metric (``base.timed_out``).

Messages of both are logged, so they must never contain prompt or response text.
"""


class SampleGradingError(Exception):
    """The grader cannot grade this sample; the message is safe to log."""


class ResponseParseError(Exception):
    """The response is unusable for this grader (scores 0); the message is safe to log."""


class BudgetExceeded(Exception):
    """Raised at a grader's checkpoint once the sample's time budget (or the batch deadline)
    has passed; the sample scores 0 with a ``grader_timeout`` metric."""


def describe_error(exc: BaseException) -> str:
    """A loggable one-line reason. Unknown exceptions give only their type: their message
    may quote the response (e.g. from team-written grader code)."""
    if isinstance(exc, (SampleGradingError, ResponseParseError)):
        return str(exc)[:300]
    return f"unexpected {type(exc).__name__}"
