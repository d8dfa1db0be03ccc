"""Extraction throughput in MB/s (UTF-8) of the whole per-document path (prepare + metadata + extract),
one process, over >= 20 MB: the sample documents repeated with their digits varied, or a --corpus folder.

With --corpus the time to read the files (decode, HTML/PDF/DOCX to text) is measured too, and, when the
[bench] extra is installed (make bench does), jionlp's extract_money over the same texts is the peer figure:
a money-only pass of a general-purpose Chinese NLP toolkit."""

from __future__ import annotations

import argparse
import random
import re
import time
from pathlib import Path

from metrics.documents import DocumentError, read_document
from metrics.extract import extract_text
from metrics.paths import RAW_DIR

TARGET_BYTES = 20 * 1024 * 1024
_DIGITS = re.compile(r"[0-9]")


def read_texts(folder: Path, bench: str = "bench_extract") -> list[str]:
    """The stored text of every readable document under `folder` (shared by the benchmarks)."""
    out = []
    for p in sorted(f for f in folder.rglob("*") if f.is_file()):
        try:
            out.append(read_document(p).text)
        except DocumentError:
            continue
    if not out:
        raise SystemExit(f"{bench}: no readable documents in {folder}")
    return out


def _peer(texts: list[str], mb: float) -> dict[str, float] | None:
    """jionlp's extract_money over the texts (None when the [bench] extra is not installed)."""
    try:
        import jionlp  # noqa: F401 - the peer, benchmark-only
    except ImportError:
        print("peer: jionlp not installed (pip install -e '.[bench]', as make bench does)")
        return None
    from jionlp import ner

    ner.extract_money(texts[0])
    t0 = time.perf_counter()
    found = sum(len(ner.extract_money(t)) for t in texts)
    secs = time.perf_counter() - t0
    print(f"peer: jionlp {jionlp.__version__} extract_money over the same texts: {mb:.1f} MB in {secs:.1f} s = "
          f"{mb / secs:.1f} MB/s ({found} money amounts; regmetrics extracts every metric)")
    return {"mb_per_s": round(mb / secs, 2), "seconds": round(secs, 2), "amounts": found}


def corpus_texts(corpus: Path | None) -> list[str]:
    """The documents to extract: a given folder as is, or the samples repeated to >= 20 MB with every
    digit varied, so that no copy is byte-identical to another."""
    texts = read_texts(corpus or RAW_DIR)
    if corpus is not None:
        return texts
    rng = random.Random(7)
    out: list[str] = []
    size = 0
    while size < TARGET_BYTES:
        for t in texts:
            varied = _DIGITS.sub(lambda _m: str(rng.randrange(10)), t)
            out.append(varied)
            size += len(varied.encode("utf-8"))
    return out


def main(corpus: Path | None = None) -> dict[str, object]:
    """Time extract_text over the corpus; print one summary line and return the numbers."""
    t_read = time.perf_counter()
    texts = corpus_texts(corpus)
    t_read = time.perf_counter() - t_read
    extract_text(texts[0])  # load catalogue, region tables and compiled patterns outside the timing
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    n_figures = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for i, t in enumerate(texts):
        n_figures += len(extract_text(t, doc=f"doc{i}.txt").figures)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    rate = mb / secs
    print(f"extract: {mb:.1f} MB in {secs:.1f} s = {rate:.1f} MB/s (1 process, {len(texts)} docs, "
          f"{n_figures} figures; CPU {cpu:.1f} s = {mb / cpu:.1f} MB/s)")
    out: dict[str, object] = {"mb": round(mb, 2), "seconds": round(secs, 2), "mb_per_s": round(rate, 2),
                              "cpu_seconds": round(cpu, 2), "cpu_mb_per_s": round(mb / cpu, 2),
                              "docs": len(texts), "figures": n_figures}
    if corpus is not None:
        print(f"extract including reading the files ({t_read:.1f} s): {mb / (secs + t_read):.1f} MB/s")
        out["mb_per_s_with_reading"] = round(mb / (secs + t_read), 2)
        out["peer_jionlp_extract_money"] = _peer(texts, mb)
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, help="folder of documents (default: the samples, repeated)")
    main(ap.parse_args().corpus)
