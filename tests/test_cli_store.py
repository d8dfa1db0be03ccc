"""The store commands as a user runs them: ingest, figures, query, compare, export; exact output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_fakes import fake_extract, write_report

from metrics.cli import main
from metrics.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli")
    (d / "raw").mkdir()
    files = [
        write_report(d / "raw" / "fj.txt", "2021-02-01", "2020年全年，福建省罚没款23544800.5元。",
                     "2020年1-8月，福建省罚没款100元。"),
        write_report(d / "raw" / "gd.txt", "2021-03-01", "2020年，广东省罚没款5000元。"),
    ]
    out = d / "regmetrics.duckdb"
    ingest(files, out, workers=1, extractor=fake_extract, corrections=d / "none.csv")
    return out


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_compare_prints_an_aligned_table(db: Path) -> None:
    res = invoke("compare", "--metric", "fines_confiscations", "--year", "2020", "--db", str(db))
    assert res.exit_code == 0
    assert res.stdout == (
        "region_name  region_code  year  value       unit  period_label  approx  yoy_pct  doc_title\n"
        "-----------  -----------  ----  ----------  ----  ------------  ------  -------  ----------\n"
        "福建省       350000       2020  23544800.5  元    全年                           fj工作报告\n"
        "广东省       440000       2020  5000        元    全年                           gd工作报告\n"
    )


def test_compare_all_figures_as_csv(db: Path) -> None:
    res = invoke("compare", "--metric", "fines_confiscations", "--region", "福建", "--all-figures", "--format", "csv",
                 "--db", str(db))
    lines = res.stdout.splitlines()
    assert lines[0].split(",")[:6] == ["region_code", "region_name", "region_level", "year", "metric", "value"]
    assert [line.split(",")[5] for line in lines[1:]] == ["23544800.5", "100.0"]


def test_compare_errors_say_what_to_do(db: Path, tmp_path: Path) -> None:
    res = invoke("compare", "--metric", "parking", "--db", str(db))
    assert res.exit_code == 2
    assert res.stderr.startswith("regmetrics: unknown metric 'parking': known metrics are cases, complaints, ")
    res = invoke("compare", "--metric", "complaints", "--db", str(tmp_path / "none.duckdb"))
    assert res.exit_code == 2
    assert res.stderr == (f"regmetrics: no database at {tmp_path / 'none.duckdb'}: "
                          "run `make ingest` (or `regmetrics ingest`) first\n")
    res = invoke("compare", "--metric", "fines_confiscations", "--year", "2020", "--level", "county", "--db", str(db))
    assert res.exit_code == 0 and res.stdout == ""
    assert res.stderr.startswith("regmetrics: no figures of fines_confiscations for these years and regions: "
                                 "try --level all")
    res = invoke("compare", "--metric", "complaints", "--year", "1990", "--db", str(db))
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr == "regmetrics: no figures of complaints in 1990: years with complaints figures are none\n"


def test_query_is_read_only(db: Path) -> None:
    res = invoke("query", "SELECT metric, count(*) AS n FROM figures GROUP BY ALL", "--db", str(db))
    assert res.stdout == "metric               n\n-------------------  -\nfines_confiscations  3\n"
    res = invoke("query", "DELETE FROM figures", "--db", str(db))
    assert res.exit_code == 2
    assert res.stderr.startswith("regmetrics: query failed: ") and res.stderr.endswith(
        "the database is opened read-only: change data through regmetrics ingest and data/corrections.csv\n")
    res = invoke("query", "SELECT * FROM nonsense", "--db", str(db))
    assert res.exit_code == 2 and "tables: documents, figures, figures_all" in res.stderr
    assert invoke("query", "SELECT count(*) AS n FROM figures", "--db", str(db)).stdout.endswith("3\n")


def test_figures_lists_correction_keys(db: Path) -> None:
    res = invoke("figures", "--doc", "fj.txt", "--db", str(db))
    text = (db.parent / "raw" / "fj.txt").read_text(encoding="utf-8")
    token = "23544800.5元"
    start = text.index(token)
    assert res.exit_code == 0
    assert res.stdout.splitlines()[2].startswith(f"fines_confiscations@{start}-{start + len(token)}  fines_confiscations  23544800.5")
    res = invoke("figures", "--doc", "missing.txt", "--db", str(db))
    assert res.exit_code == 2
    assert res.stderr == ("regmetrics: document 'missing.txt' is not in the database: "
                          "run `regmetrics ingest missing.txt` first\n")


def test_export_reports_what_it_wrote(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "pq"
    res = invoke("export", "--parquet", str(out), "--db", str(db))
    assert res.exit_code == 0 and res.stdout == f"wrote 3 figures in 2 parquet files under {out}\n"
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("x")
    res = invoke("export", "--parquet", str(tmp_path / "busy"), "--db", str(db))
    assert res.exit_code == 2 and "is not an earlier regmetrics export" in res.stderr


@pytest.mark.slow
def test_ingest_with_a_corrupt_file_reports_it_and_exits_1(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("gwr2025-广东.txt", "crud-3-2-111.txt"):
        shutil.copy(ROOT / "data" / "raw" / name, raw / name)
    (raw / "broken.pdf").write_bytes(b"not a pdf at all")
    db = tmp_path / "processed" / "regmetrics.duckdb"
    res = invoke("ingest", str(raw), "--db", str(db), "--workers", "2")
    assert res.exit_code == 1
    assert res.stderr.splitlines()[0] == f"regmetrics: cannot read {raw / 'broken.pdf'}: corrupt PDF: no %PDF header: fetch the file again"
    assert res.stderr.splitlines()[-1] == ("regmetrics: 1 of 3 files could not be read (listed above); "
                                           "the others were published")
    assert res.stdout.startswith(f"published {db}: 2 added, 0 replaced, 0 renamed, 0 pruned, 0 unchanged; 2 documents, ")
    again = invoke("ingest", str(raw / "gwr2025-广东.txt"), str(raw / "crud-3-2-111.txt"), "--db", str(db))
    assert again.exit_code == 0
    assert again.stdout.startswith(f"nothing changed in {db}: 0 added, 0 replaced, 0 renamed, 0 pruned, 2 unchanged")


def test_ingest_without_documents_says_where_it_looked(tmp_path: Path) -> None:
    res = invoke("ingest", str(tmp_path), "--db", str(tmp_path / "r.duckdb"))
    assert res.exit_code == 2
    assert res.stderr == (f"regmetrics: no documents in {tmp_path}: give files or folders holding "
                          ".txt, .html, .htm, .pdf, .docx files\n")
    assert not (tmp_path / "r.duckdb").exists()


@pytest.mark.parametrize("command", ["ingest", "figures", "query", "compare", "export"])
def test_help_ends_with_an_example(command: str) -> None:
    res = invoke(command, "--help")
    epilog = res.stdout.split("Options:", 1)[1].split("\n\n", 1)[1]
    assert epilog.lstrip().startswith("Example")
    assert f"  regmetrics {command}" in epilog
