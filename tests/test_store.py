"""The DuckDB schema, the period-label macro and the figures_best / figure_conflicts views."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from metrics import store
from metrics.figures import RECORD_FIELDS, Figure


def _fig(**kw: object) -> Figure:
    base = dict(metric="fines_confiscations", value=Decimal("100"), unit="元", token="100元", char_start=10,
                char_end=14, quote="罚没款100元。", sentence_start=5, sentence_end=15, rule="t", confidence=0.9,
                region_code="350000", region_name="福建省", region_level="province", year=2020,
                period_kind="year", period_start=date(2020, 1, 1), period_end=date(2020, 12, 31))
    base.update(kw)
    return Figure(**base)  # type: ignore[arg-type]


def _doc(doc_id: str, published: str) -> dict[str, object]:
    return {"id": doc_id, "path": f"docs/{doc_id}.txt", "name": f"{doc_id}.txt", "title": f"{doc_id} 报告",
            "published_on": date.fromisoformat(published), "n_chars": 100, "text": "x" * 100}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect(":memory:")
    store.create_schema(c)
    store.write_reference(c, store.Reference(
        regions=[{"code": "350000", "name": "福建省", "level": "province", "parent": "100000",
                  "valid_from": None, "valid_to": None}], metrics=[]))
    yield c
    c.close()


def _load(con: duckdb.DuckDBPyConnection, docs: list[tuple[str, str, list[Figure]]]) -> None:
    for doc_id, published, figs in docs:
        store.insert_documents(con, [_doc(doc_id, published)])
        store.insert_figures(con, store.figure_rows(doc_id, f"{doc_id}.txt", figs))
    store.rebuild_figures(con)
    store.refresh_headline(con)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, ...]:
    return tuple(r[0] for r in con.execute(f"DESCRIBE {table}").fetchall())  # noqa: S608 - test table names


def test_figure_tables_hold_every_record_field(con: duckdb.DuckDBPyConnection) -> None:
    assert store.FIGURE_COLUMNS == ("doc_id", "figure_key", *RECORD_FIELDS)
    assert _columns(con, "figures_raw") == store.FIGURE_COLUMNS
    assert _columns(con, "figures") == (*store.FIGURE_COLUMNS, "corrected")
    _load(con, [("a", "2021-01-05", [_fig()])])
    assert _columns(con, "figures") == (*store.FIGURE_COLUMNS, "corrected")


def test_values_are_exact_decimals(con: duckdb.DuckDBPyConnection) -> None:
    _load(con, [("a", "2021-01-05", [_fig(value=Decimal("23544800.123456"), yoy_pct=Decimal("-12.5"))])])
    value, yoy = con.execute("SELECT value, yoy_pct FROM figures").fetchone()
    assert value == Decimal("23544800.123456") and yoy == Decimal("-12.5")
    assert con.execute("SELECT typeof(value) FROM figures").fetchone()[0] == "DECIMAL(38,6)"


def test_figure_keys_are_stable_and_unique() -> None:
    rows = store.figure_rows("d", "d.txt", [_fig(), _fig(), _fig(metric="complaints", char_start=20, char_end=25)])
    assert [r["figure_key"] for r in rows] == [
        "fines_confiscations@10-14", "fines_confiscations@10-14#2", "complaints@20-25"]
    again = store.figure_rows("other-doc", "d.txt", [_fig()])
    assert again[0]["figure_key"] == rows[0]["figure_key"]


@pytest.mark.parametrize(("kind", "start", "end", "label"), [
    ("year", date(2020, 1, 1), date(2020, 12, 31), "全年"),
    ("ytd", date(2023, 1, 1), date(2023, 8, 31), "1–8月"),
    ("ytd", date(2023, 1, 1), date(2023, 6, 30), "上半年"),
    ("ytd", date(2023, 1, 1), date(2023, 9, 25), "1–9月25日"),
    ("ytd", date(2023, 1, 1), date(2023, 1, 31), "1月"),
    ("ytd", date(2024, 1, 1), date(2024, 2, 29), "1–2月"),
    ("month", date(2023, 8, 1), date(2023, 8, 31), "8月"),
    ("quarter", date(2023, 7, 1), date(2023, 9, 30), "三季度"),
    ("multi_year", date(2019, 1, 1), date(2023, 12, 31), "2019–2023年"),
    ("multi_year", None, None, "多年"),
    ("point", None, date(2023, 9, 30), "截至9月30日"),
    ("unknown", None, None, "期间不明"),
])
def test_period_label(con: duckdb.DuckDBPyConnection, kind: str, start: date | None, end: date | None,
                      label: str) -> None:
    got = con.execute("SELECT period_label(?, ?::DATE, ?::DATE)", [kind, start, end]).fetchone()[0]
    assert got == label


def test_best_prefers_full_year_over_ytd_and_month(con: duckdb.DuckDBPyConnection) -> None:
    _load(con, [
        ("early", "2020-09-10", [_fig(period_kind="ytd", period_end=date(2020, 8, 31), value=Decimal(5))]),
        ("month", "2021-01-10", [_fig(period_kind="month", period_start=date(2020, 12, 1), value=Decimal(1),
                                      char_start=40, char_end=44)]),
        ("annual", "2021-02-01", [_fig(value=Decimal(9))]),
    ])
    rows = con.execute("SELECT doc_id, value, period_label FROM figures_best").fetchall()
    assert rows == [("annual", Decimal(9), "全年")]


def test_best_prefers_longer_ytd_then_later_publication(con: duckdb.DuckDBPyConnection) -> None:
    _load(con, [
        ("h1", "2020-07-20", [_fig(period_kind="ytd", period_end=date(2020, 6, 30), value=Decimal(5))]),
        ("q3", "2020-10-20", [_fig(period_kind="ytd", period_end=date(2020, 9, 30), value=Decimal(7))]),
        ("fy-a", "2021-01-05", [_fig(year=2019, value=Decimal(30))]),
        ("fy-b", "2021-03-05", [_fig(year=2019, value=Decimal(31))]),
    ])
    rows = con.execute("SELECT year, doc_id, period_label FROM headline ORDER BY year").fetchall()
    assert rows == [(2019, "fy-b", "全年"), (2020, "q3", "1–9月")]


def test_best_ignores_subject_figures(con: duckdb.DuckDBPyConnection) -> None:
    _load(con, [("a", "2021-01-05", [_fig(subject="食品", value=Decimal(3)),
                                      _fig(period_kind="ytd", period_end=date(2020, 11, 30), char_start=50,
                                           char_end=54)])])
    assert con.execute("SELECT subject, period_label FROM figures_best").fetchall() == [("", "1–11月")]


def test_conflicts_list_both_documents(con: duckdb.DuckDBPyConnection) -> None:
    _load(con, [
        ("a", "2021-01-05", [_fig(value=Decimal(100), quote="甲说100元")]),
        ("b", "2021-02-05", [_fig(value=Decimal(120), quote="乙说120元")]),
        ("c", "2021-02-07", [_fig(value=Decimal(100), metric="complaints")]),
        ("d", "2021-02-08", [_fig(value=Decimal(100), metric="complaints")]),
    ])
    rows = con.execute("SELECT doc_id, value, quote, n_values FROM figure_conflicts").fetchall()
    assert rows == [("a", Decimal(100), "甲说100元", 2), ("b", Decimal(120), "乙说120元", 2)]


def test_figures_of_unknown_period_do_not_conflict(con: duckdb.DuckDBPyConnection) -> None:
    _load(con, [("a", "2023-05-01", [_fig(period_kind="unknown", period_start=None, period_end=None)]),
                ("b", "2023-06-01", [_fig(period_kind="unknown", period_start=None, period_end=None,
                                          value=Decimal(7))])])
    assert con.execute("SELECT count(*) FROM figure_conflicts").fetchone()[0] == 0


def test_one_document_stating_two_values_is_not_a_conflict(con: duckdb.DuckDBPyConnection) -> None:
    _load(con, [("a", "2021-01-05", [_fig(value=Decimal(1)), _fig(value=Decimal(2), char_start=60, char_end=62)])])
    assert con.execute("SELECT count(*) FROM figure_conflicts").fetchone()[0] == 0


def test_delete_documents_removes_their_figures(con: duckdb.DuckDBPyConnection) -> None:
    _load(con, [("a", "2021-01-05", [_fig()]), ("b", "2021-01-06", [_fig()])])
    store.delete_documents(con, ["a"])
    assert con.execute("SELECT DISTINCT doc_id FROM figures_raw").fetchall() == [("b",)]
    assert con.execute("SELECT id FROM documents").fetchall() == [("b",)]


def test_connect_readonly_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(store.StoreError, match=r"no database at .*: run `make ingest` \(or `regmetrics ingest`\) first"):
        store.connect_readonly(tmp_path / "missing.duckdb")
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(store.StoreError, match="cannot open database"):
        store.connect_readonly(junk)


def test_reference_has_regions_and_catalogue_metrics() -> None:
    ref = store.load_reference()
    codes = {r["code"]: r for r in ref.regions}
    assert codes["350000"]["name"] == "福建省" and codes["350000"]["level"] == "province"
    assert len(codes) == len(ref.regions)
    ids = {m["id"] for m in ref.metrics}
    assert {"fines_confiscations", "complaints", "sampling_batches"} <= ids
    fines = next(m for m in ref.metrics if m["id"] == "fines_confiscations")
    assert fines["unit"] == "元" and "罚没款" in fines["names"]
    assert ref.fingerprint() == store.load_reference().fingerprint()
