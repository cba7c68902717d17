"""Errors the state machine sees by class name (Lambda reports ``errorType`` = class name).

Keep the names stable: the state machine's Catch/Choice rules and the runbook refer to them.
"""


class WorkflowError(Exception):
    """Base class; never raised itself."""


class DatasetInvalid(WorkflowError):
    """The training/validation data break a rule; the message lists the first offending lines."""


class RewardSignalInsufficient(WorkflowError):
    """The base model's samples, graded, show too little reward signal to learn from."""


class SmokeTestFailed(WorkflowError):
    """The promoted model did not answer on Chat Completions or Responses."""


class JobSubmissionFailed(WorkflowError):
    """The mantle endpoint refused the files or the job (bad request, not a transient error)."""


class NothingToPromote(WorkflowError):
    """The selection chose no model id (e.g. the job produced no model)."""


class SubmitInProgress(WorkflowError):
    """Another invocation of the submit step holds the run's submission claim and has not
    recorded a job yet; the state machine retries (the retry returns that invocation's job)."""


class RunAbandoned(WorkflowError):
    """The run's execution was aborted or timed out while a step still ran; that step undid its
    own side effect (e.g. cancelled the job it had just created)."""


class EvaluationThrottled(WorkflowError):
    """An evaluation item's model calls were throttled after the SDK's own retries; the state
    machine retries the item with backoff."""


class EvaluationItemFailed(WorkflowError):
    """No prompt of an evaluation item could be answered and graded; retried once, then the
    item counts as missing (never fatal to the run)."""


class DeploymentThrottled(WorkflowError):
    """Bedrock throttled or failed a call on the Nova evaluation deployment (after botocore's
    own retries); the state machine retries the step with backoff."""
