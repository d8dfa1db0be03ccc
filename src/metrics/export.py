"""Export the figures to a parquet folder partitioned by year and region code (hive layout)."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from metrics.store import connect_readonly, resolve_db

MARKER = "_regmetrics_export.json"

# Column types written to every file, fixed so that partitions read back alike whatever their rows.
# Partition columns are written into the files too, so a file read alone still has its year and code;
# read with hive_partitioning=false to keep these types (folder names would make year a BIGINT).
EXPORT_TYPES: dict[str, str] = {
    "year": "INTEGER", "region_code": "VARCHAR", "region_name": "VARCHAR", "region_level": "VARCHAR",
    "metric": "VARCHAR", "value": "DECIMAL(38, 6)", "unit": "VARCHAR", "approx": "VARCHAR",
    "period_kind": "VARCHAR", "period_label": "VARCHAR", "period_start": "DATE", "period_end": "DATE",
    "yoy_pct": "DECIMAL(38, 6)", "subject": "VARCHAR", "token": "VARCHAR", "quote": "VARCHAR",
    "char_start": "INTEGER", "char_end": "INTEGER", "sentence_start": "INTEGER", "sentence_end": "INTEGER",
    "confidence": "DOUBLE", "rule": "VARCHAR",
    "figure_key": "VARCHAR", "corrected": "VARCHAR", "doc_id": "VARCHAR", "doc_title": "VARCHAR",
    "doc_path": "VARCHAR", "publisher": "VARCHAR", "published_on": "DATE",
}


class ExportError(Exception):
    """The export folder cannot be used; the message says what to do."""


@dataclass(slots=True)
class ExportResult:
    """Where the export went and how much it holds."""

    out: Path
    n_rows: int
    n_files: int


def figures_relation(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
    """figures_all with the export's columns and types, in the order the files hold them."""
    select = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in EXPORT_TYPES.items())
    return con.sql(f"SELECT {select} FROM figures_all ORDER BY year, region_code, metric, doc_id, char_start")  # noqa: S608


def write_figures(rel: duckdb.DuckDBPyRelation, folder: Path | str, filename_pattern: str | None = None) -> None:
    """Write figures_relation() rows to `folder`/year=Y/region_code=C/ (partition columns kept in the files)."""
    rel.write_parquet(str(folder), partition_by=["year", "region_code"], write_partition_columns=True,
                      overwrite=True, filename_pattern=filename_pattern)


def export_parquet(out: Path | str, db: Path | str | None = None) -> ExportResult:
    """Write figures_all to `out`/year=Y/region_code=C/*.parquet, replacing an earlier export there.

    A folder that is not empty and holds no earlier export is refused, so nothing else is deleted.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise ExportError(f"{out} exists and is not an earlier regmetrics export: choose a new or empty folder")
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    con = connect_readonly(db)
    try:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
        except OSError as exc:
            raise ExportError(f"cannot write to {out}: {exc.strerror or exc}: choose a writable folder") from None
        n_rows = con.sql("SELECT count(*) FROM figures_all").fetchall()[0][0]
        if n_rows:
            write_figures(figures_relation(con), tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        con.close()
    n_files = sum(1 for _ in tmp.rglob("*.parquet"))
    (tmp / MARKER).write_text(json.dumps({
        "database": str(resolve_db(db)), "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": n_rows, "files": n_files, "partition_by": ["year", "region_code"], "columns": EXPORT_TYPES,
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)
    return ExportResult(out=out, n_rows=n_rows, n_files=n_files)
