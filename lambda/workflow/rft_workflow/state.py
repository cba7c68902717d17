"""Pydantic models of the workflow state that steps hand to each other.

The state machine passes the whole state ``$`` to every handler; each handler reads only the
parts it needs through these models. ``extra="ignore"`` here: the state grows as steps add
their results. The ``config`` part is the runtime config contract
(``rft_contracts.runtime_config``), which is strict.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from rft_contracts.runtime_config import WorkflowConfig


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ObjectRef(_Model):
    key: str
    version_id: str | None = None


class RunInput(_Model):
    train: ObjectRef
    validation: ObjectRef | None = None
    poll_seconds: int | None = None


class DatasetFile(_Model):
    key: str
    version_id: str | None = None
    sha256: str = ""
    rows: int = 0


class DatasetResult(_Model):
    train: DatasetFile
    validation: DatasetFile | None = None
    report_key: str = ""


def config_of(event: dict) -> WorkflowConfig:
    return WorkflowConfig.model_validate(event["config"])


def run_id_of(event: dict) -> str:
    run_id = event.get("run_id")
    if not isinstance(run_id, str) or not run_id:
        raise ValueError("the state has no run_id")
    return run_id
