"""Ingest: idempotence, replacing changed files, prune, failures, the lock and the atomic swap."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from store_fakes import fake_extract, write_report

from metrics import ingest as ingest_mod
from metrics import query, store
from metrics.cli import expand_paths
from metrics.ingest import IngestBusy, ingest, ingest_lock, staging_path

ROOT = Path(__file__).resolve().parents[1]
REGMETRICS = Path(sys.executable).with_name("regmetrics")
BIG = 1500  # documents in the generated corpus: enough for an ingest to run for several seconds


def crashing_extract(path: Path) -> object:
    """fake_extract, except that a file named boom* makes the extractor raise."""
    if path.name.startswith("boom"):
        raise RuntimeError("regex exploded")
    return fake_extract(path)


def slow_extract(path: Path) -> object:
    """fake_extract, except that a file named slow* never finishes and one named die* kills its process."""
    if path.name.startswith("slow"):
        while True:
            time.sleep(1)
    if path.name.startswith("die"):
        os.kill(os.getpid(), signal.SIGKILL)
    return fake_extract(path)


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    d = tmp_path / "raw"
    d.mkdir()
    return {
        "fj": write_report(d / "fj2020.txt", "2021-02-01", "2020年全年，福建省罚没款23544800.5元。",
                           "2020年1-8月，福建省罚没款100元。"),
        "gd": write_report(d / "gd2020.txt", "2021-03-01", "2020年，广东省罚没款5000元。",
                           "2020年，广东省受理投诉77件（食品）。"),
        "zj": write_report(d / "zj2021.txt", "2022-01-20", "2021年，浙江省受理投诉81234件。"),
    }


def run(files: list[Path], db: Path, **kw: object) -> ingest_mod.IngestResult:
    kw.setdefault("workers", 1)
    kw.setdefault("extractor", fake_extract)
    kw.setdefault("corrections", db.parent / "no-corrections.csv")
    return ingest(files, db, **kw)  # type: ignore[arg-type]


def rows(db: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    con = store.connect_readonly(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_first_ingest_loads_documents_figures_and_reference(corpus: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "db" / "regmetrics.duckdb"
    res = run(list(corpus.values()), db)
    assert (res.added, res.replaced, res.unchanged, res.published) == (3, 0, 0, True)
    assert (res.n_documents, res.n_figures) == (3, 5)
    docs = rows(db, "SELECT name, title, published_on, n_figures, length(text) = n_chars FROM documents ORDER BY name")
    assert [(d[0], d[3], d[4]) for d in docs] == [("fj2020.txt", 2, True), ("gd2020.txt", 2, True),
                                                 ("zj2021.txt", 1, True)]
    assert docs[0][1] == "fj2020工作报告" and str(docs[0][2]) == "2021-02-01"
    # provenance: stored offsets point into the stored text
    for text, token, start, end, quote, q_start, q_end in rows(
            db, "SELECT d.text, f.token, f.char_start, f.char_end, f.quote, f.sentence_start, f.sentence_end "
                "FROM figures f JOIN documents d ON d.id = f.doc_id"):
        assert text[start:end] == token and text[q_start:q_end] == quote
    assert rows(db, "SELECT value FROM figures WHERE region_code = '350000' AND period_kind = 'year'") == [
        (Decimal("23544800.5"),)]
    assert rows(db, "SELECT name FROM regions WHERE code = '440000'") == [("广东省",)]
    assert rows(db, "SELECT unit FROM metrics WHERE id = 'complaints'") == [("件",)]
    assert (db.parent / ".regmetrics.lock").exists()
    assert not staging_path(db).exists()


def test_second_ingest_changes_nothing(corpus: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "regmetrics.duckdb"
    run(list(corpus.values()), db)
    before = sha(db)
    figs = rows(db, "SELECT * FROM figures ORDER BY doc_id, figure_key")
    res = run(list(corpus.values()), db)
    assert (res.unchanged, res.added, res.replaced, res.published) == (3, 0, 0, False)
    assert sha(db) == before
    assert rows(db, "SELECT * FROM figures ORDER BY doc_id, figure_key") == figs


def test_changed_file_replaces_only_its_figures(corpus: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "regmetrics.duckdb"
    run(list(corpus.values()), db)
    stamp = rows(db, "SELECT path, ingested_at FROM documents WHERE name <> 'fj2020.txt' ORDER BY path")
    write_report(corpus["fj"], "2021-02-02", "2020年全年，福建省罚没款999元。")
    res = run(list(corpus.values()), db)
    assert (res.replaced, res.unchanged, res.added) == (1, 2, 0)
    assert rows(db, "SELECT value, period_kind FROM figures_all WHERE doc_path LIKE '%fj2020.txt'") == [
        (Decimal(999), "year")]
    assert rows(db, "SELECT count(*) FROM documents") == [(3,)]
    assert rows(db, "SELECT path, ingested_at FROM documents WHERE name <> 'fj2020.txt' ORDER BY path") == stamp
    assert query.compare("fines_confiscations", regions="福建", db=db)["value"].to_list() == [999.0]


def test_missing_file_stays_unless_prune(corpus: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "regmetrics.duckdb"
    run(list(corpus.values()), db)
    corpus["zj"].unlink()
    rest = [corpus["fj"], corpus["gd"]]
    res = run(rest, db)
    assert (res.pruned, res.published, res.n_documents) == (0, False, 3)
    res = run(rest, db, prune=True)
    assert (res.pruned, res.published, res.n_documents) == (1, True, 2)
    assert rows(db, "SELECT count(*) FROM figures WHERE metric = 'complaints' AND region_code = '330000'") == [(0,)]


def test_renamed_file_keeps_one_copy_and_duplicate_is_skipped(corpus: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "regmetrics.duckdb"
    run(list(corpus.values()), db)
    moved = corpus["gd"].with_name("gd-renamed.txt")
    corpus["gd"].rename(moved)
    res = run([corpus["fj"], moved, corpus["zj"]], db)
    assert (res.renamed, res.added, res.n_documents) == (1, 0, 3)
    assert rows(db, "SELECT name FROM documents WHERE name LIKE 'gd%'") == [("gd-renamed.txt",)]
    copy = moved.with_name("gd-copy.txt")
    copy.write_bytes(moved.read_bytes())
    res = run([corpus["fj"], moved, corpus["zj"], copy], db)
    assert res.duplicates == [(store.display_path(copy), store.display_path(moved))]
    assert res.n_documents == 3


def test_unreadable_file_is_reported_and_the_rest_published(corpus: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "regmetrics.duckdb"
    bad = corpus["fj"].with_name("broken.pdf")
    bad.write_bytes(b"\x00garbage" * 50)
    boom = write_report(corpus["fj"].with_name("boom.txt"), "2021-01-01", "2020年，福建省罚没款1元。")
    seen: list[tuple[str, str]] = []
    res = run([*corpus.values(), bad, boom, tmp_path / "absent.txt"], db, extractor=crashing_extract,
              on_error=lambda p, why: seen.append((p, why)))
    reasons = dict(res.failures)
    assert seen == res.failures and len(reasons) == 3
    assert reasons[store.display_path(bad)] == "corrupt PDF: no %PDF header: fetch the file again"
    assert reasons[store.display_path(boom)] == "extraction failed: RuntimeError: regex exploded"
    assert "No such file" in reasons[store.display_path(tmp_path / "absent.txt")]
    assert (res.added, res.published, res.n_documents) == (3, True, 3)


def test_two_workers_give_the_same_database_content(corpus: dict[str, Path], tmp_path: Path) -> None:
    one, two = tmp_path / "one" / "r.duckdb", tmp_path / "two" / "r.duckdb"
    run(list(corpus.values()), one, workers=1)
    run(list(corpus.values()), two, workers=2)
    sql = "SELECT * EXCLUDE (doc_id) FROM figures ORDER BY doc, figure_key"
    assert rows(one, sql) == rows(two, sql) and len(rows(one, sql)) == 5


def test_second_ingest_is_refused_while_one_holds_the_lock(corpus: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "regmetrics.duckdb"
    with ingest_lock(db), pytest.raises(IngestBusy, match=r"another ingest is running on .*: wait for it to finish"):
        run(list(corpus.values()), db)
    assert not db.exists()
    assert run(list(corpus.values()), db).published


def test_reader_keeps_its_snapshot_and_a_new_connection_sees_the_new_data(
        corpus: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "regmetrics.duckdb"
    run(list(corpus.values()), db)
    reader = query.connect(db)
    try:
        assert query.compare("fines_confiscations", regions="350000", db=reader)["value"].to_list() == [23544800.5]
        write_report(corpus["fj"], "2021-02-02", "2020年全年，福建省罚没款42元。")
        assert run(list(corpus.values()), db).published
        assert query.compare("fines_confiscations", regions="350000", db=reader)["value"].to_list() == [23544800.5]
        assert query.compare("fines_confiscations", regions="350000", db=db)["value"].to_list() == [42.0]
    finally:
        reader.close()


def test_staging_leftover_from_a_crash_does_not_break_the_next_run(corpus: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "regmetrics.duckdb"
    staging = staging_path(db)
    staging.write_bytes(b"half-written database from a killed run")
    assert run(list(corpus.values()), db).published
    assert not staging.exists()
    assert rows(db, "SELECT count(*) FROM documents") == [(3,)]


def test_failed_publish_leaves_the_published_database(corpus: dict[str, Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "regmetrics.duckdb"
    run(list(corpus.values()), db)
    before = sha(db)

    def explode(con: duckdb.DuckDBPyConnection) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "refresh_headline", explode)
    write_report(corpus["fj"], "2021-02-02", "2020年全年，福建省罚没款1元。")
    with pytest.raises(RuntimeError, match="disk full"):
        run(list(corpus.values()), db)
    assert sha(db) == before and not staging_path(db).exists()


def test_older_schema_is_rebuilt_from_the_given_files(corpus: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "regmetrics.duckdb"
    run(list(corpus.values()), db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    con.close()
    res = run([corpus["fj"]], db)
    assert res.published and res.n_documents == 1
    assert "rebuilding it from the given files only" in res.warnings[0]
    assert rows(db, "SELECT value FROM meta WHERE key = 'schema_version'") == [(store.SCHEMA_VERSION,)]


# --- real subprocesses on a generated corpus -------------------------------------------------------------

def _bench_module() -> object:
    spec = importlib.util.spec_from_file_location("bench_store", ROOT / "bench" / "bench_store.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _cli(log: Path, *args: str) -> subprocess.Popen:
    """Start `regmetrics ARGS` with its output in a file (a pipe nobody reads would block it)."""
    with log.open("w") as out:
        return subprocess.Popen([str(REGMETRICS), *args], stdout=out, stderr=subprocess.STDOUT, text=True)


def _wait_for(cond: object, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        if proc.poll() is not None:
            pytest.fail(f"ingest ended (rc {proc.returncode}) before the moment the test waits for")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("timed out waiting for the ingest subprocess")
        time.sleep(0.001)


def _lock_held_by(db: Path, pid: int) -> bool:
    try:
        return (db.parent / ".regmetrics.lock").read_text().strip() == str(pid)
    except OSError:
        return False


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("big")
    _bench_module().make_corpus(ROOT / "data" / "raw", out, BIG)  # type: ignore[attr-defined]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["extracting", "publishing"])
def test_kill_9_mid_ingest_leaves_the_published_database(big_corpus: Path, tmp_path: Path, moment: str) -> None:
    db = tmp_path / "regmetrics.duckdb"
    first = subprocess.run([str(REGMETRICS), "ingest", str(ROOT / "data" / "raw"), "--db", str(db)],
                           capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    before = sha(db)
    n_before = rows(db, "SELECT count(*) FROM documents")[0][0]
    proc = _cli(tmp_path / "ingest.log", "ingest", str(big_corpus), "--db", str(db), "--workers", "2")
    if moment == "extracting":
        _wait_for(lambda: _lock_held_by(db, proc.pid), 60, proc)
        time.sleep(1.0)
    else:
        _wait_for(lambda: staging_path(db).exists(), 600, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert sha(db) == before
    assert rows(db, "SELECT count(*) FROM documents") == [(n_before,)]
    again = subprocess.run([str(REGMETRICS), "ingest", str(big_corpus), "--db", str(db), "--workers", "2"],
                           capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert not staging_path(db).exists()
    assert rows(db, "SELECT count(*) FROM documents")[0][0] == n_before + BIG


@pytest.mark.slow
def test_concurrent_cli_ingest_is_refused(big_corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "regmetrics.duckdb"
    proc = _cli(tmp_path / "ingest.log", "ingest", str(big_corpus), "--db", str(db), "--workers", "1")
    try:
        _wait_for(lambda: _lock_held_by(db, proc.pid), 60, proc)
        second = subprocess.run([str(REGMETRICS), "ingest", str(big_corpus), "--db", str(db)],
                                capture_output=True, text=True, check=False)
        assert second.returncode == 2
        assert second.stderr == (f"regmetrics: another ingest is running on {db.parent} "
                                 f"(lock {db.parent / '.regmetrics.lock'} is held): wait for it to finish\n")
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.slow
def test_end_to_end_from_empty_folder_to_compare(tmp_path: Path) -> None:
    db = tmp_path / "processed" / "regmetrics.duckdb"
    done = subprocess.run([str(REGMETRICS), "ingest", str(ROOT / "data" / "raw"), "--db", str(db)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    n_files = len(expand_paths([str(ROOT / "data" / "raw")]))
    assert rows(db, "SELECT count(*) FROM documents") == [(n_files,)]
    metric, n = rows(db, "SELECT metric, count(*) FROM headline GROUP BY metric ORDER BY 2 DESC, 1 LIMIT 1")[0]
    df = query.compare(metric, level=None, db=db)
    assert df.height == n > 0
    assert df.columns == list(query.COMPARE_COLUMNS)
    assert df.to_pandas().shape == (n, len(query.COMPARE_COLUMNS))
    # every figure's token and quote sit at their offsets in the stored text
    bad = rows(db, "SELECT f.figure_key FROM figures f JOIN documents d ON d.id = f.doc_id "
                   "WHERE substr(d.text, f.char_start + 1, f.char_end - f.char_start) <> f.token "
                   "OR substr(d.text, f.sentence_start + 1, f.sentence_end - f.sentence_start) <> f.quote")
    assert bad == []
    second = subprocess.run([str(REGMETRICS), "ingest", str(ROOT / "data" / "raw"), "--db", str(db)],
                            capture_output=True, text=True, check=False)
    assert second.returncode == 0
    assert second.stdout.startswith(f"nothing changed in {db}: 0 added, 0 replaced, 0 renamed, 0 pruned, "
                                    f"{n_files} unchanged;")


def test_write_ahead_log_of_a_crashed_writer_is_not_replayed_into_the_new_file(
        corpus: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "regmetrics.duckdb"
    run(list(corpus.values()), db)
    crash = ("import duckdb, os, sys; c = duckdb.connect(sys.argv[1]); c.execute(\"SET wal_autocheckpoint = '1TB'\"); "
             "c.execute(\"INSERT INTO meta VALUES ('note', 'written by a notebook')\"); os._exit(0)")
    subprocess.run([sys.executable, "-c", crash, str(db)], check=True)
    wal = db.with_name(db.name + ".wal")
    assert wal.exists()
    write_report(corpus["zj"], "2022-01-21", "2021年，浙江省受理投诉5件。")
    assert run(list(corpus.values()), db).published
    assert not wal.exists()
    assert rows(db, "SELECT value FROM figures WHERE region_code = '330000'") == [(Decimal(5),)]


def test_unwritable_database_folder_is_a_store_error(corpus: dict[str, Path], tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(store.StoreError, match="give a --db in a writable folder"):
        ingest(list(corpus.values()), blocker / "db" / "r.duckdb", workers=1, extractor=fake_extract,
               corrections=tmp_path / "none.csv")


# --- the per-document budget ------------------------------------------------------------------------

@pytest.mark.parametrize("workers", [1, 2])
def test_a_document_over_the_time_budget_is_stopped_recorded_and_the_rest_published(
        corpus: dict[str, Path], tmp_path: Path, workers: int) -> None:
    db = tmp_path / "regmetrics.duckdb"
    slow = write_report(corpus["fj"].with_name("slow.txt"), "2021-01-01", "2020年，福建省罚没款1元。")
    dies = write_report(corpus["fj"].with_name("die.txt"), "2021-01-01", "2020年，福建省罚没款2元。")
    seen: list[tuple[str, str]] = []
    t0 = time.monotonic()
    res = run([*corpus.values(), slow, dies], db, workers=workers, extractor=slow_extract, max_seconds=1.5,
              on_over_budget=lambda p, why: seen.append((p, why)))
    assert time.monotonic() - t0 < 30
    assert seen == res.over_budget == [(store.display_path(slow), "extraction ran past the time budget of 1.5 s "
                                        "and was stopped: raise --max-seconds to extract it")]
    assert res.failures == [(store.display_path(dies), "extraction failed: the extraction process was ended by SIGKILL")]
    assert (res.added, res.published, res.n_documents, res.n_figures) == (3, True, 3, 5)
    assert rows(db, "SELECT name, reason LIKE '%time budget of 1.5 s%', max_seconds FROM unextracted") == [
        ("slow.txt", True, 1.5)]
    cov = query.coverage(db=db)
    left = cov.filter(cov["period_kind"] == "not_extracted").to_dicts()
    assert [(r["doc_path"], r["metric"], r["n_figures"]) for r in left] == [(store.display_path(slow), None, 0)]
    assert cov.filter(cov["period_kind"] != "not_extracted")["n_figures"].sum() == 5


def test_a_file_over_the_size_budget_is_not_read_and_is_tried_again_with_a_larger_budget(
        corpus: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "regmetrics.duckdb"
    big = write_report(corpus["fj"].with_name("big.txt"), "2021-01-01", "2020年，福建省罚没款7元。",
                       "说明" * 200_000)  # 1.2 MB
    res = run([*corpus.values(), big], db, max_mb=1)
    assert res.over_budget == [(store.display_path(big),
                                "1.2 MB is over the size budget of 1 MB: raise --max-mb to extract it")]
    assert (res.n_documents, res.published) == (3, True)
    # unchanged and the same budget: not read again, still named, nothing to publish
    again = run([*corpus.values(), big], db, max_mb=1)
    assert (again.published, again.unchanged) == (False, 4)
    assert again.over_budget == [(store.display_path(big), res.over_budget[0][1] + " (recorded earlier)")]
    # a larger budget: extracted, and no longer recorded as left out
    done = run([*corpus.values(), big], db, max_mb=2)
    assert (done.added, done.over_budget, done.n_documents) == (1, [], 4)
    assert rows(db, "SELECT count(*) FROM unextracted") == [(0,)]
    assert rows(db, "SELECT value FROM figures WHERE doc = 'big.txt'") == [(Decimal(7),)]


def test_cli_names_each_file_over_budget_and_exits_1(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from metrics.cli import main

    d = tmp_path / "in"
    d.mkdir()
    (d / "ok.txt").write_text("2021年1月5日\n2020年，浙江省市场监管局共受理投诉举报1200件。\n", encoding="utf-8")
    (d / "huge.txt").write_text("数据" * 400_000, encoding="utf-8")
    db = tmp_path / "r.duckdb"
    res = CliRunner().invoke(main, ["ingest", str(d), "--db", str(db), "--max-mb", "1", "--workers", "1",
                                    "--corrections", str(tmp_path / "none.csv")])
    assert res.exit_code == 1
    assert f"regmetrics: not extracted {store.display_path(d / 'huge.txt')}: 2.4 MB is over the size budget " \
           "of 1 MB: raise --max-mb to extract it\n" in res.stderr
    assert res.stderr.endswith("regmetrics: 1 of 2 files could not be read or were over budget (listed above); "
                               "the others were published\n")
    assert rows(db, "SELECT count(*) FROM documents") == [(1,)]


def test_a_runner_gets_the_size_budget_and_its_files_are_recorded_as_the_pools_are(
        corpus: dict[str, Path], tmp_path: Path) -> None:
    db = tmp_path / "regmetrics.duckdb"
    big = write_report(corpus["fj"].with_name("big.txt"), "2021-01-01", "2020年，福建省罚没款7元。",
                       "说明" * 200_000)  # 1.2 MB
    given: list[str] = []

    def runner(jobs: list[ingest_mod.Job]) -> list[ingest_mod.JobResult]:
        """Runs the jobs here, as a cluster's tasks would: no worker to kill, so no time budget."""
        given.extend(job[1] for job in jobs)
        return [ingest_mod.extract_job(job) for job in jobs]

    seen: list[tuple[str, str]] = []
    res = run([*corpus.values(), big], db, runner=runner, max_mb=1, max_seconds=0.001,
              on_over_budget=lambda p, why: seen.append((p, why)))
    reason = "1.2 MB is over the size budget of 1 MB: raise --max-mb to extract it"
    assert seen == res.over_budget == [(store.display_path(big), reason)]
    assert store.display_path(big) not in given and len(given) == 3  # never sent to the runner
    assert (res.added, res.n_documents, res.failures) == (3, 3, [])  # 1 ms would stop every one in the pool
    assert rows(db, "SELECT name, reason, n_bytes > 1000000, max_seconds, max_mb FROM unextracted") == [
        ("big.txt", reason, True, None, 1.0)]
    # the record is the pool's: unchanged and the same budget, it is named again and not read
    again = run([*corpus.values(), big], db, max_mb=1)
    assert (again.published, again.unchanged, again.over_budget) == (False, 4, [(store.display_path(big),
                                                                                 reason + " (recorded earlier)")])
    done = run([*corpus.values(), big], db, runner=runner, max_mb=2)
    assert (done.added, done.over_budget) == (1, [])
    assert rows(db, "SELECT count(*) FROM unextracted") == [(0,)]
