"""Idempotent, atomic ingest: extract changed files in parallel, build a staging database, swap it in.

The published database is never written in place. A staging file next to it is built from the
published one plus the changes and moved over it with os.replace, so readers keep their snapshot
and a crash leaves the published file as it was. An flock on .regmetrics.lock refuses a second
ingest into the same folder while one runs.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
from tqdm import tqdm

from metrics import __version__, store
from metrics.corrections import apply_corrections, file_sha256, load_corrections
from metrics.paths import CORRECTIONS_CSV, PACKAGE_DATA, PACKAGE_DIR, ROOT
from metrics.urls import file_size, is_url, open_binary

LOCK_NAME = ".regmetrics.lock"
# The per-document budget: a file larger than this is not read, an extraction running longer than this
# is stopped (its worker killed); either is named with the reason, recorded in the `unextracted` table,
# and the ingest goes on. Real reports are well under 1 MB and take well under a second.
DEFAULT_MAX_SECONDS = 60.0
DEFAULT_MAX_MB = 32.0

# Modules and data whose change can change what is extracted: a new fingerprint re-extracts everything.
_EXTRACTOR_MODULES = ("figures.py", "pipeline.py", "documents.py", "prepare.py", "metadata.py", "regions.py",
                      "numbers.py", "periods.py", "catalogue.py", "extract.py", "tables.py", "context.py",
                      "classify.py", "attribute.py", "subjects.py", "dedupe.py", "unwrap.py", "doc_periods.py",
                      "precheck.py", "agency.py")


Extractor = Callable[[Path], Any]
# (file or URL, stored path, sha256 or "" to take the read document's, extractor version, extractor)
Job = tuple[str, str, str, str, Extractor | None]
# (stored path, document row or None, figure rows, error)
JobResult = tuple[str, dict[str, Any] | None, list[dict[str, Any]], str]
# Runs jobs somewhere (a Dask cluster) and yields their results in any order; no time budget there.
Runner = Callable[[list[Job]], Iterable[JobResult]]
# A JobResult and whether the job ran past the time budget (the local pool's _run_jobs).
RunResult = tuple[str, dict[str, Any] | None, list[dict[str, Any]], str, bool]
Extracted = tuple[dict[str, Any], list[dict[str, Any]]]


class IngestBusy(store.StoreError):
    """Another ingest holds the lock for this database folder."""


@dataclass(slots=True)
class IngestResult:
    """What one ingest run did; the CLI prints it and tests assert on it."""

    db: Path
    n_inputs: int = 0
    unchanged: int = 0
    added: int = 0
    replaced: int = 0
    renamed: int = 0
    pruned: int = 0
    n_documents: int = 0
    n_figures: int = 0
    corrections_applied: int = 0
    corrections_elsewhere: int = 0  # rows of the corrections file naming documents not in this database
    over_budget: list[tuple[str, str]] = field(default_factory=list)  # (path, reason): recorded, not extracted
    published: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    correction_issues: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def extractor_version(extractor: Extractor | None = None) -> str:
    """Package version plus a hash of the extraction code and its data files (or the name of a
    custom extractor), stored per document so that a new extractor re-extracts unchanged files."""
    if extractor is not None:
        return f"{__version__}+{extractor.__module__}.{extractor.__qualname__}"
    h = hashlib.sha256()
    files = [PACKAGE_DIR / m for m in _EXTRACTOR_MODULES]
    files += sorted(p for p in PACKAGE_DATA.glob("*") if p.is_file() and p.suffix != ".sql")
    for p in files:
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


def lock_path(db: Path) -> Path:
    """The lock file guarding ingests into the folder of `db`."""
    return db.parent / LOCK_NAME


def staging_path(db: Path) -> Path:
    """Where the next version of `db` is built before it is swapped in."""
    return db.with_name(f".{db.name}.staging")


@contextmanager
def ingest_lock(db: Path) -> Iterator[int]:
    """Hold an exclusive, non-blocking flock for the run (yields its descriptor); it dies with the process."""
    path = lock_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise store.StoreError(f"cannot write database {db}: {exc.strerror or exc} ({exc.filename}): "
                               "give a --db in a writable folder") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IngestBusy(
                f"another ingest is running on {db.parent} (lock {path} is held): wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield fd
    finally:
        os.close(fd)


def sha256_file(path: Path | str) -> str:
    """The sha256 of a local file or of the file at a URL."""
    h = hashlib.sha256()
    with open_binary(path) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _iso_date(v: Any) -> date | None:
    if isinstance(v, date):
        return v
    if isinstance(v, str) and v:
        try:
            return date.fromisoformat(v)
        except ValueError:
            return None
    return None


def extract_job(job: Job) -> JobResult:
    """Worker: (file, stored path, sha256, extractor version, extractor) -> (stored path, document row,
    figure rows, error). The extractor defaults to pipeline.extract_file; tests pass their own."""
    from metrics.documents import DocumentError

    file, disp, sha, version, extractor = job
    if extractor is None:
        from metrics.pipeline import extract_file as extractor
    try:
        result = extractor(file if is_url(file) else Path(file))
    except DocumentError as exc:
        return disp, None, [], exc.reason
    except Exception as exc:  # an extractor bug must not stop the other files
        return disp, None, [], f"extraction failed: {type(exc).__name__}: {exc}"
    raw, meta = result.raw, result.extraction.meta
    sha = sha or raw.sha256  # a job made where the file is not read leaves the hash to the reader
    region = getattr(meta, "region", None)
    rows = store.figure_rows(sha, raw.name, result.extraction.figures)
    doc = {
        "id": sha, "path": disp, "name": raw.name,
        "title": getattr(meta, "title", None) or getattr(raw, "title_hint", None) or raw.name,
        "publisher": getattr(meta, "publisher", None),
        "region_code": getattr(region, "code", region),
        "published_on": _iso_date(getattr(meta, "published_on", None)),
        "date_source": getattr(meta, "date_source", None), "genre": getattr(meta, "genre", None),
        "format": raw.format, "encoding": raw.encoding, "n_chars": len(raw.text), "n_figures": len(rows),
        "ingested_at": datetime.now(UTC).replace(tzinfo=None), "extractor_version": version, "text": raw.text,
    }
    return disp, doc, rows, ""


def _warm_up() -> None:
    """Load the extractor's tables once in the parent, so forked workers start ready."""
    from metrics.extract import extract_text

    extract_text("2020年，福建省罚没款1元。")


