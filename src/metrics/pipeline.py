"""Read files and run the pure extractor on them: the only place where extraction touches disk."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metrics.documents import DocumentError, RawDocument, read_document
from metrics.extract import Extraction, extract_text


@dataclass(slots=True)
class FileResult:
    """A read document and what the extractor found in it."""

    raw: RawDocument
    extraction: Extraction


def extract_file(path: Path) -> FileResult:
    """Read one file and extract its figures; raises DocumentError when it cannot be read."""
    raw = read_document(path)
    extraction = extract_text(raw.text, doc=raw.name)
    return FileResult(raw=raw, extraction=extraction)


def extract_paths(
    paths: Iterable[Path], on_error: Callable[[Path, str], None] | None = None
) -> tuple[list[dict[str, Any]], list[tuple[Path, str]]]:
    """Figure records of every readable file, and (path, reason) for each file that failed."""
    records: list[dict[str, Any]] = []
    failures: list[tuple[Path, str]] = []
    for path in paths:
        try:
            result = extract_file(path)
        except DocumentError as exc:
            failures.append((path, exc.reason))
            if on_error:
                on_error(path, exc.reason)
            continue
        for fig in result.extraction.figures:
            rec = fig.to_record()
            rec["doc"] = result.raw.name
            records.append(rec)
    return records, failures
