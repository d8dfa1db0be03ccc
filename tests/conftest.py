"""Databases shared by the report tests (briefing, browser, notebooks, params, report, summary).

Session-scoped, so data/raw is ingested once per test run however many modules use `sample_db`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from metrics import paths, store
from metrics.figures import Figure

# ---- database builders (store API) --------------------------------------------------------------

def build_db(db: Path, docs: list[dict[str, Any]], figures: dict[str, list[Figure]]) -> Path:
    """A database written with the store's own functions: documents, figures, reference, views."""
    con = duckdb.connect(str(db))
    try:
        store.create_schema(con)
        store.insert_documents(con, docs)
        rows = []
        for d in docs:
            rows += store.figure_rows(d["id"], d["name"], figures.get(d["id"], []))
        store.insert_figures(con, rows)
        metric_ids = sorted({f.metric for fs in figures.values() for f in fs})
        ref = store.Reference(
            regions=_region_rows(),
            metrics=[{"id": m, "name": METRIC_NAMES.get(m, m), "names": [], "unit": None, "kind": None,
                      "definition": None} for m in metric_ids],
        )
        store.write_reference(con, ref)
        store.rebuild_figures(con)
        store.refresh_headline(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db


METRIC_NAMES = {"fines_confiscations": "罚没款", "complaints": "投诉", "cases": "案件", "sampling_batches": "抽检批次",
                "failed_batches": "不合格批次", "pass_rate": "合格率", "fail_rate": "不合格率",
                "losses_recovered": "挽回损失", "new_enterprises": "新设企业", "new_market_entities": "新设市场主体"}


def _region_rows() -> list[dict[str, Any]]:
    from metrics import regions

    return [{"code": r["code"], "name": r["name"], "level": r["level"], "parent": r.get("parent"),
             "valid_from": r.get("valid_from"), "valid_to": r.get("valid_to")} for r in regions.all_regions()]


def doc_row(doc_id: str, name: str, title: str, text: str, published_on: date | None = None) -> dict[str, Any]:
    """A documents row for build_db."""
    return {"id": doc_id, "path": f"data/raw/{name}", "name": name, "title": title, "publisher": None,
            "region_code": None, "published_on": published_on, "date_source": None, "genre": None,
            "format": "txt", "encoding": "utf-8", "n_chars": len(text), "n_figures": 0,
            "ingested_at": datetime(2026, 1, 1), "extractor_version": "test", "text": text}


def hostile_db(db: Path) -> Path:
    """Two provinces whose document title and quote carry <script> and <img onerror> payloads."""
    from metrics import regions

    payload_title = 'Report <script>window.__pwned=1</script> 标题'
    payload_quote = '罚没款2.6亿元<img src=x onerror="window.__pwned=2">，<b>加粗</b>'
    docs, figures = [], {}
    for i, (code, value, kind) in enumerate((("510000", "260000000", "year"), ("440000", "120000000", "ytd"))):
        text = f"{payload_quote} 第{i}份。"
        doc_id = f"doc{i}"
        docs.append(doc_row(doc_id, f"hostile{i}.txt", payload_title, text, date(2021, 1, 15)))
        r = regions.get(code)
        figures[doc_id] = [Figure(
            metric="fines_confiscations", value=Decimal(value), unit="元", token="2.6亿元", char_start=3,
            char_end=8, quote=payload_quote, sentence_start=0, sentence_end=len(payload_quote), rule="test",
            confidence=0.5, region_code=code, region_name=r.name, region_level=r.level, year=2020,
            period_kind=kind, period_start=date(2020, 1, 1), period_end=date(2020, 12, 31) if kind == "year"
            else date(2020, 8, 31), yoy_pct=Decimal("12.5"),
        )]
    return build_db(db, docs, figures)


def many_provinces_db(db: Path) -> Path:
    """All 31 mainland provinces stating fines for 2023 and 2024 (invented values spanning 万元 to 亿元,
    some approximate, one year-to-date, some with year-on-year): what a full comparison must draw."""
    from metrics import regions, summary

    provinces = summary.expected_regions("province")
    docs, figures = [], {}
    for i, (code, name) in enumerate(provinces):
        for year in (2023, 2024):
            value = Decimal(int(3.2e9 * 0.8 ** ((i * 11) % 31) * (1.1 if year == 2024 else 1.0)))
            kind = "ytd" if (i == 7 and year == 2024) else "year"
            approx = "over" if i % 5 == 3 else ""
            yoy = Decimal("10") if year == 2024 and i % 3 == 0 else None
            token = summary.value_text(float(value), "元", approx)
            quote = f"{year}年，{name}市场监管部门罚没款{token}。"
            text = f"{name}{year}年市场监管工作总结\n{quote}\n"
            doc_id = f"m{i:02d}y{year}"
            docs.append(doc_row(doc_id, f"{doc_id}.txt", f"{name}{year}年市场监管工作总结", text,
                                date(year + 1, 1, 20)))
            start = text.index(quote)
            at = start + quote.index(token)
            figures[doc_id] = [Figure(
                metric="fines_confiscations", value=value, unit="元", token=token, char_start=at,
                char_end=at + len(token), quote=quote, sentence_start=start, sentence_end=start + len(quote),
                rule="test", confidence=0.9, region_code=code, region_name=regions.get(code).name,
                region_level="province", year=year, period_kind=kind, period_start=date(year, 1, 1),
                period_end=date(year, 8, 31) if kind == "ytd" else date(year, 12, 31), approx=approx, yoy_pct=yoy,
            )]
    return build_db(db, docs, figures)


def ingest_samples(db: Path) -> Path:
    """data/raw ingested by the project's own ingest (the sample data every notebook must handle)."""
    from metrics import ingest
    from metrics.cli import expand_paths

    result = ingest.ingest(expand_paths([str(paths.RAW_DIR)]), db, progress=False)
    assert result.n_figures > 0, "ingest of data/raw produced no figures"
    return db


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample documents ingested once per test session."""
    return ingest_samples(tmp_path_factory.mktemp("sample") / "regmetrics.duckdb")


@pytest.fixture(scope="session")
def many_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """31 provinces with fines for 2023 and 2024 (invented values)."""
    return many_provinces_db(tmp_path_factory.mktemp("many") / "many.duckdb")


@pytest.fixture(scope="session")
def evil_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database whose report text tries to inject HTML and script."""
    return hostile_db(tmp_path_factory.mktemp("evil") / "evil.duckdb")


@pytest.fixture(scope="session")
def render(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """`render(notebook, db, **parameters) -> RunResult`: each distinct briefing is rendered once per session
    (papermill starts a kernel per run), so the HTML checks and the browser checks share one rendering.
    Callers only read what it published."""
    import json

    from metrics import report

    done: dict[tuple[str, str, str], report.RunResult] = {}

    def run(notebook: str, db: Path, **given: Any) -> report.RunResult:
        key = (notebook, str(db), json.dumps(given, sort_keys=True, ensure_ascii=False, default=str))
        if key not in done:
            done[key] = report.run_report(notebook, given, db=db, out=tmp_path_factory.mktemp("briefings"))
        return done[key]

    return run
