"""Human corrections: parsed from CSV, applied at every ingest, surviving re-extraction, reported when stale."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from store_fakes import fake_extract, write_report

from metrics import store
from metrics.corrections import HEADER, load_corrections
from metrics.ingest import ingest
from metrics.paths import CORRECTIONS_CSV

HEAD = ",".join(HEADER) + "\n"


@pytest.fixture
def setup(tmp_path: Path) -> tuple[list[Path], Path, Path]:
    raw = tmp_path / "raw"
    raw.mkdir()
    files = [
        write_report(raw / "fj2020.txt", "2021-02-01", "2020年全年，福建省罚没款23544800.5元。",
                     "2020年1-8月，福建省罚没款100元。"),
        write_report(raw / "gd2020.txt", "2021-03-01", "2020年，广东省罚没款5000元。"),
    ]
    return files, tmp_path / "regmetrics.duckdb", tmp_path / "corrections.csv"


def run(files: list[Path], db: Path, csv: Path):  # noqa: ANN201 - IngestResult
    return ingest(files, db, workers=1, extractor=fake_extract, corrections=csv)


def figures(db: Path) -> list[tuple]:
    con = store.connect_readonly(db)
    try:
        return con.execute("SELECT doc, figure_key, value, period_kind, corrected FROM figures ORDER BY doc, char_start"
                           ).fetchall()
    finally:
        con.close()


def test_load_skips_comments_and_reports_bad_rows(tmp_path: Path) -> None:
    csv = tmp_path / "c.csv"
    csv.write_text(HEAD + "# a comment row\n"
                   "a.txt,fines_confiscations@1-5,value,12,typo in the report\n"
                   "a.txt,,value,12,no key\n"
                   "a.txt,k,value\n", encoding="utf-8")
    fixes, issues = load_corrections(csv)
    assert [(f.line, f.document, f.figure_key, f.field, f.new_value, f.reason) for f in fixes] == [
        (3, "a.txt", "fines_confiscations@1-5", "value", "12", "typo in the report")]
    assert issues == [f"{csv}:4: document, figure_key and field are required",
                      f"{csv}:5: expected 5 columns, found 3: quote values with commas"]


def test_wrong_header_is_reported(tmp_path: Path) -> None:
    csv = tmp_path / "c.csv"
    csv.write_text("doc,key,new\n", encoding="utf-8")
    fixes, issues = load_corrections(csv)
    assert fixes == [] and issues == [
        f"{csv}: header must be document,figure_key,field,new_value,reason, found doc,key,new: fix the first line"]


def test_corrections_saved_as_gbk_are_reported_not_a_crash(tmp_path: Path) -> None:
    csv = tmp_path / "c.csv"
    csv.write_bytes((HEAD + "a.txt,fines_confiscations@1-5,subject,食品,报告笔误\n").encode("gbk"))
    fixes, issues = load_corrections(csv)
    assert fixes == []
    assert len(issues) == 1 and issues[0].startswith(f"{csv}: not UTF-8 text (bad byte at offset ")
    assert issues[0].endswith("save it as UTF-8 (Excel: CSV UTF-8); no correction was applied")


def test_project_corrections_file_parses() -> None:
    fixes, issues = load_corrections(CORRECTIONS_CSV)
    assert issues == []
    assert CORRECTIONS_CSV.read_text(encoding="utf-8").startswith(HEAD)


def test_correction_is_applied_and_survives_reextraction(setup: tuple[list[Path], Path, Path]) -> None:
    files, db, csv = setup
    run(files, db, csv)
    key = figures(db)[0][1]
    csv.write_text(HEAD + f"fj2020.txt,{key},value,23544800,report rounds differently\n"
                   f"gd2020.txt,{figures(db)[2][1]},period_kind,ytd,only covers part of the year\n",
                   encoding="utf-8")
    res = run(files, db, csv)
    assert res.published and res.corrections_applied == 2 and res.correction_issues == []
    assert figures(db)[0] == ("fj2020.txt", key, Decimal(23544800), "year", "value")
    # the file changes (a second sentence is added): re-extracted, the correction still applies
    write_report(files[0], "2021-02-01", "2020年全年，福建省罚没款23544800.5元。", "2020年1-8月，福建省罚没款100元。",
                 "2019年，福建省受理投诉1件。")
    res = run(files, db, csv)
    assert res.replaced == 1 and res.corrections_applied == 2
    assert figures(db)[0][2:] == (Decimal(23544800), "year", "value")
    con = store.connect_readonly(db)
    try:
        assert con.execute("SELECT value FROM figures_raw WHERE figure_key = ?", [key]).fetchone()[0] == Decimal(
            "23544800.5")
    finally:
        con.close()


def test_removing_a_correction_restores_the_extracted_value(setup: tuple[list[Path], Path, Path]) -> None:
    files, db, csv = setup
    run(files, db, csv)
    key = figures(db)[0][1]
    csv.write_text(HEAD + f"fj2020.txt,{key},value,1,test\n", encoding="utf-8")
    run(files, db, csv)
    assert figures(db)[0][2] == Decimal(1)
    csv.write_text(HEAD, encoding="utf-8")
    res = run(files, db, csv)
    assert res.published and res.unchanged == 2
    assert figures(db)[0][2:] == (Decimal("23544800.5"), "year", "")


def test_delete_drops_a_figure(setup: tuple[list[Path], Path, Path]) -> None:
    files, db, csv = setup
    run(files, db, csv)
    keys = [f[1] for f in figures(db) if f[0] == "fj2020.txt"]
    csv.write_text(HEAD + f"fj2020.txt,{keys[1]},delete,,not a regulatory figure\n", encoding="utf-8")
    assert run(files, db, csv).corrections_applied == 1
    assert [f[1] for f in figures(db) if f[0] == "fj2020.txt"] == keys[:1]


def test_stale_and_invalid_corrections_are_reported(setup: tuple[list[Path], Path, Path]) -> None:
    files, db, csv = setup
    run(files, db, csv)
    key = figures(db)[0][1]
    csv.write_text(HEAD +
                   "nowhere.txt,x@1-2,value,1,doc gone\n"
                   "fj2020.txt,fines_confiscations@0-1,value,1,key gone\n"
                   f"fj2020.txt,{key},colour,red,no such field\n"
                   f"fj2020.txt,{key},value,lots,not a number\n"
                   f"fj2020.txt,{key},period_kind,decade,not a period kind\n"
                   f"fj2020.txt,{key},metric,parking_fines,not in the catalogue\n"
                   f"fj2020.txt,{key},region_code,999999,not a region\n"
                   f"fj2020.txt,{key},year,2019,this one is fine\n", encoding="utf-8")
    first = run(files, db, csv)
    again = run(files, db, csv)
    assert not again.published and again.correction_issues == first.correction_issues
    for res in (first, again):
        assert res.corrections_applied == 1
    assert res.correction_issues == [  # nowhere.txt (line 2) is not in this database: left alone
        "corrections.csv:3: figure 'fines_confiscations@0-1' not found in fj2020.txt: "
        "run `regmetrics figures --doc fj2020.txt` for its keys",
        "corrections.csv:4: unknown field 'colour': use one of metric, value, unit, approx, region_code, region_name, "
        "region_level, year, period_kind, period_start, period_end, yoy_pct, subject, confidence or delete",
        "corrections.csv:5: cannot read 'lots' as DECIMAL(38, 6) for field value",
        "corrections.csv:6: period_kind must be one of 'year', 'ytd', 'quarter', 'month', 'multi_year', 'point', "
        "'unknown', not 'decade'",
        "corrections.csv:7: unknown metric 'parking_fines': use an id from src/metrics/data/metrics.yaml",
        "corrections.csv:8: unknown region code '999999': use a GB/T 2260 code from the regions table",
    ]
    con = store.connect_readonly(db)
    try:
        assert con.execute("SELECT year, corrected FROM figures WHERE figure_key = ?", [key]).fetchall() == [
            (2019, "year")]
    finally:
        con.close()


def test_a_document_named_ambiguously_must_be_given_by_path(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    files = [write_report(tmp_path / d / "same.txt", "2021-01-01", f"2020年，福建省罚没款{n}元。")
             for d, n in (("a", 1), ("b", 2))]
    db, csv = tmp_path / "r.duckdb", tmp_path / "c.csv"
    run(files, db, csv)
    key = figures(db)[0][1]
    csv.write_text(HEAD + f"same.txt,{key},value,5,x\n", encoding="utf-8")
    res = run(files, db, csv)
    assert res.corrections_applied == 0
    assert res.correction_issues[0].startswith("c.csv:2: document 'same.txt' matches 2 documents (")
    csv.write_text(HEAD + f"{store.display_path(files[0])},{key},value,5,x\n", encoding="utf-8")
    res = run(files, db, csv)
    assert (res.corrections_applied, res.correction_issues) == (1, [])


@pytest.mark.slow
def test_project_corrections_apply_to_the_sample_documents(tmp_path: Path) -> None:
    """Every row of data/corrections.csv still names a real figure of data/raw (stale keys fail here)."""
    fixes, issues = load_corrections(CORRECTIONS_CSV)
    assert issues == []
    raw = CORRECTIONS_CSV.parent / "raw"
    files = sorted({raw / f.document for f in fixes})
    assert all(f.is_file() for f in files)
    res = ingest(files, tmp_path / "r.duckdb", workers=1, corrections=CORRECTIONS_CSV)
    assert res.correction_issues == []
    assert res.corrections_applied == len(fixes)


def test_an_ingest_of_unrelated_documents_considers_no_project_correction(tmp_path: Path) -> None:
    """data/corrections.csv names sample documents: ingesting other documents into another database
    applies none of it and warns about none of it (issue 9)."""
    fixes, issues = load_corrections(CORRECTIONS_CSV)
    assert fixes and issues == []
    other = write_report(tmp_path / "gd.txt", "2021-03-01", "2020年，广东省罚没款5000元。")
    res = ingest([other], tmp_path / "other.duckdb", workers=1, extractor=fake_extract, corrections=CORRECTIONS_CSV)
    assert res.published and res.n_figures == 1
    assert (res.corrections_applied, res.correction_issues, res.corrections_elsewhere) == (0, [], len(fixes))