def _run_jobs(jobs: list[Job], workers: int, progress: bool, lock_fd: int = -1, max_seconds: float | None = None
              ) -> Iterator[RunResult]:
    """(stored path, document row, figure rows, error, over the time budget) of every job. With a time
    budget (or several workers) jobs run in forked workers, and one that overruns has its worker killed."""
    bar = tqdm(total=len(jobs), desc="extract", unit="doc", file=sys.stderr,
               disable=not (progress and sys.stderr.isatty()))
    try:
        if max_seconds is None and (workers <= 1 or len(jobs) <= 1):
            for job in jobs:
                yield (*extract_job(job), False)
                bar.update()
            return
        if jobs and jobs[0][4] is None:
            _warm_up()
        from metrics.workers import run_budgeted

        for out in run_budgeted(extract_job, jobs, workers, max_seconds, close_fds=(lock_fd,) if lock_fd >= 0 else ()):
            disp = jobs[out.index][1]
            if out.overrun:
                yield disp, None, [], (f"extraction ran past the time budget of {max_seconds:g} s and was "
                                       "stopped: raise --max-seconds to extract it"), True
            elif out.died:
                yield disp, None, [], f"extraction failed: {out.died}", False
            else:
                yield (*out.result, False)
            bar.update()
    finally:
        bar.close()


def _stored_file(disp: str) -> Path:
    p = Path(disp)
    return p if p.is_absolute() else ROOT / p


def _published_state(db: Path, result: IngestResult
                     ) -> tuple[dict[str, str], dict[str, tuple[str, str]], dict[str, tuple], bool]:
    """(meta, {path: (id, extractor_version)}, {path: (id, extractor_version, max_seconds, max_mb, reason)}
    of unextracted files, rebuild) of the published database, empty when there is none; rebuild (with a
    warning in `result`, and nothing published kept) when its schema is not the one this regmetrics writes."""
    if not db.exists():
        return {}, {}, {}, False
    con = store.connect_readonly(db)
    try:
        meta = store.get_meta(con)
        try:
            rows = con.execute("SELECT path, id, extractor_version FROM documents").fetchall()
        except duckdb.CatalogException:
            rows = []
        try:
            over = con.execute("SELECT path, id, extractor_version, max_seconds, max_mb, reason FROM unextracted").fetchall()
        except duckdb.CatalogException:
            over = []
    finally:
        con.close()
    if meta and meta.get("schema_version") != store.SCHEMA_VERSION:
        result.warnings.append(
            f"{db} has schema version {meta.get('schema_version')}, this regmetrics writes "
            f"{store.SCHEMA_VERSION}: rebuilding it from the given files only")
        return meta, {}, {}, True
    return meta, {p: (i, v) for p, i, v in rows}, {r[0]: r[1:] for r in over}, False


