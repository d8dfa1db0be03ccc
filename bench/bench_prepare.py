"""prepare() throughput: the sample texts concatenated 50 times, and the same texts one call each (MB/s).

Reports wall-clock and CPU-time rates: on a shared machine the CPU-time rate is the one that says
what prepare() itself costs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from bench_extract import read_texts

from metrics.paths import RAW_DIR
from metrics.prepare import prepare

REPEAT = 50
RUNS = 3


def _best(fn: Callable[[], object]) -> tuple[float, float]:
    wall = cpu = float("inf")
    for _ in range(RUNS):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return wall, cpu


def main(corpus: Path | None = None) -> dict[str, float]:
    folder = corpus or RAW_DIR
    texts = read_texts(folder, "bench_prepare")
    big = "\n".join(texts) * REPEAT
    docs = texts * REPEAT
    mb = len(big.encode("utf-8")) / 1e6
    prepare("预热")  # load the pattern files and OpenCC tables outside the timing
    one_wall, one_cpu = _best(lambda: prepare(big))
    many_wall, many_cpu = _best(lambda: [prepare(d) for d in docs])
    result = {
        "mb": round(mb, 2),
        "one_text_mb_per_s": round(mb / one_wall, 1),
        "one_text_mb_per_s_cpu": round(mb / one_cpu, 1),
        "per_document_mb_per_s": round(mb / many_wall, 1),
        "per_document_mb_per_s_cpu": round(mb / many_cpu, 1),
    }
    print(f"prepare: {mb:.1f} MB as one text {result['one_text_mb_per_s']} MB/s "
          f"(cpu {result['one_text_mb_per_s_cpu']}), as {len(docs)} documents "
          f"{result['per_document_mb_per_s']} MB/s (cpu {result['per_document_mb_per_s_cpu']})")
    return result


if __name__ == "__main__":
    main()
