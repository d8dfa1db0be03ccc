"""The query API notebooks use: headline comparisons, trends, coverage and data checks as polars frames.

Every function opens its own read-only connection (or uses one passed as `db`) and closes what it
opened. Values are always bound parameters; table and column names are fixed in this module.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from metrics.figures import REGION_LEVELS
from metrics.store import StoreError, connect_readonly, display_path, resolve_db

__all__ = [
    "COMPARE_COLUMNS", "QueryError", "StoreError", "compare", "conflicts", "connect", "coverage", "document_figures",
    "documents", "known_metrics", "known_regions", "known_years", "low_confidence", "metric_names", "region_profile",
    "trend",
]

COMPARE_COLUMNS: tuple[str, ...] = (
    "region_code", "region_name", "region_level", "year", "metric", "value", "unit", "period_kind",
    "period_label", "approx", "yoy_pct", "subject", "doc_id", "doc_title", "doc_path", "published_on",
    "quote", "char_start", "char_end", "confidence", "token", "sentence_start", "sentence_end",
)
_AS_FLOAT = {"value", "yoy_pct"}
_SELECT = ", ".join(f"CAST({c} AS DOUBLE) AS {c}" if c in _AS_FLOAT else c for c in COMPARE_COLUMNS)

Db = str | Path | duckdb.DuckDBPyConnection | None


class QueryError(ValueError):
    """A parameter the database does not know (metric, region, level, year); says what is known."""


def connect(db: str | Path | None = None, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to the regmetrics database; read-only by default, so ingest can replace it."""
    if read_only:
        return connect_readonly(db)
    path = resolve_db(db)
    if not path.is_file():
        raise StoreError(f"no database at {path}: run `make ingest` (or `regmetrics ingest`) first")
    return duckdb.connect(str(path))


@contextmanager
def _using(db: Db) -> Iterator[duckdb.DuckDBPyConnection]:
    if isinstance(db, duckdb.DuckDBPyConnection):
        yield db
        return
    con = connect_readonly(db)
    try:
        yield con
    finally:
        con.close()


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pl.DataFrame:
    """Run a read query and fetch it completely (DuckDB 2 streams results)."""
    return con.sql(sql, params=list(params)).pl()


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _years(years: int | Sequence[int] | None) -> list[int] | None:
    if years is None:
        return None
    items = [years] if isinstance(years, int) else list(years)
    for y in items:
        if isinstance(y, bool) or not isinstance(y, int):
            raise QueryError(f"year {y!r} is not a whole number: give years as ints, e.g. years=[2022, 2023]")
    return items


