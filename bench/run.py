"""Run every benchmark (extraction MB/s, ingest docs/s, compare() latency, briefing render time).

Numbers are measured here, never asserted by timed unit tests. Results also go to bench/out/results.json.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ("bench_extract", "bench_linear", "bench_prepare", "bench_regions", "bench_store", "bench_report")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, help="folder of documents to use instead of the samples")
    ap.add_argument("--only", choices=BENCHES, action="append", help="run only these benchmarks")
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    results: dict[str, object] = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    print(f"regmetrics benchmarks on {results['machine']}")
    failed = []
    for name in args.only or BENCHES:
        module = importlib.import_module(name)
        try:
            results[name] = module.main(args.corpus)
        except Exception as exc:  # one benchmark failing must not hide the others' numbers
            print(f"{name}: failed: {exc}", file=sys.stderr)
            failed.append(name)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), "utf-8")
    print(f"results written to {out / 'results.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
