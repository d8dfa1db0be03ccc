"""Store benchmarks: ingest throughput (documents/s, 1 and 2 workers) and compare() latency on 10M figures.

Run through bench/run.py (`make bench`) or alone: .venv/bin/python bench/bench_store.py [--corpus DIR]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from metrics import query, store
from metrics.cli import expand_paths
from metrics.ingest import ingest
from metrics.paths import RAW_DIR

N_DOCUMENTS = 2000
N_FIGURES = 10_000_000
COMPARE_RUNS = 25

# A number that is not part of a date (2023年, 8月, 25日) and not a code: the figures to vary.
_NUMBER = re.compile(r"(?<![\d.])(\d+)(\.\d+)?(?![\d.]*[年月日号])")


def make_corpus(src: Path, dest: Path, n: int) -> list[Path]:
    """Write `n` documents to `dest`, cycling through the texts in `src` with their figures varied."""
    texts = [(p, p.read_text(encoding="utf-8")) for p in expand_paths([str(src)]) if p.suffix == ".txt"]
    if not texts:
        raise ValueError(f"no .txt documents in {src} to build a corpus from")
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        path, text = texts[i % len(texts)]
        bump = i // len(texts) + 1
        varied = _NUMBER.sub(lambda m, b=bump: f"{int(m.group(1)) + b}{m.group(2) or ''}", text)
        target = dest / f"{i:05d}_{path.stem}.txt"
        target.write_text(varied + f"\n（样本{i}）\n", encoding="utf-8")
        out.append(target)
    return out


def bench_ingest(files: list[Path], workdir: Path) -> dict[str, float]:
    """Documents per second for a first ingest on 1 and 2 workers, and the no-change re-ingest time."""
    results: dict[str, float] = {}
    for workers in (1, 2):
        db = workdir / f"w{workers}" / "regmetrics.duckdb"
        t0 = time.perf_counter()
        res = ingest(files, db, workers=workers, progress=False, corrections=workdir / "none.csv")
        dt = time.perf_counter() - t0
        rate = len(files) / dt
        results[f"ingest_docs_per_s_{workers}w"] = round(rate, 1)
        print(f"ingest {len(files)} documents, {workers} worker(s): {rate:.1f} documents/s "
              f"({dt:.1f} s, {res.n_figures} figures, {len(res.failures)} failed)")
        if workers == 1:
            t0 = time.perf_counter()
            again = ingest(files, db, workers=workers, progress=False, corrections=workdir / "none.csv")
            dt = time.perf_counter() - t0
            assert not again.published
            results["reingest_unchanged_s"] = round(dt, 2)
            print(f"re-ingest {len(files)} unchanged documents: {dt:.2f} s (nothing published)")
    return results


def build_synthetic(db: Path, n: int = N_FIGURES) -> dict[str, float]:
    """A database of `n` generated figures across the catalogue's metrics, 31 provinces and 10 years."""
    ref = store.load_reference()
    metrics = [m["id"] for m in ref.metrics]
    provinces = [r["code"] for r in ref.regions if r["level"] == "province" and r["valid_to"] is None]
    con = duckdb.connect(str(db))
    con.execute("SET enable_progress_bar = false")
    store.create_schema(con)
    store.write_reference(con, ref)
    t0 = time.perf_counter()
    con.execute(
        "INSERT INTO documents (id, path, name, title, published_on, n_chars, n_figures, text) "
        "SELECT 'doc' || i, 'synthetic/' || i || '.txt', i || '.txt', '合成报告' || i, "
        "DATE '2015-01-01' + CAST(i % 3650 AS INTEGER), 1000, 0, '' FROM range(10000) t(i)")
    # Independent pseudo-random picks per row (hashes of distinct integers; hash(i, salt) would
    # correlate the picks), so every metric x province x year combination occurs.
    con.execute(
        """INSERT INTO figures_raw
        WITH g AS (
            SELECT i, CAST(hash(i * 5 + 1) % len($m) + 1 AS BIGINT) AS m, CAST(hash(i * 5 + 2) % len($r) + 1 AS BIGINT) AS r,
                   2015 + CAST(hash(i * 5 + 3) % 10 AS INTEGER) AS y, CAST(hash(i * 5 + 4) % 4 + 1 AS INTEGER) AS k,
                   CAST(hash(i * 5 + 5) % 100000000 AS BIGINT) AS v
            FROM range($n) t(i))
        SELECT 'doc' || (i % 10000), $m[m] || '@' || i || '-' || (i + 5), (i % 10000) || '.txt', $m[m],
               CAST(v / 100.0 AS DECIMAL(38, 6)), '元', '', $r[r], NULL, 'province', y,
               ['year', 'ytd', 'month', 'quarter'][k], make_date(y, 1, 1), make_date(y, CAST(1 + v % 12 AS INTEGER), 28),
               NULL, CASE WHEN i % 5 = 0 THEN '食品' ELSE '' END, (v / 100) || '元', '合成句子' || i || '元。',
               100, 105, 90, 110, 'synthetic', (v % 100) / 100.0
        FROM g""",
        {"m": metrics, "r": provinces, "n": n},
    )
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.rebuild_figures(con)
    store.refresh_headline(con)
    derived = time.perf_counter() - t0
    con.execute("CHECKPOINT")
    con.close()
    print(f"synthetic database: {n:,} figures generated in {built:.1f} s; figures + headline rebuilt in {derived:.1f} s")
    return {"synthetic_build_s": round(built, 1), "derive_10m_s": round(derived, 1)}


