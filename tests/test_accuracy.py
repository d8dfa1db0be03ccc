"""Precision and recall of `regmetrics extract` on data/raw against the gold annotations (the official scorer)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from metrics.pipeline import extract_paths

ROOT = Path(__file__).resolve().parents[1]
# Raise these when the extractor improves; keep a little slack below the measured figures.
MIN_PRECISION = 0.93
MIN_RECALL = 0.93


def _scorer():
    spec = importlib.util.spec_from_file_location("score", ROOT / "scripts" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_precision_and_recall_on_the_gold_set() -> None:
    gold = [json.loads(line) for g in sorted((ROOT / "tests" / "gold").glob("*.jsonl"))
            for line in g.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = sorted({g["doc"] for g in gold})
    records, failures = extract_paths([ROOT / "data" / "raw" / d for d in docs])
    assert not failures
    preds = [json.loads(json.dumps(r, default=str)) for r in records]
    tp, fp, fn, _, _ = _scorer().score(gold, preds)
    t, f, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    precision, recall = t / (t + f), t / (t + n)
    assert precision >= MIN_PRECISION, f"precision {precision:.3f} (tp {t} fp {f})"
    assert recall >= MIN_RECALL, f"recall {recall:.3f} (tp {t} fn {n})"
