"""The DuckDB store: schema, views, loading figure rows and rebuilding the derived tables."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from metrics.figures import RECORD_FIELDS, Figure, decimal_text
from metrics.paths import DEFAULT_DB, PACKAGE_DATA, ROOT
from metrics.urls import is_url

SCHEMA_VERSION = "1"
ALIAS = "regmetrics"

# DuckDB type of every column of figures_raw / figures, in table order. A test checks that the
# columns are exactly doc_id, figure_key and figures.RECORD_FIELDS, so the two cannot drift apart.
FIGURE_TYPES: dict[str, str] = {
    "doc_id": "VARCHAR", "figure_key": "VARCHAR",
    "doc": "VARCHAR", "metric": "VARCHAR", "value": "DECIMAL(38, 6)", "unit": "VARCHAR", "approx": "VARCHAR",
    "region_code": "VARCHAR", "region_name": "VARCHAR", "region_level": "VARCHAR",
    "year": "INTEGER", "period_kind": "VARCHAR", "period_start": "DATE", "period_end": "DATE",
    "yoy_pct": "DECIMAL(38, 6)", "subject": "VARCHAR", "token": "VARCHAR", "quote": "VARCHAR",
    "char_start": "INTEGER", "char_end": "INTEGER", "sentence_start": "INTEGER", "sentence_end": "INTEGER",
    "rule": "VARCHAR", "confidence": "DOUBLE",
}
FIGURE_COLUMNS: tuple[str, ...] = tuple(FIGURE_TYPES)

DOCUMENT_COLUMNS: tuple[str, ...] = (
    "id", "path", "name", "title", "publisher", "region_code", "published_on", "date_source", "genre",
    "format", "encoding", "n_chars", "n_figures", "ingested_at", "extractor_version", "text",
)

# Arrow types used to hand rows to DuckDB; decimals travel as text and are cast exactly in SQL.
_ARROW = {"VARCHAR": pa.string(), "INTEGER": pa.int64(), "BIGINT": pa.int64(), "DATE": pa.date32(),
          "DOUBLE": pa.float64(),
          "DECIMAL(38, 6)": pa.string(), "TIMESTAMP": pa.timestamp("us")}
_DOC_TYPES = {"published_on": "DATE", "n_chars": "INTEGER", "n_figures": "INTEGER", "ingested_at": "TIMESTAMP"}


class StoreError(Exception):
    """A database that is missing, unreadable or of the wrong shape; the message says what to do."""


def resolve_db(db: str | Path | None) -> Path:
    """The database path to use: the given one, or data/processed/regmetrics.duckdb."""
    return Path(db) if db is not None else DEFAULT_DB


def display_path(path: Path | str) -> str:
    """How a document's path is stored: relative to the checkout when inside it, else absolute; a URL as is."""
    if is_url(path):
        return str(path)
    p = Path(path).resolve()
    try:
        return p.relative_to(ROOT).as_posix()
    except ValueError:
        return p.as_posix()


def read_sql(name: str) -> str:
    """The text of a packaged SQL file (schema.sql, views.sql)."""
    return (PACKAGE_DATA / name).read_text(encoding="utf-8")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables if missing and the macros and views (always replaced)."""
    con.execute(read_sql("schema.sql"))
    con.execute(read_sql("views.sql"))


def connect_readonly(db: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection that sees the database file as it is now.

    The file is ATTACHed to a fresh in-memory DuckDB, because duckdb.connect() reuses an open
    instance for the same path and would keep showing data replaced by a later ingest.
    """
    path = resolve_db(db)
    if not path.is_file():
        raise StoreError(f"no database at {path}: run `make ingest` (or `regmetrics ingest`) first")
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH ? AS {ALIAS} (READ_ONLY)", [str(path)])
        con.execute(f"USE {ALIAS}")
    except duckdb.Error as exc:
        con.close()
        first = str(exc).splitlines()[0]
        if "lock" in first.lower() or "already attached" in first:
            raise StoreError(f"database {path} is held by another connection ({first}): close that connection; "
                             "read with metrics.query.connect(), which is read-only") from exc
        raise StoreError(f"cannot open database {path}: {first}; it may be damaged: move it away and run "
                         "`regmetrics ingest` again") from exc
    return con


