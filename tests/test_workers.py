"""The budgeted process pool: answers come back, an overrunning job's worker is killed and replaced, and
the jobs after it (also those chunked to the same worker) still run."""

from __future__ import annotations

import os
import time

import pytest

from metrics.workers import run_budgeted


def square_or_hang(n: int) -> tuple[int, int]:
    """n*n with the worker's pid; n < 0 never returns."""
    while n < 0:
        time.sleep(1)
    return n * n, os.getpid()


@pytest.mark.parametrize("workers", [1, 2])
def test_an_overrun_is_killed_and_the_rest_answered(workers: int) -> None:
    jobs = list(range(1, 41))  # 40 jobs: chunks of 4 (workers=1) or 2 (workers=2)
    jobs[5], jobs[22] = -1, -2  # each hangs with jobs chunked behind it
    t0 = time.monotonic()
    outcomes = {o.index: o for o in run_budgeted(square_or_hang, jobs, workers, budget=1.0, chunk=4)}
    assert time.monotonic() - t0 < 20
    assert sorted(outcomes) == list(range(len(jobs)))
    assert [i for i, o in sorted(outcomes.items()) if o.overrun] == [5, 22]
    assert {i: o.result[0] for i, o in outcomes.items() if not o.overrun} == {
        i: n * n for i, n in enumerate(jobs) if n > 0}
    pids = {o.result[1] for o in outcomes.values() if not o.overrun}
    assert os.getpid() not in pids and len(pids) >= 2  # the killed worker was replaced


def test_no_jobs_start_no_worker() -> None:
    assert list(run_budgeted(square_or_hang, [], 2, budget=1.0)) == []


def test_without_a_budget_every_job_is_answered() -> None:
    got = sorted(o.result[0] for o in run_budgeted(square_or_hang, list(range(50)), 2, budget=None))
    assert got == [n * n for n in range(50)]
