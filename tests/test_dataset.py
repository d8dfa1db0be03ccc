"""The Parquet dataset route without a cluster (partitions run in this process): layout, round trip into
the database, failures and the size budget in the marker, safe replacement, fsspec URLs; --dask parsing
and partition sizes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import fsspec
import polars as pl
import pyarrow.dataset as ds
import pytest
from click.testing import CliRunner
from store_fakes import published_contents, two_province_db

from metrics import cluster, ingest, query
from metrics.cli import expand_paths, main
from metrics.dataset import DOCUMENTS, FIGURES, DatasetError, ingest_parquet, read_marker
from metrics.export import EXPORT_TYPES, MARKER, export_parquet
from metrics.paths import RAW_DIR
from metrics.store import display_path

FEW = expand_paths([str(RAW_DIR)])[:9]


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def direct_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FEW ingested directly (one process): what the dataset route must reproduce."""
    db = tmp_path_factory.mktemp("direct") / "regmetrics.duckdb"
    ingest.ingest(FEW, db, workers=1, progress=False)
    return db


def test_dataset_layout_is_the_exports_and_round_trips(direct_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    res = cluster.extract_to_parquet(FEW, str(out), partition_size=4, progress=False)
    assert (res.n_inputs, res.n_documents, res.n_partitions, res.failures) == (9, 9, 3, [])
    # figures: hive folders year=Y/region_code=C holding the export's columns and types
    figures = ds.dataset(out / FIGURES, format="parquet", partitioning=None).to_table()
    assert figures.column_names == list(EXPORT_TYPES) and figures.num_rows == res.n_figures
    assert str(figures.schema.field("value").type) == "decimal128(38, 6)"
    for f in (out / FIGURES).rglob("*.parquet"):
        year, code = f.parent.parent.name, f.parent.name
        assert year.startswith("year=") and code.startswith("region_code=") and f.name.startswith("part-0000")
    exported = tmp_path / "export"
    export_parquet(exported, direct_db)
    assert pl.scan_parquet(f"{exported}/**/*.parquet", hive_partitioning=False).collect_schema() == \
        pl.scan_parquet(out / FIGURES, hive_partitioning=False).collect_schema()  # a folder of parquet files only
    assert sorted(p.name for p in (out / DOCUMENTS).iterdir()) == ["part-00000.parquet", "part-00001.parquet",
                                                                   "part-00002.parquet"]
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert (marker["kind"], marker["documents"], marker["figures"], marker["partitions"]) == ("extract", 9, res.n_figures, 3)
    assert marker["extractor_version"] == ingest.extractor_version()
    db = tmp_path / "loaded.duckdb"
    loaded = ingest_parquet(str(out), db)
    assert (loaded.added, loaded.published, loaded.warnings) == (9, True, [])
    assert published_contents(db) == published_contents(direct_db)
    again = ingest_parquet(str(out), db)
    assert (again.unchanged, again.added, again.published) == (9, 0, False)


def test_an_unreadable_file_is_listed_in_the_marker_and_the_rest_written(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"not a pdf at all")
    seen: list[tuple[str, str]] = []
    out = tmp_path / "ds"
    res = cluster.extract_to_parquet([*FEW[:3], bad], str(out), progress=False, on_error=lambda p, r: seen.append((p, r)))
    reason = "corrupt PDF: no %PDF header: fetch the file again"
    assert res.failures == seen == [(display_path(bad), reason)]
    assert read_marker(str(out))["failed"] == [{"path": display_path(bad), "reason": reason}]
    assert res.n_documents == 3
    loaded = ingest_parquet(str(out), tmp_path / "r.duckdb")
    assert loaded.added == 3
    assert loaded.warnings == [f"1 documents failed at extraction and are not in {out} (listed under 'failed' in "
                               f"{out}/{MARKER})"]


def test_replaces_an_earlier_dataset_never_a_foreign_folder(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    cluster.extract_to_parquet(FEW[:3], str(out), progress=False)
    cluster.extract_to_parquet(FEW[:1], str(out), progress=False)
    assert read_marker(str(out))["documents"] == 1
    assert len(list((out / DOCUMENTS).iterdir())) == 1
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(DatasetError, match="exists and is not an earlier regmetrics dataset: choose a new or empty"):
        cluster.extract_to_parquet(FEW[:1], str(mine), progress=False)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds", "mine"]  # no staging left behind


def test_from_parquet_refuses_an_export_and_a_plain_folder(tmp_path: Path) -> None:
    exported = tmp_path / "export"
    export_parquet(exported, two_province_db(tmp_path))
    with pytest.raises(DatasetError, match="is an export of a database .figures only, no documents., not an extract"):
        ingest_parquet(str(exported), tmp_path / "r.duckdb")
    res = invoke("ingest", "--from-parquet", str(tmp_path / "raw"), "--db", str(tmp_path / "r.duckdb"))
    assert res.exit_code == 2
    assert res.stderr == (f"regmetrics: {tmp_path / 'raw'} is not a regmetrics dataset (no {MARKER}): write one "
                          "with `regmetrics extract --parquet OUT PATH...`\n")
    both = invoke("ingest", str(RAW_DIR), "--from-parquet", str(exported))
    assert both.exit_code == 2 and "not both" in both.stderr
    pool = invoke("ingest", "--dask", "local", "--workers", "2", str(RAW_DIR))
    assert pool.exit_code == 2 and pool.stderr.startswith("regmetrics: --workers sizes the local process pool")


def test_documents_by_file_url_and_a_dataset_on_another_file_system(direct_db: Path, tmp_path: Path) -> None:
    urls = [f"file://{p.resolve()}" for p in FEW]
    assert expand_paths([f"file://{RAW_DIR}"])[:9] == urls
    out = "memory://regmetrics-test/ds"
    res = cluster.extract_to_parquet(urls, out, progress=False)
    assert (res.n_documents, res.failures) == (9, [])
    fs = fsspec.filesystem("memory")
    assert fs.exists(f"/regmetrics-test/ds/{MARKER}") and fs.find("/regmetrics-test/ds/figures")
    db = tmp_path / "r.duckdb"
    ingest_parquet(out, db)
    got, want = published_contents(db), published_contents(direct_db)
    assert sorted(d[1] for d in got["documents"]) == urls  # stored path: the URL
    assert [d[:1] + d[2:] for d in got["documents"]] == [d[:1] + d[2:] for d in want["documents"]]
    assert got["figures_raw"] == want["figures_raw"]
    fs.rm("/regmetrics-test", recursive=True)


def test_cli_extract_parquet_without_a_cluster(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    res = invoke("extract", "--parquet", str(out), *map(str, FEW[:3]))
    assert res.exit_code == 0, res.stderr
    marker = read_marker(str(out))
    assert res.stdout == (f"wrote {marker['figures']} figures of 3 documents in {marker['files']} parquet files "
                          f"under {out} (1 partitions)\n")
    lone = invoke("extract", "--dask", "local", str(FEW[0]))
    assert (lone.exit_code, lone.stderr) == (2, "regmetrics: --dask writes a Parquet dataset: give --parquet OUT "
                                                "(or use regmetrics ingest --dask)\n")


def test_a_url_without_its_backend_is_one_line() -> None:
    res = invoke("extract", "nosuchscheme://bucket/reports/")
    assert res.exit_code == 2
    assert res.stderr.startswith("regmetrics: fsspec cannot open nosuchscheme:// URLs (") and res.stderr.count("\n") == 1


@pytest.mark.parametrize(("spec", "parsed"), [("local", ("local", None)), ("local:3", ("local", 3)),
                                              ("tcp://10.0.0.5:8786", ("tcp://10.0.0.5:8786", None)),
                                              ("tls://sched:8786", ("tls://sched:8786", None))])
def test_dask_spec(spec: str, parsed: tuple[str, int | None]) -> None:
    assert cluster.parse_spec(spec) == parsed


@pytest.mark.parametrize("spec", ["local:0", "local:two", "10.0.0.5:8786", "http://sched:8786", "tcp://"])
def test_bad_dask_spec_says_what_to_give(spec: str) -> None:
    with pytest.raises(cluster.ClusterError, match=f"--dask {spec}: "):
        cluster.parse_spec(spec)
    res = invoke("ingest", "--dask", spec, "--db", "/nonexistent/x.duckdb", str(FEW[0]))
    assert res.exit_code == 2 and res.stderr.startswith(f"regmetrics: --dask {spec}: ") and res.stderr.count("\n") == 1


def test_partitions_hold_many_documents_each() -> None:
    assert [len(p) for p in cluster.partitions(list(range(43)), 2)] == [8, 8, 8, 8, 8, 3]
    assert [len(p) for p in cluster.partitions(list(range(60_000)), 2)] == [1000] * 60
    assert [len(p) for p in cluster.partitions(list(range(10_000)), 16)] == [157] * 63 + [109]
    assert [len(p) for p in cluster.partitions(list(range(5)), 2, size=2)] == [2, 2, 1]
    assert sum(cluster.partitions(list(range(43)), 2), []) == list(range(43))


def test_the_size_budget_holds_on_the_dataset_route(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("2021年1月5日\n2020年，浙江省市场监管局共受理投诉举报1200件。\n" + "说明" * 200_000, encoding="utf-8")
    disp = display_path(big)
    reason = "1.2 MB is over the size budget of 1 MB: raise --max-mb to extract it"
    seen: list[tuple[str, str]] = []
    out = tmp_path / "ds"
    res = cluster.extract_to_parquet([*FEW[:2], big], str(out), progress=False, max_mb=1,
                                     on_over_budget=lambda p, r: seen.append((p, r)))
    assert res.over_budget == seen == [(disp, reason)]
    assert (res.n_inputs, res.n_documents, res.failures) == (3, 2, [])
    marker = read_marker(str(out))
    assert marker["budget"] == {"max_seconds": None, "max_mb": 1}
    assert marker["over_budget"] == [{"path": disp, "id": hashlib.sha256(big.read_bytes()).hexdigest(),
                                      "reason": reason, "n_bytes": big.stat().st_size,
                                      "extractor_version": ingest.extractor_version()}]
    db = tmp_path / "r.duckdb"
    loaded = ingest_parquet(str(out), db, on_over_budget=lambda p, r: seen.append((p, r)))
    assert (loaded.added, loaded.n_inputs, loaded.over_budget, loaded.published) == (2, 3, [(disp, reason)], True)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT path, reason, max_seconds, max_mb FROM unextracted").fetchall() == [
            (disp, reason, None, 1.0)]
    cov = query.coverage(db=db)
    assert cov.filter(cov["period_kind"] == "not_extracted")["doc_path"].to_list() == [disp]
    again = ingest_parquet(str(out), db)
    assert (again.unchanged, again.published, again.over_budget) == (3, False, [(disp, reason + " (recorded earlier)")])
    # a plain ingest with a larger budget extracts it and drops the record
    done = ingest.ingest([*FEW[:2], big], db, workers=1, progress=False, max_mb=2)
    assert (done.added, done.unchanged, done.over_budget) == (1, 2, [])
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM unextracted").fetchone() == (0,)


def test_cli_budget_options_on_the_dataset_and_dask_routes(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("数据" * 400_000, encoding="utf-8")
    out = tmp_path / "ds"
    res = invoke("extract", "--parquet", str(out), "--max-mb", "1", str(FEW[0]), str(big))
    assert res.exit_code == 1
    assert res.stderr == (f"regmetrics: not extracted {display_path(big)}: 2.4 MB is over the size budget of 1 MB: "
                          "raise --max-mb to extract it\n"
                          "regmetrics: 1 of 2 files could not be extracted or were over budget (listed above and in "
                          "the dataset's _regmetrics_export.json); the others were written\n")
    db = tmp_path / "r.duckdb"
    loaded = invoke("ingest", "--from-parquet", str(out), "--db", str(db), "--corrections", str(tmp_path / "no.csv"))
    assert loaded.exit_code == 1
    assert loaded.stderr.startswith(f"regmetrics: not extracted {display_path(big)}: 2.4 MB is over")
    assert loaded.stderr.endswith("regmetrics: 1 of 2 files could not be read or were over budget (listed above); "
                                  "the others were published\n")
    refused = {
        ("extract", "--max-mb", "1", str(FEW[0])):
            "--max-mb is the size budget of a dataset (--parquet OUT) or of regmetrics ingest; extract to stdout "
            "reads every file",
        ("ingest", "--from-parquet", str(out), "--max-mb", "1", "--db", str(db)):
            "the budget applies when documents are extracted: give --max-mb to extract --parquet, not to ingest "
            "--from-parquet",
        ("ingest", "--dask", "local:1", "--max-seconds", "5", "--db", str(db), str(FEW[0])):
            "--max-seconds is the local process pool's time budget (it stops a worker); a Dask cluster does not "
            "apply it: drop it, or leave out --dask",
    }
    for args, why in refused.items():
        got = invoke(*args)
        assert (got.exit_code, got.stderr) == (2, f"regmetrics: {why}\n"), args