def get_meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The meta table as a dict ({} for a database without one)."""
    try:
        return dict(con.execute("SELECT key, value FROM meta").fetchall())
    except duckdb.CatalogException:
        return {}


def set_meta(con: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
    """Insert or overwrite meta keys."""
    for k, v in values.items():
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [k, v])


def figure_key(metric: str, char_start: int, char_end: int) -> str:
    """The key a correction names: metric and token offsets, stable while the text is unchanged."""
    return f"{metric}@{char_start}-{char_end}"


def figure_rows(doc_id: str, doc_name: str, figures: Iterable[Figure]) -> list[dict[str, Any]]:
    """figures_raw rows for a document's figures, with unique figure keys."""
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for fig in figures:
        # getattr, not Figure.to_record(): dataclasses.asdict deep-copies and dominates large ingests
        rec = {f: getattr(fig, f) for f in RECORD_FIELDS}
        rec["doc"] = doc_name
        key = figure_key(fig.metric, fig.char_start, fig.char_end)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}#{seen[key]}"
        rows.append({"doc_id": doc_id, "figure_key": key, **rec})
    return rows


def _cell(v: Any, sql_type: str) -> Any:
    if v is None:
        return None
    if sql_type.startswith("DECIMAL"):
        return decimal_text(v) if isinstance(v, Decimal) else str(v)
    if sql_type == "DATE" and isinstance(v, str):
        return date.fromisoformat(v)
    if sql_type == "VARCHAR" and not isinstance(v, str):
        return str(v)
    return v


def _arrow_table(rows: Sequence[dict[str, Any]], types: dict[str, str]) -> pa.Table:
    schema = pa.schema([(c, _ARROW[t]) for c, t in types.items()])
    cols = {c: [_cell(r.get(c), t) for r in rows] for c, t in types.items()}
    return pa.Table.from_pydict(cols, schema=schema)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[dict[str, Any]],
            types: dict[str, str]) -> None:
    if not rows:
        return
    staged = _arrow_table(rows, types)
    con.register("_rows", staged)
    try:
        cols = ", ".join(types)
        casts = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in types.items())
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {casts} FROM _rows")  # noqa: S608 - whitelisted names
    finally:
        con.unregister("_rows")


def insert_documents(con: duckdb.DuckDBPyConnection, docs: Sequence[dict[str, Any]]) -> None:
    """Append document rows (dicts keyed by DOCUMENT_COLUMNS)."""
    _insert(con, "documents", docs, {c: _DOC_TYPES.get(c, "VARCHAR") for c in DOCUMENT_COLUMNS})


