"""A process pool that gives each job a time budget: a worker still on one job when its time is up is
killed and replaced, the job is reported as over budget, and the other jobs go on.

concurrent.futures cannot do this (killing one of its workers breaks the whole pool), so each worker is
a forked process fed one job at a time through a pipe. The parent waits on the pipes with a time-out set
to the nearest deadline. Workers end with the parent (kill -9 of an ingest leaves no orphans).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

J = TypeVar("J")


@dataclass(slots=True)
class Outcome:
    """What became of one job: its result, or why there is none (`overrun`: it ran out of time)."""

    index: int
    result: Any = None
    overrun: bool = False
    died: str = ""  # the worker ended without an answer (killed from outside, out of memory)


def _watch_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _serve(conn: Connection, func: Callable[[Any], Any], parent: int, close_fds: Sequence[int]) -> None:
    """Worker loop: answer each job received with func(job) until None arrives."""
    for fd in close_fds:  # e.g. the ingest lock: only the parent may hold it
        try:
            os.close(fd)
        except OSError:
            pass
    _watch_parent(parent)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        conn.send(func(job))


class _Worker:
    """One forked worker and the job it is on."""

    def __init__(self, ctx: Any, func: Callable[[Any], Any], close_fds: Sequence[int]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, func, os.getpid(), close_fds), daemon=True)
        self.proc.start()
        child.close()
        self.job: int | None = None
        self.deadline = 0.0

    def give(self, index: int, job: Any, budget: float | None) -> None:
        self.job = index
        self.deadline = time.monotonic() + budget if budget is not None else float("inf")
        self.conn.send(job)

    def kill(self) -> None:
        """End this worker (by its own pid) and reap it."""
        if self.proc.is_alive():
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.join()
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.kill()
        else:
            self.conn.close()


def run_budgeted(func: Callable[[J], Any], jobs: Sequence[J], workers: int, budget: float | None,
                 close_fds: Sequence[int] = ()) -> Iterator[Outcome]:
    """func(job) for every job in `workers` forked processes, yielding outcomes as they come (not in
    order). A job running longer than `budget` seconds has its worker killed and yields overrun=True."""
    ctx = multiprocessing.get_context("fork")
    pending = list(range(len(jobs)))[::-1]  # popped from the end: jobs start in order
    pool = [_Worker(ctx, func, close_fds) for _ in range(max(1, min(workers, len(jobs))))]
    try:
        for w in pool:
            if pending:
                i = pending.pop()
                w.give(i, jobs[i], budget)
        while any(w.job is not None for w in pool):
            busy = [w for w in pool if w.job is not None]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy], timeout=None if timeout == float("inf") else timeout)
            now = time.monotonic()
            for k, w in enumerate(pool):
                if w.job is None:
                    continue
                index = w.job
                if w.conn in ready:
                    try:
                        outcome = Outcome(index, result=w.conn.recv())
                    except (EOFError, OSError):
                        w.proc.join(timeout=5)
                        outcome = Outcome(index, died=_death(w.proc.exitcode))
                        w.kill()
                        w = pool[k] = _Worker(ctx, func, close_fds)
                elif now >= w.deadline:
                    w.kill()
                    outcome = Outcome(index, overrun=True)
                    w = pool[k] = _Worker(ctx, func, close_fds)
                else:
                    continue
                w.job = None
                if pending:
                    i = pending.pop()
                    w.give(i, jobs[i], budget)
                yield outcome
    finally:
        for w in pool:
            if w.job is not None:
                w.kill()
            else:
                w.stop()


def _death(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"the extraction process was ended by {signal.Signals(-code).name}"
        except ValueError:
            return f"the extraction process was ended by signal {-code}"
    return f"the extraction process exited with status {code}"
