"""Run ids and job names: the one format every deployable makes, parses and splits."""

from __future__ import annotations

import datetime as dt

import pytest

from rft_contracts import run_ids

WHEN = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def test_run_id_format_and_round_trip():
    run_id = run_ids.make_run_id("abcdef0123", WHEN)
    assert run_id == "r20260102030405-abcdef" and len(run_id) == run_ids.RUN_ID_LENGTH
    assert run_ids.is_run_id(run_id)
    assert run_ids.run_started_at(run_id) == WHEN


def test_run_id_is_made_in_utc():
    east = dt.timezone(dt.timedelta(hours=9))
    assert run_ids.make_run_id("abcdef", WHEN.astimezone(east)) == "r20260102030405-abcdef"


def test_run_id_rejects_a_non_digest():
    with pytest.raises(ValueError):
        run_ids.make_run_id("not hex!", WHEN)


def test_started_at_of_a_foreign_name_is_unknown():
    assert run_ids.run_started_at("manual-run") is None
    assert run_ids.run_started_at("r2026-abcdef") is None


def test_job_name_fits_bedrock_and_splits_back():
    customization = "c" * 32  # the longest customization name the config allows
    name = run_ids.job_name(customization, run_ids.make_run_id("abcdef", WHEN))
    assert len(name) <= 63
    assert run_ids.split_job_name(name, [customization, "c"]) == (customization, "r20260102030405-abcdef")


def test_split_prefers_the_longest_customization():
    names = ["invoice", "invoice-extraction"]
    assert run_ids.split_job_name("invoice-extraction-r1-ab", names) == ("invoice-extraction", "r1-ab")
    assert run_ids.split_job_name("invoice-r2", names) == ("invoice", "r2")
    assert run_ids.split_job_name("other-r3", names) is None
    assert run_ids.split_job_name("invoice-", names) is None