def _known_metrics(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute("SELECT id FROM metrics UNION SELECT DISTINCT metric FROM coverage ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def _check_metric(con: duckdb.DuckDBPyConnection, metric: str) -> None:
    known = _known_metrics(con)
    if metric not in known:
        listed = ", ".join(known) if known else "none (the database is empty: run `regmetrics ingest`)"
        raise QueryError(f"unknown metric {metric!r}: known metrics are {listed}")


def _check_level(level: str | None) -> None:
    if level is not None and level not in REGION_LEVELS:
        raise QueryError(f"unknown level {level!r}: use one of {', '.join(REGION_LEVELS)} or None")


def _resolve_region(con: duckdb.DuckDBPyConnection, region: str) -> str:
    """The GB/T 2260 code for a code or a (possibly short) name such as 福建 or 福建省.

    Several matches narrow to current codes, then to codes that have figures.
    """
    region = str(region).strip()
    sql = ("SELECT r.code, r.valid_to IS NULL, EXISTS (SELECT 1 FROM coverage c WHERE c.region_code = r.code) "
           "FROM regions r WHERE {} "
           "UNION SELECT DISTINCT region_code, TRUE, TRUE FROM coverage WHERE region_code = ? OR region_name = ?")
    rows = con.execute(sql.format("r.code = ? OR r.name = ?"), [region] * 4).fetchall()
    if not rows and region:
        rows = con.execute(sql.format("starts_with(r.name, ?) AND ? <> ''"), [region] * 4).fetchall()
    candidates = sorted(set(rows))
    for keep in (1, 2):
        if len({c[0] for c in candidates}) > 1 and any(c[keep] for c in candidates):
            candidates = [c for c in candidates if c[keep]]
    codes = sorted({c[0] for c in candidates})
    if len(codes) == 1:
        return codes[0]
    if not codes:
        raise QueryError(f"unknown region {region!r}: give a GB/T 2260 code such as 350000 or a name such as 福建省")
    raise QueryError(f"region {region!r} is ambiguous: it matches {', '.join(codes)}; give the code")


def _regions(con: duckdb.DuckDBPyConnection, regions: str | Sequence[str] | None) -> list[str] | None:
    if regions is None:
        return None
    items = [regions] if isinstance(regions, str) else list(regions)
    return [_resolve_region(con, r) for r in items]


def _where(clauses: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    kept = [(c, p) for c, p in clauses if c]
    sql = " AND ".join(c for c, _ in kept)
    return (f"WHERE {sql}" if sql else ""), [v for _, p in kept for v in p]


def _in(column: str, values: list[Any] | None) -> tuple[str, list[Any]]:
    if values is None:
        return "", []
    if not values:
        return "FALSE", []
    return f"{column} IN ({_placeholders(values)})", list(values)


def compare(metric: str, years: int | Sequence[int] | None = None, regions: str | Sequence[str] | None = None,
            level: str | None = "province", headline_only: bool = True, *, db: Db = None) -> pl.DataFrame:
    """One row per region and year for `metric` (the headline figure unless headline_only=False).

    `level` filters regions by level when `regions` is not given (None: every level).
    """
    _check_level(level)
    year_list = _years(years)
    with _using(db) as con:
        _check_metric(con, metric)
        codes = _regions(con, regions)
        where, params = _where([
            ("metric = ?", [metric]),
            _in("year", year_list),
            _in("region_code", codes),
            ("region_level = ?" if codes is None and level is not None else "",
             [level] if codes is None and level is not None else []),
        ])
        source = "headline" if headline_only else "figures_all"
        order = "year, region_code" + ("" if headline_only else ", period_kind, published_on, char_start")
        return _frame(con, f"SELECT {_SELECT} FROM {source} {where} ORDER BY {order}", params)  # noqa: S608


def trend(metric: str, region: str, headline_only: bool = True, *, db: Db = None) -> pl.DataFrame:
    """`metric` for one region (code or name) over the years, same columns as compare()."""
    with _using(db) as con:
        _check_metric(con, metric)
        code = _resolve_region(con, region)
        source = "headline" if headline_only else "figures_all"
        return _frame(
            con,
            f"SELECT {_SELECT} FROM {source} WHERE metric = ? AND region_code = ? "  # noqa: S608
            "ORDER BY year, period_end NULLS FIRST, published_on, char_start",
            [metric, code],
        )


def coverage(metrics: str | Sequence[str] | None = None, years: int | Sequence[int] | None = None,
             *, db: Db = None) -> pl.DataFrame:
    """How many figures exist per region, year, metric and period: what can be compared at all.

    Files an ingest left out because they were over its time or size budget follow as rows of their
    own, whatever the filters (they may hold any metric and year): metric, region and year empty,
    period_kind 'not_extracted', period_label the reason, n_figures 0 and doc_path the file."""
    year_list = _years(years)
    metric_list = [metrics] if isinstance(metrics, str) else (list(metrics) if metrics is not None else None)
    with _using(db) as con:
        for m in metric_list or []:
            _check_metric(con, m)
        where, params = _where([_in("metric", metric_list), _in("year", year_list)])
        order = "metric, region_code NULLS LAST, year NULLS LAST, period_kind, period_label"
        counted = f"SELECT *, CAST(NULL AS VARCHAR) AS doc_path FROM coverage {where}"  # noqa: S608
        try:
            con.execute("SELECT 1 FROM unextracted LIMIT 0")
        except duckdb.CatalogException:  # published before files were recorded as over budget
            return _frame(con, f"{counted} ORDER BY {order}", params)
        sql = (f"SELECT * FROM ({counted} UNION ALL BY NAME SELECT * FROM (SELECT NULL AS region_code, "  # noqa: S608
               "NULL AS region_name, NULL AS region_level, CAST(NULL AS INTEGER) AS year, NULL AS metric, "
               "'not_extracted' AS period_kind, reason AS period_label, 0 AS n_figures, path AS doc_path "
               f"FROM unextracted)) ORDER BY metric IS NULL, {order}, doc_path")
        return _frame(con, sql, params)


def conflicts(metric: str | None = None, *, db: Db = None) -> pl.DataFrame:
    """Figures of the same region, year, metric, period and subject stated differently by two documents."""
    with _using(db) as con:
        if metric is not None:
            _check_metric(con, metric)
        where, params = _where([("metric = ?" if metric else "", [metric] if metric else [])])
        return _frame(
            con,
            "SELECT * REPLACE (CAST(value AS DOUBLE) AS value) FROM figure_conflicts "  # noqa: S608
            f"{where} ORDER BY metric, region_code, year, period_kind, subject, value, doc_id",
            params,
        )


def low_confidence(threshold: float = 0.6, *, db: Db = None) -> pl.DataFrame:
    """Figures the extractor was unsure of (confidence below `threshold`), least sure first."""
    with _using(db) as con:
        return _frame(
            con,
            f"SELECT {_SELECT}, figure_key, rule, token FROM figures_all "  # noqa: S608
            "WHERE confidence < ? ORDER BY confidence, doc_path, char_start",
            [float(threshold)],
        )


def region_profile(region: str, years: int | Sequence[int] | None = None, *, include_scoped: bool = False,
                   db: Db = None) -> pl.DataFrame:
    """Every headline figure of one region (code or name), by metric and year.

    include_scoped=True appends the region's figures about one subject (食品类投诉 …) after the headlines
    and adds a boolean `headline` column telling the two apart.
    """
    year_list = _years(years)
    with _using(db) as con:
        code = _resolve_region(con, region)
        where, params = _where([("region_code = ?", [code]), _in("year", year_list)])
        if not include_scoped:
            return _frame(con, f"SELECT {_SELECT} FROM headline {where} ORDER BY metric, year", params)  # noqa: S608
        return _frame(
            con,
            f"SELECT {_SELECT}, TRUE AS headline FROM headline {where} UNION ALL "  # noqa: S608
            f"SELECT {_SELECT}, FALSE AS headline FROM figures_all {where} AND coalesce(subject, '') <> '' "
            "ORDER BY headline DESC, metric, year NULLS LAST, subject, period_label, published_on, char_start",
            params + params,
        )


def metric_names(db: Db = None) -> dict[str, str]:
    """Chinese display name of each catalogue metric id (the id itself when the catalogue has no name)."""
    with _using(db) as con:
        rows = con.execute("SELECT id, name FROM metrics ORDER BY id").fetchall()
    return {i: n or i for i, n in rows}


def known_metrics(*, db: Db = None) -> list[str]:
    """Metric ids of the catalogue and of stored figures, sorted."""
    with _using(db) as con:
        return _known_metrics(con)


def known_years(metric: str | None = None, *, db: Db = None) -> list[int]:
    """Years that have figures (of `metric`, when given), ascending."""
    with _using(db) as con:
        if metric is not None:
            _check_metric(con, metric)
        where, params = _where([("year IS NOT NULL", []), ("metric = ?" if metric else "", [metric] if metric else [])])
        rows = con.execute(f"SELECT DISTINCT year FROM coverage {where} ORDER BY year", params).fetchall()  # noqa: S608
        return [r[0] for r in rows]


def known_regions(level: str | None = None, *, db: Db = None) -> list[str]:
    """GB/T 2260 codes of regions that have figures (at `level`, when given), sorted."""
    _check_level(level)
    with _using(db) as con:
        where, params = _where([("region_code IS NOT NULL", []),
                                ("region_level = ?" if level else "", [level] if level else [])])
        rows = con.execute(
            f"SELECT DISTINCT region_code FROM coverage {where} ORDER BY region_code", params  # noqa: S608
        ).fetchall()
        return [r[0] for r in rows]


def documents(*, db: Db = None) -> pl.DataFrame:
    """Every stored document: id, path, title, region (code, name, level), publication date, genre and
    how many figures it gave, so a briefing can say whose reports hold no figure of a metric."""
    with _using(db) as con:
        return _frame(
            con,
            "SELECT d.id AS doc_id, d.path AS doc_path, d.title AS doc_title, d.region_code, "
            "r.name AS region_name, r.level AS region_level, d.published_on, d.genre, d.n_figures "
            "FROM documents d LEFT JOIN regions r ON r.code = d.region_code ORDER BY d.path",
        )


def document_figures(document: str, *, db: Db = None) -> pl.DataFrame:
    """A document's figures (by path, file name or sha256 prefix) with the keys corrections name."""
    if not document.strip():
        raise QueryError("no document given: name one by path, file name or sha256 prefix (at least 8 characters)")
    candidates = [document]
    if Path(document).exists():
        candidates.append(display_path(Path(document)))
    with _using(db) as con:
        docs = con.execute(
            "SELECT DISTINCT id, path FROM documents, unnest(?::VARCHAR[]) AS c(v) "
            "WHERE path = v OR name = v OR id = v OR (length(v) >= 8 AND starts_with(id, lower(v))) ORDER BY path",
            [candidates],
        ).fetchall()
        if not docs:
            raise QueryError(f"document {document!r} is not in the database: run `regmetrics ingest {document}` first")
        if len(docs) > 1:
            raise QueryError(f"document {document!r} matches {', '.join(p for _, p in docs)}: give its path")
        return _frame(
            con,
            "SELECT figure_key, metric, value, unit, approx, region_code, region_name, "
            "year, period_label, subject, token, confidence, corrected, quote, doc_path "
            "FROM figures_all WHERE doc_id = ? ORDER BY char_start, figure_key",
            [docs[0][0]],
        )
