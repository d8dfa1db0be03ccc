"""Extraction time per number on long runs of numbers (the issue's repro and an announced run): a
20,000-number run must cost at most twice per number what a 10,000-number run costs (linear time)."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from metrics.extract import extract_text

RUNS = {
    # the repro as is: no phrase announces a figure, so the pre-check skips it whole
    "issue repro": lambda n: "浙江省市场监管局：" + "，".join(f"{i}件" for i in range(n)),
    # the same run after a sentence naming complaints: the pre-check lets it through, every number is classified
    "bare": lambda n: "浙江省市场监管局发布投诉情况。" + "，".join(f"{i}件" for i in range(n)),
    "announced": lambda n: "浙江省市场监管局：" + "，".join(f"受理投诉{i}件" for i in range(n)),
}
SIZES = (10_000, 20_000)
REPEAT = 3


def _seconds(text: str) -> float:
    """Median wall time of extract_text(text) over REPEAT runs."""
    times = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        extract_text(text)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(corpus: Path | None = None) -> dict[str, dict[str, float]]:
    """Time each run at both sizes; print per-number microseconds and the ratio (corpus is not used)."""
    extract_text("2020年，福建省罚没款1元。")
    out: dict[str, dict[str, float]] = {}
    for name, make in RUNS.items():
        per = {n: _seconds(make(n)) / n * 1e6 for n in SIZES}
        ratio = per[SIZES[1]] / per[SIZES[0]]
        verdict = "linear" if ratio <= 2 else "NOT linear"
        print(f"linear ({name} run): {per[SIZES[0]]:.1f} µs/number at {SIZES[0]:,}, {per[SIZES[1]]:.1f} µs/number "
              f"at {SIZES[1]:,}: ratio {ratio:.2f} (≤ 2: {verdict})")
        out[name] = {"us_per_number_10k": round(per[SIZES[0]], 2), "us_per_number_20k": round(per[SIZES[1]], 2),
                     "ratio": round(ratio, 2)}
    return out


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__).parse_args()
    main()