def over_size(n_bytes: int, max_mb: float | None) -> str:
    """Why a file of n_bytes is not read ('' when it is within the size budget)."""
    if max_mb is None or n_bytes <= max_mb * 1e6:
        return ""
    return f"{n_bytes / 1e6:.1f} MB is over the size budget of {max_mb:g} MB: raise --max-mb to extract it"


def _budget_raised(recorded: tuple, max_seconds: float | None, max_mb: float | None) -> bool:
    """Whether this run's budget is larger than the one a recorded file was over."""
    _, _, rec_seconds, rec_mb, _ = recorded

    def larger(now: float | None, then: float | None) -> bool:
        return then is not None and (now is None or now > then)

    return larger(max_seconds, rec_seconds) or larger(max_mb, rec_mb)


@dataclass
class _Budget:
    """One run's per-document budget and the files it leaves out: each is reported (result.over_budget,
    on_over_budget) and, unless it was recorded before, becomes a row of the `unextracted` table."""

    max_seconds: float | None
    max_mb: float | None
    version: str
    recorded: dict[str, tuple]  # the published unextracted rows, see _published_state
    result: IngestResult
    on_over_budget: Callable[[str, str], None] | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)  # files newly over the budget

    def over(self, disp: str, reason: str, sha: str, n_bytes: int | None, *, record: bool = True,
             version: str | None = None) -> None:
        """Report `disp` as left out, and record it (with this budget) unless record=False."""
        self.result.over_budget.append((disp, reason))
        if self.on_over_budget:
            self.on_over_budget(disp, reason)
        if record:
            self.rows.append({
                "path": disp, "id": sha, "name": Path(disp).name, "reason": reason, "n_bytes": n_bytes,
                "max_seconds": self.max_seconds, "max_mb": self.max_mb,
                "extractor_version": version or self.version, "ingested_at": datetime.now(UTC).replace(tzinfo=None)})

    def still_over(self, disp: str, sha: str, version: str | None = None) -> bool:
        """Whether `disp` is recorded as over budget with these bytes and extractor and this budget is no
        larger; if so it is counted unchanged and reported again, not tried."""
        rec = self.recorded.get(disp)
        if rec is None or rec[:2] != (sha, version or self.version) or _budget_raised(rec, self.max_seconds,
                                                                                     self.max_mb):
            return False
        self.result.unchanged += 1
        self.over(disp, f"{rec[4]} (recorded earlier)", sha, None, record=False)
        return True

    def dropped(self, extracted: list[Extracted], inputs: Collection[str], prune: bool) -> list[str]:
        """Recorded paths whose record goes: the file extracts now, is over budget again, or is pruned."""
        drop = {d["path"] for d, _ in extracted} | {r["path"] for r in self.rows}
        if prune:
            drop |= {p for p in self.recorded if p not in inputs}
        return sorted(drop & set(self.recorded))


