"""A process pool that gives each job a time budget: a worker still on one job when its time is up is
killed and replaced, the job is reported as over budget, and the other jobs go on.

concurrent.futures cannot do this (killing one of its workers breaks the whole pool), so each worker is
a forked process fed a few jobs at a time through a pipe and answering each as it finishes: the parent
knows which job a worker is on (the first unanswered one of its chunk) and since when (the previous
answer). It waits on the pipes with a time-out set to the nearest deadline; the unstarted jobs of a
killed worker's chunk go to the next worker. Workers end with the parent (kill -9 leaves no orphans).
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
    """Worker loop: answer each job of each chunk received with func(job) until None arrives."""
    for fd in close_fds:  # e.g. the ingest lock: only the parent may hold it
        try:
            os.close(fd)
        except OSError:
            pass
    _watch_parent(parent)
    while True:
        try:
            chunk = conn.recv()
        except EOFError:
            return
        if chunk is None:
            return
        for job in chunk:
            conn.send(func(job))


class _Worker:
    """One forked worker and the job it is on."""

    def __init__(self, ctx: Any, func: Callable[[Any], Any], close_fds: Sequence[int]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, func, os.getpid(), close_fds), daemon=True)
        self.proc.start()
        child.close()
        self.chunk: list[int] = []  # indexes of the jobs given and not answered yet, in order
        self.deadline = 0.0

    @property
    def job(self) -> int | None:
        """The job this worker is on (None: idle)."""
        return self.chunk[0] if self.chunk else None

    def give(self, indexes: list[int], jobs: Sequence[Any], budget: float | None) -> None:
        self.chunk = list(indexes)
        self.restart(budget)
        self.conn.send([jobs[i] for i in indexes])

    def restart(self, budget: float | None) -> None:
        """The next job of the chunk starts now."""
        self.deadline = time.monotonic() + budget if budget is not None else float("inf")

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
                 close_fds: Sequence[int] = (), chunk: int = 32) -> Iterator[Outcome]:
    """func(job) for every job in `workers` forked processes, yielding outcomes as they come (not in
    order). A job running longer than `budget` seconds has its worker killed and yields overrun=True.
    Jobs go out in chunks of up to `chunk` (fewer when there are few jobs per worker)."""
    if not jobs:
        return
    ctx = multiprocessing.get_context("fork")
    pending = list(range(len(jobs)))[::-1]  # popped from the end: jobs start in order
    n_workers = max(1, min(workers, len(jobs)))
    size = max(1, min(chunk, len(jobs) // (n_workers * 8)))
    pool = [_Worker(ctx, func, close_fds) for _ in range(n_workers)]

    def feed(w: _Worker) -> None:
        take = [pending.pop() for _ in range(min(size, len(pending)))]
        if take:
            w.give(take, jobs, budget)

    try:
        for w in pool:
            feed(w)
        while any(w.chunk for w in pool):
            busy = [w for w in pool if w.chunk]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy], timeout=None if timeout == float("inf") else timeout)
            now = time.monotonic()
            for k, w in enumerate(pool):
                index = w.job
                if index is None:
                    continue
                if w.conn in ready:
                    try:
                        outcome = Outcome(index, result=w.conn.recv())
                    except (EOFError, OSError):
                        w.proc.join(timeout=5)
                        outcome = Outcome(index, died=_death(w.proc.exitcode))
                    else:
                        w.chunk.pop(0)
                        w.restart(budget)
                        if not w.chunk:
                            feed(w)
                        yield outcome
                        continue
                elif now >= w.deadline:
                    outcome = Outcome(index, overrun=True)
                else:
                    continue
                # the worker is gone or killed: its unstarted jobs go back, a new worker takes over
                pending.extend(reversed(w.chunk[1:]))
                w.chunk = []
                w.kill()
                w = pool[k] = _Worker(ctx, func, close_fds)
                feed(w)
                yield outcome
    finally:
        for w in pool:
            if w.chunk:
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
