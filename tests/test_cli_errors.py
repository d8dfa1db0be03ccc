"""CLI-wide error behaviour: bad input gets one line naming the thing, the reason and what to do,
never a traceback; exit 2 for usage errors, 1 when a file or run failed; `query` never writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_fakes import two_province_db, write_report

from metrics.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_province_db(tmp_path_factory.mktemp("cli-errors"))


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(("sql", "kind"), [
    ("ATTACH '{tmp}/new.duckdb' AS w; CREATE TABLE w.t AS SELECT 1", "ATTACH + CREATE"),
    ("COPY (SELECT * FROM figures) TO '{tmp}/out.csv'", "COPY"),
    ("EXPORT DATABASE '{tmp}/dump'", "EXPORT"),
    ("INSERT INTO figures_raw SELECT * FROM figures_raw", "INSERT"),
    ("SET threads = 1", "SET"),
])
def test_query_refuses_statements_that_write_anywhere(db: Path, tmp_path: Path, sql: str, kind: str) -> None:
    res = invoke("query", sql.format(tmp=tmp_path), "--db", str(db))
    assert res.exit_code == 2
    assert one_line(res.stderr) == (f"regmetrics: query failed: give exactly one SELECT statement, not {kind}; the "
                                    "database is opened read-only: change data through regmetrics ingest and "
                                    "data/corrections.csv")
    assert list(tmp_path.iterdir()) == []


def test_query_cannot_reach_the_file_system_from_a_select(db: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n", encoding="utf-8")
    res = invoke("query", f"SELECT * FROM read_csv('{secret}')", "--db", str(db))  # noqa: S608 - hostile on purpose
    assert res.exit_code == 2
    assert "file system operations are disabled" in one_line(res.stderr)


def test_query_empty_sql_is_a_usage_error_not_a_traceback(db: Path) -> None:
    res = invoke("query", "  ", "--db", str(db))
    assert res.exit_code == 2
    assert one_line(res.stderr).startswith("regmetrics: query failed: give exactly one SELECT statement, not an empty query")


def test_query_still_reads_select_describe_and_with(db: Path) -> None:
    res = invoke("query", "WITH f AS (SELECT * FROM figures) SELECT count(*) AS n FROM f", "--db", str(db))
    assert res.exit_code == 0 and res.stdout.splitlines()[-1] == "3"
    res = invoke("query", "DESCRIBE documents", "--db", str(db))
    assert res.exit_code == 0 and "extractor_version" in res.stdout


@pytest.mark.parametrize("command", ["extract", "read"])
def test_folder_without_documents_is_named(command: str, tmp_path: Path) -> None:
    empty = tmp_path / "空 目录"
    empty.mkdir()
    (empty / "notes.csv").write_text("a,b\n", encoding="utf-8")
    res = invoke(command, str(empty))
    assert res.exit_code == 2
    assert one_line(res.stderr) == (f"regmetrics: no documents in {empty}: give files or folders holding "
                                    ".txt, .html, .htm, .pdf, .docx files")
    # beside a folder that has documents, the empty one is named and the others still processed
    full = tmp_path / "带 空格"
    full.mkdir()
    shutil.copy(ROOT / "data" / "raw" / "crud-10-1-785.txt", full / "报告 一.txt")
    res = invoke(command, str(empty), str(full))
    assert res.exit_code == 0
    assert res.stderr.startswith(f"regmetrics: no documents in {empty}")
    assert "报告 一.txt" in res.stdout


def test_missing_folder_is_called_missing_not_an_unsupported_type(tmp_path: Path) -> None:
    res = invoke("extract", str(tmp_path / "nothere"))
    assert res.exit_code == 1
    assert one_line(res.stderr) == f"regmetrics: cannot read {tmp_path / 'nothere'}: no such file or folder: check the path"


def test_compare_year_without_figures_names_the_years_there_are(db: Path) -> None:
    res = invoke("compare", "--metric", "fines_confiscations", "--year", "1990", "--year", "2020", "--db", str(db))
    assert res.exit_code == 0  # 2020 has figures: the rows are printed
    res = invoke("compare", "--metric", "fines_confiscations", "--year", "1990", "--db", str(db))
    assert res.exit_code == 2
    assert one_line(res.stderr) == ("regmetrics: no figures of fines_confiscations in 1990: years with "
                                    "fines_confiscations figures are 2020")


def test_ingest_into_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    doc = write_report(tmp_path / "fj.txt", "2021-02-01", "2020年，福建省罚没款5元。")
    res = invoke("ingest", str(doc), "--db", str(blocker / "sub" / "r.duckdb"))
    assert res.exit_code == 2
    line = one_line(res.stderr)
    assert line.startswith(f"regmetrics: cannot write database {blocker / 'sub' / 'r.duckdb'}: ")
    assert line.endswith("give a --db in a writable folder")


def test_export_into_an_unwritable_place_is_one_line(db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    res = invoke("export", "--parquet", str(blocker / "pq"), "--db", str(db))
    assert res.exit_code == 2
    assert one_line(res.stderr).startswith(f"regmetrics: cannot write to {blocker / 'pq'}: ")
    assert blocker.read_text(encoding="utf-8") == "x"


def test_export_with_a_missing_database_creates_no_folders(tmp_path: Path) -> None:
    res = invoke("export", "--parquet", str(tmp_path / "new" / "pq"), "--db", str(tmp_path / "none.duckdb"))
    assert res.exit_code == 2
    assert one_line(res.stderr).startswith(f"regmetrics: no database at {tmp_path / 'none.duckdb'}")
    assert not (tmp_path / "new").exists()


def test_report_into_an_unwritable_out_is_one_line(db: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    res = invoke("report", "data_coverage", "--db", str(db), "--out", str(blocker / "briefings"))
    assert res.exit_code == 2
    assert one_line(res.stderr).endswith(": choose another --out")


def test_malformed_schedule_is_one_line_with_its_position(tmp_path: Path) -> None:
    bad = tmp_path / "schedule.yml"
    bad.write_text("briefings:\n  - name: a\n   notebook: x\n", encoding="utf-8")
    res = invoke("report", "--schedule", str(bad), "--out", str(tmp_path / "out"))
    assert res.exit_code == 2
    assert one_line(res.stderr).startswith(f"regmetrics: schedule {bad} is not valid YAML: line 3, column 4: ")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["extract", "read", "ingest", "figures", "query", "compare", "export", "report"])
def test_every_help_ends_with_an_example(command: str) -> None:
    res = invoke(command, "--help")
    tail = res.stdout.rstrip().split("\n\n")[-1]
    assert tail.lstrip().startswith("Example"), tail
    assert f"  regmetrics {command}" in tail


def test_report_parameter_given_twice_is_refused_not_silently_overridden(db: Path, tmp_path: Path) -> None:
    res = invoke("report", "province_comparison", "-p", "metric", "complaints", "-p", "metric", "pass_rate",
                 "--db", str(db), "--out", str(tmp_path))
    assert res.exit_code == 2
    assert one_line(res.stderr) == ("regmetrics: parameter metric given more than once: give each -p NAME once "
                                    "(lists are comma-separated, e.g. -p regions 四川,广东)")
    assert list(tmp_path.iterdir()) == []


def test_report_timeout_must_be_positive(db: Path, tmp_path: Path) -> None:
    res = invoke("report", "data_coverage", "--timeout", "0", "--db", str(db), "--out", str(tmp_path))
    assert res.exit_code == 2 and "--timeout" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_ingest_where_every_file_fails_does_not_claim_the_others_were_published(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "r.duckdb"
    shutil.copy(db, copy)
    before = copy.read_bytes()
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    res = invoke("ingest", str(empty), "--db", str(copy), "--corrections", str(tmp_path / "none.csv"))
    assert res.exit_code == 1
    assert res.stderr.splitlines() == [
        f"regmetrics: cannot read {empty}: empty file: fetch the report again or remove it",
        f"regmetrics: 1 of 1 files could not be read (listed above); nothing was added to {copy}",
    ]
    assert copy.read_bytes() == before
