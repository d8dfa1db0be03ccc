"""report.py: parameter slugs, schedules, publishing on success only, failed runs to reports/_failed.

Also holds the database builders the other report tests import (`build_db`, `gold_db`, `sample_db`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from metrics import paths, store
from metrics.figures import Figure

ROOT = paths.ROOT
GOLD = sorted((ROOT / "tests" / "gold").glob("*.jsonl"))
PERIOD_BOUNDS = {"year": ("-01-01", "-12-31")}


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


def gold_db(db: Path) -> Path:
    """A database of the gold annotations of the sample documents (real figures, real quotes)."""
    from metrics import regions

    docs, figures = [], {}
    for path in GOLD:
        for line in path.read_text(encoding="utf-8").splitlines():
            g = json.loads(line)
            if g.get("ignore") or not g.get("region") or g["region"] == "000000":
                continue
            src = ROOT / "data" / "raw" / g["doc"]
            text = src.read_text(encoding="utf-8", errors="replace")
            doc_id = hashlib.sha256(g["doc"].encode()).hexdigest()
            if doc_id not in figures:
                title = text.strip().splitlines()[0][:80] if text.strip() else g["doc"]
                docs.append(doc_row(doc_id, g["doc"], title, text, date(g["year"] or 2020, 12, 31)))
                figures[doc_id] = []
            start = max(text.find(g["token"]), 0)
            s0 = max(text.rfind("。", 0, start) + 1, 0)
            s1 = text.find("。", start)
            s1 = len(text) if s1 < 0 else s1 + 1
            region = regions.get(g["region"])
            year = g.get("year")
            kind = g.get("period") or "unknown"
            figures[doc_id].append(Figure(
                metric=g["metric"], value=Decimal(str(g["value"])), unit=g["unit"], token=g["token"],
                char_start=start, char_end=start + len(g["token"]), quote=text[s0:s1].strip(),
                sentence_start=s0, sentence_end=s1, rule="gold", confidence=0.9, approx=g.get("approx") or "",
                region_code=g["region"], region_name=region.name if region else None,
                region_level=region.level if region else None, year=year, period_kind=kind,
                period_start=date(year, 1, 1) if year and kind in ("year", "ytd") else None,
                period_end=date(year, 12, 31) if year and kind == "year" else None,
                yoy_pct=None if g.get("yoy") is None else Decimal(str(g["yoy"])), subject=g.get("subject") or "",
            ))
    return build_db(db, docs, figures)
