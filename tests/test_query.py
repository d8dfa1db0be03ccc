"""The notebook query API on a small database built by ingest (with the stand-in extractor)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from store_fakes import fake_extract, write_report

from metrics import query
from metrics.ingest import ingest
from metrics.query import QueryError, StoreError


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("query")
    raw = d / "raw"
    raw.mkdir()
    files = [
        write_report(raw / "fj2020.txt", "2021-02-01", "2020年全年，福建省罚没款23544800.5元。",
                     "2020年1-8月，福建省罚没款100元。"),
        write_report(raw / "gd2020.txt", "2021-03-01", "2020年，广东省罚没款5000元。",
                     "2020年，广东省受理投诉77件（食品）。"),
        write_report(raw / "gd2021.txt", "2022-02-01", "2021年，广东省罚没款6000元。", "2020年，广东省罚没款5100元。",
                     "2021年，广东省受理投诉90件。"),
        write_report(raw / "zj2021.txt", "2022-01-20", "2021年，浙江省受理投诉81234件。"),
    ]
    out = d / "regmetrics.duckdb"
    res = ingest(files, out, workers=1, extractor=fake_extract, corrections=d / "none.csv")
    assert res.n_figures == 8
    return out


def test_compare_columns_and_types(db: Path) -> None:
    df = query.compare("fines_confiscations", years=2020, db=db)
    assert df.columns == list(query.COMPARE_COLUMNS)
    assert df.schema["value"] == pl.Float64 and df.schema["yoy_pct"] == pl.Float64
    assert df.schema["published_on"] == pl.Date
    assert df.select("region_code", "region_name", "value", "period_label", "doc_title").rows() == [
        ("350000", "福建省", 23544800.5, "全年", "fj2020工作报告"),
        ("440000", "广东省", 5100.0, "全年", "gd2021工作报告"),  # the later publication wins
    ]
    assert df.to_pandas().shape == (2, len(query.COMPARE_COLUMNS))


def test_compare_filters(db: Path) -> None:
    assert query.compare("fines_confiscations", db=db).select("year", "region_code").rows() == [
        (2020, "350000"), (2020, "440000"), (2021, "440000")]
    assert query.compare("fines_confiscations", years=[2021], db=db)["value"].to_list() == [6000.0]
    for region in ("福建", "福建省", "350000", ["350000"]):
        assert query.compare("fines_confiscations", regions=region, db=db)["region_code"].to_list() == ["350000"]
    assert query.compare("fines_confiscations", level="prefecture", db=db).is_empty()
    assert query.compare("fines_confiscations", years=[], db=db).is_empty()
    # 广东's 2020 complaints figure is about 食品 only, so it is no headline
    assert query.compare("complaints", level=None, db=db).select("region_code", "year", "value").rows() == [
        ("330000", 2021, 81234.0), ("440000", 2021, 90.0)]


def test_compare_all_figures_shows_every_period_and_document(db: Path) -> None:
    df = query.compare("fines_confiscations", years=2020, headline_only=False, db=db)
    assert df.select("region_code", "value", "period_label").rows() == [
        ("350000", 23544800.5, "全年"), ("350000", 100.0, "1–8月"), ("440000", 5000.0, "全年"),
        ("440000", 5100.0, "全年")]


def test_unknown_parameters_say_what_is_known(db: Path) -> None:
    with pytest.raises(QueryError, match=r"^unknown metric 'parking': known metrics are cases, complaints, .*"
                                         r"fines_confiscations"):
        query.compare("parking", db=db)
    with pytest.raises(QueryError, match="^unknown metric \"x' OR '1'='1\""):
        query.compare("x' OR '1'='1", db=db)
    with pytest.raises(QueryError, match="^unknown region '火星': give a GB/T 2260 code such as 350000"):
        query.compare("complaints", regions=["火星"], db=db)
    with pytest.raises(QueryError, match="^year '2020' is not a whole number"):
        query.compare("complaints", years=["2020"], db=db)  # type: ignore[list-item]
    with pytest.raises(QueryError, match="^unknown level 'city'"):
        query.compare("complaints", level="city", db=db)


def test_missing_database_says_how_to_make_it(tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    with pytest.raises(StoreError) as err:
        query.compare("complaints", db=missing)
    assert str(err.value) == f"no database at {missing}: run `make ingest` (or `regmetrics ingest`) first"
    with pytest.raises(StoreError):
        query.connect(missing, read_only=False)


def test_trend_orders_by_year(db: Path) -> None:
    df = query.trend("fines_confiscations", "广东", db=db)
    assert df.select("year", "value").rows() == [(2020, 5100.0), (2021, 6000.0)]
    assert query.trend("fines_confiscations", "广东", headline_only=False, db=db)["value"].to_list() == [
        5000.0, 5100.0, 6000.0]


def test_coverage_counts_figures_per_period(db: Path) -> None:
    df = query.coverage("fines_confiscations", db=db)
    assert df.select("region_code", "year", "period_label", "n_figures").rows() == [
        ("350000", 2020, "全年", 1), ("350000", 2020, "1–8月", 1), ("440000", 2020, "全年", 2),
        ("440000", 2021, "全年", 1)]
    assert query.coverage(years=2021, db=db)["n_figures"].sum() == 3


def test_conflicts_and_low_confidence(db: Path) -> None:
    df = query.conflicts("fines_confiscations", db=db)
    assert df.select("region_code", "year", "value", "doc_title").rows() == [
        ("440000", 2020, 5000.0, "gd2020工作报告"), ("440000", 2020, 5100.0, "gd2021工作报告")]
    assert all("广东省罚没款" in q for q in df["quote"])
    assert query.conflicts("complaints", db=db).is_empty()
    low = query.low_confidence(0.6, db=db)
    assert low.select("metric", "subject", "value").rows() == [("complaints", "食品", 77.0)]
    assert query.low_confidence(0.1, db=db).is_empty()


def test_region_profile_lists_headlines_of_every_metric(db: Path) -> None:
    df = query.region_profile("广东省", db=db)
    assert df.select("metric", "year", "value").rows() == [
        ("complaints", 2021, 90.0), ("fines_confiscations", 2020, 5100.0), ("fines_confiscations", 2021, 6000.0)]
    assert query.region_profile("440000", years=2020, db=db).height == 1


def test_known_values(db: Path) -> None:
    assert {"fines_confiscations", "complaints", "sampling_batches"} <= set(query.known_metrics(db=db))
    assert query.known_years(db=db) == [2020, 2021]
    assert query.known_years("complaints", db=db) == [2020, 2021]
    assert query.known_regions(db=db) == ["330000", "350000", "440000"]
    assert query.known_regions("prefecture", db=db) == []


def test_a_passed_connection_is_used_and_left_open(db: Path) -> None:
    con = query.connect(db)
    try:
        assert query.compare("complaints", db=con).height == 2
        assert query.trend("complaints", "330000", db=con)["value"].to_list() == [81234.0]
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("DELETE FROM figures")
        assert con.execute("SELECT count(*) FROM figures").fetchone()[0] == 8
    finally:
        con.close()


def test_document_figures_lists_keys(db: Path) -> None:
    df = query.document_figures("fj2020.txt", db=db)
    text = (db.parent / "raw" / "fj2020.txt").read_text(encoding="utf-8")
    keys = [f"fines_confiscations@{text.index(t)}-{text.index(t) + len(t)}" for t in ("23544800.5元", "100元")]
    assert df["figure_key"].to_list() == keys
    assert df["period_label"].to_list() == ["全年", "1–8月"]
    assert query.document_figures(df["doc_path"][0], db=db).height == 2
    with pytest.raises(QueryError, match="^document 'nope.txt' is not in the database"):
        query.document_figures("nope.txt", db=db)


def test_document_figures_refuses_an_empty_name(db: Path) -> None:
    with pytest.raises(QueryError, match="^no document given: name one by path, file name or sha256 prefix"):
        query.document_figures("  ", db=db)


def test_published_on_comes_from_the_document(db: Path) -> None:
    df = query.compare("complaints", regions="浙江", db=db)
    assert df["published_on"].to_list() == [date(2022, 1, 20)]


def test_region_profile_can_add_scoped_figures_after_the_headlines(db: Path) -> None:
    headline = query.region_profile("广东", db=db)
    full = query.region_profile("广东", include_scoped=True, db=db)
    assert full.columns == [*query.COMPARE_COLUMNS, "headline"]
    assert full.filter(pl.col("headline")).drop("headline").equals(headline)
    # 广东's 2020 complaints figure is about 食品 only: no headline, but listed after the headlines
    assert full.filter(~pl.col("headline")).select("metric", "year", "subject", "value").rows() == [
        ("complaints", 2020, "食品", 77.0)]
    assert full["headline"].to_list() == [True] * headline.height + [False]
    assert query.region_profile("广东", years=2021, include_scoped=True, db=db)["headline"].all()


def test_metric_names_come_from_the_catalogue_table(db: Path) -> None:
    names = query.metric_names(db=db)
    con = query.connect(db)
    try:
        ids = [r[0] for r in con.execute("SELECT id FROM metrics").fetchall()]
    finally:
        con.close()
    assert sorted(names) == sorted(ids) and "fines_confiscations" in names
    assert names["fines_confiscations"] != "fines_confiscations" and all(names.values())


def test_compare_rows_carry_the_token_at_their_offsets(db: Path) -> None:
    con = query.connect(db)
    try:
        texts = dict(con.execute("SELECT id, text FROM documents").fetchall())
    finally:
        con.close()
    for r in query.compare("fines_confiscations", db=db).to_dicts():
        text = texts[r["doc_id"]]
        assert text[r["char_start"]:r["char_end"]] == r["token"]
        assert text[r["sentence_start"]:r["sentence_end"]] == r["quote"]


def test_documents_lists_every_document_with_its_date_and_figure_count(db: Path) -> None:
    docs = query.documents(db=db)
    assert docs["doc_path"].to_list() == sorted(docs["doc_path"].to_list()) and docs.height == 4
    by_name = {Path(r["doc_path"]).name: r for r in docs.to_dicts()}
    assert by_name["zj2021.txt"]["published_on"] == date(2022, 1, 20) and by_name["zj2021.txt"]["n_figures"] == 1
    assert by_name["fj2020.txt"]["doc_title"] == "fj2020工作报告" and by_name["fj2020.txt"]["n_figures"] == 2
