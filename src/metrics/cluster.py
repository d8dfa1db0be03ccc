"""Extraction on a Dask cluster: `--dask local[:N]` (a LocalCluster of N worker processes) or
`--dask tcp://HOST:PORT` (a running scheduler), in coarse partitions of many documents per task.

The tasks call the same ingest.extract_job as the local process pool, so the figures are the same. For
`ingest --dask` the results come back to this process, which publishes the database as ingest always does
(one writer: staging copy, atomic swap). For `extract --parquet` each partition writes its own files
(dataset.write_partition) and only counts come back. A partition that fails (its worker died, a worker
runs another extractor version) is reported with its documents; the other partitions go on.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from metrics import dataset, store
from metrics.ingest import (
    DEFAULT_MAX_MB,
    Extractor,
    Job,
    JobResult,
    extract_job,
    extractor_version,
    over_size,
    sha256_file,
)
from metrics.urls import file_size, is_url

# Documents per task: at least MIN_PARTITION (a task per file would cost more in scheduling than in
# extraction), at most MAX_PARTITION (results of one task stay a few MB), else about four tasks per
# worker thread so that a slow partition does not hold up the end.
MIN_PARTITION = 8
MAX_PARTITION = 1000
TASKS_PER_THREAD = 4
CONNECT_TIMEOUT_S = 10.0
SCHEMES = ("tcp", "tls", "ws", "wss", "inproc", "ucx")

PartitionError = Callable[[int, int, list[str], str], None]


class ClusterError(Exception):
    """A cluster that cannot be started or reached, or a bad --dask value; the message says what to do."""


class WorkerMismatch(Exception):
    """A worker runs another regmetrics extractor than the client (raised on the worker)."""


def parse_spec(spec: str) -> tuple[str, int | None]:
    """("local", N or None) for local[:N], (address, None) for a scheduler URL; ClusterError otherwise."""
    if spec == "local" or spec.startswith("local:"):
        n = spec.partition(":")[2]
        if n and not (n.isdigit() and int(n) > 0):
            raise ClusterError(f"--dask {spec}: the number of local workers must be a positive integer, e.g. local:2")
        return "local", int(n) if n else None
    if "://" in spec and spec.split("://", 1)[0] in SCHEMES and spec.split("://", 1)[1]:
        return spec, None
    raise ClusterError(f"--dask {spec}: give local, local:N (N worker processes here) or the scheduler's "
                       "address, e.g. tcp://10.0.0.5:8786")


@contextmanager
def connect(spec: str, *, timeout: float = CONNECT_TIMEOUT_S) -> Iterator[Any]:
    """A distributed.Client on a new LocalCluster (local[:N]: N single-threaded worker processes, default
    one per core) or on the scheduler at an address; closed (and the LocalCluster stopped) on exit."""
    from distributed import Client, LocalCluster

    address, n = parse_spec(spec)
    if address == "local":
        try:
            with warnings.catch_warnings():  # 8787 taken: another port is used, and describe() prints it
                warnings.filterwarnings("ignore", message="Port .* is already in use")
                cluster = LocalCluster(n_workers=n or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                       silence_logs=logging.ERROR)
        except Exception as exc:  # ports, memory, a broken install: all end the run the same way
            raise ClusterError(f"cannot start a local Dask cluster: {type(exc).__name__}: {exc}") from None
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(address, timeout=f"{timeout}s")
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} ({_first_line(exc)}): start it with "
                           f"`dask scheduler` and workers with `dask worker {address}`, or use --dask local") from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError):
            raise ClusterError(f"the Dask scheduler at {address} has no workers after {timeout:g} s: start "
                               f"`dask worker {address}` on each machine") from None
        yield client
    finally:
        client.close()


def describe(client: Any) -> str:
    """One line about the cluster: its workers and threads, and where its dashboard is."""
    threads = client.nthreads()
    return (f"Dask cluster at {client.scheduler.address}: {len(threads)} workers, {sum(threads.values())} threads; "
            f"dashboard {client.dashboard_link}")


def partitions(items: Sequence[Any], threads: int, size: int | None = None) -> list[list[Any]]:
    """`items` cut into consecutive partitions of `size` (default: see MIN/MAX_PARTITION)."""
    if size is None:
        size = min(MAX_PARTITION, max(MIN_PARTITION, math.ceil(len(items) / (max(threads, 1) * TASKS_PER_THREAD))))
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


@functools.cache
def _worker_version(extractor: Extractor | None) -> str:
    return extractor_version(extractor)


def _check_version(jobs: list[Job]) -> None:
    """Refuse to extract on a worker whose regmetrics differs from the client's (its figures would differ)."""
    for _, _, _, wanted, extractor in jobs[:1]:
        here = _worker_version(extractor)
        if here != wanted:
            raise WorkerMismatch(f"worker {os.uname().nodename} runs regmetrics extractor {here}, the client "
                                 f"{wanted}: install the same regmetrics on every worker")


def extract_partition(jobs: list[Job]) -> list[JobResult]:
    """Task: extract_job on each job of a partition (on a worker)."""
    _check_version(jobs)
    return [extract_job(job) for job in jobs]


