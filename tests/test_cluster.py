"""Extraction on a Dask LocalCluster (2 worker processes): the same database as the local process pool,
the Parquet route, progress and failure reporting. Slow (a cluster starts), and run in CI."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import dask
import duckdb
import pytest
from store_fakes import dying_extract, published_contents

from metrics import cluster, ingest
from metrics.cli import expand_paths
from metrics.dataset import DOCUMENTS, FIGURES, ingest_parquet, read_marker
from metrics.paths import RAW_DIR

pytestmark = pytest.mark.slow

REGMETRICS = Path(sys.executable).with_name("regmetrics")
SAMPLES = expand_paths([str(RAW_DIR)])
N_PARTS = len(cluster.partitions(SAMPLES, 2))  # 2 worker threads; the sizes are test_dataset's business


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    # A task whose worker dies fails at once instead of being retried on the other worker.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), cluster.connect("local:2") as c:
        yield c


@pytest.fixture(scope="module")
def pool_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """data/raw ingested by the local process pool (2 workers): what every cluster run must equal."""
    db = tmp_path_factory.mktemp("pool") / "regmetrics.duckdb"
    res = ingest.ingest(SAMPLES, db, workers=2, progress=False)
    assert res.published and not res.failures and res.n_figures > 100
    return db


def test_dask_ingest_publishes_the_pools_database(client, pool_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from distributed import get_task_stream

    db = tmp_path / "regmetrics.duckdb"
    with get_task_stream(client) as stream:
        res = ingest.ingest(SAMPLES, db, runner=cluster.DaskRunner(client, progress=False))
    assert (res.added, res.n_documents, res.failures) == (len(SAMPLES), len(SAMPLES), [])
    assert published_contents(db) == published_contents(pool_db)
    # coarse partitions (91 documents: 8 tasks of at most 12), one task each, spread over both worker processes
    tasks = [t for t in stream.data if t["key"].startswith("extract_partition")]
    assert len(tasks) == N_PARTS
    assert len({t["worker"] for t in tasks}) == 2
    again = ingest.ingest(SAMPLES, db, runner=cluster.DaskRunner(client, progress=False))
    assert (again.unchanged, again.published) == (len(SAMPLES), False)


def test_cli_ingest_dask_local_matches_the_plain_ingest(pool_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    res = subprocess.run([str(REGMETRICS), "ingest", "--dask", "local:2", "--db", str(db), str(RAW_DIR)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert res.returncode == 0, res.stderr
    n = len(SAMPLES)
    counts = published_contents(pool_db)
    assert res.stdout.startswith(f"published {db}: {n} added, 0 replaced, 0 renamed, 0 pruned, 0 unchanged; "
                                 f"{n} documents, {len(counts['figures'])} figures")
    assert res.stderr.startswith("regmetrics: Dask cluster at tcp://127.0.0.1:")
    assert ": 2 workers, 2 threads; dashboard http://" in res.stderr.splitlines()[0]
    assert published_contents(db) == counts


def test_a_worker_of_another_extractor_fails_its_partition_by_name(client) -> None:  # type: ignore[no-untyped-def]
    version = ingest.extractor_version()
    files = SAMPLES[:12]
    jobs = [(str(f), f.name, "", "0.0.0+other" if i < 4 else version, None) for i, f in enumerate(files)]
    failed: list[tuple[int, int, list[str], str]] = []
    runner = cluster.DaskRunner(client, partition_size=4, progress=False,
                                on_partition_error=lambda *a: failed.append(a))
    out = {disp: (doc, error) for disp, doc, _, error in runner(jobs)}
    names = [f.name for f in files]
    assert sorted(out) == sorted(names)
    assert [(i, n, docs) for i, n, docs, _ in failed] == [(0, 3, names[:4])]
    assert "WorkerMismatch: worker" in failed[0][3] and "install the same regmetrics on every worker" in failed[0][3]
    for name in names[:4]:
        assert out[name][0] is None and out[name][1].startswith("partition 1 of 3 failed: WorkerMismatch")
    assert all(out[name][0] is not None and out[name][0]["extractor_version"] == version for name in names[4:])
    line = cluster.partition_error_line(*failed[0])
    assert line.startswith(f"partition 1 of 3 (4 documents: {names[0]}, {names[1]}, {names[2]} … {names[3]}) failed: ")


def test_a_dead_worker_fails_only_its_partition_and_the_rest_is_published(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    docs = tmp_path / "docs"
    docs.mkdir()
    files = []
    for i, src in enumerate(SAMPLES[:6]):
        target = docs / (f"die{i}.txt" if i == 5 else src.name)
        target.write_bytes(src.read_bytes())
        files.append(target)
    failed: list[tuple[int, int, list[str], str]] = []
    runner = cluster.DaskRunner(client, partition_size=2, progress=False, on_partition_error=lambda *a: failed.append(a))
    res = ingest.ingest(files, tmp_path / "r.duckdb", extractor=dying_extract, runner=runner)
    dead = sorted(str(f.resolve()) for f in files if f.name in {files[4].name, "die5.txt"})
    assert [(i, n) for i, n, _, _ in failed] == [(2, 3)] and sorted(failed[0][2]) == dead
    assert "its worker died while extracting it (KilledWorker" in failed[0][3]
    assert sorted(p for p, _ in res.failures) == dead
    assert (res.added, res.n_documents, res.published) == (4, 4, True)
    client.wait_for_workers(2, timeout=60)  # the nanny restarts the worker for the next test


def test_extract_to_parquet_on_the_cluster_round_trips(client, pool_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "dataset"
    res = cluster.extract_to_parquet(SAMPLES, str(out), client=client, progress=False)
    assert (res.n_documents, res.n_partitions, res.failures) == (len(SAMPLES), N_PARTS, [])
    marker = read_marker(str(out))
    assert (marker["documents"], marker["figures"], marker["failed"]) == (len(SAMPLES), res.n_figures, [])
    folders = {p.parent.relative_to(out / FIGURES).as_posix() for p in (out / FIGURES).rglob("*.parquet")}
    assert all(f.startswith("year=") and "/region_code=" in f for f in folders)
    assert sorted(p.name for p in (out / DOCUMENTS).iterdir()) == [f"part-{i:05d}.parquet" for i in range(N_PARTS)]
    con = duckdb.connect(":memory:")
    n = con.execute("SELECT count(*) FROM read_parquet(?, hive_partitioning = false)",
                    [f"{out}/{FIGURES}/**/*.parquet"]).fetchone()[0]
    assert n == res.n_figures == len(published_contents(pool_db)["figures_raw"])
    db = tmp_path / "from-parquet.duckdb"
    loaded = ingest_parquet(str(out), db)
    assert (loaded.added, loaded.failures, loaded.warnings) == (len(SAMPLES), [], [])
    assert published_contents(db) == published_contents(pool_db)
    assert not list(tmp_path.glob(".dataset.*"))


def test_the_size_budget_holds_on_the_cluster(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "big.txt"
    big.write_text("2021年1月5日\n2020年，浙江省市场监管局共受理投诉举报1200件。\n" + "说明" * 200_000, encoding="utf-8")
    reason = "1.2 MB is over the size budget of 1 MB: raise --max-mb to extract it"
    files = [*SAMPLES[:4], big]
    res = ingest.ingest(files, tmp_path / "r.duckdb", runner=cluster.DaskRunner(client, progress=False), max_mb=1)
    assert (res.added, res.failures, res.over_budget) == (4, [], [(str(big), reason)])
    with duckdb.connect(str(tmp_path / "r.duckdb"), read_only=True) as con:
        assert con.execute("SELECT path, max_seconds, max_mb FROM unextracted").fetchall() == [(str(big), None, 1.0)]
    out = tmp_path / "dataset"
    written = cluster.extract_to_parquet(files, str(out), client=client, progress=False, max_mb=1)
    assert (written.n_documents, written.over_budget) == (4, [(str(big), reason)])
    loaded = ingest_parquet(str(out), tmp_path / "p.duckdb")
    assert (loaded.added, loaded.over_budget) == (4, [(str(big), reason)])


def test_cli_names_an_unreachable_scheduler_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = subprocess.run([str(REGMETRICS), "ingest", "--dask", f"tcp://127.0.0.1:{port}", "--db",
                          str(tmp_path / "r.duckdb"), str(RAW_DIR)], capture_output=True, text=True, timeout=120,
                         check=False)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert res.stderr.startswith(f"regmetrics: cannot reach the Dask scheduler at tcp://127.0.0.1:{port} (")
    assert res.stderr.rstrip().endswith(f"start it with `dask scheduler` and workers with `dask worker "
                                        f"tcp://127.0.0.1:{port}`, or use --dask local")
    assert not (tmp_path / "r.duckdb").exists()
