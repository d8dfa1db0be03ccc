"""Human corrections (data/corrections.csv) applied to the figures table at every ingest.

A row names a document (path, file name or sha256 prefix), a figure key (`regmetrics figures --doc`),
a field and its new value in the metric's base unit, and why. Field `delete` drops the figure.
A row is considered only when its document is in the database being published: corrections.csv
serves the project's database, and an ingest of other documents into another database neither applies
nor warns about it. A row whose document is present but whose figure, field or value is wrong is
reported, never silently dropped.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from metrics.figures import APPROX_VALUES, PERIOD_KINDS, REGION_LEVELS
from metrics.store import FIGURE_TYPES

HEADER: tuple[str, ...] = ("document", "figure_key", "field", "new_value", "reason")

# Fields a person may correct; offsets, quotes and keys are the evidence and stay as extracted.
EDITABLE: tuple[str, ...] = (
    "metric", "value", "unit", "approx", "region_code", "region_name", "region_level", "year",
    "period_kind", "period_start", "period_end", "yoy_pct", "subject", "confidence",
)
DELETE = "delete"
_VOCABULARY: dict[str, tuple[str, ...]] = {
    "approx": APPROX_VALUES, "period_kind": PERIOD_KINDS, "region_level": REGION_LEVELS,
}
_NOT_NULL = {"metric", "approx", "period_kind", "subject"}


@dataclass(frozen=True, slots=True)
class Correction:
    """One row of corrections.csv; `line` is its line number in the file, for messages."""

    line: int
    document: str
    figure_key: str
    field: str
    new_value: str
    reason: str


def file_sha256(path: Path) -> str:
    """sha256 of the corrections file ('' when there is none), so an edit triggers a republish."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def load_corrections(path: Path) -> tuple[list[Correction], list[str]]:
    """The corrections in `path` and one message per unusable row; no file means no corrections.

    Rows whose first cell starts with '#' are comments.
    """
    if not path.is_file():
        return [], []
    issues: list[str] = []
    out: list[Correction] = []
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [f"{path}: not UTF-8 text (bad byte at offset {exc.start}): save it as UTF-8 "
                    "(Excel: CSV UTF-8); no correction was applied"]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return [], []
        if tuple(h.strip() for h in header) != HEADER:
            return [], [f"{path}: header must be {','.join(HEADER)}, found {','.join(header)}: fix the first line"]
        for row in reader:
            line = reader.line_num
            if not row or not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
                continue
            if len(row) != len(HEADER):
                issues.append(f"{path}:{line}: expected {len(HEADER)} columns, found {len(row)}: quote values with commas")
                continue
            document, key, field, new_value, reason = (c.strip() for c in row)
            if not document or not key or not field:
                issues.append(f"{path}:{line}: document, figure_key and field are required")
                continue
            out.append(Correction(line, document, key, field, new_value, reason))
    return out, issues


def _resolve_document(con: duckdb.DuckDBPyConnection, document: str) -> tuple[str | None, str]:
    """(id, '') of the one document `document` names, (None, '') when none, (None, why) when ambiguous."""
    rows = con.execute(
        "SELECT id, path FROM documents WHERE path = ? OR name = ? OR id = ? "
        "OR (length(?) >= 8 AND starts_with(id, ?)) ORDER BY path",
        [document, document, document, document, document.lower()],
    ).fetchall()
    if len(rows) == 1:
        return rows[0][0], ""
    if not rows:
        return None, ""
    return None, f"document {document!r} matches {len(rows)} documents ({', '.join(r[1] for r in rows)}): give its path"


def _check_value(con: duckdb.DuckDBPyConnection, c: Correction) -> str:
    """'' when the new value is acceptable for the field, else why not."""
    if c.new_value == "":
        return f"field {c.field} cannot be empty" if c.field in _NOT_NULL - {"approx", "subject"} else ""
    if c.field in _VOCABULARY and c.new_value not in _VOCABULARY[c.field]:
        return f"{c.field} must be one of {', '.join(repr(v) for v in _VOCABULARY[c.field])}, not {c.new_value!r}"
    sql_type = FIGURE_TYPES[c.field]
    ok = con.execute(f"SELECT TRY_CAST(? AS {sql_type}) IS NOT NULL", [c.new_value]).fetchone()[0]
    if not ok:
        return f"cannot read {c.new_value!r} as {sql_type} for field {c.field}"
    if c.field == "metric":
        known = {r[0] for r in con.execute("SELECT id FROM metrics").fetchall()}
        if known and c.new_value not in known:
            return f"unknown metric {c.new_value!r}: use an id from src/metrics/data/metrics.yaml"
    if c.field == "region_code":
        has_regions = con.execute("SELECT count(*) FROM regions").fetchone()[0]
        if has_regions and not con.execute("SELECT count(*) FROM regions WHERE code = ?", [c.new_value]).fetchone()[0]:
            return f"unknown region code {c.new_value!r}: use a GB/T 2260 code from the regions table"
    return ""


def apply_corrections(con: duckdb.DuckDBPyConnection, corrections: list[Correction],
                      source: str = "corrections.csv") -> tuple[int, list[str], int]:
    """Apply corrections to the figures table; returns how many applied, one message per failure, and
    how many rows were left alone because their document is not in this database."""
    applied = elsewhere = 0
    issues: list[str] = []
    for c in corrections:
        where = f"{source}:{c.line}"
        doc_id, why = _resolve_document(con, c.document)
        if doc_id is None:
            if why:
                issues.append(f"{where}: {why}")
            else:
                elsewhere += 1  # a correction for a document of another database
            continue
        if c.field != DELETE and c.field not in EDITABLE:
            issues.append(f"{where}: unknown field {c.field!r}: use one of {', '.join(EDITABLE)} or {DELETE}")
            continue
        exists = con.execute("SELECT count(*) FROM figures WHERE doc_id = ? AND figure_key = ?",
                             [doc_id, c.figure_key]).fetchone()[0]
        if not exists:
            issues.append(f"{where}: figure {c.figure_key!r} not found in {c.document}: "
                          f"run `regmetrics figures --doc {c.document}` for its keys")
            continue
        if c.field == DELETE:
            con.execute("DELETE FROM figures WHERE doc_id = ? AND figure_key = ?", [doc_id, c.figure_key])
            applied += 1
            continue
        why = _check_value(con, c)
        if why:
            issues.append(f"{where}: {why}")
            continue
        value: str | None = c.new_value if c.new_value != "" or c.field in _NOT_NULL else None
        # c.field is one of EDITABLE and its type comes from FIGURE_TYPES: both fixed in code.
        con.execute(
            f"UPDATE figures SET {c.field} = CAST(? AS {FIGURE_TYPES[c.field]}), "  # noqa: S608
            "corrected = CASE WHEN corrected = '' THEN ? ELSE corrected || ',' || ? END "
            "WHERE doc_id = ? AND figure_key = ?",
            [value, c.field, c.field, doc_id, c.figure_key],
        )
        applied += 1
    return applied, issues, elsewhere