def extract_partition_to(index: int, jobs: list[Job], root: str) -> dataset.PartitionResult:
    """Task: extract a partition and write its files under `root` (on a worker); only counts come back."""
    _check_version(jobs)
    return dataset.write_partition(index, [extract_job(job) for job in jobs], root)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _reason(exc: BaseException) -> str:
    if type(exc).__name__ == "KilledWorker":
        return "its worker died while extracting it (KilledWorker; the worker's log says why)"
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _run(client: Any, task: Callable[..., Any], parts: list[list[Job]], args: tuple[Any, ...], progress: bool,
         with_index: bool = False) -> Iterator[tuple[int, Any, str]]:
    """Submit one task per partition; yield (index, result or None, failure reason) as they finish."""
    bar = tqdm(total=len(parts), desc="extract", unit="partition", file=sys.stderr,
               disable=not (progress and sys.stderr.isatty()))
    if client is None:  # no cluster: the partitions run here, one after another
        try:
            for i, part in enumerate(parts):
                try:
                    yield i, task(*((i,) if with_index else ()), part, *args), ""
                except Exception as exc:
                    yield i, None, _reason(exc)
                bar.update()
        finally:
            bar.close()
        return
    from distributed import as_completed

    futures = {client.submit(task, *((i,) if with_index else ()), part, *args, pure=False): i
               for i, part in enumerate(parts)}
    try:
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                yield i, fut.result(), ""
            except Exception as exc:
                yield i, None, _reason(exc)
            fut.release()
            bar.update()
    finally:
        bar.close()
        client.cancel(list(futures))


def _absolute(job: Job) -> Job:
    """A job whose file a worker finds whatever its working directory (a path on a shared file system)."""
    file, disp, sha, version, extractor = job
    return (file if is_url(file) else os.path.abspath(file), disp, sha, version, extractor)


def partition_error_line(index: int, n: int, docs: list[str], reason: str) -> str:
    """The one line that reports a failed partition, naming its documents (each is also reported alone)."""
    shown = ", ".join(docs[:3]) + (f" … {docs[-1]}" if len(docs) > 3 else "")
    return f"partition {index + 1} of {n} ({len(docs)} documents: {shown}) failed: {reason}"


@dataclass
class DaskRunner:
    """ingest.Runner on a Dask client: partitions of jobs as tasks, the results back as figure rows."""

    client: Any
    partition_size: int | None = None
    progress: bool = True
    on_partition_error: PartitionError | None = None

    def __call__(self, jobs: list[Job]) -> Iterator[JobResult]:
        """Run the jobs; a failed partition yields a failure for each of its documents."""
        parts = partitions([_absolute(j) for j in jobs], sum(self.client.nthreads().values()), self.partition_size)
        for i, results, reason in _run(self.client, extract_partition, parts, (), self.progress):
            if results is not None:
                yield from results
                continue
            docs = [job[1] for job in parts[i]]
            if self.on_partition_error:
                self.on_partition_error(i, len(parts), docs, reason)
            for disp in docs:
                yield disp, None, [], f"partition {i + 1} of {len(parts)} failed: {reason}"


@dataclass(slots=True)
class ExtractResult:
    """What extract --parquet wrote."""

    out: str
    n_inputs: int = 0
    n_documents: int = 0
    n_figures: int = 0
    n_files: int = 0
    n_partitions: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    over_budget: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): not read, in the marker


def extract_to_parquet(files: Iterable[Path | str], out: str, *, client: Any = None,
                       partition_size: int | None = None, progress: bool = True,
                       on_error: Callable[[str, str], None] | None = None,
                       on_partition_error: PartitionError | None = None, max_mb: float | None = DEFAULT_MAX_MB,
                       on_over_budget: Callable[[str, str], None] | None = None) -> ExtractResult:
    """Extract `files` in partitions (on `client`'s cluster, or here one after another without one), each
    writing its figures and documents into the dataset at `out` (see metrics.dataset), published when all
    partitions are done. Unreadable files and failed partitions are reported and listed in the marker; a
    file over `max_mb` is not read but reported through on_over_budget and listed in the marker, so that
    ingest --from-parquet records it as ingest does (there is no time budget here: that is ingest's pool)."""
    inputs: dict[str, str] = {}
    for f in files:
        inputs.setdefault(store.display_path(f), str(f))
    version = extractor_version()
    result = ExtractResult(out=out, n_inputs=len(inputs))

    def fail(disp: str, reason: str) -> None:
        result.failures.append((disp, reason))
        if on_error:
            on_error(disp, reason)

    jobs: list[Job] = []
    over: list[dict[str, Any]] = []
    for disp, f in sorted(inputs.items()):
        try:
            n_bytes = file_size(f)
            reason = over_size(n_bytes, max_mb)
            if reason:  # hashed so that a later ingest knows whether the file changed
                over.append({"path": disp, "id": sha256_file(f), "reason": reason, "n_bytes": n_bytes,
                             "extractor_version": version})
        except OSError as exc:
            fail(disp, exc.strerror or str(exc))
            continue
        if reason:
            result.over_budget.append((disp, reason))
            if on_over_budget:
                on_over_budget(disp, reason)
        else:
            jobs.append(_absolute((f, disp, "", version, None)))
    threads = sum(client.nthreads().values()) if client is not None else 1
    parts = partitions(jobs, threads, partition_size)
    result.n_partitions = len(parts)

    staging = dataset.prepare(out)
    done: list[dataset.PartitionResult] = []
    try:
        for i, written, reason in _run(client, extract_partition_to, parts, (staging,), progress, with_index=True):
            if written is None:
                docs = [job[1] for job in parts[i]]
                if on_partition_error:
                    on_partition_error(i, len(parts), docs, reason)
                for disp in docs:
                    fail(disp, f"partition {i + 1} of {len(parts)} failed: {reason}")
                continue
            done.append(written)
            for disp, why in written.failures:
                fail(disp, why)
        result.failures.sort()
        dataset.publish(staging, out, dataset.marker_for(done, result.failures, version, over, max_mb))
    except BaseException:
        dataset.discard(staging)
        raise
    result.n_documents = sum(p.n_documents for p in done)
    result.n_figures = sum(p.n_figures for p in done)
    result.n_files = sum(p.n_files for p in done)
    return result