def _median_ms(fn: object, runs: int = COMPARE_RUNS) -> tuple[float, int]:
    fn()  # type: ignore[operator]  # warm the OS cache once
    times = []
    rows = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        df = fn()  # type: ignore[operator]
        times.append((time.perf_counter() - t0) * 1000)
        rows = df.height
    return statistics.median(times), rows


def bench_compare(db: Path) -> dict[str, float]:
    """Median latency of compare() calls as a notebook makes them (each opens its own connection)."""
    cases = {
        "compare_year_ms": lambda: query.compare("fines_confiscations", years=2020, db=db),
        "compare_all_years_ms": lambda: query.compare("complaints", db=db),
        "compare_regions_ms": lambda: query.compare("sampling_batches", years=[2019, 2020], regions=["福建", "广东省"],
                                                    db=db),
        "compare_all_figures_year_ms": lambda: query.compare("fines_confiscations", years=2020, headline_only=False,
                                                             db=db),
        "trend_ms": lambda: query.trend("fines_confiscations", "350000", db=db),
    }
    out = {}
    for name, fn in cases.items():
        ms, n = _median_ms(fn)
        out[name] = round(ms, 1)
        print(f"{name.removesuffix('_ms')} on {N_FIGURES:,} figures: median {ms:.1f} ms over {COMPARE_RUNS} runs "
              f"({n} rows; target < 100 ms)")
    return out


def main(corpus: Path | None = None) -> dict[str, float]:
    """Run the store benchmarks; `corpus` is a folder of documents to generate the ingest corpus from."""
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="regmetrics-bench-") as tmp:
        work = Path(tmp)
        src = corpus or RAW_DIR
        given = expand_paths([str(src)])
        files = given if len(given) >= N_DOCUMENTS else make_corpus(src, work / "corpus", N_DOCUMENTS)
        results.update(bench_ingest(files, work))
        db = work / "synthetic.duckdb"
        results.update(build_synthetic(db))
        results.update(bench_compare(db))
    return results


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--skip-ingest", action="store_true", help="only the compare() latency")
    args = ap.parse_args()
    if args.skip_ingest:
        with tempfile.TemporaryDirectory(prefix="regmetrics-bench-") as tmp:
            build_synthetic(Path(tmp) / "synthetic.duckdb")
            bench_compare(Path(tmp) / "synthetic.duckdb")
    else:
        main(args.corpus)
    sys.exit(0)