def insert_figures(con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Append figures_raw rows (dicts keyed by FIGURE_COLUMNS)."""
    _insert(con, "figures_raw", rows, FIGURE_TYPES)


UNEXTRACTED_TYPES: dict[str, str] = {
    "path": "VARCHAR", "id": "VARCHAR", "name": "VARCHAR", "reason": "VARCHAR", "n_bytes": "BIGINT",
    "max_seconds": "DOUBLE", "max_mb": "DOUBLE", "extractor_version": "VARCHAR", "ingested_at": "TIMESTAMP",
}


def insert_unextracted(con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Append rows of files that were over the ingest budget (dicts keyed by UNEXTRACTED_TYPES)."""
    _insert(con, "unextracted", rows, UNEXTRACTED_TYPES)


def delete_documents(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> None:
    """Remove documents and their extracted figures."""
    if not doc_ids:
        return
    ids = pa.table({"id": pa.array(list(doc_ids), pa.string())})
    con.register("_ids", ids)
    try:
        con.execute("DELETE FROM figures_raw WHERE doc_id IN (SELECT id FROM _ids)")
        con.execute("DELETE FROM documents WHERE id IN (SELECT id FROM _ids)")
    finally:
        con.unregister("_ids")


@dataclass(slots=True)
class Reference:
    """Rows of the regions and metrics tables, and a fingerprint of both."""

    regions: list[dict[str, Any]]
    metrics: list[dict[str, Any]]

    def fingerprint(self) -> str:
        """sha256 of the reference rows, so a changed catalogue or region table republishes."""
        h = hashlib.sha256(repr((self.regions, self.metrics)).encode())
        return h.hexdigest()


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def load_reference() -> Reference:
    """Regions from metrics.regions.all_regions() and the metrics of the metric catalogue."""
    from metrics import regions

    by_code: dict[str, dict[str, Any]] = {}
    for r in regions.all_regions():
        row = {k: _field(r, k) for k in ("code", "name", "level", "parent", "valid_from", "valid_to")}
        # A code both retired and current keeps its current row.
        if row["code"] not in by_code or by_code[row["code"]]["valid_to"] is not None:
            by_code[row["code"]] = row
    metric_rows = []
    for m in catalogue_metrics():
        names = [n for n in (_field(m, "name_zh"), _field(m, "name_en"), _field(m, "name")) if n]
        metric_rows.append({
            "id": _field(m, "id"), "name": names[0] if names else _field(m, "id"), "names": names,
            "unit": _field(m, "unit"), "kind": _field(m, "kind"), "definition": _field(m, "definition"),
        })
    return Reference(regions=sorted(by_code.values(), key=lambda r: r["code"]),
                     metrics=sorted(metric_rows, key=lambda r: r["id"]))


def catalogue_metrics() -> list[Any]:
    """The catalogue's metrics that produce figures (metrics.catalogue, owned by extraction)."""
    from metrics.catalogue import load_catalogue

    return list(load_catalogue().emitted())


def write_reference(con: duckdb.DuckDBPyConnection, ref: Reference) -> None:
    """Replace the regions and metrics tables' rows."""
    con.execute("DELETE FROM regions")
    con.execute("DELETE FROM metrics")
    _insert(con, "regions", ref.regions, {"code": "VARCHAR", "name": "VARCHAR", "level": "VARCHAR",
                                           "parent": "VARCHAR", "valid_from": "DATE", "valid_to": "DATE"})
    if ref.metrics:
        con.executemany("INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?)",
                        [[m["id"], m["name"], m["names"], m["unit"], m["kind"], m["definition"]]
                         for m in ref.metrics])


def rebuild_figures(con: duckdb.DuckDBPyConnection) -> None:
    """figures := figures_raw sorted by metric, year and region (for zone-map pruning), uncorrected."""
    cols = ", ".join(FIGURE_COLUMNS)
    con.execute(
        f"CREATE OR REPLACE TABLE figures AS SELECT {cols}, '' AS corrected "  # noqa: S608 - fixed names
        "FROM figures_raw ORDER BY metric, year, region_code, doc_id, char_start"
    )


def refresh_headline(con: duckdb.DuckDBPyConnection) -> None:
    """Materialise figures_best as `headline` and the per-period counts as `coverage`.

    Both are small, so compare(), coverage() and parameter checks never scan every figure.
    """
    con.execute("CREATE OR REPLACE TABLE headline AS SELECT * FROM figures_best ORDER BY metric, year, region_code")
    con.execute(
        "CREATE OR REPLACE TABLE coverage AS SELECT region_code, region_name, region_level, year, metric, "
        "period_kind, period_label, count(*) AS n_figures FROM figures_all GROUP BY ALL "
        "ORDER BY metric, region_code NULLS LAST, year NULLS LAST, period_kind, period_label"
    )


def copy_published(con: duckdb.DuckDBPyConnection, published: Path, exclude: Sequence[str],
                   exclude_unextracted: Sequence[str] = ()) -> None:
    """Copy documents, extracted figures and unextracted files from the published database, except
    documents `exclude` (ids) and unextracted files `exclude_unextracted` (paths)."""
    con.execute("ATTACH ? AS published (READ_ONLY)", [str(published)])
    con.register("_exclude", pa.table({"id": pa.array(list(exclude), pa.string())}))
    con.register("_exclude_paths", pa.table({"path": pa.array(list(exclude_unextracted), pa.string())}))
    try:
        con.execute("INSERT INTO documents BY NAME SELECT * FROM published.documents "
                    "WHERE id NOT IN (SELECT id FROM _exclude)")
        con.execute("INSERT INTO figures_raw BY NAME SELECT * FROM published.figures_raw "
                    "WHERE doc_id NOT IN (SELECT id FROM _exclude)")
        try:
            con.execute("INSERT INTO unextracted BY NAME SELECT * FROM published.unextracted "
                        "WHERE path NOT IN (SELECT path FROM _exclude_paths)")
        except duckdb.CatalogException:
            pass  # published before the table existed: nothing was over budget then
    finally:
        con.unregister("_exclude")
        con.unregister("_exclude_paths")
        con.execute("DETACH published")
