"""The metric catalogue: strict loading, and every example sentence in metrics.yaml run as a test."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from metrics.catalogue import CATALOGUE_PATH, CORE_METRICS, catalogue, load_catalogue
from metrics.extract import extract_text

PUBLISHED = date(2023, 8, 1)


def _examples() -> list[tuple[str, int, object]]:
    out = []
    for m in catalogue().data.metrics:
        for i, ex in enumerate(m.examples):
            out.append((m.id, i, ex))
    return out


def test_core_metrics_all_defined_and_emitted() -> None:
    emitted = {m.id for m in catalogue().emitted()}
    assert set(CORE_METRICS) <= emitted
    for m in catalogue().emitted():
        assert m.examples, f"{m.id} has no example sentence"


def test_misspelt_key_fails_loudly(tmp_path: Path) -> None:
    raw = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    raw["metrics"][0]["trigers"] = raw["metrics"][0].pop("triggers")
    bad = tmp_path / "metrics.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="trigers"):
        load_catalogue(bad)


def test_bad_regex_names_the_pattern(tmp_path: Path) -> None:
    raw = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    raw["metrics"][0]["triggers"] = ["抽检(("]
    bad = tmp_path / "metrics.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="bad regex"):
        load_catalogue(bad)


def test_missing_core_metric_is_reported(tmp_path: Path) -> None:
    raw = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    raw["metrics"] = [m for m in raw["metrics"] if m["id"] != "pass_rate"]
    bad = tmp_path / "metrics.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="pass_rate"):
        load_catalogue(bad)


@pytest.mark.parametrize(("metric_id", "index", "example"), _examples(),
                         ids=[f"{m}-{i}" for m, i, _ in _examples()])
def test_catalogue_example(metric_id: str, index: int, example) -> None:
    figures = extract_text(example.text, published_on=PUBLISHED).figures
    got = [(f.metric, float(f.value)) for f in figures]
    want = [(e.metric or metric_id, e.value) for e in example.expect]
    assert got == want, f"{example.text}\n got  {got}\n want {want}"
    for f, e in zip(figures, example.expect, strict=True):
        if e.approx is not None:
            assert f.approx == e.approx
        if e.yoy is not None:
            assert f.yoy_pct is not None and float(f.yoy_pct) == e.yoy
        if e.subject is not None:
            assert f.subject == e.subject
