"""Run a batch of judge tasks with bounded concurrency and an overall deadline.

Judge calls wait on the network, so threads (not processes) are the right tool. Each task
checks the deadline itself before every call; this loop adds the outer bound: when the
deadline passes it stops waiting, and every task not finished by then comes back as
``TIMED_OUT`` (a stuck call cannot hold the batch past the Lambda timeout). Such a task's
thread may still be blocked in a socket; its result is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any

TIMED_OUT = object()


def run_bounded(
    tasks: Sequence[Callable[[], Any]],
    max_concurrency: int,
    deadline: float | None,
    clock: Callable[[], float],
    poll_s: float,
) -> list[Any]:
    """Results in task order; a task that raised returns its exception object."""
    if not tasks:
        return []
    results: list[Any] = [TIMED_OUT] * len(tasks)
    pool = ThreadPoolExecutor(max_workers=min(max_concurrency, len(tasks)), thread_name_prefix="judge")
    try:
        futures = {pool.submit(task): index for index, task in enumerate(tasks)}
        pending = set(futures)
        while pending:
            if deadline is None:
                timeout = None
            else:
                remaining = deadline - clock()
                if remaining <= 0:
                    break
                timeout = min(remaining, poll_s)
            done, pending = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            _collect(done, futures, results)
        _collect([f for f in pending if f.done()], futures, results)  # finished just at the deadline
    finally:
        # Never block on stragglers: queued tasks are cancelled, running ones abandoned.
        pool.shutdown(wait=False, cancel_futures=True)
    return results


def _collect(done, futures, results) -> None:
    for future in done:
        if future.cancelled():
            continue
        error = future.exception()
        results[futures[future]] = error if error is not None else future.result()