def ingest(files: Sequence[Path | str], db: Path | str | None = None, *, workers: int | None = None,
           prune: bool = False, corrections: Path = CORRECTIONS_CSV, progress: bool = True,
           on_error: Callable[[str, str], None] | None = None, extractor: Extractor | None = None,
           runner: Runner | None = None, max_seconds: float | None = DEFAULT_MAX_SECONDS,
           max_mb: float | None = DEFAULT_MAX_MB, on_over_budget: Callable[[str, str], None] | None = None
           ) -> IngestResult:
    """Bring the database up to date with `files` (paths or fsspec URLs) and publish it atomically; see
    the module docstring.

    Unchanged files (same path, bytes and extractor) are not re-extracted. With prune=True documents
    not among `files` are removed. Unreadable files are reported through on_error and in the result.
    A file over `max_mb` or whose extraction runs past `max_seconds` (None: no limit) is reported through
    on_over_budget, recorded in the `unextracted` table and left out; the others are published. Such a
    file is tried again once it changes or the budget grows.
    `extractor(path) -> FileResult` defaults to pipeline.extract_file (a module-level function, picklable).
    `runner(jobs)` runs the extraction jobs elsewhere (metrics.cluster: a Dask cluster) instead of the
    local pool of `workers` processes. The size budget is checked here before any job is made, so it holds
    for a runner too; the time budget is the local pool's (it kills a worker), so with a runner it is not
    applied and the unextracted rows say max_seconds NULL.
    """
    db_path = store.resolve_db(db)
    result = IngestResult(db=db_path)
    workers = workers or os.cpu_count() or 1
    version = extractor_version(extractor)
    if runner is not None:
        max_seconds = None
    with ingest_lock(db_path) as lock_fd:
        meta, published, recorded, rebuild = _published_state(db_path, result)
        budget = _Budget(max_seconds, max_mb, version, recorded, result, on_over_budget)

        def fail(disp: str, reason: str) -> None:
            result.failures.append((disp, reason))
            if on_error:
                on_error(disp, reason)

        sizes: dict[str, tuple[str, int]] = {}  # stored path -> (sha256, bytes) of each job
        inputs: dict[str, Path | str] = {}
        for f in files:
            f = f if is_url(f) else Path(f)
            inputs.setdefault(store.display_path(f), f)
        result.n_inputs = len(inputs)
        jobs: list[Job] = []
        for disp, f in sorted(inputs.items()):
            try:
                sha = sha256_file(f)
                n_bytes = file_size(f)
            except OSError as exc:
                fail(disp, exc.strerror or str(exc))
                continue
            if published.get(disp) == (sha, version):
                result.unchanged += 1
            elif budget.still_over(disp, sha):
                pass
            elif reason := over_size(n_bytes, max_mb):
                budget.over(disp, reason, sha, n_bytes)
            else:
                jobs.append((str(f), disp, sha, version, extractor))
                sizes[disp] = (sha, n_bytes)

        extracted: list[Extracted] = []
        results: Iterable[RunResult] = ((*r, False) for r in runner(jobs)) if runner else _run_jobs(
            jobs, workers, progress, lock_fd, max_seconds)
        for disp, doc, rows, error, overrun in results:
            if overrun:
                budget.over(disp, error, *sizes[disp])
            elif doc is None:
                fail(disp, error)
            else:
                extracted.append((doc, rows))
        _publish_changes(db_path, meta, published, rebuild, extracted, inputs, prune, corrections, version,
                         result, budget)
    return result


def ingest_extracted(documents: Iterable[Extracted], db: Path | str | None = None, *, prune: bool = False,
                     corrections: Path = CORRECTIONS_CSV, unextracted: Iterable[dict[str, Any]] = (),
                     max_seconds: float | None = None, max_mb: float | None = None,
                     on_over_budget: Callable[[str, str], None] | None = None) -> IngestResult:
    """Publish documents extracted elsewhere (document row, figure rows), e.g. read back from a Parquet
    dataset, exactly as ingest() publishes what it extracts: a document whose path, sha256 and extractor
    version are already published is unchanged, corrections are applied, the database is swapped in.

    `unextracted` are the files that extraction left out for the budget (`max_seconds`, `max_mb`) it ran
    with (dicts with path, id, reason, n_bytes and optionally extractor_version): reported through
    on_over_budget and recorded in the `unextracted` table as ingest() records its own."""
    db_path = store.resolve_db(db)
    result = IngestResult(db=db_path)
    version = extractor_version()
    with ingest_lock(db_path):
        meta, published, recorded, rebuild = _published_state(db_path, result)
        budget = _Budget(max_seconds, max_mb, version, recorded, result, on_over_budget)
        extracted: list[Extracted] = []
        inputs: set[str] = set()
        for doc, rows in documents:
            inputs.add(doc["path"])
            if published.get(doc["path"]) == (doc["id"], doc["extractor_version"]):
                result.unchanged += 1
            else:
                extracted.append((doc, rows))
        for entry in sorted(unextracted, key=lambda e: e["path"]):
            disp, sha, their = entry["path"], entry["id"], entry.get("extractor_version") or version
            if disp in inputs:
                continue  # extracted after all (a dataset lists a file once; this guards a hand-made list)
            inputs.add(disp)
            if published.get(disp) == (sha, their):
                result.unchanged += 1
            elif not budget.still_over(disp, sha, their):
                budget.over(disp, entry["reason"], sha, entry.get("n_bytes"), version=their)
        result.n_inputs = len(inputs)
        _publish_changes(db_path, meta, published, rebuild, extracted, inputs, prune, corrections, version,
                         result, budget)
    return result


