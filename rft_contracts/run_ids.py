"""Run ids and Bedrock job names: made in one place, parsed and split in one place.

A run id is the Step Functions execution name that `rft run start` gives a run:
``r<UTC yyyymmddHHMMSS>-<first 6 hex of the train data's sha256>`` (22 characters). Bedrock
job and custom-model names are ``<customization>-<run id>``; customization names are at most
32 characters, so a job name fits Bedrock's 63.
"""

from __future__ import annotations

import datetime as dt
import re

RUN_ID_PATTERN = re.compile(r"^r(\d{14})-([0-9a-f]{6})$")
RUN_ID_LENGTH = 22
_STAMP = "%Y%m%d%H%M%S"


def make_run_id(train_sha256: str, now: dt.datetime | None = None) -> str:
    """The run id of a run started ``now`` (UTC) on training data with this sha256."""
    if not re.fullmatch(r"[0-9a-f]{6,}", train_sha256):
        raise ValueError("train_sha256 must be a lowercase hex digest")
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return f"r{now.strftime(_STAMP)}-{train_sha256[:6]}"


def is_run_id(text: str) -> bool:
    return bool(RUN_ID_PATTERN.match(text))


def run_started_at(run_id: str) -> dt.datetime | None:
    """When the run was started (from its id), or None for an id `rft run start` did not make."""
    match = RUN_ID_PATTERN.match(run_id)
    if match is None:
        return None
    return dt.datetime.strptime(match.group(1), _STAMP).replace(tzinfo=dt.UTC)


def job_name(customization: str, run_id: str) -> str:
    """Name of the Bedrock job (and custom model) a run creates."""
    return f"{customization}-{run_id}"


def job_name_prefix(customization: str) -> str:
    """What every job name of a customization starts with (EventBridge prefix matching)."""
    return f"{customization}-"


def split_job_name(name: str, customizations: list[str] | tuple[str, ...]) -> tuple[str, str] | None:
    """(customization, run id) of a job the workflow created, or None for any other job.

    Both parts may contain hyphens, so the team's customization names tell where it splits;
    the longest matching name wins ("a-b" before "a").
    """
    for customization in sorted(customizations, key=len, reverse=True):
        prefix = job_name_prefix(customization)
        if name.startswith(prefix) and len(name) > len(prefix):
            return customization, name[len(prefix) :]
    return None
