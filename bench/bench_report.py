"""Briefing benchmark: seconds to render one briefing end to end (validate, papermill, HTML, publish).

Ingests the corpus (default data/raw) into a temporary database first (not timed), then renders
province_comparison RUNS times and reports the median and the worst. Target: < 20 s on 2 cores.
Run through bench/run.py (`make bench`) or alone: .venv/bin/python bench/bench_report.py [--corpus DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from metrics import report
from metrics.cli import expand_paths
from metrics.ingest import ingest
from metrics.paths import RAW_DIR

NOTEBOOK = "province_comparison"
RUNS = 3
TARGET_S = 20.0


def main(corpus: Path | None = None) -> dict:
    """Render one briefing RUNS times on an ingested corpus; print one line, return the numbers."""
    with tempfile.TemporaryDirectory(prefix="bench_report_") as tmp:
        db = Path(tmp) / "bench.duckdb"
        ingest(expand_paths([str(corpus or RAW_DIR)]), db, progress=False)
        times, html_bytes = [], 0
        for i in range(RUNS):
            t0 = time.perf_counter()
            result = report.run_report(NOTEBOOK, {}, db=db, out=Path(tmp) / f"out{i}")
            times.append(time.perf_counter() - t0)
            if not result.ok:
                raise RuntimeError(f"{NOTEBOOK} failed: {result.error}")
            html_bytes = result.html.stat().st_size
    med, worst = statistics.median(times), max(times)
    verdict = "ok" if worst < TARGET_S else "OVER TARGET"
    print(f"bench_report: {NOTEBOOK} end to end median {med:.1f} s, worst {worst:.1f} s over {RUNS} runs "
          f"({html_bytes / 1e6:.1f} MB HTML, {os.cpu_count()} cores; target < {TARGET_S:.0f} s: {verdict})")
    return {"notebook": NOTEBOOK, "runs": RUNS, "median_s": round(med, 2), "worst_s": round(worst, 2),
            "html_bytes": html_bytes, "target_s": TARGET_S, "cores": os.cpu_count()}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, help="folder of documents to ingest instead of data/raw")
    args = ap.parse_args()
    main(args.corpus)
    sys.exit(0)
