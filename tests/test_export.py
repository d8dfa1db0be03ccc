"""Parquet export: hive layout by year and region code, fixed column types, safe replacement."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as ds
import pytest
from store_fakes import two_province_db

from metrics.export import EXPORT_TYPES, MARKER, ExportError, export_parquet


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_province_db(tmp_path_factory.mktemp("export"))


def test_partitions_are_ascii_hive_folders(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    res = export_parquet(out, db)
    assert (res.n_rows, res.n_files) == (3, 3)
    folders = sorted(p.parent.relative_to(out).as_posix() for p in out.rglob("*.parquet"))
    assert folders == ["year=2020/region_code=350000", "year=2020/region_code=440000", "year=2021/region_code=350000"]
    assert all(f.isascii() for f in folders)
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["rows"] == 3 and marker["columns"] == EXPORT_TYPES


def test_files_read_back_with_stable_types(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    export_parquet(out, db)
    con = duckdb.connect(":memory:")
    rel = con.sql(f"SELECT * FROM read_parquet('{out}/**/*.parquet', hive_partitioning = false) "  # noqa: S608
                 "ORDER BY year, region_code")
    types = dict(zip(rel.columns, (str(t) for t in rel.types), strict=True))
    assert types["value"] == "DECIMAL(38,6)" and types["year"] == "INTEGER" and types["region_code"] == "VARCHAR"
    rows = rel.fetchall()
    assert [(r[0], r[1], r[5]) for r in rows] == [(2020, "350000", Decimal("23544800.5")), (2020, "440000", Decimal(5000)),
                                                  (2021, "350000", Decimal(3))]
    con.close()
    # one partition file read alone carries its own year and region code, as text for the code
    single = pl.read_parquet(next((out / "year=2020" / "region_code=440000").glob("*.parquet")))
    assert single.select("year", "region_code", "period_label").rows() == [(2020, "440000", "全年")]
    table = ds.dataset(out, format="parquet").to_table()
    assert table.num_rows == 3 and str(table.schema.field("region_code").type) == "string"


def test_replaces_an_earlier_export_but_not_a_foreign_folder(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    export_parquet(out, db)
    stray = out / "year=1999"
    stray.mkdir()
    export_parquet(out, db)
    assert not stray.exists()
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ExportError, match="exists and is not an earlier regmetrics export: choose a new or empty folder"):
        export_parquet(other, db)
    assert (other / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert not list(tmp_path.glob(".*tmp*"))


def test_unwritable_folder_is_an_export_error(db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ExportError, match=r"cannot write to .*a-file/pq: .*: choose a writable folder"):
        export_parquet(blocker / "pq", db)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
