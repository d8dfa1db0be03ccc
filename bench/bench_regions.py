"""find_mentions throughput: the sample texts concatenated 50 times, scanned once (chars/s)."""

from __future__ import annotations

import time
from pathlib import Path

from bench_extract import read_texts

from metrics import regions
from metrics.paths import RAW_DIR

REPEAT = 50


def main(corpus: Path | None = None) -> dict[str, float]:
    folder = corpus or RAW_DIR
    texts = read_texts(folder, "bench_regions")
    text = "\n".join(texts) * REPEAT
    t0 = time.perf_counter()
    regions.find_mentions("")  # load tables and compile the pattern outside the timing
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    mentions = regions.find_mentions(text)
    scan_s = time.perf_counter() - t0
    result = {
        "chars": len(text),
        "mentions": len(mentions),
        "load_s": round(load_s, 3),
        "scan_s": round(scan_s, 3),
        "chars_per_s": round(len(text) / scan_s),
        "mb_per_s_utf8": round(len(text.encode("utf-8")) / scan_s / 1e6, 2),
    }
    print(f"regions.find_mentions: {result['chars']:,} chars in {scan_s:.2f}s = "
          f"{result['chars_per_s']:,} chars/s ({result['mb_per_s_utf8']} MB/s UTF-8), "
          f"{len(mentions):,} mentions; tables load {load_s:.2f}s")
    return result


if __name__ == "__main__":
    main()
