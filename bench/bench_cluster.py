"""Ingest on a Dask LocalCluster vs the local process pool, on real news items read three times over.

The corpus (default /work/corpora/news20k, 20,000 CRUD-RAG news files; never committed) is copied three
times into a temporary folder, each copy with one line naming it so that every item is its own document:
60,000 documents. Timed, each from an empty database: `ingest` with the process pool (2 workers), the
same on a LocalCluster (2 worker processes, cluster start timed apart), `extract --parquet` on that
cluster, and `ingest --from-parquet` of the dataset. The pool's and the cluster's figures are compared
by digest. Run: .venv/bin/python bench/bench_cluster.py [--corpus DIR] [--copies 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from metrics import cluster, ingest
from metrics.cli import expand_paths
from metrics.dataset import ingest_parquet

NEWS = Path("/work/corpora/news20k")
OUT = Path(__file__).resolve().parent / "out"


def copies(corpus: Path, dest: Path, n: int) -> list[Path]:
    """`n` copies of every document of `corpus` under dest/copy{k}/, each ending in a line naming its copy."""
    files = expand_paths([str(corpus)])
    if not files:
        raise SystemExit(f"bench_cluster: no documents in {corpus}")
    out = []
    for k in range(n):
        folder = dest / f"copy{k + 1}"
        folder.mkdir(parents=True)
        for f in files:
            target = folder / f.name
            target.write_bytes(Path(f).read_bytes() + f"\n（第{k + 1}遍）\n".encode())
            out.append(target)
    return out


def digest(db: Path) -> tuple[int, str]:
    """(figures, md5 of every figures_raw row without the document id) of a database."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH ? AS db (READ_ONLY)", [str(db)])
        return con.execute("SELECT count(*), md5(string_agg(r, '|' ORDER BY r)) FROM "
                           "(SELECT CAST(f AS VARCHAR) AS r FROM db.figures_raw f)").fetchone()
    finally:
        con.close()


def timed(label: str, fn, n_docs: int, mb: float) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    res = fn()
    dt = time.perf_counter() - t0
    print(f"{label}: {dt:.1f} s = {n_docs / dt:,.0f} documents/s, {mb / dt:.1f} MB/s", flush=True)
    return dt, res


def main(corpus: Path | None = None, n_copies: int = 3, workers: int = 2) -> dict[str, object]:
    """Run the comparison; print one line per measurement and return the numbers."""
    corpus = corpus or NEWS
    work = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    none = work / "no-corrections.csv"
    results: dict[str, object] = {"corpus": str(corpus), "copies": n_copies, "workers": workers,
                                  "load_before": os.getloadavg()}
    try:
        files = copies(corpus, work / "docs", n_copies)
        mb = sum(f.stat().st_size for f in files) / 1e6
        n = len(files)
        print(f"bench_cluster: {n:,} documents ({mb:.0f} MB), {n_copies} copies of {corpus}, {workers} workers; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        results.update(documents=n, mb=round(mb, 1))

        dt, pool = timed(f"ingest, process pool of {workers}", lambda: ingest.ingest(
            files, work / "pool.duckdb", workers=workers, progress=False, corrections=none), n, mb)
        results["pool_ingest_s"] = round(dt, 1)

        t0 = time.perf_counter()
        with cluster.connect(f"local:{workers}") as client:
            results["cluster_start_s"] = round(time.perf_counter() - t0, 1)
            print(f"LocalCluster of {workers} started in {results['cluster_start_s']} s", flush=True)
            dt, dask = timed(f"ingest --dask local:{workers}", lambda: ingest.ingest(
                files, work / "dask.duckdb", corrections=none,
                runner=cluster.DaskRunner(client, progress=False)), n, mb)
            results["dask_ingest_s"] = round(dt, 1)
            dt, written = timed(f"extract --dask local:{workers} --parquet", lambda: cluster.extract_to_parquet(
                files, str(work / "dataset"), client=client, progress=False), n, mb)
            results["dask_parquet_s"] = round(dt, 1)
            results["partitions"] = written.n_partitions
        dt, loaded = timed("ingest --from-parquet", lambda: ingest_parquet(
            str(work / "dataset"), work / "parquet.duckdb", corrections=none), n, mb)
        results["from_parquet_s"] = round(dt, 1)

        digests = {k: digest(work / f"{k}.duckdb") for k in ("pool", "dask", "parquet")}
        same = len(set(digests.values())) == 1
        failures = [len(r.failures) for r in (pool, dask, loaded)] + [len(written.failures)]
        print(f"figures: {digests['pool'][0]:,} in every database; identical by digest: {same}; "
              f"failed documents: {failures}", flush=True)
        results.update(figures=digests["pool"][0], identical=same, failures=failures,
                       load_after=os.getloadavg())
        if not same:
            raise SystemExit(f"bench_cluster: the databases differ: {digests}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_cluster.json").write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, help=f"folder of documents (default {NEWS})")
    ap.add_argument("--copies", type=int, default=3, help="times the corpus is read (default 3)")
    ap.add_argument("--workers", type=int, default=2, help="pool processes and cluster workers (default 2)")
    args = ap.parse_args()
    main(args.corpus, args.copies, args.workers)
    sys.exit(0)
