"""A Parquet dataset of extracted documents and figures, written one partition at a time (`regmetrics
extract --parquet`) and loaded into the database (`regmetrics ingest --from-parquet`).

    OUT/figures/year=Y/region_code=C/part-NNNNN-0.parquet   the figures: the columns and layout of export --parquet
    OUT/documents/part-NNNNN.parquet                         one row per document, with its text
    OUT/_regmetrics_export.json                              written last: counts, failed documents, extractor

OUT/figures is read as is by DuckDB (read_parquet('OUT/figures/**/*.parquet')), polars and Spark. Figures
are as extracted: data/corrections.csv is applied when the dataset is ingested. OUT is a local folder
(shared by every worker) or an fsspec URL; the dataset is built beside it and swapped in when complete,
atomically for a local folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from metrics import store
from metrics.export import EXPORT_TYPES, MARKER, figures_relation, write_figures
from metrics.ingest import Extracted, IngestResult, JobResult, extractor_version, ingest_extracted
from metrics.paths import CORRECTIONS_CSV
from metrics.urls import filesystem, is_url

FIGURES = "figures"
DOCUMENTS = "documents"
KIND = "extract"


class DatasetError(Exception):
    """A dataset folder that cannot be written or read; the message says what to do."""


@dataclass(slots=True)
class PartitionResult:
    """What one partition wrote."""

    index: int
    n_documents: int = 0
    n_figures: int = 0
    n_files: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


def _fs(location: str) -> tuple[Any, str]:
    """(file system, path) for a local path or URL; a local path is made absolute."""
    if is_url(location):
        return filesystem(location)
    import fsspec

    return fsspec.filesystem("file"), os.path.abspath(location)


def write_partition(index: int, results: list[JobResult], root: str) -> PartitionResult:
    """Write one partition's documents and figures (extract_job results) under `root`, a folder or URL.

    The files are built in a local temporary folder with the export's own query, then copied up, so a
    retried partition overwrites its own files (part-NNNNN) and never another partition's.
    """
    out = PartitionResult(index=index)
    docs = [doc for _, doc, _, _ in results if doc is not None]
    rows = [r for _, doc, figs, _ in results if doc is not None for r in figs]
    out.failures = [(disp, error) for disp, doc, _, error in results if doc is None]
    out.n_documents, out.n_figures = len(docs), len(rows)
    if not docs:
        return out
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET threads = 1")  # one partition per worker thread
        con.execute("SET enable_progress_bar = false")
        store.create_schema(con)
        store.insert_documents(con, docs)
        store.insert_figures(con, rows)
        store.rebuild_figures(con)
        fs, base = _fs(root)
        with tempfile.TemporaryDirectory(prefix="regmetrics-part-") as tmp:
            local = Path(tmp)
            if rows:
                write_figures(figures_relation(con), local / FIGURES, filename_pattern=f"part-{index:05d}-{{i}}")
            (local / DOCUMENTS).mkdir()
            cols = ", ".join(store.DOCUMENT_COLUMNS)
            con.sql(f"SELECT {cols} FROM documents ORDER BY path").write_parquet(  # noqa: S608 - fixed names
                str(local / DOCUMENTS / f"part-{index:05d}.parquet"))
            for f in sorted(local.rglob("*.parquet")):
                target = f"{base}/{f.relative_to(local).as_posix()}"
                fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
                fs.put_file(str(f), target)
                out.n_files += 1
    finally:
        con.close()
    return out


def prepare(out: str) -> str:
    """Check that `out` is new, empty or an earlier regmetrics dataset, and create the staging folder beside it
    that the partitions write to (returned as a path or URL every worker can reach)."""
    fs, path = _fs(out)
    try:
        if fs.exists(path) and (not fs.isdir(path) or (fs.ls(path) and not fs.exists(f"{path}/{MARKER}"))):
            raise DatasetError(f"{out} exists and is not an earlier regmetrics dataset: choose a new or empty folder")
        parent, name = path.rstrip("/").rsplit("/", 1)
        staging = f"{parent}/.{name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        fs.makedirs(staging, exist_ok=True)
    except OSError as exc:
        raise DatasetError(f"cannot write to {out}: {exc.strerror or exc}: choose a writable folder") from None
    return fs.unstrip_protocol(staging) if is_url(out) else staging


def publish(staging: str, out: str, marker: dict[str, Any]) -> None:
    """Write the marker into the staging folder and put it in place of `out` (os.replace when local)."""
    fs, path = _fs(out)
    _, spath = _fs(staging)
    with fs.open(f"{spath}/{MARKER}", "w", encoding="utf-8") as fh:
        fh.write(json.dumps(marker, ensure_ascii=False, indent=2) + "\n")
    if not is_url(out):
        old = f"{path}.old-{os.getpid()}"
        if os.path.exists(path):
            os.replace(path, old)
        os.replace(spath, path)
        shutil.rmtree(old, ignore_errors=True)
        return
    if fs.exists(path):
        fs.rm(path, recursive=True)
    fs.mv(spath, path, recursive=True)


def discard(staging: str) -> None:
    """Remove a staging folder after a failed or interrupted run."""
    fs, spath = _fs(staging)
    try:
        fs.rm(spath, recursive=True)
    except FileNotFoundError:
        pass


def marker_for(parts: list[PartitionResult], failures: list[tuple[str, str]], version: str,
               over_budget: list[dict[str, Any]] | None = None, max_mb: float | None = None) -> dict[str, Any]:
    """The marker of a complete dataset: what it holds and which documents are missing from it, and why
    (`failed`: could not be read; `over_budget`: not read, over the size budget `max_mb`)."""
    return {
        "kind": KIND, "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "documents": sum(p.n_documents for p in parts), "figures": sum(p.n_figures for p in parts),
        "files": sum(p.n_files for p in parts), "partitions": len(parts), "extractor_version": version,
        "failed": [{"path": p, "reason": r} for p, r in failures],
        "budget": {"max_seconds": None, "max_mb": max_mb}, "over_budget": list(over_budget or []),
        "layout": {FIGURES: "year=Y/region_code=C/*.parquet", DOCUMENTS: "*.parquet"},
        "partition_by": ["year", "region_code"], "columns": EXPORT_TYPES,
        "document_columns": list(store.DOCUMENT_COLUMNS),
    }


def read_marker(out: str) -> dict[str, Any]:
    """The marker of a dataset written by extract --parquet; DatasetError naming what `out` is otherwise."""
    fs, path = _fs(out)
    try:
        with fs.open(f"{path}/{MARKER}", "r", encoding="utf-8") as fh:
            marker = json.load(fh)
    except FileNotFoundError:
        raise DatasetError(f"{out} is not a regmetrics dataset (no {MARKER}): write one with "
                           "`regmetrics extract --parquet OUT PATH...`") from None
    except (OSError, ValueError) as exc:
        raise DatasetError(f"cannot read {out}/{MARKER}: {exc}") from None
    if marker.get("kind") != KIND:
        raise DatasetError(f"{out} is an export of a database (figures only, no documents), not an extract "
                           "dataset: ingest the documents themselves, or write a dataset with extract --parquet")
    return marker


def _table(fs: Any, path: str) -> Any:
    """The Parquet files under `path` as one Arrow table (partition folders not parsed: the columns are in the files)."""
    import pyarrow.dataset as ds

    if not fs.exists(path):
        return None
    return ds.dataset(path, filesystem=fs, format="parquet", partitioning=None).to_table()


def read_dataset(out: str) -> Iterator[Extracted]:
    """(document row, figure rows) for every document of the dataset at `out`, as ingest_extracted takes them."""
    read_marker(out)
    fs, path = _fs(out)
    docs = _table(fs, f"{path}/{DOCUMENTS}")
    figs = _table(fs, f"{path}/{FIGURES}")
    # Figures belong to a document by id and path: two files of the same content are two documents here
    # (ingest keeps the first and reports the other as a duplicate, as it does for files).
    by_doc: dict[tuple[str, str], list[dict[str, Any]]] = {}
    if figs is not None:
        columns = [c for c in store.FIGURE_COLUMNS if c != "doc"]
        for row, doc_path in zip(figs.select(columns).to_pylist(), figs.column("doc_path").to_pylist(), strict=True):
            by_doc.setdefault((row["doc_id"], doc_path), []).append(row)
    for doc in docs.to_pylist() if docs is not None else []:
        rows = by_doc.pop((doc["id"], doc["path"]), [])
        for row in rows:
            row["doc"] = doc["name"]
        yield doc, rows
    if by_doc:
        raise DatasetError(f"{out}/{FIGURES} holds figures of {len(by_doc)} documents missing from "
                           f"{out}/{DOCUMENTS}: write the dataset again")


def ingest_parquet(out: str, db: Path | str | None = None, *, prune: bool = False,
                   corrections: Path = CORRECTIONS_CSV,
                   on_over_budget: Callable[[str, str], None] | None = None) -> IngestResult:
    """Load the dataset at `out` into the database through ingest's plan, staging and atomic swap; the
    files its extraction left out for the size budget are reported and recorded as not extracted."""
    marker = read_marker(out)
    budget = marker.get("budget") or {}
    result = ingest_extracted(read_dataset(out), db, prune=prune, corrections=corrections,
                              unextracted=marker.get("over_budget") or [], max_seconds=budget.get("max_seconds"),
                              max_mb=budget.get("max_mb"), on_over_budget=on_over_budget)
    if marker.get("failed"):
        result.warnings.append(f"{len(marker['failed'])} documents failed at extraction and are not in {out} "
                               f"(listed under 'failed' in {out}/{MARKER})")
    if marker.get("extractor_version") != extractor_version():
        result.warnings.append(f"{out} was extracted by {marker.get('extractor_version')}, this regmetrics is "
                               f"{extractor_version()}: the next plain ingest of these files re-extracts them")
    return result