def _publish_changes(db_path: Path, meta: dict[str, str], published: dict[str, tuple[str, str]], rebuild: bool,
                     extracted: list[Extracted], inputs: Collection[str], prune: bool, corrections: Path,
                     version: str, result: IngestResult, budget: _Budget) -> None:
    """Plan the changes against the published database and publish them (or record that none were needed):
    the one publish path of ingest() and ingest_extracted()."""
    extracted.sort(key=lambda e: e[0]["path"])
    budget.rows.sort(key=lambda r: r["path"])
    delete, inserts = _plan(published, extracted, inputs, prune, result)
    drop_over = budget.dropped(extracted, inputs, prune)

    ref = store.load_reference()
    corrections_sha = file_sha256(corrections)
    new_meta = {
        "schema_version": store.SCHEMA_VERSION, "extractor_version": version,
        "corrections_sha256": corrections_sha, "reference_sha256": ref.fingerprint(),
    }
    changed = bool(delete or inserts or budget.rows or drop_over) or rebuild or not db_path.exists() or any(
        meta.get(k) != v for k, v in new_meta.items() if k != "extractor_version")
    if changed:
        fixes, issues = load_corrections(corrections)
        result.correction_issues.extend(issues)
        _publish(db_path, copy_from=None if rebuild else db_path, delete=sorted(delete), inserts=inserts,
                 ref=ref, fixes=fixes, corrections_name=corrections.name, meta=new_meta, result=result,
                 unextracted=budget.rows, drop_unextracted=drop_over)
        result.published = True
    else:
        # Nothing to publish: repeat what the last publish could not apply, so it is not forgotten.
        result.corrections_applied = int(meta.get("corrections_applied", 0))
        result.correction_issues.extend(json.loads(meta.get("correction_issues", "[]")))
    _count(db_path, result)


def _plan(published: dict[str, tuple[str, str]], extracted: list[Extracted], inputs: Collection[str],
          prune: bool, result: IngestResult) -> tuple[set[str], list[Extracted]]:
    """Which stored documents go (ids) and which extracted ones come in; counts go to `result`.

    A changed file replaces its old row; content already stored under a path that still exists is a
    duplicate and skipped; content whose old path is gone is a rename; prune drops what was not given.
    """
    owner: dict[str, str] = {i: p for p, (i, _) in published.items()}  # id -> path after the run
    delete: set[str] = set()
    inserts: list[Extracted] = []
    for doc, rows in extracted:
        disp, sha = doc["path"], doc["id"]
        old = published.get(disp)
        if old is not None and owner.get(old[0]) == disp:
            delete.add(old[0])
            del owner[old[0]]
        other = owner.get(sha)
        if other is not None and other != disp:
            if other in inputs or _stored_file(other).exists():
                result.duplicates.append((disp, other))
                continue
            delete.add(sha)
            result.renamed += 1
        elif old is None:
            result.added += 1
        else:
            result.replaced += 1
        owner[sha] = disp
        inserts.append((doc, rows))
    if prune:
        for disp, (doc_id, _) in published.items():
            if disp not in inputs and owner.get(doc_id) == disp:
                delete.add(doc_id)
                del owner[doc_id]
                result.pruned += 1
    return delete, inserts


def _publish(db: Path, *, copy_from: Path | None, delete: list[str],
             inserts: list[Extracted], ref: store.Reference,
             fixes: list[Any], corrections_name: str, meta: dict[str, str], result: IngestResult,
             unextracted: Sequence[dict[str, Any]] = (), drop_unextracted: Sequence[str] = ()) -> None:
    """Build the staging database and swap it in atomically."""
    staging = staging_path(db)
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(str(staging))
    try:
        con.execute("SET enable_progress_bar = false")  # DuckDB would draw one on stdout for long steps
        store.create_schema(con)
        if copy_from is not None and copy_from.exists():
            store.copy_published(con, copy_from, exclude=delete, exclude_unextracted=drop_unextracted)
        con.begin()
        store.insert_documents(con, [d for d, _ in inserts])
        store.insert_unextracted(con, unextracted)
        store.insert_figures(con, [r for _, rows in inserts for r in rows])
        store.write_reference(con, ref)
        store.rebuild_figures(con)
        result.corrections_applied, issues, result.corrections_elsewhere = apply_corrections(con, fixes, corrections_name)
        result.correction_issues.extend(issues)
        store.refresh_headline(con)
        store.set_meta(con, {**meta, "corrections_applied": str(result.corrections_applied),
                             "correction_issues": json.dumps(result.correction_issues, ensure_ascii=False)})
        con.commit()
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        staging.unlink(missing_ok=True)
        raise
    con.close()
    fd = os.open(staging, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    # A write-ahead log left beside the old file by a crashed writer would be replayed into the new one.
    db.with_name(db.name + ".wal").unlink(missing_ok=True)
    os.replace(staging, db)
    dir_fd = os.open(db.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _count(db: Path, result: IngestResult) -> None:
    if not db.exists():
        return
    con = store.connect_readonly(db)
    try:
        result.n_documents = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        result.n_figures = con.execute("SELECT count(*) FROM figures").fetchone()[0]
    finally:
        con.close()
